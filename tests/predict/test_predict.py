"""`hatif predict` on a tiny model: valid records, every input kind, sharding, resume after a kill,
bad input reported per record, the events file and the rule-based path."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from hatif.cli import app
from hatif.text.sentences import MAX_SENTENCE_CHARS
from hatif.data.validate import check_record
from hatif.model.features import Collator, make_feature
from hatif.predict.inputs import InputLimits
from hatif.predict.backends import BackendOptions, load_backend
from hatif.predict.job import PredictConfig, default_errors_path, run_predict
from helpers import tiny_model, tiny_records, tiny_tokenizer
from conftest import SHARED

DATELINE = "باريس، 14 مارس 2023"


def article_text() -> str:
    """The tiny fixture as a raw article: headline, date line, one paragraph."""
    recs = tiny_records()
    return f"{recs[0].text}\n{DATELINE}\n\n" + " ".join(r.text for r in recs[1:]) + "\n"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A 2-layer BERT trained a few steps on the tiny article, saved like `hatif train` saves it."""
    tok = tiny_tokenizer()
    model = tiny_model(tok)
    records = tiny_records()
    batch = Collator(tok, model.config.window, model.config.stride)([make_feature(r, tok, model.config) for r in records])
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3)
    model.train()
    for _ in range(40):
        model(**batch).loss.backward()
        opt.step()
        opt.zero_grad()
    path = tmp_path_factory.mktemp("model")
    model.eval().save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def backend(model_dir):
    return load_backend(str(model_dir), BackendOptions(batch_size=4))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def no_scores(rows: list[dict]) -> list[dict]:
    """Rows without scores: a different batch composition may move a score in the 4th decimal."""
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in ("score", "confidence")}
        return [strip(v) for v in obj] if isinstance(obj, list) else obj
    return strip(rows)


def assert_valid(rows: list[dict], articles: dict[str, str] | None = None) -> None:
    """Every record passes the contract; with article texts, offsets point into the article."""
    for n, row in enumerate(rows, 1):
        assert check_record(row, "out", n) == [], row
        if articles and row["doc_id"] in articles:
            text, off = articles[row["doc_id"]], row["doc_offset"]
            assert text[off:off + len(row["text"])] == row["text"]
            for ent in row["entities"]:
                assert text[off + ent["start"]:off + ent["end"]] == ent["text"]


def many_docs(path: Path, n: int = 12) -> Path:
    """JSON Lines articles: the tiny article under n doc_ids (several sentences each)."""
    with path.open("w", encoding="utf-8") as out:
        for k in range(n):
            out.write(json.dumps({"doc_id": f"doc{k:02d}", "text": article_text(), "doc_date": "2023-03-14"},
                                 ensure_ascii=False) + "\n")
    return path


def test_directory_of_articles(tmp_path, backend):
    docs = tmp_path / "in"
    (docs / "b" / "deep").mkdir(parents=True)
    (docs / "a.txt").write_text(article_text(), encoding="utf-8")
    (docs / "b" / "deep" / "c.txt").write_text(article_text(), encoding="utf-8")
    (docs / "b" / "notes.md").write_text("ignored", encoding="utf-8")
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        shutil.copy(seed, docs / "b" / seed.name)
    out = tmp_path / "out.jsonl"
    summary = run_predict([str(docs)], out, backend, log=io.StringIO())
    rows = lines(out)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in docs.rglob("*.txt")}
    assert_valid(rows, texts)
    order = list(dict.fromkeys(r["doc_id"] for r in rows))
    assert order[0] == "a" and order[-1] == "c" and len(order) == 2 + len(list((SHARED / "seeds").glob("*.txt")))
    a = [r for r in rows if r["doc_id"] == "a"]
    assert [r["id"] for r in a] == [f"a-s{k:02d}" for k in range(len(tiny_records()))]
    assert [r["text"] for r in a] == [r.text for r in tiny_records()]
    assert {r["doc_date"] for r in a} == {"2023-03-14"}  # from the date line
    assert (summary.units_in, summary.done, summary.failed, summary.records_out) == (len(order), len(order), 0, len(rows))
    assert default_errors_path(out).read_text() == ""


