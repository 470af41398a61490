"""Reading and writing JSON Lines safely: byte-level checks, streaming, atomic output."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, IO

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Violation:
    """One broken rule, reported as ``file:line: record-id: rule: detail``."""

    path: str
    line: int
    record_id: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.record_id}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class JsonLine:
    """A decoded line: either a parsed JSON value or the violation that stopped it."""

    path: str
    line: int
    value: Any = None
    violation: Violation | None = None


def _open_bytes(path: str) -> IO[bytes]:
    return sys.stdin.buffer if path == "-" else open(path, "rb")


def decode_line(raw: bytes, path: str, lineno: int) -> tuple[str | None, list[Violation]]:
    """Decode one raw line; BOM, CRLF and bad UTF-8 become violations, never exceptions."""
    problems: list[Violation] = []
    if lineno == 1 and raw.startswith(BOM):
        problems.append(Violation(path, lineno, "-", "bom",
                                  "file starts with a UTF-8 byte-order mark; save it without BOM"))
        raw = raw[len(BOM):]
    if raw.endswith(b"\r\n"):
        problems.append(Violation(path, lineno, "-", "crlf",
                                  "line ends with CRLF; use LF line ends"))
        raw = raw[:-2]
    elif raw.endswith(b"\n"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as err:
        problems.append(Violation(path, lineno, "-", "encoding",
                                  f"invalid UTF-8 at byte {err.start} of the line"))
        return None, problems


def iter_json_lines(path: str) -> Iterator[tuple[JsonLine, list[Violation]]]:
    """Stream (line, format violations) pairs; blank lines are skipped, nothing else is."""
    with _open_bytes(path) as handle:
        for lineno, raw in enumerate(handle, start=1):
            text, problems = decode_line(raw, path, lineno)
            if text is None:
                yield JsonLine(path, lineno, violation=problems[-1]), problems[:-1]
                continue
            if not text.strip():
                yield JsonLine(path, lineno, value=None), problems
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as err:
                bad = Violation(path, lineno, "-", "json", f"malformed JSON: {err.msg} at column {err.colno}")
                yield JsonLine(path, lineno, violation=bad), problems
                continue
            yield JsonLine(path, lineno, value=value), problems


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Atomically write rows as JSON Lines; returns the number written."""
    count = 0
    with atomic_writer(path) as out:
        for row in rows:
            out.write(dumps(row) + "\n")
            count += 1
    return count


def write_json(path: str | Path, obj: Any) -> None:
    with atomic_writer(path) as out:
        json.dump(obj, out, ensure_ascii=False, indent=2)
        out.write("\n")
