"""Tiny models for tests: a WordPiece vocabulary and a 2-layer BERT built in-process."""

from __future__ import annotations

from pathlib import Path

from hatif.data.authoring import compile_article
from hatif.data.records import Record
from hatif.model.encoder import compact_bert, train_wordpiece
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
    encoder = compact_bert(len(tokenizer), 32, layers, 2, 128, intermediate=64, seed=seed)
    return build_model(encoder, window=window, stride=stride).eval()


def fixed_wordpiece(pieces: list[str]):
    """A BERT WordPiece tokenizer over a fixed vocabulary (the special tokens, then ``pieces``): token
    indices a test can write down (a trained vocabulary breaks ties differently from run to run)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import BertTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(vocab={t: i for i, t in enumerate(specials + pieces)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                                strip_accents=False, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return BertTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
                             sep_token="[SEP]", mask_token="[MASK]")


def make_record(text: str, spans: list[tuple], relations: list[tuple] = (), rid: str = "t-001-s00",
                doc_date: str | None = "2023-04-04", polarity: str | None = None):
    """A record from surfaces: spans are (label, surface[, polarity or value]) found left to right
    (ids e1, e2, ...), relations (head n, tail n, label); a TRIGGER without one gets ``polarity``."""
    from hatif.data.records import Entity, Record, Relation

    entities, pos = [], 0
    for n, (label, surface, *extra) in enumerate(spans, start=1):
        start = text.index(surface, pos)
        pos = start + len(surface)
        attr = extra[0] if extra else None
        entities.append(Entity(f"e{n}", label, start, pos, surface,
                               polarity=(attr or polarity) if label == "TRIGGER" else None,
                               value=attr if label == "DATE" else None))
    rels = [Relation(f"e{h}", f"e{t}", label) for h, t, label in relations]
    return Record(rid, rid.rsplit("-s", 1)[0], doc_date, text, entities, rels)
