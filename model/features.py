"""Records -> model inputs: tokenisation with offsets into the original text, labels, span
bounds and trigger-argument pairs; and the collator that windows and pads a batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from hatif.data.records import Record
from .alignment import IGNORE, plan_windows, span_token_bounds, spans_to_token_labels, window_owners
from .joint import HatifConfig
from .preprocess import map_offsets, preprocess


@dataclass
class Encoded:
    """One sentence, tokenised (no special tokens) with offsets into the record's own text."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    word_ids: list[int | None]


@dataclass
class Feature:
    encoded: Encoded
    tag_labels: list[int] | None = None
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (first tok, last tok, entity label id)
    clitic: list[int] = field(default_factory=list)
    polarity: list[int] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    pair_labels: list[int] = field(default_factory=list)


def encode_texts(texts: list[str], tokenizer, preprocessing: str | None) -> list[Encoded]:
    """Tokenise sentences (after the encoder's preprocessing) with offsets into each text, in one
    call of the fast tokenizer: its batch path runs in Rust, without per-sentence Python overhead."""
    processed = [preprocess(text, preprocessing) for text in texts]
    enc = tokenizer([p for p, _ in processed], add_special_tokens=False, return_offsets_mapping=True)
    out = []
    for k, (text, (_, mapping)) in enumerate(zip(texts, processed)):
        offsets = [tuple(o) for o in enc["offset_mapping"][k]]
        if mapping is not None:
            offsets = map_offsets(offsets, mapping, text)
        out.append(Encoded(list(enc["input_ids"][k]), offsets, list(enc.word_ids(k))))
    return out


def encode_text(text: str, tokenizer, preprocessing: str | None) -> Encoded:
    """Tokenise one sentence (after the encoder's preprocessing) with offsets into ``text``."""
    return encode_texts([text], tokenizer, preprocessing)[0]


def candidate_pairs(spans: list[tuple[str, int]], head_label: str, tail_labels: set[str],
                    max_distance: int) -> list[tuple[int, int]]:
    """(trigger, possible argument) pairs of one sentence by span index, from spans given as
    (label, first token); pairs further apart than ``max_distance`` tokens (one encoder
    window) are not candidates, which bounds the work on long, trigger-dense sentences."""
    heads = [(i, tok) for i, (lab, tok) in enumerate(spans) if lab == head_label]
    tails = [(i, tok) for i, (lab, tok) in enumerate(spans) if lab in tail_labels]
    return [(h, t) for h, ht in heads for t, tt in tails if abs(tt - ht) <= max_distance]


def make_feature(record: Record, tokenizer, config: HatifConfig, with_labels: bool = True) -> Feature:
    """Encode a record; with labels, also the gold tags, spans, polarity, clitic flags and pairs."""
    encoded = encode_text(record.text, tokenizer, config.preprocessing)
    if not with_labels:
        return Feature(encoded)
    spans = [(e.start, e.end, e.label) for e in record.entities]
    feature = Feature(encoded, spans_to_token_labels(encoded.word_ids, encoded.offsets, spans, config.label2id))
    ent_labels = config.entity_labels
    kept = []
    for ent in record.entities:
        bounds = span_token_bounds(encoded.word_ids, encoded.offsets, ent.start, ent.end)
        if bounds is None:
            continue  # only whitespace-free spans reach here; a span no token covers cannot be learned
        first, last, word_start = bounds
        kept.append(ent)
        feature.spans.append((first, last, ent_labels.index(ent.label)))
        feature.clitic.append(1 if ent.start - word_start == 1 else 0)
        feature.polarity.append(config.polarity_labels.index(ent.polarity) if ent.label == "TRIGGER" else IGNORE)
    index = {ent.id: i for i, ent in enumerate(kept)}
    gold = {(index[r.head], index[r.tail]): config.relation_labels.index(r.label)
            for r in record.relations if r.head in index and r.tail in index}
    tails = {lab for allowed in config.schema["relations"].values() for lab in allowed}
    labelled = [(ent.label, first) for ent, (first, _, _) in zip(kept, feature.spans)]
    for pair in candidate_pairs(labelled, config.schema["relation_head"], tails, config.window):
        feature.pairs.append(pair)
        feature.pair_labels.append(gold.get(pair, 0))
    return feature


