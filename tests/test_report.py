"""The report writers and run_evaluate (what `hatif evaluate` calls) on small files."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from hatif.data.jsonl import write_jsonl
from hatif.data.records import Record
from hatif.eval.metrics import HEADLINE_KEYS, errors, evaluate
from hatif.eval.report import format_errors, markdown_table, run_evaluate, side_by_side, write_report


@pytest.fixture
def gold(example: dict) -> list[Record]:
    return [Record.from_dict(example)]


@pytest.fixture
def worse(gold: list[Record]) -> list[Record]:
    """The example with Blinken missed and the call's date relation dropped."""
    g = gold[0]
    return [dataclasses.replace(copy.deepcopy(g), entities=[e for e in g.entities if e.id != "e6"],
                                relations=[r for r in g.relations if r.label != "date"])]


@pytest.fixture
def systems(gold: list[Record], worse: list[Record]) -> dict[str, dict]:
    return {"perfect": evaluate(gold, copy.deepcopy(gold)), "worse": evaluate(gold, worse)}


def _write(path: Path, records: list[Record]) -> str:
    write_jsonl(path, (r.to_dict() for r in records))
    return str(path)


def test_side_by_side_rows_and_columns(systems: dict[str, dict]) -> None:
    table = side_by_side(systems)
    lines = table.splitlines()
    assert lines[0].split() == ["metric", "perfect", "worse"]
    rows = {line[:line.index("  ")].strip(): line.split()[-2:] for line in lines[2:]}
    assert rows["entities (span) F1"] == ["1.0000", f"{2 * 5 / 11:.4f}"]  # P 5/5, R 5/6
    assert rows["entities (span) PERSON F1"] == ["1.0000", "0.8000"]
    assert rows["relations (strict) date F1"] == ["1.0000", "0.0000"]
    assert rows["events (directed) F1"] == ["1.0000", "0.0000"]
    assert rows["polarity accuracy"] == ["1.0000", "1.0000"]
    assert "DATE value accuracy" in rows and "relations (args) R" in rows
    # The Markdown table has the same rows.
    assert len(markdown_table(systems).splitlines()) == len(lines)


