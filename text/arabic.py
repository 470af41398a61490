"""Light Arabic orthographic normalisation and character classes, shared by the loader, the validator,
the metrics, the rules and the model."""

from __future__ import annotations

import re
import unicodedata

# Harakat, tanween, shadda, sukun, superscript alef and Quranic marks: they vary between
# outlets and carry no identity for names or numbers.
DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"
MARKS = re.compile(f"{DIACRITICS.pattern}|{TATWEEL}")  # what strip_marks removes
# An Arabic letter (the Arabic, Arabic Supplement and presentation-form blocks, without marks and digits).
ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_ANY_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# One-letter clitics (و ف ب ل ك) a PERSON span may leave out (ANNOTATION.md, Clitics: وشويغو → شويغو).
CLITICS = frozenset("وفبلك")


def is_combining(ch: str) -> bool:
    """Tatweel or a combining mark (Unicode category Mn): part of the word it sits on.
    Unicode's class, not MARKS (the normalisation's list): they differ on a few Quranic signs
    and on other scripts' marks."""
    return ch == TATWEEL or unicodedata.category(ch) == "Mn"


def is_word_char(ch: str) -> bool:
    """A character inside a word: a letter, a digit or a combining mark."""
    return ch.isalnum() or is_combining(ch)


def to_western_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII digits (same length, offsets unchanged)."""
    return text.translate(_ARABIC_INDIC)


def strip_marks(text: str) -> str:
    """Remove diacritics and tatweel."""
    return MARKS.sub("", text)


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


# First words that make a PERSON span a title or description rather than a name (augmentation and
# quotas swap names only). Not the rules' title_heads (rules/lexicon.json): that one also holds titles
# that are given names (سلطان، مساعد), which would keep سلطان الجابر from being swapped.
TITLE_PHRASE_HEADS = frozenset(normalize_key(
    "نظير نظيره نظيرها نظيرهم نظيرته وزير وزيره وزيرة رئيس الرئيس رئيسة الرئيسة رئيسه ولي ملك "
    "الملك العاهل الأمير الأمين المستشار مستشار المتحدث متحدث السفير سفير المبعوث مبعوث قائد القائد "
    "زعيم الزعيم البابا نائب مسؤول المسؤول مدير المدير عضو حاكم الحاكم والده والدته والدها ابنه "
    "ابنته زوجته زوجها شقيقه شقيقته مجهول الوزير النائب المدرب مدرب اللاعب لاعب").split())
