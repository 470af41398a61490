"""The joint model: it learns, it saves and reloads exactly, windows merge, errors are clear."""

from __future__ import annotations

import torch
import pytest

from hatif.data.validate import check_record
from hatif.model.features import Collator, make_feature
from hatif.model.inference import Predictor
from hatif.model.joint import HatifModel
from hatif.model.preprocess import align_chars, map_offsets, preprocess
from helpers import tiny_model, tiny_records, tiny_tokenizer


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def _train(model, tok, records, steps: int, lr: float = 5e-3) -> list[float]:
    feats = [make_feature(r, tok, model.config) for r in records]
    batch = Collator(tok, model.config.window, model.config.stride)(feats)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        loss = model(**batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    model.eval()
    return losses


def test_loss_falls_and_model_overfits_three_sentences(tok):
    torch.manual_seed(0)
    records = tiny_records()
    model = tiny_model(tok)
    losses = _train(model, tok, records, steps=120)
    assert losses[-1] < 0.25 * losses[0], losses[::20]
    preds = list(Predictor(model, tok).predict(records))
    for gold, pred in zip(records, preds):
        assert check_record(pred.to_dict(), "pred", 1) == []
        # DATE values resolve against the record's doc_date; TRIGGER polarity comes from its head
        assert [(e.start, e.end, e.label, e.value, e.polarity) for e in pred.entities] == \
            [(e.start, e.end, e.label, e.value, e.polarity) for e in gold.entities]
    # relations recovered on the overfit sentences
    def rels(rec):
        return sorted((rec.entity(r.head).text, r.label, rec.entity(r.tail).text) for r in rec.relations)
    assert [rels(p) for p in preds] == [rels(g) for g in records]


def test_save_load_gives_identical_predictions(tok, tmp_path):
    records = tiny_records()
    model = tiny_model(tok)
    _train(model, tok, records, steps=10)
    before = [p.to_dict() for p in Predictor(model, tok).predict(records)]
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    assert not list(tmp_path.glob("*.bin")) and not list(tmp_path.glob("*.pt"))
    loaded = HatifModel.from_pretrained(tmp_path)
    assert loaded.config.relation_labels == model.config.relation_labels
    assert loaded.config.id2label == model.config.id2label
    after = [p.to_dict() for p in Predictor(loaded, tok).predict(records)]
    assert after == before


def _context_free(model: HatifModel) -> HatifModel:
    """No layers and no position signal: every token's state depends on the token alone,
    so any difference between windowed and whole-sentence output is a merging bug."""
    with torch.no_grad():
        model.encoder.embeddings.position_embeddings.weight.zero_()
        model.encoder.embeddings.token_type_embeddings.weight.zero_()
    return model


def test_long_sentence_in_windows_gives_the_same_spans(tok):
    records = tiny_records()
    long_text = " ".join(r.text for r in records) * 3
    record = records[1].__class__(id="long", doc_id="long", doc_date="2023-03-14", text=long_text)
    torch.manual_seed(1)
    whole = _context_free(tiny_model(tok, layers=0, window=120, stride=16))
    n_tokens = len(make_feature(record, tok, whole.config, with_labels=False).encoded.ids)
    assert n_tokens > 100  # several windows below
    windowed = tiny_model(tok, layers=0, window=24, stride=8)
    windowed.load_state_dict(whole.state_dict())
    a = list(Predictor(whole, tok).predict([record]))[0]
    b = list(Predictor(windowed, tok).predict([record]))[0]
    assert [(e.start, e.end, e.label) for e in a.entities] == [(e.start, e.end, e.label) for e in b.entities]
    assert a.entities, "the random tagger should predict some spans"
    assert len(b.text) == len(long_text)  # never truncated


@pytest.mark.parametrize("original,processed,word,expected", [
    ("تحدث الوزير(Getty)،اليوم", "تحدث الوزير ( Getty ) ، اليوم", "Getty", "Getty"),
    ("تحدث الوزير(Getty)،اليوم", "تحدث الوزير ( Getty ) ، اليوم", "اليوم", "اليوم"),
    ("تحدّث مع نظيره ١٣ مايو/أيار", "تحدث مع نظيره 13 مايو - أيار", "تحدث", "تحدّث"),
    ("تحدّث مع نظيره ١٣ مايو/أيار", "تحدث مع نظيره 13 مايو - أيار", "13", "١٣"),
    ("تحدّث مع نظيره ١٣ مايو/أيار", "تحدث مع نظيره 13 مايو - أيار", "أيار", "أيار"),
    ("اتصل هاتفيـــاً أمس", "اتصل هاتفيا أمس", "هاتفيا", "هاتفيـــاً"),
])
def test_char_map_points_back_into_the_original(original, processed, word, expected):
    mapping = align_chars(original, processed)
    assert len(mapping) == len(processed)
    start = processed.index(word)
    (s, e), = map_offsets([(start, start + len(word))], mapping, original)
    assert original[s:e] == expected


def test_arabert_preprocessing_keeps_offsets_on_the_input():
    text = "تحدّث وزير الدفاع الأميركي لويد أوستن(Getty) اليوم"
    processed, mapping = preprocess(text, "aubmindlab/bert-base-arabertv02")
    assert processed != text and mapping is not None
    start = processed.index("لويد")
    (s, e), = map_offsets([(start, start + len("لويد أوستن"))], mapping, text)
    assert text[s:e] == "لويد أوستن"


@pytest.mark.slow
@pytest.mark.parametrize("offline", ["HF_HUB_OFFLINE=1", "hub unreachable"])
def test_offline_encoder_error_says_how_to_work_offline(tmp_path, offline):
    """The real loading path, cut off from the hub: a clear message and exit code, no traceback;
    with the hub unreachable (a closed port here) it fails at once instead of retrying for a minute."""
    import os
    import subprocess
    import sys
    import time

    from hatif.data.jsonl import write_jsonl

    data = tmp_path / "tiny.jsonl"
    write_jsonl(data, (r.to_dict() for r in tiny_records()))
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env["HF_HOME"] = str(tmp_path / "hf")
    if offline == "HF_HUB_OFFLINE=1":
        env["HF_HUB_OFFLINE"] = "1"
    else:
        env["HF_ENDPOINT"] = "http://127.0.0.1:9"
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "hatif.cli", "train", "--model", "aubmindlab/bert-base-arabertv02",
                          "--data.train", str(data), "--data.dev", str(data), "--data.augment_copies", "0",
                          "--output-dir", str(tmp_path / "run")],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    for hint in ("HF_HUB_OFFLINE", "HF_HOME", "local directory", "aubmindlab/bert-base-arabertv02"):
        assert hint in run.stderr
    if offline == "hub unreachable":
        assert "127.0.0.1:9 is unreachable" in run.stderr and "not in the local cache" in run.stderr
        assert time.monotonic() - started < 40  # start-up and data loading; the hub client's retries took ~60 s


def test_random_init_keeps_shape_and_tokenizer_but_not_weights(tok, tmp_path):
    from hatif.model.encoder import load_encoder
    from hatif.train.config import ModelConfig
    from hatif.train.run import encoder_name

    saved = tiny_model(tok).encoder
    saved.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    loaded, loaded_tok = load_encoder(str(tmp_path))
    control, control_tok = load_encoder(str(tmp_path), random_init=True)
    assert control.config.to_diff_dict() == loaded.config.to_diff_dict()
    assert control_tok.get_vocab() == loaded_tok.get_vocab() == tok.get_vocab()
    weights = dict(loaded.named_parameters())
    assert set(dict(control.named_parameters())) == set(weights)
    name = "embeddings.word_embeddings.weight"
    assert torch.equal(weights[name], saved.get_parameter(name))
    assert not torch.equal(control.get_parameter(name), weights[name])
    assert encoder_name(ModelConfig(random_init=True)) == "embedded-default (random init)"
    assert encoder_name(ModelConfig(encoder="x/y")) == "x/y"
