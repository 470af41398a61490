"""The gold set validates, holds every call event of the seed articles and is refused by training."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from hatif.data.training_data import GoldDataError, load_training_records
from hatif.data.validate import load_records
from conftest import REPO

GOLD = REPO / "corpus/gold/seed_articles.jsonl"


def test_gold_validates_with_cli():
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "validate", str(GOLD)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout


def test_gold_is_up_to_date_with_its_sources(tmp_path):
    out = tmp_path / "gold.jsonl"
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "compile", str(REPO / "corpus/gold"), "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert out.read_text(encoding="utf-8") == GOLD.read_text(encoding="utf-8")


def _calls(records):
    """(caller names, callee names, date values, polarity) per trigger."""
    out = []
    for rec in records:
        for trig in (e for e in rec.entities if e.label == "TRIGGER"):
            args = {lab: sorted(rec.entity(r.tail).text if lab != "date" else str(rec.entity(r.tail).value)
                                for r in rec.relations if r.head == trig.id and r.label == lab)
                    for lab in ("caller", "callee", "date")}
            out.append((tuple(args["caller"]), tuple(args["callee"]), tuple(args["date"]), trig.polarity))
    return out


@pytest.mark.parametrize("caller,callee,date,polarity", [
    ("لويد أوستن", "سيرغي شويغو", "2022-10-21", "asserted"),          # 21 October
    ("سيرغي شويغو", "لويد أوستن", "2022-10-23", "asserted"),          # 23 October
    ("سيرغي شويغو", "سيباستيان ليكورنيو", "2022-10-23", "asserted"),  # French counterpart
    ("سيرغي شويغو", "بن والاس", "2022-10-23", "asserted"),            # British counterpart
    ("سيرغي شويغو", "خلوصي أكار", "2022-10-23", "asserted"),          # Turkish counterpart
    ("لويد أوستن", "أولكسي ريزنيكوف", None, "asserted"),              # Reznikov
    ("أوستن", "شويغو", "2022-05-13", "asserted"),                     # the May call
    ("فاليري غيراسيموف", "مارك ميلي", "2022-05-19", "asserted"),      # Gerasimov–Milley
    ("فلاديمير بوتين", "جو بايدن", None, "negated"),                  # the contact that did not happen
    ("فلاديمير بوتين", "جو بايدن", None, "hypothetical"),             # and the one denied as a prospect
])
def test_gold_holds_each_call_event(caller, callee, date, polarity):
    calls = _calls(load_records(str(GOLD)))
    hits = [c for c in calls if caller in c[0] and callee in c[1] and c[3] == polarity
            and (date is None or date in c[2])]
    assert hits, f"no {polarity} call {caller} -> {callee} ({date})"


def test_training_loader_refuses_gold_path():
    with pytest.raises(GoldDataError):
        load_training_records(str(GOLD))


def test_training_loader_refuses_gold_articles_elsewhere(tmp_path):
    copy = tmp_path / "innocent.jsonl"
    shutil.copy(GOLD, copy)
    with pytest.raises(GoldDataError):
        load_training_records(str(copy))


def test_shipped_protected_list_is_current():
    """The package data that guards an installed hatif lists every gold and real test doc_id."""
    from hatif.data.training_data import render_protected

    expected = render_protected(REPO / "corpus/gold", REPO / "corpus/real/selection.tsv")
    shipped = (REPO / "data/protected_docs.txt").read_text(encoding="utf-8")
    assert shipped == expected, "stale: run `hatif protect` (make corpus)"
