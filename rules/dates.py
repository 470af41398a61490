"""DATE spans of the rule-based extractor: a small token grammar over the date vocabulary of
hatif.text.dates; values come from resolve_date, so spans and values follow one lexicon."""

from __future__ import annotations

import datetime as dt

from hatif.text.dates import (BARE_WEEKDAYS, DIRECTIONS, GREGORIAN_MONTHS, HIJRI_MONTHS, ORDINAL_TENS,
                              ORDINALS, RELATIVE_DAYS, UNITS, WEEKDAYS, resolve_date)

from .lexicon import Phrases, Token

# Month names as token tuples (كانون الثاني، جمادي الاولي، ذو القعده).
_MONTHS = Phrases(tuple(k.split("_")) for k in (*GREGORIAN_MONTHS, *HIJRI_MONTHS))
# Month names that are also common words: a month only next to a day, a year or a second name.
_AMBIGUOUS_MONTHS = {("اب",), ("ماي",), ("صفر",), ("رجب",), ("شعبان",), ("محرم",), ("جوان",)}
_RELATIVE = Phrases([*(tuple(k.split("_")) for k in RELATIVE_DAYS if k != "الليله"), ("غد",), ("يوم", "امس")])
# Parts of the day written before اليوم/أمس/غد or a weekday; فجر stays outside the span, as the
# training annotations mostly leave it.
_DAY_PARTS = {"صباح", "مساء", "ظهر", "ليل", "ليله", "عصر", "ظهيره", "صبيحه"}
_MONTH_PARTS = {"مطلع", "اوائل", "منتصف", "اواسط", "اواخر", "اخر", "بدايه", "نهايه", "مستهل", "غره"}
_UNIT_PARTS = {"مطلع", "اوائل", "منتصف", "اواسط", "اواخر", "مستهل"}
# اليوم followed by these is "the day" of some event, not today.
_NOT_TODAY = {"ذاته", "نفسه", "التالي", "السابق", "الاول", "الثاني", "الثالث", "الاخير", "العالمي", "الوطني", "الدولي"}
_YEAR_BEFORE = {"في", "منذ", "حتى", "بحلول", "خلال", "قبل", "بعد", "مطلع", "منتصف", "نهايه", "بدايه", "اواخر", "اوائل"}
_YEAR_WORDS = {"عام", "العام", "سنه", "السنه", "عامي"}
_YEAR_SUFFIX = {"م", "ه"}


def _year(tokens: list[Token], i: int) -> int:
    """A four-digit year at i, with a following م/هـ: tokens used, or 0."""
    if i < len(tokens) and tokens[i].is_num and len(tokens[i].norm) == 4 and 1300 <= int(tokens[i].norm) <= 2100:
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        return 2 if nxt is not None and nxt.norm in _YEAR_SUFFIX and not nxt.space_before else 1
    return 0


def _direction(tokens: list[Token], i: int) -> int:
    return 1 if i < len(tokens) and tokens[i].norm in DIRECTIONS else 0


def _months(tokens: list[Token], i: int) -> tuple[int, bool]:
    """Month name(s) at i — one, or two joined by '/' (مايو/ أيار): (tokens used, unambiguous)."""
    n = _MONTHS.longest(tokens, i)
    if not n:
        return 0, False
    first = tuple(t.norm for t in tokens[i:i + n])
    j = i + n
    if j < len(tokens) and tokens[j].norm == "/":
        m = _MONTHS.longest(tokens, j + 1)
        if m:
            return j + 1 + m - i, True
    return n, first not in _AMBIGUOUS_MONTHS


def _year_part(tokens: list[Token], i: int) -> int:
    """What may follow a month: a year, الماضي/المقبل, or من العام الماضي."""
    n = _year(tokens, i)
    if n:
        return n
    if i < len(tokens) and tokens[i].norm in _YEAR_WORDS and _year(tokens, i + 1):
        return 1 + _year(tokens, i + 1)
    if i + 2 < len(tokens) and tokens[i].norm == "من" and tokens[i + 1].norm in ("العام", "السنه"):
        return 2 + _direction(tokens, i + 2)
    return _direction(tokens, i)


def _day(tokens: list[Token], i: int) -> int:
    """A day of the month before a month name: 14, العاشر من, الحادي والعشرين من, غرة."""
    if i >= len(tokens):
        return 0
    t = tokens[i].norm
    if t.isdigit():
        return 1 if len(t) <= 2 and 1 <= int(t) <= 31 else 0
    n = 0
    if t in ORDINALS or t in ORDINAL_TENS or t == "اول":
        n = 1
        nxt = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        if nxt in ("عشر", "عشره") or (nxt.startswith("و") and nxt[1:] in ORDINAL_TENS):
            n = 2
    elif t == "غره":
        n = 1
    if n and i + n < len(tokens) and tokens[i + n].norm == "من":
        n += 1
    if n and i + n < len(tokens) and tokens[i + n].norm == "شهر":
        n += 1
    return n