def make_person_feature(words: list[str], tags: list[str], tokenizer, config: HatifConfig) -> Feature:
    """Auxiliary PERSON supervision from an NER corpus (ANERcorp: PERS -> PERSON).

    Only what the corpus knows is labelled: PERS words as PERSON, LOC/ORG/MISC words as O.
    Its O words may be dates or call triggers, which it does not annotate, so they are
    ignored (-100) rather than taught as O."""
    text = " ".join(words)
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    spans, current = [], None
    for k, tag in enumerate(tags + ["O"]):
        if current is not None and not (tag == "I-PERS"):
            spans.append((starts[current[0]], starts[current[1]] + len(words[current[1]]), "PERSON"))
            current = None
        if tag == "B-PERS" or (tag == "I-PERS" and current is None):
            current = [k, k]
        elif tag == "I-PERS":
            current[1] = k
    encoded = encode_text(text, tokenizer, config.preprocessing)
    labels = spans_to_token_labels(encoded.word_ids, encoded.offsets, spans, config.label2id)
    for tok, lab in enumerate(labels):
        if lab != IGNORE:
            word = max(k for k, start in enumerate(starts) if start <= encoded.offsets[tok][0])
            if tags[word] == "O":
                labels[tok] = IGNORE
    return Feature(encoded, labels)


def pad_rows(rows: list[list], width: int, fill: Any) -> list[list]:
    return [row + [fill] * (width - len(row)) for row in rows]


def span_tensors(spans: list[list[tuple[int, int, int]]], pairs: list[list[tuple[int, int]]],
                 min_width: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per sentence (first token, last token, label id) spans and (head, tail) span-index pairs ->
    span bounds [B, S, 2], span labels [B, S] (-1: padding) and pair index [B, P, 2], padded as lists
    and made tensors once (a tensor per span costs more than the heads); S, P >= ``min_width``."""
    n_span = max(min_width, max(len(s) for s in spans))
    n_pair = max(min_width, max(len(p) for p in pairs))
    bounds = pad_rows([[[first, last] for first, last, _ in sent] for sent in spans], n_span, [0, 0])
    labels = pad_rows([[lab for _, _, lab in sent] for sent in spans], n_span, -1)
    index = pad_rows([[list(p) for p in sent] for sent in pairs], n_pair, [0, 0])
    return (torch.tensor(bounds, dtype=torch.long).reshape(len(spans), n_span, 2),
            torch.tensor(labels, dtype=torch.long).reshape(len(spans), n_span),
            torch.tensor(index, dtype=torch.long).reshape(len(spans), n_pair, 2))


class Collator:
    """Windows every sentence to the encoder's size and pads a batch of Features into tensors."""

    def __init__(self, tokenizer, window: int, stride: int) -> None:
        self.cls, self.sep, self.pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
        self.window, self.stride = window, stride

    def __call__(self, features: list[Feature]) -> dict[str, torch.Tensor]:
        windows: list[list[int]] = []
        owners: list[tuple[int, list[tuple[int, int]]]] = []  # (first window row, owner per token)
        for feat in features:
            ids = feat.encoded.ids
            plan = plan_windows(len(ids), self.window, self.stride)
            owners.append((len(windows), window_owners(len(ids), plan)))
            windows.extend([self.cls, *ids[a:b], self.sep] for a, b in plan)
        longest = max(len(w) for w in windows)
        # flat position of each sentence token in the [windows, longest] hidden states (+1: [CLS])
        token_index = [[(base + k) * longest + pos + 1 for k, pos in own] for base, own in owners]
        n_tok = max(1, max(len(r) for r in token_index))
        batch: dict[str, torch.Tensor] = {
            "input_ids": torch.tensor(pad_rows(windows, longest, self.pad)),
            "attention_mask": torch.tensor(pad_rows([[1] * len(w) for w in windows], longest, 0)),
            "token_index": torch.tensor(pad_rows(token_index, n_tok, -1)),
        }
        if features[0].tag_labels is None:
            return batch
        bounds, labels, pair_index = span_tensors([f.spans for f in features], [f.pairs for f in features])
        n_span, n_pair = bounds.size(1), pair_index.size(1)
        batch.update({
            "tag_labels": torch.tensor(pad_rows([f.tag_labels for f in features], n_tok, IGNORE)),
            "span_bounds": bounds,
            "span_labels": labels,
            "pair_index": pair_index,
            "clitic_labels": torch.tensor(pad_rows([f.clitic for f in features], n_span, IGNORE),
                                          dtype=torch.long).reshape(len(features), n_span),
            "polarity_labels": torch.tensor(pad_rows([f.polarity for f in features], n_span, IGNORE),
                                            dtype=torch.long).reshape(len(features), n_span),
            "pair_labels": torch.tensor(pad_rows([f.pair_labels for f in features], n_pair, IGNORE),
                                        dtype=torch.long).reshape(len(features), n_pair),
        })
        return batch
