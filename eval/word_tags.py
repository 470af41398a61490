"""Character spans to word-level IOB2 tags: the view that seqeval scores (ANNOTATION.md, Scores §1).

A word is a run of letters, digits and combining marks (Arabic harakat, tatweel, Latin
accents) or a single punctuation character. An entity tags every word it overlaps, so a
PERSON span that starts after an attached clitic (و in وشويغو) still tags the whole word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hatif.data.records import Entity

# \w covers letters, digits (Arabic-Indic included) and tatweel, but not combining marks,
# which must stay inside their word: Arabic harakat and Quranic marks, Latin accents.
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
WORD = re.compile(rf"[\w{_MARKS}]+|[^\w\s{_MARKS}]")


def word_tags(text: str, entities: Iterable[Entity]) -> tuple[list[str], list[str]]:
    """Split ``text`` into words and tag them IOB2 from the character spans of ``entities``.

    Every word that shares at least one character with a span gets the span's label: the
    first such word ``B-``, the others ``I-``. Gold entities never share a word in practice;
    where two spans (say, of a careless prediction) touch the same word, the one that starts
    first keeps it, and the later one tags only its words that are still free (none left: it
    yields no tag).
    """
    tokens = list(WORD.finditer(text))
    words = [m.group() for m in tokens]
    tags = ["O"] * len(tokens)
    for ent in sorted(entities, key=lambda e: (e.start, e.end)):
        inside = False
        for i, match in enumerate(tokens):
            if match.start() >= ent.end:
                break
            if match.end() <= ent.start or tags[i] != "O":
                continue
            tags[i] = f"{'I' if inside else 'B'}-{ent.label}"
            inside = True
    return words, tags
