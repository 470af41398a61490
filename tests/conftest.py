"""Shared fixtures: the example record of ANNOTATION.md and paths of the repository."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Feature caches (train/tokenize.py) of test runs, subprocesses included, go to a throwaway folder.
os.environ["HF_DATASETS_CACHE"] = tempfile.mkdtemp(prefix="hatif-test-datasets-")
# The shared data folder: beside the checkout, unless HATIF_SHARED (`make test SHARED=DIR`) says elsewhere.
SHARED = Path(os.environ.get("HATIF_SHARED", REPO.parent / "shared")).resolve()

EXAMPLE = {
    "id": "000_b9b2ccb77d9719e0-s02",
    "doc_id": "000_b9b2ccb77d9719e0",
    "doc_date": "2022-10-21",
    "text": "تحدث وزير الدفاع الأميركي لويد أوستن ونظيره الروسي سيرغي شويغو اليوم الجمعة، لأول مرة منذ مايو/ أيار، فيما قال وزير الخارجية الأميركي أنتوني بلينكن إن واشنطن \"لا تعارض\" الحل الدبلوماسي لإنهاء الحرب في أوكرانيا.",
    "entities": [
        {"id": "e1", "label": "TRIGGER", "start": 0, "end": 4, "text": "تحدث", "polarity": "asserted"},
        {"id": "e2", "label": "PERSON", "start": 26, "end": 36, "text": "لويد أوستن"},
        {"id": "e3", "label": "PERSON", "start": 51, "end": 62, "text": "سيرغي شويغو"},
        {"id": "e4", "label": "DATE", "start": 63, "end": 75, "text": "اليوم الجمعة", "value": "2022-10-21"},
        {"id": "e5", "label": "DATE", "start": 90, "end": 100, "text": "مايو/ أيار", "value": "2022-05"},
        {"id": "e6", "label": "PERSON", "start": 134, "end": 147, "text": "أنتوني بلينكن"},
    ],
    "relations": [
        {"head": "e1", "tail": "e2", "label": "caller"},
        {"head": "e1", "tail": "e3", "label": "callee"},
        {"head": "e1", "tail": "e4", "label": "date"},
    ],
}


@pytest.fixture
def example() -> dict:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """The tests' models are tiny: more torch threads only wait on each other (badly so on a busy
    machine); subprocesses a test starts choose their own."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
