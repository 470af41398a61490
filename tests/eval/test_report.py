"""The report writers, score_files and `hatif evaluate` (which prints them) on small files."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hatif.cli import app
from hatif.data.jsonl import write_jsonl
from hatif.data.records import Record
from hatif.eval.metrics import HEADLINE_KEYS, errors, evaluate
from hatif.eval.report import (EvaluationError, UsageError, format_errors, markdown_table, score_files, side_by_side,
                               write_report)


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


def _evaluate(*args: str):
    return CliRunner().invoke(app, ["evaluate", *args])


def test_score_files_names_systems_and_keeps_errors_if_asked(tmp_path: Path, gold: list[Record],
                                                            worse: list[Record]) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    a = _write(tmp_path / "a" / "pred.jsonl", gold)
    b = _write(tmp_path / "b" / "pred.jsonl", worse)
    result = score_files(g, [a, b], with_errors=True)
    assert list(result.systems) == ["a/pred", "b/pred"]  # same stem: the parent folder tells them apart
    assert result.systems["b/pred"] == evaluate(gold, worse)
    assert result.errors == {"a/pred": [], "b/pred": errors(gold, worse)}
    assert score_files(g, [b], ["model"]).errors == {}


def test_cli_evaluate_prints_table_and_errors_and_writes_report(tmp_path: Path, gold: list[Record],
                                                               worse: list[Record]) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    a = _write(tmp_path / "a" / "pred.jsonl", gold)
    b = _write(tmp_path / "b" / "pred.jsonl", worse)
    result = _evaluate("--gold", g, "--pred", a, "--pred", b, "--out", str(tmp_path / "rep"), "--errors")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["metric", "a/pred", "b/pred"]
    assert "== errors of b/pred:" in result.stdout and "أنتوني بلينكن" in result.stdout
    assert result.stderr == f"report written to {tmp_path / 'rep'}\n"
    assert (tmp_path / "rep" / "metrics.json").is_file()
    result = _evaluate("--gold", g, "--pred", b, "--name", "model")
    assert result.exit_code == 0 and result.stdout.splitlines()[0].split() == ["metric", "model"]
    assert "== errors" not in result.stdout


def _contract_break(tmp_path: Path, gold: list[Record]) -> str:
    raw = gold[0].to_dict()
    raw["entities"][1]["end"] += 1  # span text no longer matches
    (tmp_path / "bad.jsonl").write_text(json.dumps(raw, ensure_ascii=False) + "\n", encoding="utf-8")
    return str(tmp_path / "bad.jsonl")


# Each case: the prediction file made from (tmp_path, gold), the names given, the error score_files
# raises, a piece of its message and the exit status of `hatif evaluate`.
FAILURES = {
    "contract": (_contract_break, None, EvaluationError, "(?s)prediction file .*bad.jsonl: .*bad.jsonl:1: .*span-text", 1),
    "unknown id": (lambda tmp, gold: _write(tmp / "other.jsonl", [dataclasses.replace(gold[0], id="zzz-s00")]),
                   None, EvaluationError, "does not fit gold file .*'zzz-s00'", 1),
    "names": (lambda tmp, gold: str(tmp / "gold.jsonl"), ["x", "y"], UsageError,
              r"2 name\(s\) for 1 prediction file\(s\)", 2),
    "missing": (lambda tmp, gold: str(tmp / "missing.jsonl"), None, UsageError, "missing.jsonl: no such file", 2),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_bad_file_or_usage_is_a_typed_error_and_an_exit_status(tmp_path: Path, gold: list[Record], case: str) -> None:
    make_pred, names, error, message, status = FAILURES[case]
    g = _write(tmp_path / "gold.jsonl", gold)
    pred = make_pred(tmp_path, gold)
    with pytest.raises(error, match=message) as raised:
        score_files(g, [pred], names)
    assert isinstance(raised.value, UsageError) == (status == 2)
    result = _evaluate("--gold", g, "--pred", pred, *[arg for name in names or [] for arg in ("--name", name)])
    assert result.exit_code == status
    assert result.stdout == "" and result.stderr == f"error: {raised.value}\n"  # a message, never a traceback


def test_cli_evaluate_prints_the_table_before_a_report_it_cannot_write(tmp_path: Path, gold: list[Record]) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = _evaluate("--gold", g, "--pred", g, "--out", str(tmp_path / "file" / "rep"))
    assert result.exit_code == 1
    assert result.stdout.startswith("metric") and "error: cannot write the report to" in result.stderr


def test_cli_evaluate_averages_runs_given_one_name(tmp_path: Path, gold: list[Record], worse: list[Record]) -> None:
    g = _write(tmp_path / "gold.jsonl", gold)
    a, b = _write(tmp_path / "a.jsonl", gold), _write(tmp_path / "b.jsonl", worse)
    result = _evaluate("--gold", g, "--pred", a, "--pred", b, "--pred", b,
                       "--name", "model", "--name", "model", "--name", "rules", "--out", str(tmp_path / "rep"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
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


def test_a_predicted_span_inside_a_word_is_scored_with_a_warning(tmp_path: Path) -> None:
    text = "تحدث ماكرون مع شولتس."
    gold = {"id": "d-s00", "doc_id": "d", "doc_date": None, "text": text, "relations": [],
            "entities": [{"id": "e1", "label": "PERSON", "start": 5, "end": 11, "text": "ماكرون"}]}
    pred = dict(gold, entities=[{"id": "e1", "label": "PERSON", "start": 5, "end": 9, "text": "ماكر"}])
    write_jsonl(tmp_path / "gold.jsonl", [gold])
    write_jsonl(tmp_path / "pred.jsonl", [pred])
    warnings: list[str] = []
    result = score_files(str(tmp_path / "gold.jsonl"), [str(tmp_path / "pred.jsonl")], ["p"], warn=warnings.append)
    assert len(warnings) == 1 and "word-boundary" in warnings[0] and warnings[0].endswith("(scored as a wrong span)")
    assert result.systems["p"]["entities_span"]["micro"]["f1"] == 0.0
    cli = _evaluate("--gold", str(tmp_path / "gold.jsonl"), "--pred", str(tmp_path / "pred.jsonl"), "--name", "p")
    assert cli.exit_code == 0 and cli.stderr == f"warning: {warnings[0]}\n"
    assert "entities (span) F1             0.0000" in cli.stdout
    # gold stays strict: the same span in the gold file is refused
    write_jsonl(tmp_path / "gold2.jsonl", [pred])
    with pytest.raises(EvaluationError, match="(?s)gold file .*gold2.jsonl: .*word-boundary"):
        score_files(str(tmp_path / "gold2.jsonl"), [str(tmp_path / "pred.jsonl")], ["p"])
