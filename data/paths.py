"""Where hatif finds its data: the one setting for the shared-data root and the corpus layout.

Paths are relative to the working directory (commands run from the repository root) and every
command that reads them takes an option to point elsewhere. Nothing here is found through
``__file__``: an installed wheel has no corpus, only the package data next to the code.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_ENV = "HATIF_SHARED"
CORPUS_DIR = Path("corpus")  # hatif's own annotated data files (see corpus/README.md)
GOLD_DIR = CORPUS_DIR / "gold"
REAL_DIR = CORPUS_DIR / "real"
REAL_SELECTION = REAL_DIR / "selection.tsv"


def shared_dir() -> Path:
    """The shared data root (seeds, corpora): $HATIF_SHARED, else ../shared beside the checkout."""
    return Path(os.environ.get(SHARED_ENV, "../shared"))


def shared_path(*parts: str) -> str:
    """A path under the shared root, as a string (for config defaults and CLI options)."""
    return str(shared_dir().joinpath(*parts))
