"""`hatif merge`: the parts a sharded `hatif predict` wrote (one per shard) as one output, byte for
byte what one unsharded run would have written.

Order: with the inputs the parts were predicted from, that of the documents in them (records
with --records); without, documents sorted by doc_id (records by id), which does not depend on
how many shards there were or how the parts are named. Each part is indexed (where each
document's lines lie), not loaded: the merge copies byte ranges, so memory grows with the
number of documents, not with their text.

A document in two parts, a torn or foreign line, and (given the inputs) a document in no part
are errors naming file and line. A document that is in no part because its shard failed it
(bad UTF-8, empty, too long) is expected: each part's errors file (PART.errors.jsonl, where
`hatif predict` puts it) says so, matched by the input's source as `hatif predict` wrote it
("big.jsonl:7", "docs/a.txt"), so give the inputs as they were given to `hatif predict`.
The errors files are merged too; the events file is derived from the merged records, as
`hatif predict --resume` derives it (outputs.rebuild_events), so the parts' events are not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from hatif.data.jsonl import atomic_writer
from .inputs import iter_units
from .job import default_errors_path
from .outputs import rebuild_events


class MergeError(ValueError):
    """A part, errors file or input that stops the merge: ``where`` is "file:line" or a file."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


@dataclass
class _Block:
    """One document's (or record's) lines in a part: bytes [start, end), from line ``line``."""

    part: int
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class MergeSummary:
    parts: int
    documents: int  # documents (records with --records) written
    lines: int
    failed: int | None  # inputs that a shard reported failed; None without the inputs

    def line(self) -> str:
        failed = "" if self.failed is None else f"; {self.failed} input(s) failed in prediction (see the errors file)"
        return f"{self.documents} document(s), {self.lines} line(s) merged from {self.parts} part(s){failed}"


def _lines(path: Path) -> Iterable[tuple[int, int, bytes]]:
    """(line number, byte offset, line) of a JSON Lines file; a torn last line is an error."""
    offset = 0
    with open(path, "rb") as handle:
        for lineno, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                raise MergeError(f"{path}:{lineno}", "torn last line: the run that wrote it did not finish; "
                                                     "run that shard again with --resume")
            yield lineno, offset, raw
            offset += len(raw)


def _row(raw: bytes, path: Path, lineno: int, key: str, *needed: str) -> dict:
    """The JSON object of a line, with a non-empty string ``key`` and the ``needed`` fields."""
    try:
        row = json.loads(raw)
        ok = isinstance(row[key], str) and row[key] != "" and all(name in row for name in needed)
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        what = "record" if needed else "line of an errors file"
        hint = " (an errors file: give the parts only)" if path.name.endswith(".errors.jsonl") else ""
        raise MergeError(f"{path}:{lineno}", f"not a {what} of `hatif predict` (no string {key!r}){hint}")
    return row


def _index(parts: Sequence[Path], key_field: str) -> dict[str, _Block]:
    """Where each document's lines are; a document's lines are consecutive, as `hatif predict` writes them."""
    index: dict[str, _Block] = {}
    for n, part in enumerate(parts):
        last = None
        for lineno, offset, raw in _lines(part):
            key = _row(raw, part, lineno, key_field, "entities")[key_field]
            if key == last and key_field == "doc_id":  # the next sentence of the same article
                index[key].end = offset + len(raw)
                continue
            if key in index:
                other = index[key]
                raise MergeError(f"{part}:{lineno}", f"{key_field} {key!r} is also at "
                                                     f"{parts[other.part]}:{other.line}: parts of different runs, "
                                                     "or one part given twice?")
            index[key] = _Block(n, offset, offset + len(raw), lineno)
            last = key
    return index


def _errors(parts: Sequence[Path]) -> tuple[dict[str, list[bytes]], set[str]] | None:
    """The lines of the parts' errors files by source, and the sources they report failed; None
    when no part has an errors file."""
    found = [path for path in map(default_errors_path, parts) if path.exists()]
    if not found:
        return None
    by_source: dict[str, list[bytes]] = {}
    failed: set[str] = set()
    for path in found:
        for lineno, _, raw in _lines(path):
            row = _row(raw, path, lineno, "source")
            by_source.setdefault(row["source"], []).append(raw)
            if "error" in row:  # not a mere warning: the input is not in the output
                failed.add(row["source"])
    return by_source, failed


def _in_input_order(inputs: list[str], records_mode: bool, index: dict[str, _Block],
                    errors: tuple[dict[str, list[bytes]], set[str]] | None,
                    ) -> tuple[list[_Block], list[bytes], int]:
    """The blocks and errors lines in input order, and how many inputs failed; raises on a
    document in no part that no errors file reports failed. The blocks taken leave ``index``."""
    by_source, failed_sources = errors or ({}, set())
    blocks: list[_Block] = []
    error_lines: list[bytes] = []
    missing: list[tuple[str, str]] = []
    seen: set[str] = set()
    failed = 0
    for unit in iter_units(inputs, records_mode):
        error_lines += by_source.pop(unit.source, [])
        if unit.failed or unit.key in seen:  # broken line, duplicate doc_id: `hatif predict` fails it too
            failed += 1
        elif unit.key in index:
            blocks.append(index.pop(unit.key))
        elif unit.source in failed_sources:
            failed += 1
        else:
            missing.append((unit.source, unit.key))
        seen.add(unit.key)
    key_field = "id" if records_mode else "doc_id"
    if missing:
        source, key = missing[0]
        raise MergeError(source, f"{key_field} {key!r} is in no part, and no part's errors file reports it "
                                 f"failed ({len(missing)} such input(s) in all): is a shard's part missing?")
    return blocks, error_lines + [line for lines in by_source.values() for line in lines], failed


def merge(parts: Sequence[str | Path], out: str | Path, inputs: list[str] | None = None, records_mode: bool = False,
          events: str | Path | None = None) -> MergeSummary:
    """Merge the parts into ``out`` (atomically), their errors files into out's errors file and,
    with ``events``, write the events of the merged records there. See the module for the order."""
    parts, out = [Path(p) for p in parts], Path(out)
    if out.resolve() in {p.resolve() for p in parts}:
        raise MergeError(str(out), "the output is one of the parts: write the merge elsewhere")
    key_field = "id" if records_mode else "doc_id"
    index = _index(parts, key_field)
    errors = _errors(parts)
    if inputs is None:
        blocks = [index[key] for key in sorted(index)]
        error_lines = [line for lines in errors[0].values() for line in lines] if errors else []
        failed = None
    else:
        blocks, error_lines, failed = _in_input_order(inputs, records_mode, index, errors)
        if index:  # what is left was predicted from other inputs
            key, block = min(index.items(), key=lambda item: (item[1].part, item[1].line))
            raise MergeError(f"{parts[block.part]}:{block.line}", f"{key_field} {key!r} is not in the inputs "
                             f"({len(index)} such in all): merge the parts with the inputs they were predicted from")
    lines = 0
    with ExitStack() as stack:
        handles = [stack.enter_context(open(part, "rb")) for part in parts]
        with atomic_writer(out, "wb") as target:
            for block in blocks:
                handle = handles[block.part]
                handle.seek(block.start)
                chunk = handle.read(block.end - block.start)
                target.write(chunk)
                lines += chunk.count(b"\n")
    if errors:
        with atomic_writer(default_errors_path(out), "wb") as target:
            target.writelines(error_lines)
    if events is not None:
        rebuild_events(out, Path(events))
    return MergeSummary(len(parts), len(blocks), lines, failed)
