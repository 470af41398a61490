"""Every rule of the record contract (ANNOTATION.md), checked without stopping at the first.

Rules are named so a message reads ``file:line: record-id: rule: detail``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from hatif.text.arabic import CLITICS, TATWEEL, is_word_char
from .jsonl import Violation, iter_json_lines
from .records import Record
from .schema import Schema, load_schema

RECORD_KEYS = {"id", "doc_id", "doc_date", "text", "entities", "relations"}
OPTIONAL_RECORD_KEYS = {"doc_offset"}
ENTITY_KEYS = {"id", "label", "start", "end", "text"}
OPTIONAL_ENTITY_KEYS = {"polarity", "value", "score"}
RELATION_KEYS = {"head", "tail", "label"}
OPTIONAL_RELATION_KEYS = {"score"}


def word_boundary_problem(text: str, start: int, end: int, label: str) -> str | None:
    """Spans are whole words; only a PERSON may start after a one-letter clitic (وشويغو → شويغو)."""
    if end < len(text) and is_word_char(text[end]) and is_word_char(text[end - 1]):
        return f"ends inside the word {text[start:end]}|{text[end:end + 6]}"
    if start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start]):
        word_start = start
        while word_start > 0 and is_word_char(text[word_start - 1]):
            word_start -= 1
        prefix = text[word_start:start]
        if label != "PERSON" or prefix.replace(TATWEEL, "") not in CLITICS:
            return f"starts inside the word {prefix}|{text[start:start + 6]}"
    return None


_ISO_VALUE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?|-W([0-9]{2}))?$")


def is_iso_value(value: str) -> bool:
    """YYYY, YYYY-MM, YYYY-MM-DD (a real calendar day) or YYYY-Www (an existing ISO week)."""
    match = _ISO_VALUE.match(value)
    if not match:
        return False
    year, month, day, week = match.groups()
    try:
        if week is not None:
            dt.date.fromisocalendar(int(year), int(week), 1)
        elif day is not None:
            dt.date(int(year), int(month), int(day))
        elif month is not None and not 1 <= int(month) <= 12:
            return False
    except ValueError:
        return False
    return True


def is_iso_day(value: str) -> bool:
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except (TypeError, ValueError):
        return False


class _Checker:
    """Collects the violations of one record."""

    def __init__(self, path: str, line: int, record_id: str) -> None:
        self.path, self.line, self.record_id = path, line, record_id
        self.found: list[Violation] = []

    def __call__(self, rule: str, detail: str) -> None:
        self.found.append(Violation(self.path, self.line, self.record_id, rule, detail))


def _check_keys(add: _Checker, obj: dict, required: set, optional: set, where: str) -> bool:
    missing = sorted(required - obj.keys())
    for key in missing:
        add("field-missing", f"{where} has no '{key}'")
    for key in sorted(obj.keys() - required - optional):
        add("field-unknown", f"{where} has unknown field '{key}'")
    return not missing


def _check_entity(add: _Checker, ent: Any, n: int, text: str, schema: Schema) -> bool:
    """Report the entity's violations; True when relations and overlap checks can use it."""
    where = f"entity #{n}"
    if not isinstance(ent, dict):
        add("field-type", f"{where} is not an object")
        return False
    if not _check_keys(add, ent, ENTITY_KEYS, OPTIONAL_ENTITY_KEYS, where):
        return False
    where = f"entity {ent['id']!r}"
    if not isinstance(ent["id"], str) or not ent["id"]:
        add("field-type", f"{where}: 'id' must be a non-empty string")
        return False
    label = ent["label"]
    if label not in schema.entity_labels:
        add("entity-label", f"{where}: unknown label {label!r} (allowed: {', '.join(schema.entity_labels)})")
    start, end = ent["start"], ent["end"]
    if not (type(start) is int and type(end) is int):
        add("offsets", f"{where}: start/end must be integers")
        return False
    if not 0 <= start < end <= len(text):
        add("offsets", f"{where}: [{start}, {end}) is not a non-empty span inside the text (length {len(text)})")
        return False
    if text[start:end] != ent["text"]:
        add("span-text", f"{where}: text[{start}:{end}] is {text[start:end]!r}, not {ent['text']!r}")
    if text[start].isspace() or text[end - 1].isspace():
        add("span-whitespace", f"{where}: span starts or ends on whitespace")
    elif (problem := word_boundary_problem(text, start, end, label)) is not None:
        add("word-boundary", f"{where}: {label} span {problem}")
    if label == "TRIGGER":
        if ent.get("polarity") not in schema.polarities:
            add("polarity", f"{where}: TRIGGER needs 'polarity' in {list(schema.polarities)}, got {ent.get('polarity')!r}")
    elif "polarity" in ent:
        add("polarity", f"{where}: only a TRIGGER carries 'polarity'")
    if label == "DATE":
        if "value" not in ent:
            add("date-value", f"{where}: DATE needs 'value' (ISO date/week/month/year or null)")
        elif ent["value"] is not None and not (isinstance(ent["value"], str) and is_iso_value(ent["value"])):
            add("date-value", f"{where}: value {ent['value']!r} is not ISO YYYY-MM-DD, YYYY-MM, YYYY, YYYY-Www or null")
    elif "value" in ent:
        add("date-value", f"{where}: only a DATE carries 'value'")
    if "score" in ent and not isinstance(ent["score"], (int, float)):
        add("field-type", f"{where}: 'score' must be a number")
    return True


