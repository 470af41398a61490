"""Throughput of `hatif predict` against its ceiling and against transformers' pipeline.

On the same sentences and model, in one run, sentences/second of:
  (a) predict end to end: run_predict on a temporary JSON Lines file of articles, reading,
      sentence splitting, prediction (tagger, polarity, clitic and relation heads, dates) and
      writing records included; the model is loaded once beforehand (loading is not throughput);
  (b) the bare encoder forward pass on the same length-sorted, windowed batches (the ceiling:
      tokenisation, collation, heads and I/O left out);
  (c) pipeline("token-classification") over the same encoder: a BertForTokenClassification
      built from the trained model's encoder weights (bert.*) and its IOB2 tagger (classifier.*),
      with aggregation_strategy="simple" and the same batch size; it only tags, it neither
      scores relations nor resolves dates, so (a)/(c) understates predict's advantage.
Then the ratios (a)/(b) (aim >= 0.85) and (a)/(c) (aim >= 3), and (a) again with --quantize int8
(dynamic int8 Linear layers; whether its F1 equals fp32 is measured on the dev split, not here).
Last, (r): predict end to end with --model rules, the rule-based baseline, on the same articles.

Usage: python bench/bench_predict.py [--model DIR] [--sentences 2000] [--batch-size 32]
Without --model: runs/demo/model if present, otherwise a random-weight model of the demo shape
(configs/demo.yaml) built in a temporary directory; speed does not depend on the weights.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
DEMO_MODEL = REPO / "runs" / "demo" / "model"
SOURCES = [REPO / "corpus" / "dev" / "corpus.jsonl", REPO / "corpus" / "gold" / "seed_articles.jsonl"]
DOC_SENTENCES = 20  # sentences per synthetic article


def load_sentences(n: int) -> list[str]:
    """Sentences of the dev split (else the seed articles), repeated until there are at least n."""
    path = next(p for p in SOURCES if p.is_file())
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    print(f"sentences: {len(texts)} from {path.relative_to(REPO)}, repeated to >= {n}")
    return (texts * (n // len(texts) + 1))[:max(n, len(texts))]


def random_demo_model(texts: list[str], where: Path) -> Path:
    """A random-weight model of the demo shape (configs/demo.yaml), saved to ``where``; its tagger
    leans to "O" so that it finds about as many spans as a trained model."""
    import yaml

    from hatif.model.encoder import compact_bert, train_wordpiece
    from hatif.model.joint import build_model

    mc = yaml.safe_load((REPO / "configs" / "demo.yaml").read_text(encoding="utf-8"))["model"]
    tokenizer = train_wordpiece(texts, mc["vocab_size"])
    encoder = compact_bert(len(tokenizer), mc["hidden"], mc["layers"], mc["heads"], 512, seed=0)
    model = build_model(encoder, window=mc["window"], stride=mc["stride"])
    # The heads' cost grows with the spans found (relations score every trigger-argument pair), and
    # random tags make a span of nearly every word. A bias towards "O" gives ~4 entities and ~3
    # relations a sentence, about what the trained demo model finds on the dev split (3.3 and 1.2).
    with torch.no_grad():
        model.tagger.bias[model.config.label2id["O"]] += 0.7
    model.save_pretrained(where)
    tokenizer.save_pretrained(where)
    return where


def write_articles(texts: list[str], path: Path) -> None:
    """The sentences as JSON Lines articles of DOC_SENTENCES paragraphs each."""
    with path.open("w", encoding="utf-8") as out:
        for d, k in enumerate(range(0, len(texts), DOC_SENTENCES)):
            body = "\n".join(texts[k:k + DOC_SENTENCES])
            out.write(json.dumps({"doc_id": f"bench{d:05d}", "text": body, "doc_date": "2023-03-14"},
                                 ensure_ascii=False) + "\n")


def article_sentences(path: Path) -> list[str]:
    """Exactly the sentences predict will see (read_article over the same articles)."""
    from hatif.text.articles import read_article

    out = []
    for line in path.open(encoding="utf-8"):
        doc = json.loads(line)
        out += [s.text for s in read_article(doc["text"], doc["doc_id"], doc["doc_date"]).sentences]
    return out


def predict_timer(model: Path | str, articles: Path, batch_size: int, quantize: str | None, tmp: Path):
    """(a), (q), (r): a callable timing run_predict on the articles file with ``model`` (a model dir,
    or "rules"); it returns (seconds, records written)."""
    from hatif.predict.backends import BackendOptions, load_backend
    from hatif.predict.job import run_predict

    backend = load_backend(str(model), BackendOptions(batch_size, quantize))
    quiet = io.StringIO()
    run_predict([str(articles)], tmp / "warm.jsonl", backend, log=quiet)  # warm-up: allocator, caches

    def timed() -> tuple[float, int]:
        start = time.perf_counter()
        summary = run_predict([str(articles)], tmp / "out.jsonl", backend, log=quiet)
        return time.perf_counter() - start, summary.records_out
    return timed


def encoder_timer(model_dir: Path, texts: list[str], batch_size: int):
    """(b): a callable timing the encoder forward alone on Predictor's length-sorted, windowed batches."""
    from transformers import AutoTokenizer

    from hatif.data.records import Record
    from hatif.model.features import Collator, make_feature
    from hatif.model.joint import HatifModel

    model = HatifModel.from_pretrained(str(model_dir)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    collate = Collator(tokenizer, model.config.window, model.config.stride)
    features = [make_feature(Record(str(i), "d", None, t), tokenizer, model.config, with_labels=False)
                for i, t in enumerate(texts)]
    buffer = batch_size * 8  # the Predictor's bounded sort buffer
    batches = []
    for k in range(0, len(features), buffer):
        chunk = sorted(features[k:k + buffer], key=lambda f: len(f.encoded.ids))
        batches += [collate(chunk[j:j + batch_size]) for j in range(0, len(chunk), batch_size)]

    @torch.inference_mode()
    def timed() -> float:
        start = time.perf_counter()
        for batch in batches:
            model.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        return time.perf_counter() - start
    timed()
    return timed


def pipeline_timer(model_dir: Path, texts: list[str], batch_size: int):
    """(c): a callable timing pipeline("token-classification") over the same encoder and tagger."""
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification, pipeline

    from hatif.model.joint import HatifModel

    model = HatifModel.from_pretrained(str(model_dir)).eval()
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    config = BertConfig(**{**model.encoder.config.to_dict(), "id2label": id2label,
                           "label2id": {v: k for k, v in id2label.items()}})
    tagger = BertForTokenClassification(config).eval()
    state = {f"bert.{k}": v for k, v in model.encoder.state_dict().items()}
    state.update({"classifier.weight": model.tagger.weight, "classifier.bias": model.tagger.bias})
    missing, unexpected = tagger.load_state_dict(state, strict=False)
    assert not unexpected and all("position_ids" in k for k in missing), (missing, unexpected)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    tag = pipeline("token-classification", model=tagger, tokenizer=tokenizer, aggregation_strategy="simple",
                   device=-1)
    tag(texts[:batch_size], batch_size=batch_size)

    def timed() -> float:
        start = time.perf_counter()
        tag(texts, batch_size=batch_size)
        return time.perf_counter() - start
    return timed


def main(argv: list[str] | None = None) -> None:
    """Print the three throughputs (best of --repeats interleaved rounds) and their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model dir [runs/demo/model, else random demo shape]")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds; the best of each is reported")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--no-int8", action="store_true", help="skip the --quantize int8 measurement")
    args = parser.parse_args(argv)
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # loading notices and progress bars would bury the table
    hf_logging.disable_progress_bar()
    if args.threads:
        torch.set_num_threads(args.threads)
    texts = load_sentences(args.sentences)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        model_dir = args.model or (DEMO_MODEL if (DEMO_MODEL / "config.json").is_file() else None)
        if model_dir is None:
            model_dir = random_demo_model(texts, tmp / "model")
            print("model: random weights, demo shape (configs/demo.yaml)")
        else:
            print(f"model: {model_dir}")
        articles = tmp / "articles.jsonl"
        write_articles(texts, articles)
        texts = article_sentences(articles)
        n = len(texts)
        print(f"{n} sentences, batch size {args.batch_size}, {torch.get_num_threads()} torch thread(s), "
              f"best of {args.repeats}")
        timers = {"a": predict_timer(model_dir, articles, args.batch_size, None, tmp),
                  "b": encoder_timer(model_dir, texts, args.batch_size),
                  "c": pipeline_timer(model_dir, texts, args.batch_size)}
        if not args.no_int8:
            timers["q"] = predict_timer(model_dir, articles, args.batch_size, "int8", tmp)
        timers["r"] = predict_timer("rules", articles, args.batch_size, None, tmp)
        best: dict[str, float] = {}
        for _ in range(args.repeats):  # interleaved, so a busy moment of the machine hits all alike
            for key, timer in timers.items():
                result = timer()
                seconds = result[0] if isinstance(result, tuple) else result
                if isinstance(result, tuple):
                    assert result[1] == n, (result[1], n)
                best[key] = min(best.get(key, seconds), seconds)
        a, b, c = (n / best[k] for k in "abc")
        print(f"(a) hatif predict end to end   {a:9.1f} sentences/s")
        print(f"(b) bare encoder forward       {b:9.1f} sentences/s")
        print(f"(c) transformers pipeline      {c:9.1f} sentences/s")
        print(f"(a)/(b) = {a / b:.2f}  (aim >= 0.85)")
        print(f"(a)/(c) = {a / c:.2f}  (aim >= 3)")
        if "q" in best:
            print(f"(a) with --quantize int8       {n / best['q']:9.1f} sentences/s ({best['a'] / best['q']:.2f}x fp32)")
            print(f"(a int8)/(c) = {best['c'] / best['q']:.2f}  (the pipeline stays fp32: compare at equal dev F1)")
        print(f"(r) hatif predict --model rules {n / best['r']:8.1f} sentences/s (the rule baseline)")


if __name__ == "__main__":
    main()
