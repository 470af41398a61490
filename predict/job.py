"""`hatif predict`: stream articles or records through a model (or the rule-based baseline) into
annotation-format records, an events file and an errors file.

The run is one pipeline of generators: input units are read lazily, cut into sentence records
and fed to the backend, whose predictions come back in input order and are regrouped into
documents with a queue of the documents in flight (bounded by the Predictor's buffer). Each
document's lines are written with one write() and a flush (see outputs for why the
output is append-only by whole documents and how --resume repairs it).
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from hatif.data.jsonl import dumps
from hatif.data.records import Record
from hatif.text.arabic import ARABIC_LETTER
from .backends import Backend, BackendOptions, load_backend
from .inputs import (NO_DATE, DocumentTimeout, InputLimits, Unit, count_units, iter_units, shard_of, time_limit,
                         unit_sentences)
from .outputs import (LineWriter, Written, cut_file, rebuild_events, record_events, scan_for_resume,
                             truncate_torn_line)

SHOWN_PROBLEMS = 20  # problems echoed on stderr; all of them go to the errors file


def _empty(rec: Record) -> Record:
    return Record(rec.id, rec.doc_id, rec.doc_date, rec.text, [], [], doc_offset=rec.doc_offset)


def route(records: Iterable[Record], backend: Backend) -> Iterator[Record]:
    """Backend predictions for sentences with Arabic letters, empty ones for the rest (no Arabic letter,
    no call event in Arabic news: they skip the model); input order kept."""
    held: deque[Record] = deque()

    def to_model() -> Iterator[Record]:
        for rec in records:
            held.append(rec)
            if ARABIC_LETTER.search(rec.text):
                yield rec

    for pred in backend.predict(to_model()):
        while not ARABIC_LETTER.search(held[0].text):
            yield _empty(held.popleft())
        held.popleft()
        yield pred
    while held:  # the generator is exhausted: only model-free sentences can be left
        yield _empty(held.popleft())


@dataclass
class Summary:
    """Counts of one run: units in = done + failed; `resumed` of the done were already in the output."""

    records_mode: bool
    units_in: int = 0
    done: int = 0
    resumed: int = 0
    failed: int = 0
    records_out: int = 0
    warnings: int = 0
    other_shards: int = 0

    def line(self) -> str:
        """The final stderr line, with the identity on input units spelled out."""
        extra = f" ({self.resumed} already in the output, --resume)" if self.resumed else ""
        if self.records_mode:
            return (f"records in {self.units_in} = records out {self.done} + records failed {self.failed}{extra}; "
                    f"{self.warnings} warning(s)")
        return (f"documents in {self.units_in} = documents done {self.done} + documents failed {self.failed}{extra}; "
                f"sentence records out {self.records_out}; {self.warnings} warning(s)")


class Problems:
    """Writes problems to the errors file (once each, also across resumed runs) and echoes the first ones."""

    def __init__(self, path: Path, resume: bool, log: TextIO) -> None:
        self.seen = truncate_torn_line(path) if resume else set()
        self.writer = LineWriter(path, append=resume)
        self.log, self.shown, self.undated = log, 0, 0

    def report(self, unit: Unit, summary: Summary) -> None:
        rows = [row for row in unit.problem_rows() if dumps(row) not in self.seen]
        self.seen.update(dumps(row) for row in rows)
        summary.warnings += sum("warning" in row for row in rows)
        # an undated document is common (plain .txt): summed up once at the end, not echoed each time
        self.undated += sum(row.get("warning") == NO_DATE for row in rows)
        if self.shown < SHOWN_PROBLEMS:
            for row in rows:
                if row.get("warning") == NO_DATE:
                    continue
                print(f"{row['source']}: {'error' if 'error' in row else 'warning'}: "
                      f"{row.get('error') or row.get('warning')}", file=self.log)
            self.shown += len(rows)
        self.writer.write(rows)


def _prepare(unit: Unit, records_mode: bool, limits: InputLimits) -> list[Record]:
    """The unit's sentence records, or [] when it failed (also when reading it takes too long)."""
    try:
        with time_limit(limits.doc_timeout):
            unit.load()
            return [] if unit.failed else unit_sentences(unit, records_mode, limits)
    except DocumentTimeout as err:
        unit.fail(f"reading and splitting it {err} (--doc-timeout): skipped")
        return []


Buffer = list[tuple[Unit, list[Record]]]


