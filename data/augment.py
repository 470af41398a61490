"""Mention-replacement augmentation of training records: people swapped from a gazetteer of the
training articles, DATE spans regenerated as new dates (values recomputed by `resolve_date`),
TOPIC spans swapped among the corpus's topics; ids, labels, relations and polarity kept.
Deterministic for a seed; every output is validated; gold articles are refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from hijridate import Gregorian

from hatif.text.arabic import TITLE_PHRASE_HEADS, normalize_key, normalize_name
from hatif.text.dates import GREGORIAN_MONTHS, HIJRI_MONTHS, RELATIVE_DAYS, UNITS, WEEKDAYS, resolve_date, tokenize
from .records import Entity, Record
from .training_data import GoldDataError, gold_doc_ids
from .validate import check_record

Edit = tuple[int, int, str]

# أمير is also a given name (أمير عبد اللهيان): a title only before a place (أمير قطر، أمير البلاد).
_BARE_PLACES = set(normalize_key("قطر مصر عمان لبنان تونس ليبيا سوريا فلسطين دبي الشارقة").split())


def is_title_phrase(text: str) -> bool:
    """True for an unnamed party given by title or description (نظيره الروسي، أمير قطر)."""
    toks = normalize_key(text).split()
    if not toks:
        return True
    if toks[0] == "امير":
        return len(toks) == 1 or toks[1].startswith("ال") or toks[1] in _BARE_PLACES
    # المدرب الألماني: a description of ال- words ending in a nisba adjective
    described = len(toks) > 1 and all(t.startswith("ال") for t in toks) and toks[-1].endswith(("ي", "يه"))
    return toks[0] in TITLE_PHRASE_HEADS or described


def _swappable_person(ent: Entity) -> bool:
    return ent.label == "PERSON" and not is_title_phrase(ent.text) and not ent.text.startswith("لل")


@dataclasses.dataclass(frozen=True)
class Gazetteer:
    """Replacement pools: one-word names, names of two words or more, TOPIC texts (sorted)."""

    short_names: tuple[str, ...]
    full_names: tuple[str, ...]
    topics: tuple[str, ...]


def build_gazetteer(records: Iterable[Record]) -> Gazetteer:
    """Named PERSON texts (one spelling per normalised name) and distinct TOPIC texts."""
    names: dict[str, str] = {}
    topics: set[str] = set()
    for rec in records:
        for ent in rec.entities:
            if _swappable_person(ent):
                key = normalize_name(ent.text)
                names[key] = min(names.get(key, ent.text), ent.text)
            elif ent.label == "TOPIC":
                topics.add(ent.text)
    short = tuple(sorted(n for k, n in names.items() if len(k.split()) == 1))
    full = tuple(sorted(n for k, n in names.items() if len(k.split()) > 1))
    return Gazetteer(short, full, tuple(sorted(topics)))


def apply_edits(record: Record, edits: Sequence[Edit]) -> Record:
    """Replace text[start:end] by each edit's string and move every entity span accordingly.

    Edits must not overlap one another; an edit may cover an entity exactly, lie inside one
    or outside all of them, but never cross an entity boundary (ValueError).
    """
    ordered = sorted(edits, key=lambda e: (e[0], e[1]))
    pieces, pos = [], 0
    for start, end, new in ordered:
        if not 0 <= pos <= start <= end <= len(record.text):
            raise ValueError(f"edit [{start},{end}) overlaps another or leaves the text "
                             f"(length {len(record.text)})")
        pieces += [record.text[pos:start], new]
        pos = end
    text = "".join(pieces) + record.text[pos:]
    entities = []
    for ent in record.entities:
        shift_start = shift_end = 0
        for start, end, new in ordered:
            delta = len(new) - (end - start)
            if end <= ent.start:  # before the entity (an insertion at its start too)
                shift_start, shift_end = shift_start + delta, shift_end + delta
            elif start >= ent.end:
                continue
            elif ent.start <= start and end <= ent.end:
                shift_end += delta
            else:
                raise ValueError(f"edit [{start},{end}) crosses entity {ent.id} [{ent.start},{ent.end})")
        new_start, new_end = ent.start + shift_start, ent.end + shift_end
        entities.append(dataclasses.replace(ent, start=new_start, end=new_end, text=text[new_start:new_end]))
    return dataclasses.replace(record, text=text, entities=entities,
                               relations=list(record.relations))


# --- dates ------------------------------------------------------------------------------------

_EGYPTIAN = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()
_LEVANTINE = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
              "تشرين الأول", "تشرين الثاني", "كانون الأول"]
_HIJRI = ["محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب", "شعبان",
          "رمضان", "شوال", "ذو القعدة", "ذو الحجة"]
_WEEKDAYS = "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد".split()  # Monday = 0
_ORDINAL_DAYS = [""] + "الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر".split()
_RELATIVE = {0: "اليوم", -1: "أمس", -2: "أول من أمس", 1: "غداً", 2: "بعد غد"}
_PARTS = ["منتصف", "أواخر", "مطلع", "أوائل", "نهاية", "بداية"]
PART_KEYS = {normalize_key(p) for p in _PARTS} | {"اواسط", "مستهل"}
_UNIT_PHRASES = {("week", -1): ["الأسبوع الماضي"], ("week", 0): ["الأسبوع الجاري", "هذا الأسبوع"],
                 ("week", 1): ["الأسبوع المقبل", "الأسبوع القادم"], ("month", -1): ["الشهر الماضي"],
                 ("month", 0): ["الشهر الجاري", "الشهر الحالي"], ("month", 1): ["الشهر المقبل"],
                 ("year", -1): ["العام الماضي", "السنة الماضية"], ("year", 1): ["العام المقبل"],
                 ("year", 0): ["العام الجاري", "العام الحالي"]}
_TO_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DAY_KINDS = ("relative_day", "weekday", "day_month", "hijri")


class DateVariant(NamedTuple):
    text: str
    value: str
    day: dt.date | None  # the new calendar day, for day-level kinds


def date_kind(text: str, value: str | None) -> str | None:
    """The family a DATE belongs to, as far as it can be regenerated; None when it cannot."""
    if not value:
        return None
    toks = tokenize(text)
    if any(t in HIJRI_MONTHS for t in toks):
        return "hijri" if len(value) == 10 else None
    if any(t in GREGORIAN_MONTHS for t in toks):
        if len(value) == 10:
            return "day_month"
        return ("part_month" if PART_KEYS & set(toks) else "month") if len(value) == 7 else None
    if any(t in RELATIVE_DAYS for t in toks):
        return "relative_day"
    if any(t in WEEKDAYS for t in toks) or "يوم" in toks:
        return "weekday" if len(value) == 10 else None
    if re.fullmatch(r"\d{4}", value) and value in toks:
        return "year"
    return "relative_unit" if any(t in UNITS for t in toks) else None


def _future(value: str, doc: dt.date | None) -> bool:
    if doc is None:
        return False
    if "W" in value:
        return value > f"{doc.isocalendar().year:04d}-W{doc.isocalendar().week:02d}"
    return value > doc.isoformat()[:len(value)]


def _num(n: int, rng: random.Random) -> str:
    return str(n).translate(_TO_INDIC) if rng.random() < 0.2 else str(n)


def _month(m: int, rng: random.Random) -> str:
    eg, lev = _EGYPTIAN[m - 1], _LEVANTINE[m - 1]
    return rng.choice([eg, lev, f"{eg}/ {lev}", f"{lev}/ {eg}", f"{eg}/{lev}"])


def _sample_day(kind: str, future: bool, doc: dt.date | None, rng: random.Random) -> dt.date:
    if doc is None:
        return dt.date(rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28))
    lo, hi = {"relative_day": (1, 2), "weekday": (1, 7)}.get(kind, (1, 120)) if future else \
        {"relative_day": (0, 2), "weekday": (0, 6)}.get(kind, (0, 300))
    days = rng.randint(lo, hi)
    return doc + dt.timedelta(days=days if future else -days)


def _render_day(kind: str, day: dt.date, doc: dt.date | None, rng: random.Random) -> str | None:
    """A surface form of `day` in the given family; None where the family cannot express it."""
    wd = _WEEKDAYS[day.weekday()]
    offset = (day - doc).days if doc else None
    if kind == "relative_day":
        if offset is None or offset not in _RELATIVE:
            return None
        word = _RELATIVE[offset]
        text = word + (f" {wd}" if rng.random() < 0.7 else "")
        if rng.random() < 0.3:
            text = rng.choice(["مساء", "صباح", "فجر"]) + " " + text.replace("غداً", "غد")
        return text
    if kind == "weekday":
        if offset is None or not -6 <= offset <= 7:
            return None
        base = rng.choice([wd, f"يوم {wd}"])
        return base + (" المقبل" if offset > 0 else " الماضي" if offset < 0 and rng.random() < 0.4 else "")
    if kind == "hijri":
        h = Gregorian.fromdate(day).to_hijri()
        text = f"{_num(h.day, rng)} {_HIJRI[h.month - 1]} {_num(h.year, rng)}{rng.choice(['هـ', ' هـ'])}"
        return (f"{wd} " if rng.random() < 0.3 else "") + text
    d = f"{_ORDINAL_DAYS[day.day]} من" if day.day <= 10 and rng.random() < 0.2 else _num(day.day, rng)
    text = f"{d} {_month(day.month, rng)}"
    if doc is None or rng.random() < 0.25 or not -300 <= offset <= 120:
        text += f" {_num(day.year, rng)}"
    elif offset > 0:
        text += " المقبل"
    elif day.month != doc.month and rng.random() < 0.3:
        text += " الماضي"
    return (f"{wd} " if rng.random() < 0.2 else "") + text


def _render_coarse(kind: str, future: bool, doc: dt.date | None, rng: random.Random) -> str | None:
    """A month, part of a month, relative unit or year, on the same side of doc_date."""
    if kind == "relative_unit":
        if doc is None:
            return None
        sign = 1 if future else rng.choice([-1, 0])
        return rng.choice(_UNIT_PHRASES[(rng.choice(["week", "month", "year"]), sign)])
    if kind == "year":
        base = doc.year if doc else rng.randint(2010, 2024)
        year = base + rng.randint(1, 8) if future else base - rng.randint(1 if doc else 0, 12)
        return rng.choice(["عام ", "العام ", ""]) + _num(year, rng)
    if doc is None:
        year, month, suffix = rng.randint(2010, 2024), rng.randint(1, 12), None
    else:
        back = -rng.randint(1, 8) if future else rng.randint(0, 11)
        year, m0 = divmod(doc.year * 12 + doc.month - 1 - back, 12)
        month = m0 + 1
        suffix = "المقبل" if future else "الجاري" if back == 0 else rng.choice(["الماضي", ""])
    text = _month(month, rng) + (f" {suffix}" if suffix else "")
    if suffix is None or rng.random() < 0.2:
        text = f"{_month(month, rng)} {_num(year, rng)}"
    return (rng.choice(_PARTS) + " " + text) if kind == "part_month" else text


def date_variants(text: str, value: str | None, doc_date: str | None, rng: random.Random,
                  k: int = 1, day: dt.date | None = None, tries: int = 8) -> list[DateVariant]:
    """Up to k other surface forms of new dates for a DATE span, values from `resolve_date`.

    The new date keeps the span's family (weekday, relative day, day + month, Hijri, month,
    part of a month, relative unit, year) and its side of doc_date (future stays future), so
    the sentence's tense still fits. `day` forces the calendar day (mentions that denoted the
    same day keep denoting one day). A candidate is kept only when the resolver gives it the
    value it was built for; a leading "في" of the span is kept.
    """
    doc = dt.date.fromisoformat(doc_date) if doc_date else None
    kind = date_kind(text, value)
    if kind is None or (doc is None and kind in ("relative_day", "weekday", "relative_unit")):
        return []
    future = _future(value, doc)
    prefix = "في " if normalize_key(text).startswith("في ") else ""
    found: list[DateVariant] = []
    for _ in range(tries * k):
        target = day or (_sample_day(kind, future, doc, rng) if kind in DAY_KINDS else None)
        new = _render_day(kind, target, doc, rng) if target else _render_coarse(kind, future, doc, rng)
        if new is None:
            if day is not None:
                break
            continue
        new = prefix + new
        new_value = resolve_date(new, doc)
        if new_value is None or (target and new_value != target.isoformat()) or new == text:
            continue
        if all(v.text != new for v in found):
            found.append(DateVariant(new, new_value, target))
        if len(found) == k:
            break
    return found


# --- records ----------------------------------------------------------------------------------

_KIND_ORDER = {kind: n for n, kind in enumerate(DAY_KINDS)}  # most constrained families first
_AUGMENTED_ID = re.compile(r"-aug\d+$")


class AugmentError(ValueError):
    """An augmented record broke the record contract (a bug here, never dropped silently)."""


def _person_edits(record: Record, gazetteer: Gazetteer, rng: random.Random) -> list[Edit]:
    """One replacement per normalised name; a shorter mention of a replaced name (بن فرحان
    after فيصل بن فرحان) takes the matching words of that name's replacement."""
    mentions = sorted((e for e in record.entities if _swappable_person(e)), key=lambda e: e.start)
    present = {normalize_name(e.text) for e in record.entities if e.label == "PERSON"}
    # After an attached ل the article would have to fuse (للفالح), so no ال- names there.
    after_lam = {normalize_name(e.text) for e in mentions if e.start and record.text[e.start - 1] == "ل"}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for key in sorted({normalize_name(e.text) for e in mentions}, key=lambda k: (-len(k.split()), k)):
        toks, choice = key.split(), None
        for longer, repl in mapping.items():
            long_toks, repl_toks = longer.split(), repl.split()
            if len(long_toks) > len(toks) and len(repl_toks) >= len(toks):
                if long_toks[-len(toks):] == toks:
                    choice = " ".join(repl_toks[-len(toks):])
                elif long_toks[:len(toks)] == toks:
                    choice = " ".join(repl_toks[:len(toks)])
            if choice:
                break
        if choice and (normalize_name(choice) in present - {key}
                       or (key in after_lam and choice.startswith("ال"))):
            choice = None
        if choice is None:
            pool = gazetteer.full_names if len(toks) > 1 else gazetteer.short_names
            candidates = [n for n in pool if normalize_name(n) not in present | used
                          and not (key in after_lam and n.startswith("ال"))]
            if not candidates:
                continue
            choice = rng.choice(candidates)
        mapping[key] = choice
        used.add(normalize_name(choice))
    return [(e.start, e.end, mapping[normalize_name(e.text)]) for e in mentions
            if normalize_name(e.text) in mapping]


