"""Scale of `hatif predict --model`: does time grow linearly with the input and memory stay flat?

For each N on the command line: a JSON Lines file of real articles (the call_articles corpora of
HATIF_SHARED, text = title + blank line + paragraphs, repeated under new doc_ids) holding at least
N sentences, predicted by `hatif predict` in a fresh process, so that its peak RSS is its own (the
kernel's maximum resident set of that child, from wait4). Printed: N, wall seconds (process start
and model load included), sentences/s and peak RSS; then the ratios that say whether time is
linear (seconds per sentence, largest N against smallest) and memory flat (peak RSS, same).
With --ray: on the smallest N, `--engine ray --ray-actors 2` against one process with --threads 1
and --threads 2 (for Ray the RSS column is the sum over its process tree, sampled every 0.2 s).

Usage: python bench/bench_scale.py [--model DIR] [--sizes 10000,100000] [--threads 2] [--ray]
       [--keep DIR]   (1,000,000 sentences take about 30 minutes on 2 CPU cores: ask for it in --sizes)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_MODEL = REPO / "runs" / "demo" / "model"
HATIF = Path(sys.executable).with_name("hatif")
# Ratios of the largest run to the smallest: within these, time is linear and memory flat
# (process start and model load are a fixed cost, so seconds per sentence may only fall).
LINEAR_TOLERANCE = 1.15
FLAT_TOLERANCE = 1.15


def corpus_dir() -> Path:
    shared = Path(os.environ.get("HATIF_SHARED", REPO.parent / "shared"))
    return shared / "corpora" / "call_articles"


def base_articles() -> list[tuple[dict, int]]:
    """Every call_articles article as a predict input, with the sentences predict will cut from it."""
    from hatif.text.articles import read_article

    out = []
    for path in sorted(corpus_dir().glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if not line.strip():
                continue
            art = json.loads(line)
            doc = {"doc_id": art["doc_id"], "text": art["title"] + "\n\n" + "\n".join(art["paragraphs"]),
                   "doc_date": art["date"]}
            out.append((doc, len(read_article(doc["text"], doc["doc_id"], doc["doc_date"]).sentences)))
    if not out:
        raise SystemExit(f"no articles under {corpus_dir()}: set HATIF_SHARED to the shared data folder")
    return out


def write_input(articles: list[tuple[dict, int]], n: int, path: Path) -> int:
    """The articles, repeated under new doc_ids (<doc_id>~r<k>), until they hold >= n sentences;
    returns the sentences written."""
    held, rep = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while held < n:
            for doc, count in articles:
                if held >= n:
                    break
                out.write(json.dumps({**doc, "doc_id": f"{doc['doc_id']}~r{rep}"}, ensure_ascii=False) + "\n")
                held += count
            rep += 1
    return held


@dataclass
class Run:
    label: str
    sentences: int
    seconds: float
    peak_rss_mb: float

    @property
    def rate(self) -> float:
        return self.sentences / self.seconds


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Ray's raylet and workers)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_predict(label: str, model: str, articles: Path, sentences: int, args: list[str], tmp: Path,
                tree: bool = False) -> Run:
    """One `hatif predict` in a fresh process: wall time and peak RSS (its own from wait4, or with
    ``tree`` the sampled peak sum over its process tree)."""
    out = tmp / f"{label}.out.jsonl"
    out.unlink(missing_ok=True)
    cmd = [str(HATIF), "predict", "--model", model, str(articles), "--out", str(out), "--quiet", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True) if tree else None
    if sampler:
        sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stop.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: {' '.join(cmd)} exited {proc.returncode}:\n{stderr.decode()[-2000:]}")
    written = sum(1 for _ in out.open(encoding="utf-8"))
    if written != sentences:
        raise SystemExit(f"{label}: {written} records written for {sentences} sentences")
    rss = peak[0] if tree else usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux
    return Run(label, sentences, seconds, rss / 2**20)


def print_table(runs: list[Run], first: str) -> None:
    print(f"| {first} | sentences | wall s | sentences/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for r in runs:
        print(f"| {r.label} | {r.sentences:,} | {r.seconds:.1f} | {r.rate:.0f} | {r.peak_rss_mb:.0f} |")


def verdict(runs: list[Run]) -> list[str]:
    """Linear time and flat memory, judged on the largest run against the smallest."""
    small, big = runs[0], runs[-1]
    per_sentence = (big.seconds / big.sentences) / (small.seconds / small.sentences)
    memory = big.peak_rss_mb / small.peak_rss_mb
    grow = big.sentences / small.sentences
    return [
        (f"time: {grow:.0f}x the sentences took {big.seconds / small.seconds:.1f}x the time; seconds per sentence "
        f"ratio {per_sentence:.2f} -> {'linear' if per_sentence <= LINEAR_TOLERANCE else 'NOT linear'} "
        f"(tolerance {LINEAR_TOLERANCE})"),
        (f"memory: peak RSS ratio {memory:.2f} -> {'flat' if memory <= FLAT_TOLERANCE else 'NOT flat'} "
        f"(tolerance {FLAT_TOLERANCE})"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEMO_MODEL), help="trained hatif model folder (default runs/demo/model)")
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated sentence counts, smallest first")
    ap.add_argument("--threads", type=int, default=2, help="torch threads of the scale runs")
    ap.add_argument("--ray", action="store_true", help="also Ray with 2 actors against 1 process, on the smallest N")
    ap.add_argument("--keep", type=Path, help="write the inputs and outputs here (default: a temporary folder)")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not Path(args.model).is_dir():
        raise SystemExit(f"--model {args.model}: no such folder (train one with `make demo`)")
    articles = base_articles()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        inputs = {}
        for n in sizes:
            path = tmp / f"articles_{n}.jsonl"
            inputs[n] = (path, write_input(articles, n, path))
        print(f"model {args.model}; inputs: {len(articles)} call_articles articles repeated; "
              f"--threads {args.threads}; {os.cpu_count()} CPUs\n")
        runs = []
        for n in sizes:
            path, held = inputs[n]
            runs.append(run_predict(f"{n:,}", args.model, path, held, ["--threads", str(args.threads)], tmp))
            print(f"  {n:,}: {runs[-1].seconds:.1f} s", file=sys.stderr)
        print_table(runs, "N")
        if len(runs) > 1:
            print("\n" + "\n".join(verdict(runs)))
        if args.ray:
            path, held = inputs[sizes[0]]
            engines = [run_predict("1 process, --threads 1", args.model, path, held, ["--threads", "1"], tmp),
                       run_predict("1 process, --threads 2", args.model, path, held, ["--threads", "2"], tmp),
                       run_predict("ray, 2 actors", args.model, path, held,
                                   ["--engine", "ray", "--ray-actors", "2"], tmp, tree=True)]
            print(f"\nOn {held:,} sentences (Ray's RSS: its whole process tree, sampled):")
            print_table(engines, "engine")


if __name__ == "__main__":
    main()
