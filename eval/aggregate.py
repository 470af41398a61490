"""Several runs of one system (other seeds, say) scored against the same gold set: their metrics
averaged leaf by leaf, with the spread, so a difference between systems can be read against it."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def _combine(values: list[Any]) -> tuple[Any, Any]:
    """(mean, sample standard deviation) of same-shaped values: numbers, or dicts of them."""
    if isinstance(values[0], dict):
        keys = dict.fromkeys(k for v in values for k in v)
        pairs = {k: _combine([v[k] for v in values if k in v]) for k in keys}
        return {k: m for k, (m, _) in pairs.items()}, {k: s for k, (_, s) in pairs.items()}
    if all(isinstance(v, int) for v in values) and len(set(values)) == 1:
        return values[0], 0.0  # counts every run shares (gold support, records) stay counts
    numbers = [float(v) for v in values]
    return statistics.fmean(numbers), statistics.stdev(numbers) if len(numbers) > 1 else 0.0


def mean_over_runs(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Metrics dicts of ``evaluate`` (one per run) -> their mean, in the same shape, plus ``runs``
    (how many) and ``spread`` (the sample standard deviation of every leaf, same shape again).

    A key present in some runs only (a label one run never predicted and gold lacks) is averaged
    over the runs that have it. One run comes back as it is, with no spread."""
    if not runs:
        raise ValueError("no runs to average")
    if len(runs) == 1:
        return runs[0]
    mean, spread = _combine(list(runs))
    return {**mean, "runs": len(runs), "spread": spread}
