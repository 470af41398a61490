"""Outputs of `hatif predict`: append-only JSON Lines written a whole document at a time, the
resume scan that repairs a killed run's tail, and the derived events file.

Why not an atomic whole-file replace (data.jsonl.atomic_writer)? It would hold the whole run
back until the end and make --resume impossible. The output is instead append-only by whole
documents: one write() of all a document's lines, then flush, so a kill can only tear the
document being written, and --resume cuts that document off and predicts it again (with the
rest of its sort buffer, so that batches, and so the bytes written, match an uninterrupted run).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hatif.data.jsonl import atomic_writer, dumps
from hatif.data.schema import load_schema


class LineWriter:
    """Appends groups of JSON lines, each group in one write() followed by a flush."""

    def __init__(self, path: Path, append: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.handle: BinaryIO = open(path, "ab" if append else "wb")

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        """Write the rows as one block of whole lines."""
        block = "".join(dumps(row) + "\n" for row in rows)
        if block:
            self.handle.write(block.encode("utf-8"))
            self.handle.flush()

    def close(self) -> None:
        """Flush, fsync (the run is only done once its lines are on disk) and close."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


def _complete_lines(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(start offset, end offset, line) of each newline-terminated line; a torn last line is left out."""
    offset = 0
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            yield offset, offset + len(line), line
            offset += len(line)


@dataclass(frozen=True)
class Written:
    """Where one document's (or record's) lines sit in an output being resumed."""

    start: int  # byte offset of its first line
    lines: int


def scan_for_resume(path: Path, key_field: str) -> tuple[dict[str, Written], list[str]]:
    """The documents in an interrupted output, by key, and notes for the log.

    The file is cut at its first line that is torn or not JSON. Whether the last document is
    whole is not known here (a kill may leave some of its lines): the job compares each
    document's line count with its sentences from the input, and cuts what is unfinished.
    """
    notes: list[str] = []
    written: dict[str, Written] = {}
    if not path.exists():
        return written, notes
    size, keep = path.stat().st_size, 0
    for start, end, line in _complete_lines(path):
        try:
            key = json.loads(line)[key_field]
        except (ValueError, KeyError, TypeError):
            notes.append(f"{path}: line at byte {start} is not a record; the file is cut there")
            break
        old = written.get(key)
        written[key] = Written(start, 1) if old is None else Written(old.start, old.lines + 1)
        keep = end
    if keep < size:
        notes.append(f"{path}: {size - keep} byte(s) of a torn last line cut off before resuming")
        cut_file(path, keep)
    return written, notes


def cut_file(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def truncate_torn_line(path: Path) -> set[str]:
    """Cut a torn last line off a side file (errors) and return its lines, to avoid writing them twice."""
    if not path.exists():
        return set()
    seen, keep = set(), 0
    for _, end, line in _complete_lines(path):
        seen.add(line.decode("utf-8", "replace").rstrip("\n"))
        keep = end
    if keep < path.stat().st_size:
        cut_file(path, keep)
    return seen


def _span(ent: dict[str, Any], doc_offset: int | None) -> dict[str, Any]:
    """Text and article offsets of an entity (null offsets where the sentence's place is unknown)."""
    out: dict[str, Any] = {"text": ent["text"],
                           "start": None if doc_offset is None else doc_offset + ent["start"],
                           "end": None if doc_offset is None else doc_offset + ent["end"]}
    if ent["label"] == "DATE":
        out["value"] = ent.get("value")
    return out


def record_events(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One event per TRIGGER of a predicted record as written (ANNOTATION.md, "Derived view: events").

    Built from the written form (scores rounded), so that events rebuilt from the output on
    --resume equal those of an uninterrupted run. confidence = P(trigger's polarity) x mean(score
    of its relations), or P(polarity) alone when it has no relation; null where the system gives
    no scores (the rule-based baseline).
    """
    schema = load_schema()
    by_id = {e["id"]: e for e in row["entities"]}
    offset = row.get("doc_offset")
    events = []
    for trig in row["entities"]:
        if trig["label"] != schema.relation_head:
            continue
        args: dict[str, list] = {label: [] for label in schema.relation_labels}
        scores = []
        for rel in row["relations"]:
            if rel["head"] == trig["id"] and rel["tail"] in by_id and rel["label"] in args:
                args[rel["label"]].append(_span(by_id[rel["tail"]], offset))
                if rel.get("score") is not None:
                    scores.append(rel["score"])
        confidence = None
        if trig.get("score") is not None:
            confidence = round(trig["score"] * (sum(scores) / len(scores) if scores else 1.0), 4)
        events.append({"doc_id": row["doc_id"], "sentence_id": row["id"], "trigger": _span(trig, offset),
                       "polarity": trig.get("polarity"), **args, "confidence": confidence})
    return events


def rebuild_events(out_path: Path, events_path: Path) -> None:
    """Derive the events file anew from the (repaired) output, so that both agree on resume."""
    def rows() -> Iterator[dict[str, Any]]:
        for _, _, line in _complete_lines(out_path):
            yield from record_events(json.loads(line))

    with atomic_writer(events_path) as handle:
        if out_path.exists():
            for row in rows():
                handle.write(dumps(row) + "\n")
