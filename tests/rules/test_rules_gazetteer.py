"""The baseline's gazetteer is built from the training split alone (dev and gold names would inflate scores)."""

from __future__ import annotations

import json

from hatif.data.training_data import load_training_records
from hatif.rules.gazetteer import GAZETTEER_PATH, build_resources
from conftest import REPO


def test_shipped_gazetteer_is_the_training_split_gazetteer():
    train = load_training_records(str(REPO / "corpus/train/corpus.jsonl"))
    rebuilt = json.loads(json.dumps(build_resources(train).to_json(), ensure_ascii=False))
    shipped = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    assert rebuilt == shipped, "rebuild it: hatif gazetteer corpus/train/corpus.jsonl"