def sort_buffers(prepared: Iterable[tuple[Unit, list[Record]]], size: int) -> Iterator[Buffer]:
    """Whole documents grouped until they hold ``size`` sentences. The backend sorts and batches
    each buffer on its own, so batches depend on the input alone, never on where a run resumed."""
    buffer: Buffer = []
    held = 0
    for unit, recs in prepared:
        buffer.append((unit, recs))
        held += len(recs)
        if held >= size:
            yield buffer
            buffer, held = [], 0
    if buffer:
        yield buffer


def _predict_buffer(buffer: Buffer, backend: Backend, timeout: float) -> list[list[Record] | None]:
    """Predictions per document of the buffer; None for a document whose prediction timed out.
    Only when the whole buffer overruns are its documents predicted one by one to find the culprit."""
    try:
        with time_limit(timeout * len(buffer)):
            preds = list(route([r for _, recs in buffer for r in recs], backend))
    except DocumentTimeout:
        return [_predict_alone(unit, recs, backend, timeout) for unit, recs in buffer]
    out, at = [], 0
    for _, recs in buffer:
        out.append(preds[at:at + len(recs)])
        at += len(recs)
    return out


def _predict_alone(unit: Unit, recs: list[Record], backend: Backend, timeout: float) -> list[Record] | None:
    try:
        with time_limit(timeout):
            return list(route(recs, backend))
    except DocumentTimeout as err:
        unit.fail(f"prediction {err} (--doc-timeout): skipped")
        return None


def already_written(buffer: Buffer, written: dict[str, Written]) -> bool:
    return all(unit.key in written and written[unit.key].lines == len(recs) for unit, recs in buffer)


def cut_partial_buffer(buffer: Buffer, written: dict[str, Written], out: Path) -> str | None:
    """Cut the documents of a buffer that a kill left partly written, so the whole buffer is
    predicted again; returns the note for the log (None when none of it was written)."""
    present = [(written[unit.key], len(recs)) for unit, recs in buffer if unit.key in written]
    if not present:
        return None
    cut = min(w.start for w, _ in present)
    size = out.stat().st_size
    cut_file(out, cut)
    for key in [k for k, w in written.items() if w.start >= cut]:
        del written[key]
    unfinished = sum(w.lines != n for w, n in present)
    return (f"{out}: {size - cut} byte(s) cut off: {unfinished} unfinished document(s) and "
            f"{len(present) - unfinished} complete one(s) of the same sort buffer are predicted again, "
            "so that batches match an uninterrupted run")