def test_write_report_files_and_keys(tmp_path: Path, gold: list[Record], worse: list[Record],
                                     systems: dict[str, dict]) -> None:
    errs = {"perfect": [], "worse": errors(gold, worse)}
    written = write_report(tmp_path / "out", systems, errs)
    out = tmp_path / "out"
    assert sorted(p.name for p in written) == sorted(
        ["metrics.json", "report.md", "per_label_f1.png", "errors.jsonl"])
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["systems"]) == ["perfect", "worse"]
    for entry in metrics["systems"].values():
        assert set(entry["headline"]) == set(HEADLINE_KEYS)
        assert set(entry["metrics"]) >= {"entities_seqeval", "entities_span", "relations_strict",
                                         "relations_args", "events_directed", "events_undirected",
                                         "polarity_accuracy", "date_value_accuracy"}
    assert metrics["systems"]["worse"]["headline"]["event_f1"] == 0.0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | perfect | worse |" in report and "| entities (span) PERSON F1 |" in report
    assert (out / "per_label_f1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(errs["worse"]) and {r["system"] for r in rows} == {"worse"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_write_report_without_errors(tmp_path: Path, systems: dict[str, dict]) -> None:
    names = sorted(p.name for p in write_report(tmp_path, systems, None))
    assert names == ["metrics.json", "per_label_f1.png", "report.md"]


def test_format_errors(gold: list[Record], worse: list[Record]) -> None:
    text = format_errors(errors(gold, worse))
    assert text.splitlines()[0] == f"[{gold[0].id}] {gold[0].text}"
    assert "FN entity   PERSON   [134:147] أنتوني بلينكن" in text
    assert "FN relation date" in text and "FN event" in text
    assert format_errors([]) == ""


def test_run_evaluate_prints_table_and_writes_report(tmp_path: Path, gold: list[Record],
                                                     worse: list[Record], capsys) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    a = _write(tmp_path / "a" / "pred.jsonl", gold)
    b = _write(tmp_path / "b" / "pred.jsonl", worse)
    assert run_evaluate(g, [a, b], None, str(tmp_path / "rep"), show_errors=True) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["metric", "a/pred", "b/pred"]
    assert "== errors of b/pred:" in out and "أنتوني بلينكن" in out
    assert (tmp_path / "rep" / "metrics.json").is_file()
    assert run_evaluate(g, [b], ["model"], None, show_errors=False) == 0
    assert capsys.readouterr().out.splitlines()[0].split() == ["metric", "model"]


def test_run_evaluate_invalid_file_is_a_message(tmp_path: Path, gold: list[Record], capsys) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    bad = tmp_path / "bad.jsonl"
    raw = gold[0].to_dict()
    raw["entities"][1]["end"] += 1  # span text no longer matches
    bad.write_text(json.dumps(raw, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run_evaluate(g, [str(bad)], None, None, show_errors=False) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl:1" in err and "span-text" in err and "Traceback" not in err


def test_run_evaluate_unknown_id_and_usage(tmp_path: Path, gold: list[Record], capsys) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    other = _write(tmp_path / "other.jsonl", [dataclasses.replace(gold[0], id="zzz-s00")])
    assert run_evaluate(g, [other], None, None, show_errors=False) == 1
    assert "'zzz-s00'" in capsys.readouterr().err
    assert run_evaluate(g, [g], ["x", "y"], None, show_errors=False) == 2
    assert run_evaluate(g, [str(tmp_path / "missing.jsonl")], None, None, show_errors=False) == 2
    assert "no such file" in capsys.readouterr().err


def test_run_evaluate_averages_runs_given_one_name(tmp_path: Path, gold: list[Record],
                                                  worse: list[Record], capsys) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    a, b = _write(tmp_path / "a.jsonl", gold), _write(tmp_path / "b.jsonl", worse)
    assert run_evaluate(g, [a, b, b], ["model", "model", "rules"], str(tmp_path / "rep"), show_errors=False) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["metric", "model", "(n=2)", "rules"]
    rows = {line[:line.index("  ")].strip(): line[line.index("  "):].split() for line in lines[2:] if "  " in line}
    # span F1 of the runs: 1 and 10/11 -> mean 21/22, sample sd (1 - 10/11) / sqrt(2)
    f1 = rows["entities (span) F1"]
    assert f1 == [f"{21 / 22:.4f}", "±", f"{(1 / 11) / 2 ** 0.5:.4f}", f"{10 / 11:.4f}"]
    assert lines[-1].startswith("n=K: mean ± sample standard deviation")
    metrics = json.loads((tmp_path / "rep" / "metrics.json").read_text(encoding="utf-8"))["systems"]
    assert metrics["model"]["metrics"]["runs"] == 2 and "headline_sd" not in metrics["rules"]
    assert metrics["model"]["headline"]["entity_span_f1"] == pytest.approx(21 / 22)
    assert metrics["model"]["headline_sd"]["event_f1"] == pytest.approx(2 ** -0.5)
    errors_rows = (tmp_path / "rep" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert {json.loads(row)["system"] for row in errors_rows} == {"model#2", "rules"}
    assert "| metric | model (n=2) | rules |" in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")


def test_a_predicted_span_inside_a_word_is_scored_with_a_warning(tmp_path, capsys):
    from hatif.data.jsonl import write_jsonl
    from hatif.eval.report import run_evaluate

    text = "تحدث ماكرون مع شولتس."
    gold = {"id": "d-s00", "doc_id": "d", "doc_date": None, "text": text, "relations": [],
            "entities": [{"id": "e1", "label": "PERSON", "start": 5, "end": 11, "text": "ماكرون"}]}
    pred = dict(gold, entities=[{"id": "e1", "label": "PERSON", "start": 5, "end": 9, "text": "ماكر"}])
    write_jsonl(tmp_path / "gold.jsonl", [gold])
    write_jsonl(tmp_path / "pred.jsonl", [pred])
    assert run_evaluate(str(tmp_path / "gold.jsonl"), [str(tmp_path / "pred.jsonl")], ["p"], None, False) == 0
    out = capsys.readouterr()
    assert "word-boundary" in out.err and "scored as a wrong span" in out.err
    assert "entities (span) F1             0.0000" in out.out
    # gold stays strict: the same span in the gold file is refused
    write_jsonl(tmp_path / "gold2.jsonl", [pred])
    assert run_evaluate(str(tmp_path / "gold2.jsonl"), [str(tmp_path / "pred.jsonl")], ["p"], None, False) == 1
