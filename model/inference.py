"""Prediction with a trained joint model: length-sorted batches, one encoder pass per batch,
relations scored on the predicted spans from the same hidden states."""

from __future__ import annotations

import ctypes
import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import torch

from hatif.data.records import Entity, Record, Relation
from hatif.text.arabic import CLITICS
from hatif.text.dates import resolve_date

from .alignment import token_labels_to_spans
from .features import Collator, Feature, candidate_pairs, encode_texts, span_tensors
from .joint import HatifModel


def _heap_trimmer() -> Callable[[int], int]:
    """glibc's malloc_trim; a no-op where the C library is another (macOS)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda pad: 0


def _doc_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class Predictor:
    def __init__(self, model: HatifModel, tokenizer, batch_size: int = 32) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.buffer_size = batch_size * 8  # sentences sorted by length together: fuller batches, flat memory
        cfg = model.config
        self.collate = Collator(tokenizer, cfg.window, cfg.stride)
        self.id2label = {int(k): v for k, v in cfg.id2label.items()}
        self.tails = {lab for allowed in cfg.schema["relations"].values() for lab in allowed}
        self.trim_heap = _heap_trimmer()

    def predict(self, records: Iterable[Record]) -> Iterator[Record]:
        """Predictions for each record (same id, text, doc_date), in input order, batch by batch."""
        batch: list[Record] = []
        for record in records:
            batch.append(record)
            if len(batch) == self.buffer_size:
                yield from self._predict_buffer(batch)
                batch = []
        if batch:
            yield from self._predict_buffer(batch)

    def _predict_buffer(self, records: list[Record]) -> list[Record]:
        """A buffer's predictions, then its freed memory handed back to the system. Its batches
        free tensors of many sizes up to MBs; glibc serves those from its heap (its mmap threshold
        rises to 32 MB after the first large free) and keeps the freed pages, fragmented, so RSS
        grew with the input. One trim per buffer (a few ms) holds RSS between buffers at ~0.46 GB
        up to 50k sentences; peak RSS at 50k fell from 1.09 to 0.90 GB (docs/RESULTS.md)."""
        out = self._predict_sorted(records)
        self.trim_heap(0)
        return out

    def _predict_sorted(self, records: list[Record]) -> list[Record]:
        encoded = encode_texts([r.text for r in records], self.tokenizer, self.model.config.preprocessing)
        features = [Feature(e) for e in encoded]
        order = sorted(range(len(records)), key=lambda i: len(features[i].encoded.ids))
        out: list[Record | None] = [None] * len(records)
        for k in range(0, len(order), self.batch_size):
            idx = order[k:k + self.batch_size]
            for i, rec in zip(idx, self._predict_batch([records[i] for i in idx], [features[i] for i in idx])):
                out[i] = rec
        return out  # type: ignore[return-value]

    @torch.inference_mode()
    def _predict_batch(self, records: list[Record], features: list[Feature]) -> list[Record]:
        model, cfg = self.model, self.model.config
        # on the model's device: training on a GPU decodes dev through here too
        inputs = {k: v.to(model.device) for k, v in self.collate(features).items()}
        seq = model.encode(inputs["input_ids"], inputs["attention_mask"], inputs["token_index"])
        tags = model.tagger(seq).argmax(-1).tolist()
        spans = [token_labels_to_spans(f.encoded.word_ids, f.encoded.offsets, t, self.id2label)
                 for f, t in zip(features, tags)]
        pairs = [candidate_pairs([(s[2], s[3]) for s in sent], cfg.schema["relation_head"], self.tails, cfg.window)
                 for sent in spans]
        bounds, labels, pair_index = (t.to(model.device) for t in span_tensors(
            [[(s[3], s[4], cfg.entity_labels.index(s[2])) for s in sent] for sent in spans], pairs, min_width=1))
        polarity, clitic = model.span_heads(seq, bounds, labels)
        # probabilities as nested lists: _record reads them number by number
        polarity, clitic = polarity.softmax(-1).tolist(), clitic.softmax(-1).tolist()
        relations = model.relation_logits(seq, bounds, labels, pair_index).softmax(-1).tolist()
        return [self._record(rec, spans[b], polarity[b], clitic[b], pairs[b], relations[b])
                for b, rec in enumerate(records)]

    def _record(self, rec: Record, spans, polarity, clitic, pairs, relations) -> Record:
        cfg = self.model.config
        doc_date = _doc_date(rec.doc_date)
        entities: list[Entity] = []
        for s, (start, end, label, _, _) in enumerate(spans):
            if label == "PERSON" and end - start > 2 and rec.text[start] in CLITICS and clitic[s][1] > 0.5:
                start += 1
            text = rec.text[start:end]
            pol = score = value = None
            if label == "TRIGGER":
                # a trigger's score is P(its polarity): the events' confidence starts from it
                score = max(polarity[s])
                pol = cfg.polarity_labels[polarity[s].index(score)]
            elif label == "DATE":
                value = resolve_date(text, doc_date)
            entities.append(Entity(f"e{s + 1}", label, start, end, text, polarity=pol, value=value, score=score))
        found: list[Relation] = []
        for p, (h, t) in enumerate(pairs):
            score = max(relations[p])
            best = relations[p].index(score)
            if best != 0:
                found.append(Relation(entities[h].id, entities[t].id, cfg.relation_labels[best], score=score))
        return Record(rec.id, rec.doc_id, rec.doc_date, rec.text, entities, found, doc_offset=rec.doc_offset)
