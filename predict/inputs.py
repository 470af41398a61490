"""Inputs of `hatif predict`, streamed: articles (.txt files, folders of them, JSON Lines of
``{"doc_id", "text", "doc_date"}``, ``-`` for stdin) or annotation records (``--records``).

Nothing here raises on bad input: every input unit (a file, or a line of a JSON Lines file)
becomes a ``Unit`` whose problems say what was wrong. A fatal problem drops the unit; a warning
(BOM stripped, doc_date missing) only travels with it. Units are produced lazily, one at a time.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hatif.text.arabic import arabic_share
from hatif.text.articles import read_article
from hatif.data.jsonl import BOM, decode_line
from hatif.data.records import Record
from hatif.data.validate import is_iso_day

JSONL_SUFFIXES = {".jsonl", ".json", ".ndjson"}


@dataclass
class Unit:
    """One input document (an article) or one input record (``--records``).

    ``key`` identifies it in the output: the doc_id of an article, the id of a record.
    ``text`` is None until ``load()`` ran (a .txt file is read only once its shard and
    resume state say it is needed).
    """

    source: str
    doc_id: str | None
    key: str | None
    text: str | None = None
    doc_date: str | None = None
    doc_offset: int | None = None
    path: Path | None = None
    problems: list[tuple[str, bool]] = field(default_factory=list)  # (message, fatal)

    @property
    def failed(self) -> bool:
        return any(fatal for _, fatal in self.problems)

    def fail(self, message: str) -> "Unit":
        self.problems.append((message, True))
        return self

    def warn(self, message: str) -> None:
        self.problems.append((message, False))

    def problem_rows(self) -> list[dict[str, Any]]:
        """Lines of the errors file: {"source", "doc_id", "error"} or {..., "warning"}."""
        return [{"source": self.source, "doc_id": self.doc_id, "error" if fatal else "warning": message}
                for message, fatal in self.problems]

    def load(self) -> None:
        """Read a .txt article's bytes: BOM stripped with a warning, bad UTF-8 or no text fatal."""
        if self.path is None or self.text is not None or self.failed:
            return
        try:
            raw = self.path.read_bytes()
        except OSError as err:
            self.fail(f"cannot read: {err.strerror or err}")
            return
        if raw.startswith(BOM):
            raw = raw[len(BOM):]
            self.warn("UTF-8 byte-order mark stripped (offsets count from the character after it)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            self.fail(f"invalid UTF-8 at byte {err.start}: the article is skipped")
            return
        if not text.strip():
            self.fail("empty article: no text")
            return
        self.text = text


def shard_of(doc_id: str, num_shards: int) -> int:
    """Stable shard of a document (crc32 of its UTF-8 doc_id): the same on every machine and run."""
    return zlib.crc32(doc_id.encode("utf-8")) % num_shards


def _walk_txt(root: Path) -> Iterator[Path]:
    """Every .txt under root, recursively, in sorted path order, one directory listing at a time."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".txt"):
                yield Path(folder) / name


def check_inputs(paths: Iterable[str], records_mode: bool) -> list[str]:
    """Problems that stop the run before it starts: missing paths, wrong kinds for --records."""
    found = []
    for path in paths:
        if path == "-":
            continue
        p = Path(path)
        if not p.exists():
            found.append(f"{path}: no such file or directory")
        elif records_mode and (p.is_dir() or p.suffix not in JSONL_SUFFIXES):
            found.append(f"{path}: --records takes JSON Lines files of annotation records")
    return found


def _is_blank(raw: bytes) -> bool:
    """A JSON Lines line with nothing but spaces and byte-order marks: no document, not an error."""
    return not raw.strip(b" \t\r\n" + BOM)


def count_units(paths: Iterable[str]) -> int | None:
    """How many input units the paths hold (lines of JSON Lines, .txt files), for a progress bar's
    ETA; None for stdin. Counts bytes, parses nothing."""
    total = 0
    for path in paths:
        p = Path(path)
        if path == "-":
            return None
        if p.suffix in JSONL_SUFFIXES:
            with open(p, "rb") as handle:
                total += sum(1 for line in handle if not _is_blank(line))
        elif p.is_dir():
            total += sum(1 for _ in _walk_txt(p))
        else:
            total += 1
    return total


def iter_units(paths: Iterable[str], records_mode: bool = False) -> Iterator[Unit]:
    """Every input unit of every path, in order; folders give their .txt files, sorted."""
    for path in paths:
        p = Path(path)
        if path == "-" or p.suffix in JSONL_SUFFIXES:
            yield from _jsonl_units(path, records_mode)
        elif p.is_dir():
            for txt in _walk_txt(p):
                yield Unit(str(txt), txt.stem, txt.stem, path=txt)
        else:
            yield Unit(path, p.stem, p.stem, path=p)


def _jsonl_units(path: str, records_mode: bool) -> Iterator[Unit]:
    name = "stdin" if path == "-" else path
    handle = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        for lineno, raw in enumerate(handle, start=1):
            if not _is_blank(raw):  # a trailing blank line, say
                yield _json_unit(raw, f"{name}:{lineno}", name, lineno, records_mode)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _json_unit(raw: bytes, source: str, name: str, lineno: int, records_mode: bool) -> Unit:
    """One JSON line -> a Unit; every way the line can be wrong is a fatal problem, never an exception."""
    bom = raw.startswith(BOM)
    text, violations = decode_line(raw[len(BOM):] if bom else raw, name, lineno)
    unit = Unit(source, None, None)
    if text is None:
        return unit.fail(violations[-1].detail)
    if bom:
        unit.warn("UTF-8 byte-order mark at the start of the line stripped")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        return unit.fail(f"malformed JSON (column {err.colno}): {err.msg}")
    if not isinstance(obj, dict):
        return unit.fail("a line must be a JSON object")
    doc_id = obj.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        return unit.fail("'doc_id' missing or not a non-empty string")
    unit.doc_id = unit.key = doc_id
    if records_mode:
        rid = obj.get("id")
        if not isinstance(rid, str) or not rid:
            return unit.fail("'id' missing or not a non-empty string")
        unit.key = rid
        offset = obj.get("doc_offset")
        unit.doc_offset = offset if type(offset) is int and offset >= 0 else None
    body = obj.get("text")
    if not isinstance(body, str) or not body.strip():
        return unit.fail("'text' missing, empty or not a string")
    if body.startswith("\ufeff"):
        body = body[1:]
        unit.warn("byte-order mark at the start of 'text' stripped")
    unit.text = body
    date = obj.get("doc_date")
    if date is not None and not (isinstance(date, str) and is_iso_day(date)):
        unit.warn(f"doc_date {date!r} is not an ISO day YYYY-MM-DD: ignored")
        date = None
    unit.doc_date = date
    return unit


NO_DATE = "no doc_date (none given and no date line): relative dates get value null"
# Below this share of Arabic letters among all letters an article is probably not Arabic news.
MIN_ARABIC_SHARE = 0.5


@dataclass(frozen=True)
class InputLimits:
    """What one input may hold before it is skipped: no single document can stall a batch."""

    max_article_chars: int = 200_000
    doc_date: str | None = None  # for every document that brings none of its own (no date line, no field)
    doc_timeout: float = 120.0  # seconds one document may take to read, split or predict (0: no limit)


class DocumentTimeout(Exception):
    """One document took longer than --doc-timeout."""


@contextmanager
def time_limit(seconds: float):
    """Raise DocumentTimeout in the block after ``seconds`` of wall time (SIGALRM; a no-op off the
    main thread or for 0). Python-level loops and the regex engine both see the signal."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise DocumentTimeout(f"took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def unit_sentences(unit: Unit, records_mode: bool, limits: InputLimits = InputLimits()) -> list[Record]:
    """The sentence records (no entities yet) of a loaded unit; an empty list means it failed."""
    if len(unit.text) > limits.max_article_chars:
        unit.fail(f"{len(unit.text):,} characters, over the limit of {limits.max_article_chars:,} "
                  "(--max-article-chars): skipped")
        return []
    if (share := arabic_share(unit.text[:20_000])) < MIN_ARABIC_SHARE:  # a sample is enough
        unit.warn(f"only {share:.0%} of its letters are Arabic: is this Arabic news?")
    if records_mode:
        doc_date = unit.doc_date or limits.doc_date
        if doc_date is None:
            unit.warn(NO_DATE)
        return [Record(unit.key, unit.doc_id, doc_date, unit.text, doc_offset=unit.doc_offset)]
    article = read_article(unit.text, unit.doc_id, unit.doc_date)
    article.doc_date = article.doc_date or limits.doc_date
    if not article.sentences:
        unit.fail("no sentences: the article holds only a date line or page furniture")
        return []
    if article.doc_date is None:
        unit.warn(NO_DATE)
    return [Record(s.id, unit.doc_id, article.doc_date, s.text, doc_offset=s.doc_start)
            for s in article.sentences]