def _date_edits(record: Record, rng: random.Random) -> tuple[list[Edit], dict[str, str]]:
    """New DATE texts and values; mentions of one text or of one day stay together."""
    dates = [e for e in record.entities if e.label == "DATE"]
    dates.sort(key=lambda e: (_KIND_ORDER.get(date_kind(e.text, e.value) or "", 9), e.start))
    by_text: dict[str, DateVariant] = {}
    by_day: dict[str, dt.date] = {}
    edits, values = [], {}
    for ent in dates:
        variant = by_text.get(ent.text)
        if variant is None:
            same_day = by_day.get(ent.value or "")
            found = date_variants(ent.text, ent.value, record.doc_date, rng, day=same_day)
            if not found:
                continue
            variant = by_text[ent.text] = found[0]
            if variant.day and ent.value and len(ent.value) == 10:
                by_day.setdefault(ent.value, variant.day)
        edits.append((ent.start, ent.end, variant.text))
        values[ent.id] = variant.value
    return edits, values


def _topic_edits(record: Record, gazetteer: Gazetteer, rng: random.Random) -> list[Edit]:
    own = sorted({e.text for e in record.entities if e.label == "TOPIC"})
    others = [t for t in gazetteer.topics if t not in own]
    if not own or not others:
        return []
    mapping = {text: rng.choice(others) for text in own}
    return [(e.start, e.end, mapping[e.text]) for e in record.entities if e.label == "TOPIC"]


