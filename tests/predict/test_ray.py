"""`hatif predict --engine ray`: on a local 2-CPU Ray cluster, real articles (and bad inputs) give
the output, events, errors and counts of the single-process job, with the rules and with a tiny model,
and --resume on Ray finishes a killed run's output byte for byte."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason='Ray is an optional extra: pip install "hatif[ray]" to test --engine ray')

from hatif.predict.backends import BackendOptions, ModelNotFound, load_backend
from hatif.predict.job import PredictConfig, default_errors_path, run_predict
from hatif.predict.ray_engine import RayOptions, run_predict_ray
from conftest import SHARED
# fixtures: a tiny trained model; 1 torch thread, as each of the 2 actors on 2 CPUs gets (the same sums)
from test_predict import model_dir  # noqa: F401

# Ray's own deprecations, raised when a Dataset copies the DataContext: not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")

CALL_ARTICLES = SHARED / "corpora" / "call_articles"
ARTICLES_PER_CORPUS = 15  # 30 real articles with a call phrase: events to compare, a few hundred sentences

BAD_LINES = [
    '{"doc_id": "broken", "text": "تحدث الوزير',  # malformed JSON: fails
    json.dumps({"doc_id": "empty", "text": "  ", "doc_date": "2018-03-01"}),  # no text: fails
    json.dumps({"doc_id": "english", "text": "The minister phoned his counterpart on Monday.",
                "doc_date": "2018-03-01"}),  # not Arabic: a warning, predicted
    # no date: a warning
    json.dumps({"doc_id": "undated", "text": "أجرى الرئيس اتصالاً هاتفياً بنظيره الفرنسي أمس."}),
]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    """30 real call articles as {doc_id, text, doc_date} lines, bad lines among them, and the first
    article again at the end (a duplicate doc_id)."""
    docs = []
    for name in ("ant.jsonl", "saudinewsnet.jsonl"):
        rows = [json.loads(line) for line in (CALL_ARTICLES / name).open(encoding="utf-8")]
        strong = [r for r in rows if r["call_cue"] == "strong"]
        docs += [json.dumps({"doc_id": r["doc_id"], "text": "\n".join([r["title"], *r["paragraphs"]]),
                             "doc_date": r["date"]}, ensure_ascii=False) for r in strong[:ARTICLES_PER_CORPUS]]
    path = tmp_path_factory.mktemp("in") / "articles.jsonl"
    path.write_text("\n".join(docs[:20] + BAD_LINES + docs[20:] + docs[:1]) + "\n", encoding="utf-8")
    return path


def outputs(out: Path, events: Path) -> dict[str, list[str]]:
    return {"records": out.read_text(encoding="utf-8").splitlines(),
            "events": events.read_text(encoding="utf-8").splitlines(),
            "errors": default_errors_path(out).read_text(encoding="utf-8").splitlines()}


def run(engine, tmp: Path, name: str, inputs: Path, model, resume: bool = False):
    out, events = tmp / f"{name}.jsonl", tmp / f"{name}.events.jsonl"
    config = PredictConfig(events=events, resume=resume, backend=BackendOptions(batch_size=4))
    summary = engine([str(inputs)], out, model, config, log=io.StringIO())
    return summary, outputs(out, events)


def test_bad_model_fails_before_ray_starts(articles, tmp_path):
    """First in the file: before the module's cluster starts."""
    with pytest.raises(ModelNotFound, match="no such model folder"):
        run_predict_ray([str(articles)], tmp_path / "out.jsonl", str(tmp_path / "missing"),
                        ray_options=RayOptions(address="ray://nowhere:10001"))
    assert not ray.is_initialized()


@pytest.mark.parametrize("use_model", [False, True], ids=["rules", "tiny-model"])
def test_ray_equals_local(use_model, cluster, articles, request, tmp_path):
    spec = str(request.getfixturevalue("model_dir")) if use_model else "rules"
    backend = load_backend(spec, BackendOptions(batch_size=4))
    local_summary, local = run(run_predict, tmp_path, "local", articles, backend)
    ray_summary, on_ray = run(run_predict_ray, tmp_path, "ray", articles, spec)

    assert ray_summary == local_summary
    assert (ray_summary.units_in, ray_summary.done, ray_summary.failed) == (35, 32, 3)
    # over RulesBackend.buffer_size sentences: even the rules send more than one sort buffer to the actors
    assert ray_summary.warnings >= 2 and ray_summary.records_out == len(local["records"]) > 256
    assert local["events"], "the call articles should give events to compare"
    for kind in ("records", "events", "errors"):  # record for record, in any order
        assert sorted(on_ray[kind]) == sorted(local[kind]), kind
    # and in input order too: what lets --resume continue an output of either engine
    assert on_ray == local


def test_ray_resumes_a_local_output(cluster, articles, tmp_path):
    """A local run killed in its last line, resumed on Ray: the last sort buffer is predicted again and
    the bytes are those of the uninterrupted run (either engine can finish the other's output)."""
    _, whole = run(run_predict, tmp_path, "out", articles, load_backend("rules"))
    out = tmp_path / "out.jsonl"
    data = out.read_bytes()
    out.write_bytes(data[:data.rindex(b"\n", 0, -1) + 10])
    summary, resumed = run(run_predict_ray, tmp_path, "out", articles, "rules", resume=True)
    assert resumed == whole
    assert (summary.units_in, summary.done, summary.failed) == (35, 32, 3) and 0 < summary.resumed < 32
