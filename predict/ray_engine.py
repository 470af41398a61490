"""`hatif predict --engine ray`: the job of `job.run_predict` with the prediction fanned out over a
Ray cluster through Ray Data.

The driver reads the inputs exactly as the local job does (sharding, duplicate doc_ids, limits,
the errors file, --resume) and groups whole documents into the same sort buffers; each buffer
is one row of a Ray Dataset. `map_batches` sends rows one at a time to a pool of actors, each of
which loaded the model once. Results come back in input order (preserve_order), so the driver
writes the very bytes the local job writes, whole documents at a time, and --resume works on
the output of either engine. All buffers are planned before the first is sent, so the driver
holds the sentences of its inputs: split very large inputs with --num-shards.

Ray is an optional extra (`pip install "hatif[ray]"`); it is imported only here.
--doc-timeout bounds reading and splitting on the driver; prediction runs on an actor's worker
thread, where SIGALRM cannot reach it, so it is not bounded there.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from hatif.data.records import Record
from .backends import BackendOptions, load_backend
from .job import (Buffer, PredictConfig, Problems, Summary, already_written, cut_partial_buffer, default_errors_path,
                  RunOutputs, log_end, prepared_units, progress_bar, route, sort_buffers)
from .outputs import rebuild_events, scan_for_resume


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide the Ray job runs."""

    address: str | None = None  # a running cluster ("auto", "ray://HOST:10001"); None starts a local one
    actors: int = 0  # model replicas (0: one per CPU of the cluster); each gets CPUs/actors torch threads


class RayNotInstalled(ImportError):
    """--engine ray without the ray extra."""


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise RayNotInstalled('--engine ray needs Ray Data: pip install "hatif[ray]" (or "ray[data]>=2.9")') from err
    return ray


class BufferPredictor:
    """A Ray Data actor: loads the backend once, then predicts one sort buffer per call."""

    def __init__(self, model: str, options: BackendOptions, threads: int) -> None:
        self.backend = load_backend(model, options)
        if "torch" in sys.modules:  # a model backend; the rules never import torch
            # one actor per core at torch's default threads oversubscribes the cores (6x slower on 2)
            sys.modules["torch"].set_num_threads(threads)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        docs = [json.loads(payload) for payload in batch["docs"]]
        return {"index": list(batch["index"]), "docs": [json.dumps(self._predict(d), ensure_ascii=False) for d in docs]}

    def _predict(self, docs: list[list[dict]]) -> list[list[dict]]:
        """Rows of each document's predicted records; the buffer goes to the backend in one piece, as
        the local job hands it over, so that batches (and so scores) are the same."""
        preds = [r.to_dict() for r in route([Record.from_dict(r) for doc in docs for r in doc], self.backend)]
        out, at = [], 0
        for doc in docs:
            out.append(preds[at:at + len(doc)])
            at += len(doc)
        return out


def _plan(inputs: list[str], out: Path, buffer_size: int, config: PredictConfig, summary: Summary,
          problems: Problems, log: TextIO) -> list[Buffer]:
    """The sort buffers left to predict. Every input unit of this shard is read as the local job
    reads it: the same accounting of bad inputs and the same buffers; those a resumed output
    already holds are counted, not kept, and a partly written one is cut off the output."""
    records_mode = config.records_mode
    written = {}
    if config.resume:
        written, notes = scan_for_resume(out, "id" if records_mode else "doc_id")
        for note in notes:
            print(f"resume: {note}", file=log)
    buffers = []
    for buffer in sort_buffers(prepared_units(inputs, config, summary, problems), buffer_size):
        if config.resume and already_written(buffer, written):
            summary.done += len(buffer)
            summary.resumed += len(buffer)
            continue
        note = cut_partial_buffer(buffer, written, out) if config.resume else None
        if note:
            print(f"resume: {note}", file=log)
        buffers.append(buffer)
    return buffers


@contextmanager
def _ray_session(ray, address: str | None):
    """Ray connected (or started, and then shut down again), ordered results, and Ray's own
    progress bars and INFO lines kept out of the job's log (it has its own progress bar)."""
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    context = ray.data.DataContext.get_current()
    saved = (context.execution_options.preserve_order, context.enable_progress_bars)
    # INFO: execution plans; the progress logger's only warning says that its bars are off
    quieter = {logging.getLogger("ray.data"): logging.WARNING,
               logging.getLogger("ray.data._internal.progress"): logging.ERROR}
    levels = {logger: logger.level for logger in quieter}
    context.execution_options.preserve_order = True  # the output is written in input order
    context.enable_progress_bars = False
    for logger, level in quieter.items():
        logger.setLevel(level)
    try:
        yield
    finally:
        context.execution_options.preserve_order, context.enable_progress_bars = saved
        for logger, level in levels.items():
            logger.setLevel(level)
        if started:
            ray.shutdown()


def _predicted(ray, buffers: list[Buffer], model: str, options: BackendOptions,
               ray_options: RayOptions) -> Iterator[list[list[dict]]]:
    """Each buffer's predicted rows per document, in input order, from a pool of actors."""
    cpus = int(ray.cluster_resources().get("CPU", 1))
    actors = min(ray_options.actors or cpus, len(buffers))
    threads = max(1, cpus // actors)  # more actors than CPUs share them (fractional num_cpus), one thread each
    rows = [{"index": i, "docs": json.dumps([[r.to_dict() for r in recs] for _, recs in buffer], ensure_ascii=False)}
            for i, buffer in enumerate(buffers)]
    dataset = ray.data.from_items(rows).map_batches(
        BufferPredictor, batch_size=1, compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=cpus / actors,
        fn_constructor_kwargs={"model": model, "options": options, "threads": threads})
    for at, row in enumerate(dataset.iter_rows()):
        if row["index"] != at:  # preserve_order is what makes the output match the local job's
            raise RuntimeError(f"Ray returned sort buffer {row['index']} where {at} was due")
        yield json.loads(row["docs"])


def run_predict_ray(inputs: list[str], out: str | Path, model: str, config: PredictConfig = PredictConfig(),
                    log: TextIO | None = None, ray_options: RayOptions = RayOptions()) -> Summary:
    """`job.run_predict` on Ray: the same output, events and errors files and counts.

    ``model`` is a --model spec: every actor loads it. It is loaded once on the driver too, so that a
    bad spec fails before a cluster starts, and for the size of its sort buffers.
    """
    log = log or sys.stderr
    if not 0 <= config.shard_index < config.num_shards:
        raise ValueError(f"--shard-index must be in [0, {config.num_shards}), got {config.shard_index}")
    ray = _import_ray()
    out = Path(out)
    buffer_size = load_backend(model, config.backend).buffer_size
    summary = Summary(config.records_mode)
    problems = Problems(Path(config.errors) if config.errors else default_errors_path(out), config.resume, log)
    outputs = None
    try:
        buffers = _plan(inputs, out, buffer_size, config, summary, problems, log)
        if config.resume and config.events:  # after any cut: the events follow the output
            rebuild_events(out, Path(config.events))
        # opened after the plan: a resume may cut the output
        outputs = RunOutputs(out, Path(config.events) if config.events else None, config.resume,
                             progress_bar(inputs, config.num_shards, log) if config.progress else None)
        if buffers:
            with _ray_session(ray, ray_options.address):
                for docs in _predicted(ray, buffers, model, config.backend, ray_options):
                    for rows in docs:
                        outputs.document(rows, summary)
                    outputs.progress(summary)
    finally:
        if outputs is not None:
            outputs.close()
        problems.writer.close()
    log_end(summary, problems, log)
    return summary