def augment_record(record: Record, gazetteer: Gazetteer, rng: random.Random) -> Record | None:
    """A copy of `record` with its people, dates and topics replaced; None if none could be.

    Ids, labels, relations and polarity are kept; DATE values are recomputed.
    """
    date_edits, values = _date_edits(record, rng)
    edits = _person_edits(record, gazetteer, rng) + date_edits + _topic_edits(record, gazetteer, rng)
    edits = [e for e in edits if record.text[e[0]:e[1]] != e[2]]
    if not edits:
        return None
    new = apply_edits(record, edits)
    new.entities = [dataclasses.replace(e, value=values[e.id]) if e.id in values else e
                    for e in new.entities]
    return new


def augment(records: Iterable[Record], copies: int, seed: int,
            forbidden_doc_ids: Iterable[str] = ()) -> list[Record]:
    """`copies` augmented versions of every record that has something to replace.

    Give it only training records (from `load_training_records`): it raises GoldDataError for
    a gold article or one of `forbidden_doc_ids` (the dev split). Ids and doc_ids get the
    suffix `-aug{k}` (k = 1..copies). Each record draws from its own `random.Random` seeded
    with (seed, k, record id), so the output is deterministic for a seed and a record's copies
    do not change when other records are added. Every output is validated (AugmentError).
    """
    if copies < 0:
        raise ValueError(f"copies must be >= 0, got {copies}")
    records = sorted(records, key=lambda r: r.id)
    refused = sorted({r.doc_id for r in records} & (gold_doc_ids() | set(forbidden_doc_ids)))
    if refused:
        raise GoldDataError(f"augmentation is for training records only; refused: {', '.join(refused)}")
    again = [r.id for r in records if _AUGMENTED_ID.search(r.id)]
    if again:
        raise ValueError(f"records already augmented: {', '.join(again[:5])}")
    gazetteer = build_gazetteer(records)
    out: list[Record] = []
    for k in range(1, copies + 1):
        for rec in records:
            new = augment_record(rec, gazetteer, random.Random(f"{seed}:{k}:{rec.id}"))
            if new is None:
                continue
            new = dataclasses.replace(new, id=f"{rec.id}-aug{k}", doc_id=f"{rec.doc_id}-aug{k}",
                                      doc_offset=None)
            problems = check_record(new.to_dict(), "<augment>", 0)
            if problems:
                raise AugmentError("\n".join(str(p) for p in problems))
            out.append(new)
    return out