def progress_bar(inputs: list[str], num_shards: int, log: TextIO):
    """Documents done, rate and ETA on the log stream (a shard sees about 1/num_shards of them)."""
    from tqdm import tqdm

    total = count_units(inputs)
    return tqdm(total=None if total is None else -(-total // num_shards), unit="doc", file=log,
                dynamic_ncols=True, mininterval=1.0)


def default_errors_path(out: Path) -> Path:
    """<out minus .jsonl>.errors.jsonl: predictions.jsonl -> predictions.errors.jsonl."""
    return out.with_name((out.name[:-len(".jsonl")] if out.name.endswith(".jsonl") else out.name) + ".errors.jsonl")


@dataclass(frozen=True)
class PredictConfig:
    """Everything a `hatif predict` run is told besides its inputs, output and model."""

    records_mode: bool = False  # inputs are annotation records (one sentence each, ids kept), not articles
    events: Path | None = None  # also write one event per TRIGGER here
    errors: Path | None = None  # per-input problems (default: default_errors_path(out))
    num_shards: int = 1
    shard_index: int = 0
    resume: bool = False  # keep the complete documents already in the output
    backend: BackendOptions = field(default_factory=BackendOptions)
    limits: InputLimits = field(default_factory=InputLimits)
    progress: bool = False  # a progress bar on the log stream


def prepared_units(inputs: list[str], config: PredictConfig, summary: Summary,
                   problems: Problems) -> Iterator[tuple[Unit, list[Record]]]:
    """This shard's input units with their sentence records, read lazily; every unit is counted in
    ``summary`` and a failed one (bad input, duplicate doc_id, too large, too slow) reported."""
    records_mode, num_shards = config.records_mode, config.num_shards
    seen_docs: set[str] = set()
    for unit in iter_units(inputs, records_mode):
        # a line too broken to name its document is sharded by where it is, so exactly one shard reports it
        if num_shards > 1 and shard_of(unit.doc_id or unit.source, num_shards) != config.shard_index:
            summary.other_shards += 1
            continue
        summary.units_in += 1
        if not records_mode and not unit.failed:
            if unit.doc_id in seen_docs:  # records mode: ids are checked by `hatif validate`
                unit.fail("duplicate doc_id: an earlier input already gave this document")
            seen_docs.add(unit.doc_id)
        recs = _prepare(unit, records_mode, config.limits)
        if unit.problems:
            problems.report(unit, summary)
        if recs:
            yield unit, recs
        else:
            summary.failed += 1


class RunOutputs:
    """What one run writes as it goes: the records, their events, the progress bar."""

    def __init__(self, out: Path, events: Path | None, append: bool, bar) -> None:
        self.out, self.events, self.bar = out, events, bar
        self.records = LineWriter(out, append=append)
        self.event_lines = LineWriter(events, append=append) if events else None

    def document(self, rows: list[dict], summary: Summary) -> None:
        """One whole document's records (and events): one write each, then counted."""
        self.records.write(rows)
        if self.event_lines:
            self.event_lines.write(e for row in rows for e in record_events(row))
        summary.done += 1
        summary.records_out += len(rows)

    def progress(self, summary: Summary) -> None:
        if self.bar is not None:
            self.bar.update(summary.done + summary.failed - self.bar.n)
            self.bar.set_postfix(sentences=summary.records_out, refresh=False)

    def rebuild_events(self) -> None:
        """The events anew from the (cut) output; the old handle points at the replaced file."""
        if self.event_lines:
            self.event_lines.close()
            rebuild_events(self.out, self.events)
            self.event_lines = LineWriter(self.events, append=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        for handle in (self.records, self.event_lines):
            if handle:
                handle.close()


def log_end(summary: Summary, problems: Problems, log: TextIO) -> None:
    """The closing lines of a run: other shards, undated documents, where problems went, the counts."""
    if summary.other_shards:
        print(f"{summary.other_shards} input unit(s) belong to other shards", file=log)
    if problems.undated:
        print(f"{problems.undated} document(s) without a date: their relative dates (أمس، الخميس) are null; "
              "give --doc-date or start each .txt with a date line", file=log)
    if summary.failed or summary.warnings:
        print(f"problems written to {problems.writer.path}", file=log)
    print(summary.line(), file=log)


def run_predict(inputs: list[str], out: str | Path, model: str | Backend, config: PredictConfig = PredictConfig(),
                log: TextIO | None = None) -> Summary:
    """Predict every input unit of this shard into ``out``; returns the counts (also logged).

    ``model`` is a --model spec (see backends) or an already loaded backend (benchmarks, tests).
    """
    log = log or sys.stderr  # looked up per call: the CLI's test runner swaps sys.stderr
    records_mode, events, resume, limits = config.records_mode, config.events, config.resume, config.limits
    num_shards, shard_index = config.num_shards, config.shard_index
    if not 0 <= shard_index < num_shards:
        raise ValueError(f"--shard-index must be in [0, {num_shards}), got {shard_index}")
    out = Path(out)
    backend = load_backend(model, config.backend) if isinstance(model, str) else model
    summary = Summary(records_mode)
    written: dict[str, Written] = {}
    if resume:
        written, notes = scan_for_resume(out, "id" if records_mode else "doc_id")
        for note in notes:
            print(f"resume: {note}", file=log)
        if events:
            rebuild_events(out, Path(events))
    problems = Problems(Path(config.errors) if config.errors else default_errors_path(out), resume, log)
    outputs = RunOutputs(out, Path(events) if events else None, resume,
                         progress_bar(inputs, num_shards, log) if config.progress else None)
    try:
        for buffer in sort_buffers(prepared_units(inputs, config, summary, problems), backend.buffer_size):
            if resume and already_written(buffer, written):
                summary.done += len(buffer)
                summary.resumed += len(buffer)
                continue
            note = cut_partial_buffer(buffer, written, out) if resume else None
            if note:
                print(f"resume: {note}", file=log)
                outputs.rebuild_events()
            for (unit, _), preds in zip(buffer, _predict_buffer(buffer, backend, limits.doc_timeout)):
                if preds is None:
                    problems.report(unit, summary)
                    summary.failed += 1
                else:
                    outputs.document([r.to_dict() for r in preds], summary)
                outputs.progress(summary)
    finally:
        outputs.close()
        problems.writer.close()
    log_end(summary, problems, log)
    return summary