def _dmy(tokens: list[Token], i: int) -> int:
    """[day] month(s) [year part], or a numeric date 14/3/2023."""
    d = _day(tokens, i)
    m, sure = _months(tokens, i + d)
    if m and (d or sure or _year(tokens, i + d + m)):
        return d + m + _year_part(tokens, i + d + m)
    if d == 1 and tokens[i].is_num and i + 2 < len(tokens) and tokens[i + 1].norm == "/" and tokens[i + 2].is_num:
        if 1 <= int(tokens[i + 2].norm) <= 12 and len(tokens[i + 2].norm) <= 2:
            n = 3
            if i + 4 < len(tokens) and tokens[i + 3].norm == "/" and tokens[i + 4].is_num:
                n = 5
            return n
    return 0


def _weekday(tokens: list[Token], i: int, after_yawm: bool) -> int:
    if i >= len(tokens):
        return 0
    t = tokens[i].norm
    if t in WEEKDAYS or (after_yawm and t in BARE_WEEKDAYS):
        n = 1 + _direction(tokens, i + 1)
        return n + _dmy(tokens, i + n)
    return 0


def _core(tokens: list[Token], i: int) -> int:
    """Longest date expression starting at i without a part-of-day prefix."""
    best = 0
    r = _RELATIVE.longest(tokens, i)
    if r:
        best = r + max(_weekday(tokens, i + r, False), _dmy(tokens, i + r))
    if i < len(tokens) and tokens[i].norm == "يوم":
        w = _weekday(tokens, i + 1, True) or _dmy(tokens, i + 1)
        best = max(best, 1 + w if w else 0)
    best = max(best, _weekday(tokens, i, False), _dmy(tokens, i))
    if i < len(tokens) and tokens[i].norm in _MONTH_PARTS:
        m, _ = _months(tokens, i + 1)
        if m:
            best = max(best, 1 + m + _year_part(tokens, i + 1 + m))
        elif tokens[i].norm in _UNIT_PARTS and i + 2 < len(tokens) and tokens[i + 1].norm in UNITS and tokens[i + 2].norm in DIRECTIONS:
            best = max(best, 3)
    if i < len(tokens) and tokens[i].norm == "شهر":
        m, _ = _months(tokens, i + 1)
        best = max(best, 1 + m + _year_part(tokens, i + 1 + m) if m else 0)
    if i + 1 < len(tokens) and tokens[i].norm in UNITS and tokens[i + 1].norm in DIRECTIONS:
        best = max(best, 2)
    if i < len(tokens) and tokens[i].norm in _YEAR_WORDS and _year(tokens, i + 1):
        best = max(best, 1 + _year(tokens, i + 1))
    if not best and _year(tokens, i):
        prev = tokens[i - 1].norm if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if prev in _YEAR_BEFORE or nxt is None or nxt.is_punct or _year(tokens, i) == 2:
            best = _year(tokens, i)
    if best == 1 and tokens[i].norm == "اليوم" and (i + 1 < len(tokens) and tokens[i + 1].norm in _NOT_TODAY
                                                     or i and tokens[i - 1].norm in ("ذلك", "ذات", "نفس", "هذا")):
        return 0
    return best


def find_dates(tokens: list[Token], text: str, doc_date: str | None) -> list[tuple[int, int, str | None]]:
    """Non-overlapping DATE spans as (first token, end token, ISO value or None), left to right."""
    ref = dt.date.fromisoformat(doc_date) if doc_date else None
    found: list[tuple[int, int, str | None]] = []
    i = 0
    while i < len(tokens):
        n = 0
        if tokens[i].norm in _DAY_PARTS:
            n = _core(tokens, i + 1)
            if n and (_RELATIVE.longest(tokens, i + 1) or _weekday(tokens, i + 1, False)
                      or tokens[i + 1].norm == "يوم"):
                n += 1
            else:
                n = 0
        n = n or _core(tokens, i)
        w = tokens[i].norm
        if not n and len(w) > 3 and w[0] in "وفبل" and not w.startswith("لل"):
            # ومنتصف فبراير، وأمس: the span stays a whole word, clitic included
            view = [*tokens[:i], Token(i, w[1:], tokens[i].start, tokens[i].end, True), *tokens[i + 1:]]
            n = _core(view, i)
        if n:
            found.append((i, i + n, resolve_date(text[tokens[i].start:tokens[i + n - 1].end], ref)))
            i += n
        else:
            i += 1
    return found
