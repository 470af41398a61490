"""Tiny models for tests: a WordPiece vocabulary and a 2-layer BERT built in-process."""

from __future__ import annotations

from pathlib import Path

from transformers import BertConfig, BertModel

from hatif.data.authoring import compile_article
from hatif.data.records import Record
from hatif.model.encoder import train_wordpiece
from hatif.model.joint import HatifModel, build_model

FIXTURES = Path(__file__).resolve().parent / "fixtures"

EXTRA_TEXT = [
    "تحدّث الرئيسُ هاتفيـــاً مع نظيره الأمريكي جو بايدن في ١٣ أيار ٢٠٢٢.",
    "إتصل وزير الخارجية آنتوني بلينكن بنظيره عبر WhatsApp و Zoom في G20.",
    "قال المتحدث: \"لا تعارض\" الحل الدبلوماسي، وأكد أن الإجتماع انتهى!",
]


def tiny_records() -> list[Record]:
    article, violations = compile_article(FIXTURES / "tiny-001.ann")
    assert not violations, violations
    return article.records


def tiny_tokenizer():
    texts = [r.text for r in tiny_records()] + EXTRA_TEXT
    return train_wordpiece(texts * 3, vocab_size=400)


def tiny_model(tokenizer, layers: int = 2, window: int = 64, stride: int = 16, seed: int = 0) -> HatifModel:
    import torch

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    return build_model(BertModel(config, add_pooling_layer=False), window=window, stride=stride).eval()
