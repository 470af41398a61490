"""Shards from the environment (Slurm arrays, torchrun) and `hatif merge`: a 3-task array merges to
the bytes of one unsharded run; a lost, doubled, torn or foreign part fails naming file and line."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHARED
from hatif.predict.backends import BackendOptions, load_backend
from hatif.predict.job import PredictConfig, default_errors_path, run_predict
from hatif.predict.merge import MergeError, merge
from hatif.predict.shards import FLAGS, SLURM, ShardError, pick_shard, shard_path

# The CLI picks the shard from the environment and has `hatif merge` once the lead applied the snippets.


def slurm(task: int, count: int, low: int | None = None, high: int | None = None) -> dict[str, str]:
    env = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_COUNT": str(count)}
    env.update({} if low is None else {"SLURM_ARRAY_TASK_MIN": str(low)})
    env.update({} if high is None else {"SLURM_ARRAY_TASK_MAX": str(high)})
    return env


def torchrun(rank: int, world: int) -> dict[str, str]:
    return {"RANK": str(rank), "WORLD_SIZE": str(world), "LOCAL_RANK": str(rank)}


@pytest.mark.parametrize("flags, env, expected", [
    ((None, None), {}, (1, 0, "default")),
    ((4, 1), {}, (4, 1, FLAGS)),
    ((4, 1), slurm(2, 3), (4, 1, FLAGS)),  # explicit flags win
    ((None, None), slurm(2, 3), (3, 2, SLURM)),
    ((None, None), slurm(0, 1, 0, 0), (1, 0, SLURM)),
    ((None, None), slurm(1, 8, 1, 8), (8, 0, SLURM)),  # --array=1-8: ids start at 1
    ((None, None), slurm(6, 8, 0, 14), (8, 3, SLURM)),  # --array=0-14:2
    ((None, None), slurm(5, 4, 1, 7), (4, 2, SLURM)),  # --array=1,3,5,7
    ((None, None), torchrun(1, 2), (2, 1, "RANK")),
    ((None, None), {**slurm(1, 3), **torchrun(1, 2)}, (6, 3, f"{SLURM} and RANK")),  # an array of torchrun jobs
])
def test_the_shard_comes_from_the_flags_else_the_environment(flags, env, expected):
    assert pick_shard(*flags, env)[:3] == expected


@pytest.mark.parametrize("env, message", [
    (slurm(2, 3), "shard 2 of 3 from SLURM_ARRAY_TASK_ID"),
    (slurm(3, 3, 1, 3), "shard 2 of 3 from SLURM_ARRAY_TASK_ID"),
    (torchrun(0, 4), "shard 0 of 4 from RANK"),
])
def test_the_log_line_says_where_the_shard_came_from(env, message):
    assert pick_shard(None, None, env).message == message


def test_the_log_line_names_the_environment_the_flags_overrode():
    assert pick_shard(4, 1, {**slurm(2, 3), "PATH": "/bin"}).message == (
        "shard 1 of 4 from --num-shards/--shard-index (SLURM_ARRAY_TASK_ID=2 ignored)")


@pytest.mark.parametrize("flags, env, error", [
    ((None, 2), {}, "give both --num-shards and --shard-index, or neither"),
    ((3, None), slurm(0, 3), "give both --num-shards and --shard-index, or neither"),
    ((3, 3), {}, "--shard-index must be in [0, 3)"),
    ((None, None), {"SLURM_ARRAY_TASK_ID": "2"}, "SLURM_ARRAY_TASK_ID=2 but SLURM_ARRAY_TASK_COUNT is not set"),
    ((None, None), slurm(2, 0), "SLURM_ARRAY_TASK_COUNT is 0"),
    ((None, None), {**slurm(2, 3), "SLURM_ARRAY_TASK_ID": "x"}, "SLURM_ARRAY_TASK_ID='x' is not an integer"),
    ((None, None), slurm(3, 3), "SLURM_ARRAY_TASK_ID=3 is not one of 3 evenly spaced task ids"),
    ((None, None), slurm(2, 3, 1, 9), "not one of 3 evenly spaced"),  # --array=1,2,9
    ((None, None), slurm(1, 3, 1, 4), "not one of 3 evenly spaced"),  # --array=1,2,4
    ((None, None), torchrun(2, 2), "RANK=2 and WORLD_SIZE=2"),
    ((None, None), {"RANK": "0"}, "RANK=0 and WORLD_SIZE=not set"),
])
def test_inconsistent_flags_or_environment_are_refused(flags, env, error):
    with pytest.raises(ShardError, match=re.escape(error)):
        pick_shard(*flags, env)


@pytest.mark.parametrize("array", [
    [slurm(task, 8, 0, 7) for task in range(8)],  # --array=0-7
    [slurm(task, 8, 1, 8) for task in range(1, 9)],  # --array=1-8
    [slurm(task, 5, 10, 18) for task in range(10, 19, 2)],  # --array=10-18:2
    [torchrun(rank, 4) for rank in range(4)],
    [{**slurm(task, 3, 0, 2), **torchrun(rank, 2)} for task in range(3) for rank in range(2)],
])
def test_the_tasks_of_an_array_take_every_shard_once(array):
    choices = [pick_shard(None, None, env) for env in array]
    assert {choice.num_shards for choice in choices} == {len(array)}
    assert sorted(choice.shard_index for choice in choices) == list(range(len(array)))


def test_shard_path_keeps_torchrun_ranks_apart():
    choice = pick_shard(None, None, torchrun(3, 4))
    assert shard_path(Path("runs/big/part{shard}.jsonl"), choice) == Path("runs/big/part3.jsonl")
    assert shard_path(Path("runs/big/all.jsonl"), choice) == Path("runs/big/all.jsonl")


# ---- merging the parts ---------------------------------------------------------------------------

def dev_articles() -> list[dict]:
    """The dev corpus as JSON Lines articles (one sentence per paragraph line), 25 real Arabic texts."""
    docs: dict[str, dict] = {}
    for line in (REPO / "corpus/dev/corpus.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        doc = docs.setdefault(row["doc_id"], {"doc_id": row["doc_id"], "text": "", "doc_date": row["doc_date"]})
        doc["text"] += row["text"] + "\n"
    return list(docs.values())


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """Articles of every kind with inputs that fail: JSON Lines with a malformed line, an empty text
    and a doubled doc_id, then a folder of .txt (the seed articles and one that is not UTF-8)."""
    root = tmp_path_factory.mktemp("inputs")
    docs = dev_articles()
    lines = [json.dumps(doc, ensure_ascii=False) for doc in docs]
    lines[3:3] = ['{"doc_id": "broken", "text": "اتصال هاتفي', json.dumps({"doc_id": "empty", "text": " "})]
    lines.append(json.dumps(docs[0], ensure_ascii=False))
    (root / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = root / "txt"
    (folder / "latin").mkdir(parents=True)
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "latin" / "latin1.txt").write_bytes("اتصل الرئيس".encode("utf-8")[:5] + "é".encode("latin-1"))
    return [str(root / "articles.jsonl"), str(folder)]


@pytest.fixture(scope="module")
def rules():
    return load_backend("rules", BackendOptions())


@pytest.fixture(scope="module")
def whole(tmp_path_factory, inputs, rules) -> Path:
    """One unsharded run: what the merge must give back byte for byte."""
    out = tmp_path_factory.mktemp("whole") / "predictions.jsonl"
    summary = run_predict(inputs, out, rules, PredictConfig(events=out.with_name("events.jsonl")), log=io.StringIO())
    assert summary.failed == 4 and summary.done == 27  # broken, empty, the doubled doc_id, latin1.txt
    return out


def predict_task(inputs: list[str], out: Path, env: dict[str, str], rules) -> None:
    """One array task the way the CLI runs it: no shard flags, the shard from the environment."""
    shard = pick_shard(None, None, env)
    run_predict(inputs, out, rules, PredictConfig(num_shards=shard.num_shards, shard_index=shard.shard_index),
                log=io.StringIO())


@pytest.fixture(scope="module")
def parts(tmp_path_factory, inputs, rules) -> list[Path]:
    folder = tmp_path_factory.mktemp("parts")
    paths = [folder / f"part{task}.jsonl" for task in range(3)]
    for task, path in enumerate(paths):
        predict_task(inputs, path, slurm(task, 3, 0, 2), rules)
    return paths


def run_cli(args: list[str], env: dict[str, str] | None = None) -> str:
    """The stderr of `hatif ARGS` (exit 1 too: some inputs fail, as meant)."""
    run = subprocess.run([sys.executable, "-m", "hatif", *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return run.stderr


@pytest.mark.parametrize("how", ["in-process", "cli"])
def test_a_slurm_array_of_three_merges_to_the_bytes_of_one_run(tmp_path, inputs, rules, whole, how):
    parts = [tmp_path / f"part{task}.jsonl" for task in range(3)]
    out, events = tmp_path / "merged.jsonl", tmp_path / "events.jsonl"
    for task, part in enumerate(parts):
        env = slurm(task, 3, 0, 2)
        if how == "cli":
            log = run_cli(["predict", "--model", "rules", *inputs, "--out", str(part), "--quiet"], env)
            assert f"shard {task} of 3 from SLURM_ARRAY_TASK_ID" in log
        else:
            predict_task(inputs, part, env, rules)
    sizes = [len(part.read_text(encoding="utf-8").splitlines()) for part in parts]
    assert all(sizes) and sum(sizes) == len(whole.read_text(encoding="utf-8").splitlines())
    if how == "cli":
        run_cli(["merge", *map(str, parts), "--out", str(out), "--inputs", inputs[0], "--inputs", inputs[1],
                 "--events", str(events)])
    else:
        summary = merge(parts, out, inputs, events=events)
        assert (summary.documents, summary.failed) == (27, 4)
    assert out.read_bytes() == whole.read_bytes()
    assert events.read_bytes() == whole.with_name("events.jsonl").read_bytes()
    assert default_errors_path(out).read_bytes() == default_errors_path(whole).read_bytes()


def test_without_inputs_documents_are_sorted_by_doc_id_whatever_the_order_of_the_parts(tmp_path, parts, whole):
    merged = []
    for k, order in enumerate([parts, parts[::-1]]):
        out = tmp_path / f"merged{k}.jsonl"
        summary = merge(order, out)
        assert summary.failed is None
        merged.append(out.read_bytes())
    assert merged[0] == merged[1]
    rows = merged[0].decode("utf-8").splitlines()
    doc_ids = list(dict.fromkeys(json.loads(row)["doc_id"] for row in rows))
    assert doc_ids == sorted(doc_ids) and "000_b9b2ccb77d9719e0" in doc_ids
    assert sorted(rows) == sorted(whole.read_text(encoding="utf-8").splitlines())


def test_records_merge_in_the_order_of_the_record_file(tmp_path, rules):
    gold = str(REPO / "corpus/gold/seed_articles.jsonl")
    whole = tmp_path / "whole.jsonl"
    run_predict([gold, str(REPO / "corpus/dev/corpus.jsonl")], whole, rules, PredictConfig(records_mode=True),
                log=io.StringIO())
    parts = [tmp_path / f"part{rank}.jsonl" for rank in range(2)]
    for rank, part in enumerate(parts):
        shard = pick_shard(None, None, torchrun(rank, 2))
        run_predict([gold, str(REPO / "corpus/dev/corpus.jsonl")], part, rules,
                    PredictConfig(records_mode=True, num_shards=shard.num_shards, shard_index=shard.shard_index),
                    log=io.StringIO())
    out = tmp_path / "merged.jsonl"
    summary = merge(parts, out, [gold, str(REPO / "corpus/dev/corpus.jsonl")], records_mode=True)
    assert summary.documents == summary.lines == 36 + 263
    assert out.read_bytes() == whole.read_bytes()


def torn(part: Path) -> None:
    part.write_bytes(part.read_bytes()[:-30])


def foreign(part: Path) -> None:
    with part.open("a", encoding="utf-8") as handle:
        handle.write('{"text": "اتصال هاتفي بلا مرجع"}\n')


@pytest.mark.parametrize("case, error", [
    ("a part missing", r"articles\.jsonl:\d+: doc_id '[^']+' is in no part, and no part's errors file reports it "
                       r"failed \(\d+ such input\(s\) in all\)"),
    ("a part given twice", r"part0b\.jsonl:1: doc_id '[^']+' is also at .*part0\.jsonl:1: parts of different runs"),
    ("a torn last line", r"part1\.jsonl:\d+: torn last line: .* run that shard again with --resume"),
    ("a line that is no record", r"part2\.jsonl:\d+: not a record of `hatif predict` \(no string 'doc_id'\)$"),
    ("an errors file among the parts", r"part2\.errors\.jsonl:1: not a record .* \(an errors file: give the parts only\)"),
    ("a document not in the inputs", r"part\d\.jsonl:\d+: doc_id '00[04]_[0-9a-f]+' is not in the inputs \(2 such in all\)"),
    ("the output among the parts", r"part0\.jsonl: the output is one of the parts"),
])
def test_a_bad_set_of_parts_fails_naming_file_and_line_and_writes_nothing(tmp_path, inputs, parts, case, error):
    given = [tmp_path / part.name for part in parts]
    for part, copy in zip(parts, given):
        copy.write_bytes(part.read_bytes())
        default_errors_path(copy).write_bytes(default_errors_path(part).read_bytes())
    out, used = tmp_path / "merged.jsonl", inputs
    if case == "a part missing":
        given = given[1:]
    elif case == "a part given twice":
        twin = tmp_path / "part0b.jsonl"
        twin.write_bytes(given[0].read_bytes())
        given.append(twin)
    elif case == "a torn last line":
        torn(given[1])
    elif case == "a line that is no record":
        foreign(given[2])
    elif case == "an errors file among the parts":
        given.append(default_errors_path(given[2]))
    elif case == "a document not in the inputs":
        used = inputs[:1]
    else:
        out = given[0]
    if out not in given:
        out.write_text("the previous merge\n", encoding="utf-8")
    before = out.read_bytes()
    with pytest.raises(MergeError, match=error):
        merge(given, out, used)
    assert out.read_bytes() == before