def _check_relations(add: _Checker, relations: list, entities: dict[str, dict], schema: Schema) -> None:
    seen: set[tuple] = set()
    for n, rel in enumerate(relations):
        where = f"relation #{n}"
        if not isinstance(rel, dict):
            add("field-type", f"{where} is not an object")
            continue
        if not _check_keys(add, rel, RELATION_KEYS, OPTIONAL_RELATION_KEYS, where):
            continue
        label, head, tail = rel["label"], entities.get(rel["head"]), entities.get(rel["tail"])
        where = f"relation {rel['head']}-{label}->{rel['tail']}"
        if label not in schema.relations:
            add("relation-label", f"{where}: unknown label {label!r} (allowed: {', '.join(schema.relations)})")
            continue
        if head is None:
            add("relation-head", f"{where}: head {rel['head']!r} is not an entity of this record")
        elif head["label"] != schema.relation_head:
            add("relation-head", f"{where}: head must be a {schema.relation_head}, not {head['label']}")
        if tail is None:
            add("relation-tail", f"{where}: tail {rel['tail']!r} is not an entity of this record")
        elif tail["label"] not in schema.relations[label]:
            add("relation-tail", f"{where}: a {label} relation takes a {'/'.join(schema.relations[label])} tail, not {tail['label']}")
        key = (rel["head"], rel["tail"], label)
        if key in seen:
            add("relation-duplicate", f"{where}: listed twice")
        seen.add(key)


def check_record(raw: Any, path: str, line: int, schema: Schema | None = None) -> list[Violation]:
    """All violations of one decoded JSON value against the record contract."""
    schema = schema or load_schema()
    record_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else "-"
    add = _Checker(path, line, record_id or "-")
    if not isinstance(raw, dict):
        add("record-type", "a record must be a JSON object")
        return add.found
    if not _check_keys(add, raw, RECORD_KEYS, OPTIONAL_RECORD_KEYS, "record"):
        return add.found
    for key in ("id", "doc_id", "text"):
        if not isinstance(raw[key], str) or not raw[key]:
            add("field-type", f"'{key}' must be a non-empty string")
    if raw["doc_date"] is not None and not is_iso_day(raw["doc_date"]):
        add("doc-date", f"doc_date {raw['doc_date']!r} is not an ISO date YYYY-MM-DD or null")
    if "doc_offset" in raw and not (type(raw["doc_offset"]) is int and raw["doc_offset"] >= 0):
        add("field-type", "'doc_offset' must be a non-negative integer")
    if not isinstance(raw["entities"], list) or not isinstance(raw["relations"], list):
        add("field-type", "'entities' and 'relations' must be lists")
        return add.found
    if not isinstance(raw["text"], str) or not raw["text"]:
        return add.found
    good: dict[str, dict] = {}
    for n, ent in enumerate(raw["entities"]):
        if _check_entity(add, ent, n, raw["text"], schema):
            if ent["id"] in good:
                add("entity-id-unique", f"entity id {ent['id']!r} is used twice")
            good[ent["id"]] = ent
    spans = sorted((e["start"], e["end"], e["id"]) for e in good.values())
    for (s1, e1, id1), (s2, e2, id2) in zip(spans, spans[1:]):
        if s2 < e1:
            add("overlap", f"entities {id1!r} [{s1},{e1}) and {id2!r} [{s2},{e2}) overlap")
    _check_relations(add, raw["relations"], good, schema)
    return add.found


def validate_files(paths: Iterable[str], schema: Schema | None = None,
                   lenient: frozenset[str] = frozenset()) -> Iterator[tuple[Record | None, list[Violation]]]:
    """Stream every line of every file as (record or None, its violations), ids unique across files.
    Violations of the ``lenient`` rules are still reported but do not stop the record."""
    schema = schema or load_schema()
    first_seen: dict[str, str] = {}
    for path in paths:
        for jl, problems in iter_json_lines(path):
            if jl.violation is not None:
                yield None, problems + [jl.violation]
                continue
            if jl.value is None:  # a blank line is not a record
                if problems:
                    yield None, problems
                continue
            found = problems + check_record(jl.value, path, jl.line, schema)
            rid = jl.value.get("id") if isinstance(jl.value, dict) else None
            if isinstance(rid, str) and rid:
                where = f"{path}:{jl.line}"
                if rid in first_seen:
                    found.append(Violation(path, jl.line, rid, "id-unique", f"id already used at {first_seen[rid]}"))
                else:
                    first_seen[rid] = where
            record = Record.from_dict(jl.value) if all(v.rule in lenient for v in found) else None
            yield record, found


class RecordError(ValueError):
    """Raised by load_records with every violation found."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = "\n".join(str(v) for v in violations[:50])
        more = f"\n... and {len(violations) - 50} more" if len(violations) > 50 else ""
        super().__init__(f"{len(violations)} violation(s):\n{shown}{more}")


# A predicted span may start or end inside a word: it is scored (as a wrong span), with a warning.
PREDICTION_LENIENT = frozenset({"word-boundary"})


def _load(paths: Iterable[str], lenient: frozenset[str]) -> tuple[list[Record], list[Violation]]:
    """Records of the files and the violations of ``lenient`` rules; RecordError for any other."""
    records: list[Record] = []
    errors: list[Violation] = []
    warnings: list[Violation] = []
    for record, found in validate_files(paths, lenient=lenient):
        for violation in found:
            (warnings if violation.rule in lenient else errors).append(violation)
        if record is not None:
            records.append(record)
    if errors:
        raise RecordError(errors)
    return records, warnings


def load_predictions(path: str) -> tuple[list[Record], list[Violation]]:
    """Load a prediction file: the contract holds, except that spans inside words only warn.
    Returns the records and those warnings; raises RecordError for any other violation."""
    return _load([path], PREDICTION_LENIENT)


def load_records(*paths: str) -> list[Record]:
    """Load and validate record files; raise RecordError listing every violation."""
    return _load(paths, frozenset())[0]
