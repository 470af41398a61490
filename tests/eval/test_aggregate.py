"""Runs of one system averaged leaf by leaf (eval/aggregate.py), checked by hand."""

from __future__ import annotations

import math

import pytest

from hatif.eval.aggregate import mean_over_runs


def _run(f1: float, predicted: int, labels: dict[str, float]) -> dict:
    return {"records": 36, "relations_strict": {
        "micro": {"f1": f1, "predicted": predicted, "support": 55},
        "per_label": {lab: {"f1": v} for lab, v in labels.items()}}}


def test_mean_and_sample_sd_by_hand():
    out = mean_over_runs([_run(0.25, 10, {"caller": 0.5}), _run(0.75, 13, {"caller": 1.0})])
    micro, sd = out["relations_strict"]["micro"], out["spread"]["relations_strict"]["micro"]
    assert out["runs"] == 2
    assert micro["f1"] == pytest.approx(0.5) and sd["f1"] == pytest.approx(math.sqrt(0.125))
    assert micro["predicted"] == pytest.approx(11.5) and sd["predicted"] == pytest.approx(math.sqrt(4.5))
    # counts shared by every run stay integers with no spread
    assert out["records"] == 36 and isinstance(out["records"], int) and micro["support"] == 55
    assert sd["support"] == 0.0
    assert out["relations_strict"]["per_label"]["caller"]["f1"] == pytest.approx(0.75)


def test_a_label_some_runs_lack_is_averaged_over_the_runs_that_have_it():
    out = mean_over_runs([_run(0.2, 1, {"caller": 0.4, "topic": 0.3}), _run(0.4, 1, {"caller": 0.6}),
                          _run(0.6, 1, {"caller": 0.8, "topic": 0.5})])
    labels = out["relations_strict"]["per_label"]
    assert list(labels) == ["caller", "topic"]
    assert labels["topic"]["f1"] == pytest.approx(0.4) and labels["caller"]["f1"] == pytest.approx(0.6)
    assert out["spread"]["relations_strict"]["micro"]["f1"] == pytest.approx(0.2)


def test_one_run_is_returned_as_it_is_and_none_is_an_error():
    run = _run(0.5, 3, {})
    assert mean_over_runs([run]) is run
    with pytest.raises(ValueError):
        mean_over_runs([])
