"""Encoder-specific text preprocessing with a character map back to the input as given."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache

from hatif.text.arabic import is_combining


def align_chars(original: str, processed: str) -> list[int]:
    """For each character of ``processed``, the index of the ``original`` character it stands for.

    Inserted characters (the spaces a preprocessor adds around punctuation) point at the
    next original character; replaced runs are spread proportionally.
    """
    matcher = difflib.SequenceMatcher(None, original, processed, autojunk=False)
    mapping = [0] * len(processed)
    last = max(len(original) - 1, 0)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(j2 - j1):
            if tag == "equal":
                mapping[j1 + k] = i1 + k
            elif tag == "replace":
                mapping[j1 + k] = min(i1 + k * (i2 - i1) // (j2 - j1), i2 - 1)
            else:  # insert
                mapping[j1 + k] = min(i1, last)
    return mapping


def map_offsets(offsets: Sequence[tuple[int, int]], mapping: Sequence[int],
                original: str) -> list[tuple[int, int]]:
    """Token offsets in the processed text -> offsets in ``original`` ((0, 0) stays).

    Marks the preprocessor deleted at the end of a token (tanween, tatweel) belong to it."""
    out = []
    for start, end in offsets:
        if end <= start:
            out.append((0, 0))
            continue
        stop = mapping[end - 1] + 1
        while stop < len(original) and is_combining(original[stop]):
            stop += 1
        out.append((mapping[start], stop))
    return out


@lru_cache(maxsize=4)
def _arabert(model_name: str):
    from arabert.preprocess import ArabertPreprocessor

    return ArabertPreprocessor(model_name=model_name)


def preprocess(text: str, scheme: str | None) -> tuple[str, list[int] | None]:
    """Apply the encoder's preprocessing; returns (text for the tokenizer, char map or None)."""
    if not scheme:
        return text, None
    processed = _arabert(scheme).preprocess(text)
    return processed, align_chars(text, processed)
