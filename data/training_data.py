"""The only door through which training reads records: it refuses the gold test set and the
real-news test split.

Two locks: the corpus itself when it is there (files under the gold folder, doc_ids of its `.ann`
sources and of the real test split in the selection file), and `protected_docs.txt`, the same
doc_ids shipped as package data, so that an installed wheel, with no corpus beside it, still
refuses them. `hatif protect` (run by `make corpus`) rewrites that file; a test fails when it is stale.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .paths import GOLD_DIR, REAL_SELECTION
from .records import Record
from .validate import load_records

PROTECTED_FILE = "protected_docs.txt"


class GoldDataError(ValueError):
    """Raised when training is pointed at gold test data."""


def gold_doc_ids(gold_dir: Path = GOLD_DIR) -> set[str]:
    """doc_ids of every gold article (from the authored gold sources)."""
    return {p.stem for p in Path(gold_dir).glob("*.ann")}


def real_test_doc_ids(selection: Path = REAL_SELECTION) -> set[str]:
    """doc_ids of the real-news test split (corpus/real/selection.tsv)."""
    from .real import read_selection

    selection = Path(selection)
    return {s.doc_id for s in read_selection(selection) if s.split == "test"} if selection.is_file() else set()


def protected_doc_ids(gold_dir: Path = GOLD_DIR, selection: Path = REAL_SELECTION) -> dict[str, set[str]]:
    """Every doc_id training must refuse, by reason: from the corpus if present, and as shipped."""
    shipped = {"gold": set(), "real test": set()}
    text = resources.files("hatif.data").joinpath(PROTECTED_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            reason, doc_id = line.split("\t")
            shipped[reason].add(doc_id)
    return {"gold": shipped["gold"] | gold_doc_ids(gold_dir),
            "real test": shipped["real test"] | real_test_doc_ids(selection)}


def render_protected(gold_dir: Path = GOLD_DIR, selection: Path = REAL_SELECTION) -> str:
    """The text of protected_docs.txt, computed from the corpus alone."""
    rows = [f"gold\t{d}" for d in sorted(gold_doc_ids(gold_dir))]
    rows += [f"real test\t{d}" for d in sorted(real_test_doc_ids(selection))]
    return ("# doc_ids that training refuses (reason<TAB>doc_id); written by `hatif protect`, do not edit\n"
            + "\n".join(rows) + "\n")


def load_training_records(*paths: str, gold_dir: Path = GOLD_DIR,
                          selection: Path = REAL_SELECTION) -> list[Record]:
    """Load records for training or dev; refuse files under the gold folder, records of gold
    articles and records of real-news test articles."""
    gold_root = Path(gold_dir).resolve()
    for path in paths:
        if gold_root == Path(path).resolve() or gold_root in Path(path).resolve().parents:
            raise GoldDataError(f"{path}: is gold test data (under {gold_dir}); it is never used for training")
    records = load_records(*paths)
    protected = protected_doc_ids(gold_dir, selection)
    docs = {r.doc_id for r in records}
    leaked = sorted(docs & protected["gold"])
    if leaked:
        raise GoldDataError(f"{', '.join(paths)}: holds gold article(s) {', '.join(leaked)}; they are test-only")
    real_test = sorted(docs & protected["real test"])
    if real_test:
        raise GoldDataError(f"{', '.join(paths)}: holds {len(real_test)} real test article(s) "
                            f"(first: {real_test[0]}); the real test split is for reporting only")
    return records
