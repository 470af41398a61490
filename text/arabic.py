"""Light Arabic orthographic normalisation shared by the loader, the metrics and the date rules."""

from __future__ import annotations

import re

# Harakat, tanween, shadda, sukun, superscript alef and Quranic marks: they vary between
# outlets and carry no identity for names or numbers.
DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"
# An Arabic letter (the Arabic, Arabic Supplement and presentation-form blocks, without marks and digits).
ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_ANY_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def to_western_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII digits (same length, offsets unchanged)."""
    return text.translate(_ARABIC_INDIC)


def strip_marks(text: str) -> str:
    """Remove diacritics and tatweel."""
    return DIACRITICS.sub("", text).replace(TATWEEL, "")


def normalize_name(text: str) -> str:
    """The comparison key for names in event matching (ANNOTATION.md, Scores §3).

    Removes diacritics and tatweel, unifies أ/إ/آ/ٱ→ا, ى→ي, ة→ه, and collapses whitespace.
    """
    text = strip_marks(text).translate(_LETTERS)
    return " ".join(text.split())


def normalize_key(text: str) -> str:
    """normalize_name plus Western digits: a key for lexicon look-ups (dates, triggers)."""
    return to_western_digits(normalize_name(text))


def word_ngrams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """Runs of ``n`` normalised words (punctuation-only tokens dropped): the unit of the leakage checks."""
    words = [w for w in normalize_key(text).replace("،", " ").split() if any(c.isalnum() for c in w)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def arabic_share(text: str) -> float:
    """Share of Arabic letters among the letters of ``text`` (1.0 when it has no letters)."""
    letters = len(_ANY_LETTER.findall(text))
    return len(ARABIC_LETTER.findall(text)) / letters if letters else 1.0
