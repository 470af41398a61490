"""Raw news articles (.txt as in the seed set) to sentences with offsets into the article.

Layout understood (the seed layout): headline; an optional date line ("21 أكتوبر 2022",
optionally after a city: "الرياض، 14 مارس 2023"); optional photo-caption lines ended by
the page marker "+ الخط -"; then one paragraph per line. The headline and caption are
sentences; the date line and page furniture (the marker, "المساهمون", an agency credit
line wholly in parentheses) are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sentences import split_sentences

CAPTION_END = "+ الخط -"
FURNITURE_PREFIX = "المساهمون"
_CREDIT_LINE = re.compile(r"^\([^()]*\)$")
_DATELINE_SPLIT = re.compile(r"\s*[،,\-–—]\s*")


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str
    doc_start: int  # offset of text[0] in the article

    @property
    def doc_end(self) -> int:
        return self.doc_start + len(self.text)


@dataclass
class Article:
    doc_id: str
    doc_date: str | None
    text: str
    sentences: list[Sentence] = field(default_factory=list)


def sentence_id(doc_id: str, index: int) -> str:
    return f"{doc_id}-s{index:02d}"


def parse_dateline(line: str) -> str | None:
    """The ISO day of a date line such as "21 أكتوبر 2022" or "القاهرة، 14 مارس 2023"."""
    from .dates import resolve_date  # the date rules are the one place months are known

    if len(line.split()) > 8:
        return None
    tail = _DATELINE_SPLIT.split(line.strip())[-1]
    value = resolve_date(tail, None)
    return value if value and len(value) == 10 else None


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines as (offset of first non-space char, stripped line)."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            out.append((pos + raw.index(stripped[0]), stripped))
        pos += len(raw)
    return out


def read_article(text: str, doc_id: str, doc_date: str | None = None) -> Article:
    """Split an article into sentence records' texts; ``doc_date`` overrides the date line."""
    blocks: list[tuple[int, str]] = []  # (offset, text) of headline, caption, paragraphs
    found_date: str | None = None
    for offset, line in _lines(text):
        if line.startswith(FURNITURE_PREFIX):
            rest = line[len(FURNITURE_PREFIX):]
            offset += len(line) - len(rest.lstrip())
            line = rest.strip()
            if not line:
                continue
        if line == CAPTION_END or _CREDIT_LINE.match(line):
            continue
        if found_date is None and len(blocks) == 1 and (value := parse_dateline(line)):
            found_date = value
            continue
        blocks.append((offset, line))
    article = Article(doc_id=doc_id, doc_date=doc_date or found_date, text=text)
    for offset, block in blocks:
        for start, end in split_sentences(block):
            article.sentences.append(Sentence(sentence_id(doc_id, len(article.sentences)),
                                              block[start:end], offset + start))
    return article
