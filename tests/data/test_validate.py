"""One failing fixture per rule of the record contract, and the file-level format checks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hatif.data.validate import check_record, is_iso_value, load_records, RecordError


def _mutate(example: dict, change) -> dict:
    change(example)
    return example


def _ent(rec: dict, eid: str) -> dict:
    return next(e for e in rec["entities"] if e["id"] == eid)


CASES = [
    ("record-type", lambda r: r.clear() or r.update({"x": 1}), "field-missing"),
    ("field-missing", lambda r: r.pop("doc_id"), "field-missing"),
    ("field-unknown", lambda r: r.update(source="x"), "field-unknown"),
    ("field-type", lambda r: r.update(id=""), "field-type"),
    ("doc-date", lambda r: r.update(doc_date="2022-13-01"), "doc-date"),
    ("doc-date-format", lambda r: r.update(doc_date="21/10/2022"), "doc-date"),
    ("entity-label", lambda r: _ent(r, "e2").update(label="PER"), "entity-label"),
    ("offsets-range", lambda r: _ent(r, "e2").update(end=10_000), "offsets"),
    ("offsets-empty", lambda r: _ent(r, "e2").update(end=26), "offsets"),
    ("offsets-type", lambda r: _ent(r, "e2").update(start="26"), "offsets"),
    ("span-text", lambda r: _ent(r, "e2").update(text="لويد اوستن"), "span-text"),
    ("span-whitespace", lambda r: _ent(r, "e2").update(start=25, text=" لويد أوستن"), "span-whitespace"),
    ("word-boundary-trigger", lambda r: _ent(r, "e1").update(end=3, text=r["text"][0:3]), "word-boundary"),
    ("word-boundary-person-end", lambda r: _ent(r, "e3").update(end=61, text=r["text"][51:61]), "word-boundary"),
    ("word-boundary-person-two-letters", lambda r: _ent(r, "e2").update(start=28, text=r["text"][28:36]), "word-boundary"),
    ("overlap", lambda r: r["entities"].append(
        {"id": "e7", "label": "PERSON", "start": 31, "end": 44, "text": r["text"][31:44]}), "overlap"),
    ("polarity-missing", lambda r: _ent(r, "e1").pop("polarity"), "polarity"),
    ("polarity-bad", lambda r: _ent(r, "e1").update(polarity="maybe"), "polarity"),
    ("polarity-on-person", lambda r: _ent(r, "e2").update(polarity="asserted"), "polarity"),
    ("date-value-missing", lambda r: _ent(r, "e4").pop("value"), "date-value"),
    ("date-value-bad", lambda r: _ent(r, "e4").update(value="21-10-2022"), "date-value"),
    ("date-value-on-person", lambda r: _ent(r, "e2").update(value="2022"), "date-value"),
    ("entity-id-unique", lambda r: _ent(r, "e3").update(id="e2"), "entity-id-unique"),
    ("relation-label", lambda r: r["relations"].append({"head": "e1", "tail": "e6", "label": "witness"}), "relation-label"),
    ("relation-head-missing", lambda r: r["relations"][0].update(head="e99"), "relation-head"),
    ("relation-head-type", lambda r: r["relations"][0].update(head="e6"), "relation-head"),
    ("relation-tail-missing", lambda r: r["relations"][0].update(tail="e99"), "relation-tail"),
    ("relation-tail-type", lambda r: r["relations"][2].update(tail="e2"), "relation-tail"),
    ("relation-duplicate", lambda r: r["relations"].append(dict(r["relations"][0])), "relation-duplicate"),
]


def test_example_is_valid(example):
    assert check_record(example, "f.jsonl", 1) == []


@pytest.mark.parametrize("name,change,rule", CASES, ids=[c[0] for c in CASES])
def test_each_rule_is_reported(example, name, change, rule):
    found = check_record(_mutate(example, change), "f.jsonl", 7)
    assert rule in {v.rule for v in found}, [str(v) for v in found]
    assert all(str(v).startswith("f.jsonl:7: ") for v in found)


def test_non_object_record():
    assert [v.rule for v in check_record([1, 2], "f", 1)] == ["record-type"]


@pytest.mark.parametrize("value,ok", [
    ("2022-10-21", True), ("2022-10", True), ("2022", True), ("2022-W42", True),
    ("2020-W53", True), ("2021-W53", False), ("2022-02-30", False), ("2022-13", False),
    ("22-10-21", False), ("2022-10-21T10:00", False), ("٢٠٢٢", False),
])
def test_iso_values(value, ok):
    assert is_iso_value(value) is ok


def _write(tmp_path, data: bytes):
    path = tmp_path / "recs.jsonl"
    path.write_bytes(data)
    return path


def _line(rec: dict) -> bytes:
    return json.dumps(rec, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("build,rule", [
    (lambda line: b"\xef\xbb\xbf" + line + b"\n", "bom"),
    (lambda line: line + b"\r\n", "crlf"),
    (lambda line: line[:-3] + b"\xff\xfe}\n", "encoding"),
    (lambda line: line[:-1] + b"\n", "json"),
    (lambda line: line + b"\n" + line + b"\n", "id-unique"),
])
def test_file_level_rules(tmp_path, example, build, rule):
    path = _write(tmp_path, build(_line(example)))
    with pytest.raises(RecordError) as err:
        load_records(str(path))
    assert rule in {v.rule for v in err.value.violations}


def test_cli_lists_every_violation_and_fails(tmp_path, example):
    bad = json.loads(json.dumps(example))
    _ent(bad, "e2")["text"] = "خطأ"
    _ent(bad, "e1").pop("polarity")
    path = _write(tmp_path, _line(example) + b"\n" + _line({**bad, "id": "x-2"}) + b"\nnot json\n")
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "validate", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    lines = run.stdout.strip().splitlines()
    assert f"{path}:2: x-2: span-text" in run.stdout
    assert f"{path}:2: x-2: polarity" in run.stdout
    assert f"{path}:3: -: json" in run.stdout
    assert len(lines) == 3, lines  # no cascade from one bad entity
    assert "Traceback" not in run.stderr


def test_cli_exit_status_says_when_every_record_failed(tmp_path, example):
    path = _write(tmp_path, b"not json\n[1]\n")
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 3, run.stdout


def test_cli_accepts_valid_file(tmp_path, example):
    path = _write(tmp_path, _line(example) + b"\n")
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
