"""Character spans <-> subword labels, and long-sentence windows: pure functions.

Labels live on words (the tokenizer's pre-tokenized words, via ``word_ids``): the first
subword of a word carries the word's IOB2 tag, later subwords are ignored (-100), and a
decoded span covers whole words. A span that starts after a one-letter clitic inside its
first word (و in وشويغو) is recovered by the model's clitic head, not by the tags.
"""

from __future__ import annotations

from collections.abc import Sequence

IGNORE = -100
Span = tuple[int, int, str]  # (start, end, label) in characters


def word_extents(word_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]]) -> dict[int, tuple[int, int, int, int]]:
    """word -> (first token, last token, char start, char end)."""
    out: dict[int, tuple[int, int, int, int]] = {}
    for tok, word in enumerate(word_ids):
        if word is None:
            continue
        start, end = offsets[tok]
        if word in out:
            first, _, cstart, _ = out[word]
            out[word] = (first, tok, cstart, end)
        else:
            out[word] = (tok, tok, start, end)
    return out


def span_token_bounds(word_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]],
                      start: int, end: int) -> tuple[int, int, int] | None:
    """(first token, last token, char start of the first word) of the words a char span overlaps."""
    hits = [ext for _, ext in sorted(word_extents(word_ids, offsets).items()) if ext[2] < end and start < ext[3]]
    if not hits:
        return None
    return hits[0][0], hits[-1][1], hits[0][2]


def spans_to_token_labels(word_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]],
                          spans: Sequence[Span], label2id: dict[str, int]) -> list[int]:
    """IOB2 tag ids per token: first subword of each word tagged, the rest and specials IGNORE."""
    labels = [IGNORE] * len(word_ids)
    words = word_extents(word_ids, offsets)
    tag_of_word = {w: "O" for w in words}
    for start, end, label in sorted(spans):
        inside = [w for w, (_, _, cs, ce) in sorted(words.items()) if cs < end and start < ce]
        for k, word in enumerate(inside):
            tag_of_word[word] = f"{'B' if k == 0 else 'I'}-{label}"
    for word, (first, _, _, _) in words.items():
        labels[first] = label2id[tag_of_word[word]]
    return labels


def token_labels_to_spans(word_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]],
                          tag_ids: Sequence[int], id2label: dict[int, str]) -> list[tuple[int, int, str, int, int]]:
    """Decode IOB2 tags on first subwords into (char start, char end, label, first token, last token).

    Lenient IOB2: an I- tag that does not continue a span of its label opens a new one.
    """
    spans: list[tuple[int, int, str, int, int]] = []
    current: list | None = None
    for _, (first, last, cstart, cend) in sorted(word_extents(word_ids, offsets).items()):
        tag = id2label[int(tag_ids[first])]
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[2] == label:
            current[1], current[4] = cend, last
            continue
        if current is not None:
            spans.append(tuple(current))
            current = None
        if prefix in ("B", "I"):
            current = [cstart, cend, label, first, last]
    if current is not None:
        spans.append(tuple(current))
    return spans


def plan_windows(n_tokens: int, window: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping [start, end) token windows covering n_tokens; consecutive windows overlap by ``stride``."""
    if window <= stride:
        raise ValueError(f"window ({window}) must be larger than stride ({stride})")
    if n_tokens <= window:
        return [(0, n_tokens)]
    windows, start = [], 0
    while True:
        end = min(start + window, n_tokens)
        windows.append((start, end))
        if end == n_tokens:
            return windows
        start = end - stride


def window_owners(n_tokens: int, windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each token, (window index, position in window) of the window where it has most context."""
    if len(windows) == 1:  # the common case, kept cheap
        return [(0, tok) for tok in range(n_tokens)]
    owners = []
    for tok in range(n_tokens):
        best = max((min(tok - a, b - 1 - tok), -k, k) for k, (a, b) in enumerate(windows) if a <= tok < b)
        k = best[2]
        owners.append((k, tok - windows[k][0]))
    return owners
