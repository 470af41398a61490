"""Record files in, the page out: what ``hatif show`` runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hatif.data.jsonl import atomic_writer
from hatif.data.validate import load_records

from .render import render_page
from .view import PageView, build_view


def show_files(pred_path: str, out: str | Path, gold_path: str | None = None,
               docs: Sequence[str] | None = None, errors_only: bool = False) -> PageView:
    """Read and validate the record files, write the page to ``out`` atomically, return what it shows.

    Raises RecordError (a file breaks the record contract), UsageError (an unknown article,
    --errors-only without gold), ValueError (the predictions do not fit the gold file) or OSError.
    """
    pred = load_records(pred_path)
    gold = load_records(gold_path) if gold_path else None
    sources = {"predictions" if gold_path else "records": pred_path}
    if gold_path:
        sources["gold"] = gold_path
    view = build_view(pred, gold, docs, errors_only, sources)
    html = render_page(view)
    with atomic_writer(out) as handle:
        handle.write(html)
    return view
