"""Scoring of record files and the rendering and writing of the results: tables, metrics.json,
report.md, a chart.

``score_files`` is what ``hatif evaluate`` runs: it reads only record files.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatif.data.jsonl import atomic_writer, write_json, write_jsonl
from hatif.data.validate import RecordError, load_predictions, load_records

from .aggregate import mean_over_runs
from .metrics import errors as find_errors
from .metrics import evaluate, headline

SHOWN_WARNINGS = 10  # span warnings told per prediction file

# Families scored by P/R/F1, in table order, with their display names.
FAMILIES: dict[str, str] = {
    "entities_seqeval": "entities (seqeval)",
    "entities_span": "entities (span)",
    "relations_strict": "relations (strict)",
    "relations_args": "relations (args)",
    "events_directed": "events (directed)",
    "events_undirected": "events (undirected)",
}
ACCURACIES: dict[str, str] = {"polarity_accuracy": "polarity accuracy",
                              "date_value_accuracy": "DATE value accuracy"}
# Families drawn in per_label_f1.png.
CHART_FAMILIES = ("entities_seqeval", "entities_span", "relations_strict")

Row = tuple[str, list[str]]
SPREAD_NOTE = "n=K: mean ± sample standard deviation over K prediction files of one system (e.g. seeds)."


def _get(metrics: dict[str, Any], *path: str) -> float | None:
    value: Any = metrics
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value)


def _labels(systems: dict[str, dict], family: str) -> list[str]:
    """Per-label keys of a family across systems, in first-seen (schema) order."""
    seen: dict[str, None] = {}
    for metrics in systems.values():
        seen.update(dict.fromkeys(metrics.get(family, {}).get("per_label", {})))
    return list(seen)


def _cell(metrics: dict[str, Any], *path: str) -> str:
    """A value as the tables show it; with ± its spread when the system averages several runs."""
    value = _get(metrics, *path)
    if value is None:
        return "-"
    spread = _get(metrics.get("spread", {}), *path)
    return f"{value:.4f}" if spread is None else f"{value:.4f} ± {spread:.4f}"


def column_names(systems: dict[str, dict]) -> list[str]:
    """System names, with n=K for a system averaged over K runs."""
    return [f"{name} (n={m['runs']})" if "runs" in m else name for name, m in systems.items()]


def table_rows(systems: dict[str, dict]) -> list[Row]:
    """The rows of every table: (row name, one formatted cell per system; "-" where missing)."""
    rows: list[Row] = []
    for family, title in FAMILIES.items():
        for key, short in (("precision", "P"), ("recall", "R"), ("f1", "F1")):
            rows.append((f"{title} {short}", [_cell(m, family, "micro", key) for m in systems.values()]))
        for label in _labels(systems, family):
            rows.append((f"{title} {label} F1",
                         [_cell(m, family, "per_label", label, "f1") for m in systems.values()]))
    for family, title in ACCURACIES.items():
        rows.append((title, [_cell(m, family, "accuracy") for m in systems.values()]))
    return rows


def side_by_side(systems: dict[str, dict]) -> str:
    """A plain-text table: one row per metric, one column per system."""
    header = ["metric", *column_names(systems)]
    body = [[name, *values] for name, values in table_rows(systems)]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = []
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    if any("runs" in m for m in systems.values()):
        lines.append(SPREAD_NOTE)
    return "\n".join(lines)


def markdown_table(systems: dict[str, dict]) -> str:
    """The same rows as side_by_side, as a Markdown table."""
    lines = ["| metric | " + " | ".join(column_names(systems)) + " |",
             "|---|" + "---:|" * len(systems)]
    for name, values in table_rows(systems):
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    if any("runs" in m for m in systems.values()):
        lines += ["", SPREAD_NOTE]
    return "\n".join(lines)


def per_label_chart(systems: dict[str, dict]) -> bytes:
    """PNG bytes of a grouped bar chart: per-label F1 of each system, one panel per family."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Figure + Agg canvas directly: no pyplot, no global backend switch.
    panels = [(f, _labels(systems, f)) for f in CHART_FAMILIES]
    fig = Figure(figsize=(4.5 * len(panels), 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    width = 0.8 / max(len(systems), 1)
    for ax, (family, labels) in zip(axes, panels):
        for n, (name, metrics) in enumerate(systems.items()):
            values = [_get(metrics, family, "per_label", label, "f1") or 0.0 for label in labels]
            xs = [i - 0.4 + width * (n + 0.5) for i in range(len(labels))]
            ax.bar(xs, values, width=width, label=name)
        ax.set_title(FAMILIES[family])
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("F1")
        ax.grid(axis="y", alpha=0.3)
    if systems:
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center",
                   ncols=min(len(systems), 6), frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _entry(metrics: dict[str, Any]) -> dict[str, Any]:
    """A system in metrics.json: headline scores (and their spread over runs, if averaged) and all metrics."""
    entry = {"headline": headline(metrics), "metrics": metrics}
    if "spread" in metrics:
        entry["headline_sd"] = headline(metrics["spread"])
    return entry


def write_report(out_dir: str | Path, systems: dict[str, dict],
                 errors: dict[str, list] | None = None) -> list[Path]:
    """Write metrics.json, report.md and per_label_f1.png (and errors.jsonl) atomically.

    ``metrics.json`` is ``{"systems": {name: {"headline": {...}, "metrics": {...}}}}``, plus
    ``headline_sd`` for a system averaged over several runs (see eval/aggregate.py);
    ``errors.jsonl`` (only when ``errors`` is given) holds one error per line with its
    ``system``. Returns the paths written.
    """
    out = Path(out_dir)
    paths = [out / "metrics.json", out / "report.md", out / "per_label_f1.png"]
    write_json(paths[0], {"systems": {name: _entry(m) for name, m in systems.items()}})
    md = ["# Evaluation", "", f"{next(iter(systems.values()), {}).get('records', 0)} gold sentences.",
          "", markdown_table(systems), "", "![per-label F1](per_label_f1.png)", ""]
    if errors is not None:
        md += ["## Errors", "", "| system | kind | FP | FN |", "|---|---|---:|---:|"]
        for name, rows in errors.items():
            counts = Counter((r["kind"], r["error"]) for r in rows)
            for kind in sorted({r["kind"] for r in rows}):
                md.append(f"| {name} | {kind} | {counts[kind, 'FP']} | {counts[kind, 'FN']} |")
        md.append("")
        paths.append(out / "errors.jsonl")
        write_jsonl(paths[3], ({"system": name, **row} for name, rows in errors.items() for row in rows))
    with atomic_writer(paths[1]) as handle:
        handle.write("\n".join(md))
    with atomic_writer(paths[2], "wb") as handle:
        handle.write(per_label_chart(systems))
    return paths


def format_errors(errors: Sequence[dict[str, Any]]) -> str:
    """A readable listing of the rows of metrics.errors, grouped by sentence."""
    lines: list[str] = []
    last = None
    for row in errors:
        if row["id"] != last:
            lines += ["", f"[{row['id']}] {row['sentence']}"]
            last = row["id"]
        lines.append(f"  {row['error']} {row['kind']:<8} {row['label']:<8} "
                     f"[{row['start']}:{row['end']}] {row['span_text']}")
    return "\n".join(lines[1:])


def _system_names(paths: Sequence[str]) -> list[str]:
    """File stems; where two collide, parent/stem; where those collide too, the path."""
    for name in (lambda p: Path(p).stem, lambda p: f"{Path(p).parent.name}/{Path(p).stem}", str):
        names = [name(p) for p in paths]
        if len(set(names)) == len(names):
            return names
    return [f"{i}:{p}" for i, p in enumerate(paths)]


class EvaluationError(ValueError):
    """A file breaks the record contract or does not fit the gold file (unknown id, other text):
    `hatif evaluate` and `hatif show` exit 1 with this message."""


class UsageError(EvaluationError):
    """Wrong usage: a missing file, names that do not match the files, an unknown article (exit 2)."""


@dataclass(frozen=True)
class Evaluation:
    """Prediction files scored against one gold file."""

    systems: dict[str, dict]  # name -> metrics of evaluate; a name given to several files: their mean
    errors: dict[str, list]  # run name (name#k for the k-th file of a shared name) -> its FP/FN rows


def score_files(gold_path: str, pred_paths: Sequence[str], names: Sequence[str] | None = None,
                with_errors: bool = False, warn: Callable[[str], None] = lambda message: None) -> Evaluation:
    """Score prediction files against a gold file: what ``hatif evaluate`` runs.

    ``errors`` holds every false positive and negative only ``with_errors``. A predicted span
    inside a word is scored as a wrong span and told to ``warn`` (the first SHOWN_WARNINGS of a
    file, then how many more). Raises UsageError (no prediction file, a missing file, names that
    do not match the files) or EvaluationError (a file breaks the record contract or does not
    fit the gold file).
    """
    if not pred_paths:
        raise UsageError("no prediction file given")
    if names is not None and len(names) != len(pred_paths):
        raise UsageError(f"{len(names)} name(s) for {len(pred_paths)} prediction file(s)")
    for path in [gold_path, *pred_paths]:
        if path != "-" and not Path(path).is_file():
            raise UsageError(f"{path}: no such file")
    names = list(names or _system_names(pred_paths))
    try:
        gold = load_records(gold_path)
    except (RecordError, OSError) as err:
        raise EvaluationError(f"gold file {gold_path}: {err}") from err
    runs: dict[str, list[dict]] = {}  # files given one name are runs of one system: averaged
    errors: dict[str, list] = {}
    for name, path in zip(names, pred_paths):
        try:
            pred, warnings = load_predictions(path)
            for warning in warnings[:SHOWN_WARNINGS]:
                warn(f"{warning} (scored as a wrong span)")
            if len(warnings) > SHOWN_WARNINGS:
                warn(f"{len(warnings) - SHOWN_WARNINGS} more span(s) inside words in {path}")
            runs.setdefault(name, []).append(evaluate(gold, pred))
            if with_errors:
                errors[name if names.count(name) == 1 else f"{name}#{len(runs[name])}"] = find_errors(gold, pred)
        except (RecordError, OSError) as err:
            raise EvaluationError(f"prediction file {path}: {err}") from err
        except ValueError as err:
            raise EvaluationError(f"prediction file {path} does not fit gold file {gold_path}: {err}") from err
    return Evaluation({name: mean_over_runs(scores) for name, scores in runs.items()}, errors)
