"""Resolution of Arabic news date expressions (DATE spans) to ISO values (ANNOTATION.md, DATE).

`resolve_date(text, doc_date)` gives ``YYYY-MM-DD`` for a day, ``YYYY-Www`` for an ISO week,
``YYYY-MM`` for a month or part of one, ``YYYY`` for a year, or ``None``. Rules are tried in a
fixed order (most specific first); ``dateparser`` is consulted only when no rule recognises
any date word at all. Everything is deterministic: nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Callable

from hijridate import Gregorian, Hijri

try:  # optional: the rules must work without it
    from dateparser.date import DateDataParser
except ImportError:  # pragma: no cover - depends on the environment
    DateDataParser = None

from .arabic import normalize_key

# --- lexicons (keys are normalize_key forms: ا for أ/إ/آ, ي for ى, ه for ة, no marks) -------

_MONTH_NAMES = {
    1: "يناير كانون_الثاني جانفي", 2: "فبراير شباط فيفري", 3: "مارس اذار",
    4: "ابريل نيسان افريل", 5: "مايو ايار ماي", 6: "يونيو يونيه حزيران جوان",
    7: "يوليو يوليه تموز جويليه يوليوز", 8: "اغسطس اب اوت غشت", 9: "سبتمبر ايلول شتنبر",
    10: "اكتوبر تشرين_الاول", 11: "نوفمبر تشرين_الثاني نونبر", 12: "ديسمبر كانون_الاول دجنبر",
}
GREGORIAN_MONTHS = {w: m for m, ws in _MONTH_NAMES.items() for w in ws.split()}

_HIJRI_NAMES = {
    1: "محرم", 2: "صفر", 3: "ربيع_الاول", 4: "ربيع_الاخر ربيع_الثاني",
    5: "جمادي_الاولي جمادي_الاول", 6: "جمادي_الاخره جمادي_الاخر جمادي_الثانيه جمادي_الثاني",
    7: "رجب", 8: "شعبان", 9: "رمضان", 10: "شوال",
    11: "ذو_القعده ذي_القعده", 12: "ذو_الحجه ذي_الحجه",
}
HIJRI_MONTHS = {w: m for m, ws in _HIJRI_NAMES.items() for w in ws.split()}

RELATIVE_DAYS = {
    "اليوم": 0, "الليله": 0, "امس": -1, "الامس": -1, "البارحه": -1, "الليله_الماضيه": -1,
    "اول_من_امس": -2, "اول_امس": -2, "امس_الاول": -2,
    "غدا": 1, "غد": 1, "الغد": 1, "بعد_غد": 2, "بعد_الغد": 2,
}
# Monday = 0, as in datetime.weekday(); bare forms count only after يوم ("أحد" also means "one").
WEEKDAYS = {w: d for d, w in enumerate("الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت الاحد".split())}
BARE_WEEKDAYS = {w[2:]: d for w, d in WEEKDAYS.items()}

DIRECTIONS = {**dict.fromkeys("الماضي الماضيه الفائت الفائته المنصرم المنصرمه السابق السابقه".split(),
                              "past"),
              **dict.fromkeys("المقبل المقبله القادم القادمه".split(), "future"),
              **dict.fromkeys("الحالي الحاليه الجاري الجاريه".split(), "current")}
THIS = {"هذا", "هذه"}
UNITS = {"الاسبوع": "week", "الشهر": "month", "العام": "year", "السنه": "year"}

ORDINALS = {
    "الاول": 1, "الحادي": 1, "الواحد": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5,
    "السادس": 6, "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10,
}
ORDINAL_TENS = {"العشرين": 20, "العشرون": 20, "الثلاثين": 30, "الثلاثون": 30}
# Nouns that make a following ordinal something other than a day (الأسبوع الأول من مارس).
NOT_DAY_HEADS = set("الاسبوع الاسابيع الايام الشهر النصف الثلث الربع العشر العشره".split())
SKIP_BEFORE_MONTH = {"من", "شهر"}
# Durations and clock times: "3 أيام" is no date unless an ago/since word makes it one.
NOT_DATES = {"ايام", "يومين", "اسابيع", "اسبوعين", "اشهر", "شهور", "شهرين", "اعوام", "عامين",
             "سنوات", "سنتين", "ساعات", "ساعه", "الساعه", "ساعتين", "دقائق", "دقيقه"}
AGO = {"قبل", "منذ", "بعد"}

PHRASES = {p.replace("_", " "): p for p in (*GREGORIAN_MONTHS, *HIJRI_MONTHS, *RELATIVE_DAYS)
           if "_" in p}
VOCABULARY = (set(GREGORIAN_MONTHS) | set(HIJRI_MONTHS) | set(RELATIVE_DAYS) | set(WEEKDAYS)
              | set(DIRECTIONS) | set(UNITS) | set(ORDINALS) | set(ORDINAL_TENS) | {"يوم", "غره"}
              | {w for p in PHRASES for w in p.split()})

# Longest phrase first, so that أول من أمس is not read as أول + من + أمس.
_PHRASE_RE = re.compile(r"(?<!\S)(%s)(?!\S)" % "|".join(sorted(PHRASES, key=len, reverse=True)))
_UNRESOLVED = ""  # a rule recognised the expression but cannot give a value: no fallback


# --- tokens -----------------------------------------------------------------------------------

def _canonical(token: str) -> str:
    """Strip attached clitics (و ف ب ل ك, لل→ال) when that yields a lexicon word."""
    if token in VOCABULARY or token.isdigit():
        return token
    candidates = ["ال" + token[2:]] if token.startswith("لل") else []
    rest = token
    for _ in range(2):  # at most two clitics: وب، فل
        if rest[:1] in "وفبلك" and len(rest) > 3:
            rest = rest[1:]
            candidates.append(rest)
    return next((c for c in candidates if c in VOCABULARY), token)


def tokenize(text: str) -> list[str]:
    """Normalised, clitic-stripped tokens; digits split from letters; multiword names joined."""
    words = " ".join(_canonical(t) for t in re.findall(r"\d+|[^\W\d_]+", normalize_key(text)))
    return _PHRASE_RE.sub(lambda m: PHRASES[m[1]], words).split()


# --- small helpers ------------------------------------------------------------------------------

def _direction(toks: list[str], i: int) -> str | None:
    """'past' / 'future' / 'current' from a modifier within three words after position i."""
    found = next((DIRECTIONS[t] for t in toks[i + 1:i + 4] if t in DIRECTIONS), None)
    return found or ("current" if i > 0 and toks[i - 1] in THIS else None)


def _day_before(toks: list[str], i: int) -> int | None:
    """The day of month written before position i: digits, an ordinal phrase, غرة or أول."""
    j = i - 1
    while j >= 0 and toks[j] in SKIP_BEFORE_MONTH:
        j -= 1
    t = toks[j] if j >= 0 else ""
    if t in ("اول", "غره"):  # أول مايو، غرة (شهر) رمضان
        return 1
    if t.isdigit():
        return int(t) if len(t) <= 2 and 1 <= int(t) <= 31 else None
    day, start = None, j
    if t in ORDINAL_TENS:
        day = ORDINAL_TENS[t]
        if j > 0 and toks[j - 1] in ORDINALS:
            day, start = day + ORDINALS[toks[j - 1]], j - 1
    elif t in ("عشر", "عشره") and j > 0 and toks[j - 1] in ORDINALS:
        day, start = 10 + ORDINALS[toks[j - 1]], j - 1
    elif t in ORDINALS:
        day = ORDINALS[t]
    if day is None or (start > 0 and toks[start - 1] in NOT_DAY_HEADS):
        return None
    return day


def _pick_year(ref_year: int, ref: tuple[int, int], target: tuple[int, int], direction: str | None,
               valid: Callable[[int], bool]) -> int:
    """The year that puts (month, day) `target` where `direction` says relative to `ref`.

    No direction means the most recent occurrence on or before ref (news reports the past).
    """
    if direction == "current":
        return ref_year
    step = 1 if direction == "future" else -1
    this_year = {"future": target > ref, "past": target < ref}.get(direction or "", target <= ref)
    year = ref_year if this_year else ref_year + step
    for _ in range(8):  # 29 February: walk to a year where the date exists
        if valid(year):
            return year
        year += step
    return year


def _valid_day(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
        return True
    except ValueError:
        return False


def _explicit_year(toks: list[str], lo: int = 1800, hi: int = 2200) -> int | None:
    return next((int(t) for t in toks if len(t) == 4 and t.isdigit() and lo <= int(t) <= hi), None)


def _unit_year(toks: list[str], doc_date: dt.date | None) -> int | str | None:
    """Year given by العام/السنة + modifier (13 مايو من العام الماضي); _UNRESOLVED without doc."""
    for i, t in enumerate(toks):
        if UNITS.get(t) == "year":
            offset = {"past": -1, "future": 1}.get(_direction(toks, i) or "current", 0)
            return doc_date.year + offset if doc_date else _UNRESOLVED
    return None


def _ymd(y: int, m: int, d: int | None) -> str:
    return f"{y:04d}-{m:02d}" if d is None else dt.date(y, m, d).isoformat()


def _iso_week(d: dt.date) -> str:
    iso = d.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


# --- expression families (each: None = not mine, _UNRESOLVED = mine but no value) ------------

_NUMERIC = [
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})(?![\d/])"), "dm"),
]


def numeric_date(text: str, doc_date: dt.date | None) -> str | None:
    """14/3/2023, 2023-03-14, ١٤/٣/٢٠٢٣ (day first, as written in Arabic news), 14/3."""
    key = normalize_key(text)
    for pattern, order in _NUMERIC:
        m = pattern.search(key)
        if not m:
            continue
        nums = [int(g) for g in m.groups()]
        if order == "ymd":
            y, mo, d = nums
        elif order == "dmy":
            d, mo, y = nums
            y += 2000 if y < 100 else 0
        else:  # no year: infer it like "14 مارس"
            (d, mo), y = nums, 2000
            if not doc_date or not _valid_day(2000, mo, d):  # 2000: a leap year admits 29/2
                return _UNRESOLVED
            y = _pick_year(doc_date.year, (doc_date.month, doc_date.day), (mo, d), None,
                           lambda yy: _valid_day(yy, mo, d))
        return _ymd(y, mo, d) if _valid_day(y, mo, d) else _UNRESOLVED
    return None


def gregorian_month(toks: list[str], doc_date: dt.date | None) -> str | None:
    """Egyptian, Levantine and Maghrebi month names, with or without a day and a year."""
    i = next((k for k, t in enumerate(toks) if t in GREGORIAN_MONTHS), None)
    if i is None:
        return None
    month, day = GREGORIAN_MONTHS[toks[i]], _day_before(toks, i)
    year = _explicit_year(toks) or _unit_year(toks, doc_date)
    if year == _UNRESOLVED or (year is None and doc_date is None):
        return _UNRESOLVED
    if year is None:
        while i + 1 < len(toks) and toks[i + 1] in GREGORIAN_MONTHS:  # مايو/ أيار الماضي
            i += 1
        wd = next((WEEKDAYS[t] for t in toks if t in WEEKDAYS), None)
        # "الاثنين 24 أكتوبر": the one year around doc_date whose 24 October is a Monday
        fits = [y for y in range(doc_date.year - 1, doc_date.year + 2) if wd is not None and day
                and _valid_day(y, month, day) and dt.date(y, month, day).weekday() == wd]
        year = fits[0] if fits else _pick_year(
            doc_date.year, (doc_date.month, doc_date.day if day else 0), (month, day or 0),
            _direction(toks, i), lambda y: day is None or _valid_day(y, month, day))
    if day is not None and not _valid_day(year, month, day):
        return _UNRESOLVED
    return _ymd(year, month, day)


def hijri_month(toks: list[str], doc_date: dt.date | None) -> str | None:
    """Hijri (Umm al-Qura) month with optional day and year → Gregorian day, or month of day 1."""
    i = next((k for k, t in enumerate(toks) if t in HIJRI_MONTHS), None)
    if i is None:
        return None
    month, day = HIJRI_MONTHS[toks[i]], _day_before(toks, i)
    try:
        year = _explicit_year(toks, 1300, 1600)
        if year is None:
            if doc_date is None:
                return _UNRESOLVED
            ref = Gregorian.fromdate(doc_date).to_hijri()
            year = _pick_year(ref.year, (ref.month, ref.day if day else 0), (month, day or 0),
                              _direction(toks, i), lambda y: True)
        g = Hijri(year, month, day or 1).to_gregorian()
    except (ValueError, OverflowError):  # day 30 of a 29-day month; outside Umm al-Qura tables
        return _UNRESOLVED
    return _ymd(g.year, g.month, None if day is None else g.day)


def relative_day(toks: list[str], doc_date: dt.date | None) -> str | None:
    """اليوم، أمس، أول من أمس، غداً، بعد غد (a weekday next to them adds nothing)."""
    offset = next((RELATIVE_DAYS[t] for t in toks if t in RELATIVE_DAYS), None)
    if offset is None:
        return None
    return (doc_date + dt.timedelta(days=offset)).isoformat() if doc_date else _UNRESOLVED


def weekday(toks: list[str], doc_date: dt.date | None) -> str | None:
    """A weekday: latest on or before doc_date; strictly before with الماضي, after with المقبل."""
    for i, t in enumerate(toks):
        wd = WEEKDAYS.get(t, BARE_WEEKDAYS.get(t) if i > 0 and toks[i - 1] == "يوم" else None)
        if wd is None:
            continue
        if doc_date is None:
            return _UNRESOLVED
        back = (doc_date.weekday() - wd) % 7
        direction = _direction(toks, i)
        if direction == "future":
            return (doc_date + dt.timedelta(days=(wd - doc_date.weekday() - 1) % 7 + 1)).isoformat()
        if direction == "past" and back == 0:
            back = 7
        return (doc_date - dt.timedelta(days=back)).isoformat()
    return None


def explicit_year(toks: list[str], doc_date: dt.date | None) -> str | None:
    """2021، عام 2019، 2019م; a Hijri year alone (1444 هـ) spans two Gregorian years: no value."""
    year = _explicit_year(toks)
    if year is not None:
        return f"{year:04d}"
    return _UNRESOLVED if _explicit_year(toks, 1300, 1600) and "ه" in toks else None


def relative_unit(toks: list[str], doc_date: dt.date | None) -> str | None:
    """الأسبوع/الشهر/العام + الماضي/الجاري/المقبل/هذا; the last unit named is the container."""
    found = [(k, UNITS[t]) for k, t in enumerate(toks) if t in UNITS]
    if not found:
        return None
    if doc_date is None:
        return _UNRESOLVED
    i, unit = found[-1]
    offset = {"past": -1, "future": 1}.get(_direction(toks, i) or "current", 0)
    if unit == "week":
        return _iso_week(doc_date + dt.timedelta(weeks=offset))
    if unit == "year":
        return f"{doc_date.year + offset:04d}"
    y, m0 = divmod(doc_date.year * 12 + doc_date.month - 1 + offset, 12)
    day = _day_before(toks, i)  # 13 من الشهر الجاري
    return _ymd(y, m0 + 1, day) if day is None or _valid_day(y, m0 + 1, day) else _UNRESOLVED


# Most specific first: an explicit month beats اليوم/a weekday, a weekday beats الأسبوع.
FAMILIES: tuple[Callable[[list[str], dt.date | None], str | None], ...] = (
    gregorian_month, hijri_month, relative_day, weekday, explicit_year, relative_unit)


# --- fallback -------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _parser(doc_date: dt.date):
    return DateDataParser(languages=["ar"], settings={
        "RELATIVE_BASE": dt.datetime(doc_date.year, doc_date.month, doc_date.day),
        "PREFER_DATES_FROM": "past"})


def _fallback(text: str, toks: list[str], doc_date: dt.date | None) -> str | None:
    """dateparser, only with a doc_date (otherwise it would read the clock) and not on durations."""
    if DateDataParser is None or doc_date is None:
        return None
    if any(t in NOT_DATES for t in toks) and not any(t in AGO for t in toks):
        return None
    try:
        data = _parser(doc_date).get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd input; a fallback must not
        return None
    if data.date_obj is None:
        return None
    d = data.date_obj.date()
    coarse = {"year": f"{d.year:04d}", "month": _ymd(d.year, d.month, None), "week": _iso_week(d)}
    return coarse.get(data.period, d.isoformat())


@lru_cache(maxsize=65536)  # news repeats the same few date phrases; the rules are pure
def resolve_date(text: str, doc_date: dt.date | None) -> str | None:
    """The ISO value of a DATE span resolved against the publication date, or None."""
    toks = tokenize(text)
    value = numeric_date(text, doc_date)
    if value is None:
        value = next((v for f in FAMILIES if (v := f(toks, doc_date)) is not None), None)
    if value is None:  # no rule recognised anything: only then ask dateparser
        value = _fallback(text, toks, doc_date)
    return value or None