def test_records_keep_their_ids(tmp_path, backend):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in tiny_records()), encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    summary = run_predict([str(gold)], out, backend, PredictConfig(records_mode=True), log=io.StringIO())
    rows = lines(out)
    assert_valid(rows)
    assert [(r["id"], r["doc_id"], r["text"], r["doc_offset"]) for r in rows] == \
        [(r.id, r.doc_id, r.text, r.doc_offset) for r in tiny_records()]
    assert summary.line().startswith("records in 4 = records out 4 + records failed 0")
    # a record without an id fails alone; --resume after a torn last line predicts the torn record's
    # sort buffer again (here all four records: one buffer) and writes the same bytes
    with gold.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"doc_id": "x", "text": "تحدث ماكرون.", "doc_date": None}, ensure_ascii=False) + "\n")
    whole = out.read_bytes()
    out.write_bytes(whole[:-30])
    summary = run_predict([str(gold)], out, backend, PredictConfig(records_mode=True, resume=True),
                          log=io.StringIO())
    assert (summary.units_in, summary.done, summary.resumed, summary.failed) == (5, 4, 0, 1)
    assert out.read_bytes() == whole
    assert "'id'" in lines(default_errors_path(out))[0]["error"]


def test_cli_reads_stdin_and_writes_events(tmp_path, model_dir):
    article = article_text()
    stdin = json.dumps({"doc_id": "x1", "text": article, "doc_date": "2023-03-14"}, ensure_ascii=False) + "\n"
    out, events = tmp_path / "o.jsonl", tmp_path / "ev.jsonl"
    result = CliRunner().invoke(app, ["predict", "--model", str(model_dir), "-", "--out", str(out),
                                      "--events", str(events)], input=stdin.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert "documents in 1 = documents done 1 + documents failed 0" in result.output.strip().splitlines()[-1]
    rows = lines(out)
    assert_valid(rows, {"x1": article})
    triggers = [(r, e) for r in rows for e in r["entities"] if e["label"] == "TRIGGER"]
    found = lines(events)
    assert triggers and len(found) == len(triggers)
    for (rec, trig), event in zip(triggers, found):
        assert set(event) == {"doc_id", "sentence_id", "trigger", "polarity", "caller", "callee", "date", "topic",
                              "confidence"}
        assert (event["doc_id"], event["sentence_id"], event["polarity"]) == ("x1", rec["id"], trig["polarity"])
        start = rec["doc_offset"] + trig["start"]
        assert event["trigger"] == {"text": trig["text"], "start": start, "end": start + len(trig["text"])}
        rels = [r for r in rec["relations"] if r["head"] == trig["id"]]
        assert sum(len(event[k]) for k in ("caller", "callee", "date", "topic")) == len(rels)
        for arg in (a for k in ("caller", "callee", "date", "topic") for a in event[k]):
            assert article[arg["start"]:arg["end"]] == arg["text"]
        for date in event["date"]:
            assert "value" in date
        mean = sum(r["score"] for r in rels) / len(rels) if rels else 1.0
        assert event["confidence"] == pytest.approx(trig["score"] * mean, abs=2e-4)


def test_shards_are_disjoint_and_complete(tmp_path, backend):
    src = many_docs(tmp_path / "docs.jsonl")
    whole = tmp_path / "all.jsonl"
    run_predict([str(src)], whole, backend, log=io.StringIO())
    parts = []
    for i in range(3):
        part = tmp_path / f"shard{i}.jsonl"
        summary = run_predict([str(src)], part, backend, PredictConfig(num_shards=3, shard_index=i),
                              log=io.StringIO())
        assert summary.units_in + summary.other_shards == 12
        parts.append(lines(part))
    doc_sets = [{r["doc_id"] for r in p} for p in parts]
    assert sum(len(s) for s in doc_sets) == len(set().union(*doc_sets)) == 12
    key = lambda r: r["id"]
    assert sorted(no_scores([r for p in parts for r in p]), key=key) == sorted(no_scores(lines(whole)), key=key)


@pytest.mark.parametrize("cut", ["mid-line", "line-boundary", "document-boundary"])
def test_resume_after_kill_writes_the_uninterrupted_bytes(tmp_path, backend, cut):
    # batch size 4: sort buffers of 32 sentences = 8 tiny articles; 20 articles = buffers of 8, 8, 4
    per_doc = len(tiny_records())
    assert backend.buffer_size == 8 * per_doc
    src = many_docs(tmp_path / "docs.jsonl", n=20)
    full, full_events = tmp_path / "full.jsonl", tmp_path / "full.events.jsonl"
    run_predict([str(src)], full, backend, PredictConfig(events=full_events), log=io.StringIO())
    data = full.read_bytes()
    newlines = [k for k, b in enumerate(data) if b == ord("\n")]
    # a kill in the second buffer: during the 11th document's write (some of its lines landed, the
    # last torn) or just after the 10th document
    at = newlines[10 * per_doc - 1 if cut == "document-boundary" else 10 * per_doc + 1] + 1
    killed = data[:at + 25] if cut == "mid-line" else data[:at]
    out, events = tmp_path / "out.jsonl", tmp_path / "out.events.jsonl"
    out.write_bytes(killed)
    events.write_bytes(full_events.read_bytes()[:40])  # the events file is rebuilt from the output
    log = io.StringIO()
    summary = run_predict([str(src)], out, backend, PredictConfig(events=events, resume=True), log=log)
    unfinished = 0 if cut == "document-boundary" else 1
    assert f"{unfinished} unfinished document(s) and 2 complete one(s)" in log.getvalue()
    assert (summary.units_in, summary.done, summary.resumed) == (20, 20, 8)
    assert out.read_bytes() == data
    assert events.read_bytes() == full_events.read_bytes()
    # resuming a finished run predicts nothing and reports nothing
    log = io.StringIO()
    summary = run_predict([str(src)], out, backend, PredictConfig(events=events, resume=True), log=log)
    assert (summary.done, summary.resumed) == (20, 20) and "resume:" not in log.getvalue()
    assert out.read_bytes() == data


def test_killed_model_run_resumes_to_the_same_bytes(tmp_path, model_dir):
    """A real `kill -9` of `hatif predict` on a model, then --resume: byte-identical output."""
    src = many_docs(tmp_path / "docs.jsonl", n=400)
    command = [sys.executable, "-m", "hatif", "predict", "--model", str(model_dir), str(src),
               "--batch-size", "4", "--threads", "1", "--quiet"]
    full = tmp_path / "full.jsonl"
    subprocess.run(command + ["--out", str(full)], check=True, capture_output=True)
    out = tmp_path / "out.jsonl"
    run = subprocess.Popen(command + ["--out", str(out)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (not out.exists() or out.stat().st_size < len(full.read_bytes()) // 4) and time.monotonic() < deadline:
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert out.stat().st_size < full.stat().st_size, "the run finished before it could be killed"
    resumed = subprocess.run(command + ["--out", str(out), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == full.read_bytes()


def test_a_document_over_the_time_limit_is_reported_and_skipped(tmp_path, backend, monkeypatch):
    import hatif.predict.inputs as inputs

    slow_id = "doc03"
    real_split = inputs.read_article

    def read_article(text, doc_id, doc_date):
        if doc_id == slow_id:
            time.sleep(5)
        return real_split(text, doc_id, doc_date)

    monkeypatch.setattr(inputs, "read_article", read_article)
    src = many_docs(tmp_path / "docs.jsonl", n=6)
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    summary = run_predict([str(src)], out, backend, PredictConfig(limits=InputLimits(doc_timeout=0.5)),
                          log=io.StringIO())
    assert time.monotonic() - started < 4
    assert (summary.done, summary.failed) == (5, 1)
    assert slow_id not in {r["doc_id"] for r in lines(out)}
    [error] = lines(default_errors_path(out))
    assert error["doc_id"] == slow_id and "took over 0.5 s (--doc-timeout)" in error["error"]


def test_bad_input_is_reported_and_the_run_goes_on(tmp_path, backend):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bad_utf8.txt").write_bytes("مكالمة".encode() + b"\xff\xfe\n")
    (docs / "bom.txt").write_bytes(b"\xef\xbb\xbf" + article_text().encode())
    (docs / "empty.txt").write_bytes(b"")
    (docs / "english.txt").write_text("Biden called Macron on Monday. They spoke about energy.\n", encoding="utf-8")
    (docs / "nodate.txt").write_text("ماكرون يهاتف شولتس\n\nتحدث ماكرون مع شولتس أمس.\n", encoding="utf-8")
    long_sentence = " ".join(["وقال المتحدث إن الوضع في المنطقة مستقر"] * 150)  # ~6,000 chars: ~20 windows
    normal = " ".join(r.text for r in tiny_records()[1:])
    body = long_sentence + ".\n" + "\n".join([normal] * 250)
    (docs / "long.txt").write_text(f"عنوان طويل\n{DATELINE}\n{body}"[:50_000], encoding="utf-8")
    assert len((docs / "long.txt").read_text(encoding="utf-8")) == 50_000
    jl = tmp_path / "docs.jsonl"
    good = {"doc_id": "j-ok", "text": "تحدث ماكرون مع شولتس اليوم.", "doc_date": "2023-03-14"}
    jl.write_bytes(b"\n".join([
        json.dumps(good, ensure_ascii=False).encode(),
        b"",
        b'{"doc_id": "j-broken", "text": ',
        json.dumps({"doc_id": "j-nodate", "text": "تحدث ماكرون مع شولتس أمس."}, ensure_ascii=False).encode(),
        json.dumps({"doc_id": "j-baddate", "text": "تحدث ماكرون أمس.", "doc_date": "2023-02-30"}, ensure_ascii=False).encode(),
        b"[1, 2]",
        json.dumps({"doc_id": "j-notext", "doc_date": "2023-03-14"}).encode(),
        b'{"doc_id": "j-latin1", "text": "caf\xe9"}',
        json.dumps(good, ensure_ascii=False).encode(),  # the same doc_id again
    ]) + b"\n")
    out, log = tmp_path / "out.jsonl", io.StringIO()
    summary = run_predict([str(docs), str(jl)], out, backend, log=log)
    rows = lines(out)
    texts = {p.stem: p.read_bytes().decode("utf-8-sig") for p in docs.glob("*.txt") if p.stem != "bad_utf8"}
    assert_valid(rows, texts)
    errors = lines(default_errors_path(out))
    by_source: dict[tuple[str, bool], str] = {}
    for e in errors:
        key = (e["source"].split("/")[-1], "error" in e)
        by_source[key] = by_source.get(key, "") + (e.get("error") or e.get("warning"))
    expected = [  # (source, is an error (else a warning), words of its message)
        ("bad_utf8.txt", True, "invalid UTF-8"), ("bom.txt", False, "byte-order mark"),
        ("empty.txt", True, "empty"), ("nodate.txt", False, "no doc_date"),
        ("docs.jsonl:3", True, "malformed JSON (column 32): Expecting value"), ("english.txt", False, "Arabic"),
        ("docs.jsonl:4", False, "no doc_date"), ("docs.jsonl:5", False, "2023-02-30"),
        ("docs.jsonl:6", True, "JSON object"), ("docs.jsonl:7", True, "'text'"),
        ("docs.jsonl:8", True, "UTF-8"), ("docs.jsonl:9", True, "duplicate doc_id"),
    ]
    for source, is_error, words in expected:
        assert words in by_source[source, is_error], (source, by_source.get((source, is_error)))
    assert not any(source == "docs.jsonl:2" for source, _ in by_source)  # a blank line is no document
    done_docs = {r["doc_id"] for r in rows}
    assert done_docs == {"bom", "english", "nodate", "long", "j-ok", "j-nodate", "j-baddate"}
    assert all(not r["entities"] for r in rows if r["doc_id"] == "english")
    assert {r["doc_date"] for r in rows if r["doc_id"] in ("nodate", "j-nodate", "j-baddate")} == {None}
    # a run-on sentence over MAX_SENTENCE_CHARS is cut at spaces, nothing of it lost
    long_pieces = [r["text"] for r in rows if r["doc_id"] == "long"][1:4]
    assert max(map(len, long_pieces)) <= MAX_SENTENCE_CHARS and " ".join(long_pieces) == long_sentence + "."
    assert (summary.units_in, summary.done, summary.failed) == (14, 7, 7)
    assert summary.records_out == len(rows)
    assert log.getvalue().strip().splitlines()[-1].startswith("documents in 14 = documents done 7 + documents failed 7")


def test_cli_refuses_missing_inputs_and_models(tmp_path, model_dir):
    runner = CliRunner()
    result = runner.invoke(app, ["predict", "--model", str(model_dir), str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(app, ["predict", "--model", str(model_dir), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "either INPUT" in result.output
    (tmp_path / "a.txt").write_text(article_text(), encoding="utf-8")
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "no-model"), str(tmp_path / "a.txt"),
                                 "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "no such model folder" in result.output
    result = runner.invoke(app, ["predict", "--model", str(tmp_path), str(tmp_path / "a.txt"),
                                 "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "not a hatif model folder" in result.output


def test_int8_quantisation_gives_valid_records(tmp_path, model_dir):
    (tmp_path / "a.txt").write_text(article_text(), encoding="utf-8")
    spans = {}
    for quantize in (None, "int8"):
        out = tmp_path / f"{quantize}.jsonl"
        run_predict([str(tmp_path / "a.txt")], out, str(model_dir),
                    PredictConfig(backend=BackendOptions(quantize=quantize)), log=io.StringIO())
        rows = lines(out)
        assert_valid(rows, {"a": article_text()})
        spans[quantize] = [[(e["start"], e["end"], e["label"]) for e in r["entities"]] for r in rows]
    assert any(spans[None]), "the trained tiny model should find some spans"
    assert spans["int8"] == spans[None]  # int8 weights move scores a little, not the spans


def test_rules_run_through_the_same_path(tmp_path):
    (tmp_path / "a.txt").write_text(article_text(), encoding="utf-8")
    out, events = tmp_path / "o.jsonl", tmp_path / "e.jsonl"
    result = CliRunner().invoke(app, ["predict", "--model", "rules", str(tmp_path / "a.txt"), "--out", str(out),
                                      "--events", str(events)])
    assert result.exit_code == 0, result.output
    rows = lines(out)
    assert_valid(rows, {"a": article_text()})
    assert len(rows) == len(tiny_records())
    assert any(e["label"] == "TRIGGER" for r in rows for e in r["entities"])
    assert all(event["confidence"] is None for event in lines(events))


def test_show_calls_prints_one_line_per_call(tmp_path):
    import subprocess
    import sys

    from conftest import SHARED

    out, events = tmp_path / "p.jsonl", tmp_path / "e.jsonl"
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "predict", "--model", "rules", str(SHARED / "seeds"),
                          "--out", str(out), "--events", str(events), "--show-calls"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-1500:]
    lines = [line for line in run.stdout.splitlines() if "->" in line]
    assert lines and all("[" in line and "date:" in line for line in lines)
    # "sentence_id  [polarity]  caller -> callee  date: ...": the two seed calls run in opposite directions
    calls = {line.split("  ")[0]: line.split("  ")[2] for line in lines}
    assert calls["000_b9b2ccb77d9719e0-s01"] == "لويد أوستن -> سيرغي شويغو"  # مكالمة هاتفية بين لويد أوستن ونظيره ...
    assert calls["004_5ed99b57b3e14e7d-s01"] == "شويغو -> أوستن"  # كان شويغو قد أجرى ... اتصالاً هاتفياً مع أوستن


def _predict_cli(tmp_path, *args):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["predict", "--model", "rules", "--out", str(out), *args])
    return result, out


def test_huge_article_is_reported_and_skipped_and_exit_codes_tell(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_text("عنوان\n" + "كلمة عربية طويلة " * 300_000, encoding="utf-8")  # ~5 MB, one line
    good = tmp_path / "good.txt"
    good.write_text("ماكرون يهاتف شولتس\n14 مارس 2023\nتحدث ماكرون مع شولتس أمس.\n", encoding="utf-8")
    result, out = _predict_cli(tmp_path, str(huge))
    assert result.exit_code == 3, result.output  # every input failed
    errors = lines(default_errors_path(out))
    assert "over the limit of 200,000" in errors[0]["error"] and errors[0]["source"].endswith("huge.txt")
    result, _ = _predict_cli(tmp_path, str(huge), str(good))
    assert result.exit_code == 1  # some failed
    result, _ = _predict_cli(tmp_path, str(huge), str(good), "--allow-failures")
    assert result.exit_code == 0
    result, _ = _predict_cli(tmp_path, str(good))
    assert result.exit_code == 0
    run_on = tmp_path / "run_on.txt"
    run_on.write_text("عنوان\n" + "كلمة عربية طويلة " * 15_000, encoding="utf-8")  # 255,000 characters, one line
    result, out = _predict_cli(tmp_path, str(run_on), "--max-article-chars", "1000000")
    assert result.exit_code == 0  # within a raised limit the run-on text is cut into sentences
    assert max(len(r["text"]) for r in lines(out)) <= MAX_SENTENCE_CHARS


def test_doc_date_resolves_relative_dates_of_undated_articles(tmp_path):
    undated = tmp_path / "undated.txt"
    undated.write_text("ماكرون يهاتف شولتس\n\nتحدث ماكرون مع شولتس أمس الاثنين.\n", encoding="utf-8")
    result, out = _predict_cli(tmp_path, str(undated))
    assert "1 document(s) without a date" in result.output
    result, out = _predict_cli(tmp_path, str(undated), "--doc-date", "2023-03-14")
    dates = [e for r in lines(out) for e in r["entities"] if e["label"] == "DATE"]
    assert dates and dates[0]["value"] == "2023-03-13" and "without a date" not in result.output
    result, _ = _predict_cli(tmp_path, str(undated), "--doc-date", "14/03/2023")
    assert result.exit_code == 2 and "ISO day" in result.output


def test_bom_on_any_line_is_tolerated(tmp_path):
    docs = tmp_path / "docs.jsonl"
    row = {"doc_id": "a", "text": "تحدث ماكرون مع شولتس اليوم.", "doc_date": "2023-03-14"}
    docs.write_bytes(b"\xef\xbb\xbf" + json.dumps(row, ensure_ascii=False).encode() + b"\n\xef\xbb\xbf"
                     + json.dumps(dict(row, doc_id="b"), ensure_ascii=False).encode() + b"\n\n")
    result, out = _predict_cli(tmp_path, str(docs))
    assert result.exit_code == 0 and {r["doc_id"] for r in lines(out)} == {"a", "b"}
    warnings = lines(default_errors_path(out))
    assert [w["source"].split("/")[-1] for w in warnings] == ["docs.jsonl:1", "docs.jsonl:2"]
    assert all("byte-order mark" in w["warning"] for w in warnings)


def test_progress_bar_counts_documents(tmp_path):
    docs = tmp_path / "docs.jsonl"
    rows = [{"doc_id": f"d{i}", "text": "تحدث ماكرون مع شولتس اليوم.", "doc_date": "2023-03-14"} for i in range(5)]
    docs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + "\n", encoding="utf-8")
    log = io.StringIO()
    run_predict([str(docs)], tmp_path / "out.jsonl", "rules", PredictConfig(progress=True), log=log)
    assert "5/5" in log.getvalue() and "doc" in log.getvalue()


def test_help_shows_switches_as_switches_and_train_lists_its_config_keys():
    runner = CliRunner()
    predict_help = runner.invoke(app, ["predict", "--help"]).output
    assert "--resume " in predict_help and "<bool>" not in predict_help and "--no-resume" not in predict_help
    assert "Exit status: 0" in predict_help
    train_help = runner.invoke(app, ["train", "--help"]).output
    for key in ("--train.learning_rate (default: 0.0005)", "--model.window (default: 128)", "--data.train"):
        assert key in train_help


def test_model_run_prints_no_transformers_noise(tmp_path, model_dir):
    """Long sentences (past the encoder's 512 positions) and a model saved with its own heads: hatif
    handles both, so transformers' length warning and load report must not reach the console."""
    long_article = "عنوان\n14 مارس 2023\n" + " ".join(["وقال المتحدث إن الوضع في المنطقة مستقر"] * 120) + ".\n"
    (tmp_path / "long.txt").write_text(long_article, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "hatif", "predict", "--model", str(model_dir), str(tmp_path / "long.txt"),
                          "--out", str(tmp_path / "out.jsonl"), "--threads", "1"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for noise in ("Token indices sequence length", "LOAD REPORT", "UNEXPECTED", "MISSING", "Traceback"):
        assert noise not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("documents in 1 = documents done 1")
