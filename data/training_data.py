"""The only door through which training reads records: it refuses the gold test set."""

from __future__ import annotations

from pathlib import Path

from .validate import load_records
from .records import Record

GOLD_DIR = Path(__file__).resolve().parent / "gold"
REAL_SELECTION = Path(__file__).resolve().parent / "real" / "selection.tsv"


class GoldDataError(ValueError):
    """Raised when training is pointed at gold test data."""


def gold_doc_ids(gold_dir: Path = GOLD_DIR) -> set[str]:
    """doc_ids of every gold article (from the authored gold sources)."""
    return {p.stem for p in gold_dir.glob("*.ann")}


def real_test_doc_ids(selection: Path = REAL_SELECTION) -> set[str]:
    """doc_ids of the real-news test split (data/real/selection.tsv)."""
    from .real import read_selection

    return {s.doc_id for s in read_selection(selection) if s.split == "test"} if selection.is_file() else set()


def load_training_records(*paths: str, gold_dir: Path = GOLD_DIR,
                          selection: Path = REAL_SELECTION) -> list[Record]:
    """Load records for training or dev; refuse files under data/gold/, records of gold articles
    and records of real-news test articles."""
    gold_root = gold_dir.resolve()
    for path in paths:
        if gold_root == Path(path).resolve() or gold_root in Path(path).resolve().parents:
            raise GoldDataError(f"{path}: is gold test data (under {gold_dir}); it is never used for training")
    records = load_records(*paths)
    leaked = sorted({r.doc_id for r in records} & gold_doc_ids(gold_dir))
    if leaked:
        raise GoldDataError(f"{', '.join(paths)}: holds gold article(s) {', '.join(leaked)}; they are test-only")
    real_test = sorted({r.doc_id for r in records} & real_test_doc_ids(selection))
    if real_test:
        raise GoldDataError(f"{', '.join(paths)}: holds {len(real_test)} real test article(s) "
                            f"(first: {real_test[0]}); the real test split is for reporting only")
    return records
