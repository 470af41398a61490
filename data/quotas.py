"""The corpus quota table: every quota of the authored corpus, measured by code, never typed.

`quota_table` measures the records (and the batches' people.tsv files) against the required
counts; `format_markdown` renders it and `write_readme_section` puts it, with the train and
dev statistics, between the `<!-- quotas:start -->` / `<!-- quotas:end -->` markers of
corpus/README.md.
"""

from __future__ import annotations

from collections import Counter

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from hatif.text.arabic import DIACRITICS, TATWEEL, normalize_key, normalize_name, strip_marks
from .augment import PART_KEYS, is_title_phrase
from hatif.text.dates import DIRECTIONS, GREGORIAN_MONTHS, HIJRI_MONTHS, ORDINALS, RELATIVE_DAYS, WEEKDAYS, tokenize
from .jsonl import atomic_writer
from .records import Entity, Record

CUES_PATH = Path(__file__).with_name("hard_negative_cues.txt")
START, END = "<!-- quotas:start -->", "<!-- quotas:end -->"

_CLITICS = ["", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك"]
_PREFIXES = {c + a for c in _CLITICS for a in ("", "ال")} | {"لل", "ولل", "فلل"}
_VERB_PREFIXES = {c + v for c in ("", "و", "ف") for v in ("ي", "ت", "ن", "سي", "ست", "سن")}
# No nisba ي: اجتماعي (social) is no meeting.
_SUFFIXES = set("ا ان ين ون وا ات ه ها هما هم ت تا تم نا اه ته تها تهم تهما تين تان اته اتها "
                "اتهم اتهما".split()) | {""}
_GAP = 4  # a multiword cue's next word may come up to this many words later (دعا المبعوث إلى)
_WORD = re.compile(r"[^\s\d.,،؛:!?؟\"'«»“”()\[\]/\-–]+")


class Cue(NamedTuple):
    group: str
    words: tuple[str, ...]  # normalize_key forms
    verbal: bool


def load_cues(path: Path = CUES_PATH) -> list[Cue]:
    """The hard-negative cue lexicon: `group<TAB>cue[<TAB>v]` lines, # comments."""
    cues = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            group, cue, *flags = line.split("\t")
            cues.append(Cue(group, tuple(normalize_key(cue).split()), "v" in flags))
    return cues


@lru_cache(maxsize=None)
def _stems(word: str) -> frozenset[tuple[str, bool]]:
    """(stem, needed a verbal prefix) for every clitic/prefix + suffix reading of a key word."""
    found = set()
    for verbal, prefixes in ((False, _PREFIXES), (True, _VERB_PREFIXES)):
        for p in prefixes:
            if word.startswith(p):
                rest = word[len(p):]
                found.update((rest[:len(rest) - len(s)], verbal) for s in _SUFFIXES
                             if rest.endswith(s) and len(rest) - len(s) >= 2)
    return frozenset(found)


def _word_matches(word: str, cue_word: str, verbal: bool) -> bool:
    stems = {cue_word} | ({cue_word[:-1]} if cue_word.endswith("ه") else set())  # ة → ت/ات
    return any(stem in stems and (verbal or not needs_v) for stem, needs_v in _stems(word))


def cue_groups(text: str, cues: Sequence[Cue]) -> set[str]:
    """The groups of the cues found in `text` (normalize_key'd, clitics and endings allowed)."""
    words = normalize_key(text).split()
    words = [w.strip(".,،؛:!?؟\"'«»“”()") for w in words]
    hits = set()
    for cue in cues:
        for i, word in enumerate(words):
            pos = i if _word_matches(word, cue.words[0], cue.verbal) else None
            for cue_word in cue.words[1:]:
                pos = next((k for k in range(pos + 1, min(pos + 1 + _GAP, len(words)))
                            if _word_matches(words[k], cue_word, cue.verbal)), None) if pos is not None else None
            if pos is not None:
                hits.add(cue.group)
                break
    return hits


# --- call constructions -----------------------------------------------------------------------

_LEMMA_SUFFIXES = sorted("تين تان هما ات ان ين ون وا ها ه ا ت".split(), key=len, reverse=True)
_IRREGULAR = {"تصل": "اتصل", "تبحث": "بحث"}  # imperfects whose ي/ت is part of the lemma


def _lemma_word(word: str) -> str:
    if word.startswith("و") and len(word) >= 4:
        word = word[1:]
    if word[:1] == "س" and word[1:2] in ("ي", "ت", "ن") and len(word) >= 5:
        word = word[1:]
    article = next((p for p in ("بال", "كال", "فال", "لل", "ال") if word.startswith(p)), None)
    if article and len(word) - len(article) >= 3:
        word = word[len(article):]
    elif word[:2] in ("با", "لا") and len(word) >= 5:  # باتصال، لاتصال
        word = word[1:]
    elif (word[:1] == "ي" or word[:2] == "تت") and len(word) >= 4:
        word = word[1:]
    for _ in range(2):
        suffix = next((s for s in _LEMMA_SUFFIXES if word.endswith(s) and len(word) - len(s) >= 3), None)
        if suffix:
            word = word[:-len(suffix)]
    return _IRREGULAR.get(word, word)


def trigger_lemma(text: str) -> str:
    """A trigger's words without marks, tatweel, و/س/ال/بال/لل, ي of the imperfect, tanween
    alif and endings: اتصالاً هاتفياً, الاتصالات الهاتفية → اتصال هاتفي; يتحدثان → تحدث."""
    return " ".join(_lemma_word(w) for w in normalize_key(text).split())


def _governor(text_before: str) -> str:
    for word in reversed(normalize_key(text_before).split()[-3:]):
        word = word[1:] if word[:1] in "وف" and len(word) > 3 else word
        if word.startswith(("تلق", "يتلق")):
            return "تلقى"
        if word in {"اجري", "يجري", "تجري", "اجرت", "اجريا", "اجروا", "جري", "جرت", "اجراء", "باجراء"}:
            return "أجرى/جرى"
        if word in {"تم", "يتم", "تمت"}:
            return "تم"
    return "-"


def _linker(record: Record, trigger: Entity, parties: list[Entity]) -> str:
    after = [p for p in parties if p.start >= trigger.end]
    if not after:
        return "parties before" if parties else "no party"
    window = record.text[trigger.end:max(p.start for p in after)]
    words = normalize_key(window).split()
    joined = " " + " ".join(words) + " "
    for key, found in (("مع كل من", " مع كل من " in joined or " بكل من " in joined),
                       ("بين", any(w in ("بين", "وبين") for w in words)),
                       ("نظير", any(w.startswith(("نظير", "ونظير")) for w in words)),
                       ("مع", any(w in ("مع", "ومع") for w in words)),
                       ("من", "من" in words), ("إلى", "الي" in words)):
        if found:
            return key
    for p in after:  # اتصل X بـY: the preposition is a clitic on the party's word
        if p.start >= 1 and record.text[p.start - 1] in "بل" and (
                p.start == 1 or not record.text[p.start - 2].isalpha()):
            return record.text[p.start - 1] + "-"
    return "direct"


def call_construction(record: Record, trigger: Entity) -> tuple[str, str, str]:
    """(governor, trigger lemma, linker) of one trigger; see `quota_table`."""
    tails = {r.tail for r in record.relations if r.head == trigger.id and r.label in ("caller", "callee")}
    parties = [e for e in record.entities if e.id in tails]
    return (_governor(record.text[:trigger.start]), trigger_lemma(trigger.text),
            _linker(record, trigger, parties))


# --- dates and orthography --------------------------------------------------------------------

_PAST = {w for w, d in DIRECTIONS.items() if d == "past"}
DATE_KINDS = ("weekday", "relative day", "day + double month", "Hijri", "month only",
              "الشهر الماضي", "منتصف/أواخر + month", "Arabic-Indic digits")


def date_features(text: str) -> set[str]:
    """Which of DATE_KINDS a DATE span shows (a span can show several)."""
    toks = tokenize(text)
    months = [t for t in toks if t in GREGORIAN_MONTHS]
    has_day = any(t.isdigit() and len(t) <= 2 for t in toks) or any(
        t in ORDINALS or t in ("اول", "غره") for t in toks)
    found = {
        "weekday": any(t in WEEKDAYS for t in toks) or "يوم" in toks,
        "relative day": any(t in RELATIVE_DAYS for t in toks),
        "day + double month": len(months) >= 2 and has_day,
        "Hijri": any(t in HIJRI_MONTHS for t in toks),
        "month only": bool(months) and not has_day and not PART_KEYS & set(toks),
        "الشهر الماضي": any(t == "الشهر" and nxt in _PAST for t, nxt in zip(toks, toks[1:])),
        "منتصف/أواخر + month": bool(months) and bool(PART_KEYS & set(toks)),
        "Arabic-Indic digits": bool(re.search("[٠-٩۰-۹]", text)),
    }
    return {kind for kind, yes in found.items() if yes}


def orthography_counts(records: Iterable[Record]) -> dict[str, int]:
    """Counts of the spelling variation the model must see (words are whitespace tokens)."""
    counts = dict.fromkeys(("اتصال forms with tanween/diacritics", "accusative اتصالا without tanween",
                            "hamza variants", "tatweel", "Latin letters"), 0)
    spellings: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        counts["Latin letters"] += bool(re.search("[A-Za-z]", rec.text))
        for word in _WORD.findall(rec.text):
            key = normalize_key(word)
            counts["tatweel"] += TATWEEL in word
            if "اتصال" in key:
                marked = bool(DIACRITICS.search(word))
                counts["اتصال forms with tanween/diacritics"] += marked
                counts["accusative اتصالا without tanween"] += key.endswith("اتصالا") and not marked
            if re.search("[أإآٱ]", word) or "ا" in word:
                # Only alef/hamza differences are left: other letters and marks are unified.
                spellings[key].add(strip_marks(word).translate(str.maketrans("ىة", "يه")))
    counts["hamza variants"] = sum(len(forms) > 1 for forms in spellings.values())
    return counts


# --- the table --------------------------------------------------------------------------------

def read_people(paths: Iterable[Path]) -> list[tuple[str, str, str]]:
    """(name, country or body, role) rows of people.tsv files; a 'name' header is skipped."""
    rows = []
    for path in sorted(Path(p) for p in paths):
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = [c.strip() for c in line.split("\t")]
            if line.strip() and not line.startswith("#") and cols[0] != "name":
                rows.append(tuple((cols + ["", ""])[:3]))
    return rows


def find_people_tsvs(root: Path) -> list[Path]:
    """The people.tsv of every batch folder under `root` (corpus/authored)."""
    return sorted(Path(root).glob("**/people.tsv"))


def _row(quota: str, measured: int, minimum: int | None = None, required: str | None = None,
         ok: bool | None = None) -> dict[str, Any]:
    return {"quota": quota, "required": required or f"≥ {minimum}", "measured": measured,
            "ok": ok if ok is not None else measured >= (minimum or 0)}


def quota_table(records: Iterable[Record], people_tsvs: list[Path]) -> list[dict[str, Any]]:
    """Rows {quota, required, measured, ok} measuring the corpus against its quotas.

    - sentences with / without a call event: with at least one TRIGGER / with none.
    - hard negatives: sentences with no TRIGGER that contain a cue of data/hard_negative_cues.txt
      (meeting, visit, letter, cable, statement, press conference, دعا إلى, telecom, general
      contact, hotline, phone words), matched on normalize_key'd words with clitics and endings.
    - negated + hypothetical triggers: TRIGGER spans with either polarity.
    - distinct call constructions: distinct (governor, lemma, linker) triples over all triggers.
      The lemma is `trigger_lemma` (marks, tatweel, tanween alif, و/س/ال/لل, the ي of the
      imperfect and inflectional endings removed: اتصالاً هاتفياً = الاتصالات الهاتفية). The
      governor is the light verb in the three words before the trigger (تلقى, أجرى/جرى, تم, or
      -). The linker is how the parties after the trigger attach, first found of: مع كل من,
      بين, نظيره, مع, من, إلى, a clitic ب/ل on a party, direct; or "parties before" / "no party".
    - two separate calls: sentences with ≥ 2 triggers that each have a caller or callee.
    - one call, 2–4 callees: sentences with a trigger having 2 to 4 callee relations.
    - distinct people: normalize_name of PERSON texts that are names, not titles.
    - distinct countries/bodies: normalize_name of column 2 of the people.tsv files.
    - date kinds: DATE spans showing each kind (`date_features`); orthography: see
      `orthography_counts` (hamza variants = words met in two or more alef/hamza spellings).
    """
    records = list(records)
    by_doc: dict[str, int] = defaultdict(int)
    for rec in records:
        by_doc[rec.doc_id] += 1
    cues = load_cues()
    with_call = hard = negpos = two_calls = multi_callee = 0
    constructions, people, dates, topics = set(), set(), defaultdict(int), 0
    for rec in records:
        triggers = [e for e in rec.entities if e.label == "TRIGGER"]
        with_call += bool(triggers)
        hard += not triggers and bool(cue_groups(rec.text, cues))
        negpos += sum(t.polarity in ("negated", "hypothetical") for t in triggers)
        roles = defaultdict(lambda: defaultdict(int))
        for rel in rec.relations:
            roles[rel.head][rel.label] += 1
        two_calls += sum(roles[t.id]["caller"] + roles[t.id]["callee"] > 0 for t in triggers) >= 2
        multi_callee += any(2 <= roles[t.id]["callee"] <= 4 for t in triggers)
        constructions.update(call_construction(rec, t) for t in triggers)
        for ent in rec.entities:
            if ent.label == "PERSON" and not is_title_phrase(ent.text):
                people.add(normalize_name(ent.text))
            elif ent.label == "DATE":
                for kind in date_features(ent.text):
                    dates[kind] += 1
            topics += ent.label == "TOPIC"
    bodies = {normalize_name(body) for _, body, _ in read_people(people_tsvs) if body}
    in_range = sum(5 <= n <= 12 for n in by_doc.values())
    rows = [
        _row("articles", len(by_doc), 150),
        _row("sentences", len(records), 1200),
        _row("articles with 5–12 sentences", in_range, required=f"all ({len(by_doc)})",
             ok=bool(by_doc) and in_range == len(by_doc)),
        _row("sentences with a call event", with_call, 700),
        _row("sentences without a call event", len(records) - with_call, 400),
        _row("hard negatives", hard, 150),
        _row("negated + hypothetical triggers", negpos, 60),
        _row("distinct call constructions", len(constructions), 40),
        _row("sentences with two separate calls", two_calls, 50),
        _row("sentences with one call and 2–4 callees", multi_callee, 40),
        _row("distinct people", len(people), 250),
        _row("distinct countries/bodies", len(bodies), 40),
    ]
    rows += [_row(f"date kind: {kind}", dates[kind], 1) for kind in DATE_KINDS]
    rows.append(_row("TOPIC spans", topics, 1))
    rows += [_row(f"orthography: {name}", n, 1) for name, n in orthography_counts(records).items()]
    return rows


def format_markdown(rows: list[dict[str, Any]]) -> str:
    """The quota rows as a Markdown table."""
    lines = ["| quota | required | measured | ok |", "|---|---|---:|:---:|"]
    lines += [f"| {r['quota']} | {r['required']} | {r['measured']} | {'✓' if r['ok'] else '✗'} |"
              for r in rows]
    return "\n".join(lines)


def format_stats_markdown(stats: dict[str, Any]) -> str:
    """`compute_stats` output as a two-column Markdown table."""
    lines = ["| measure | value |", "|---|---:|", f"| documents | {stats['documents']} |",
             f"| sentences | {stats['sentences']} |"]
    for family in ("entities", "relations", "events_by_polarity", "sentences_by_event_count",
                   "sentence_chars", "sentence_words"):
        lines += [f"| {family}: {k} | {v} |" for k, v in stats[family].items()]
    return "\n".join(lines)


def write_readme_section(readme_path: Path, sections: dict[str, str]) -> None:
    """Replace the text between the quota markers of the README with the given ``{heading:
    markdown}`` sections (atomically); create the file or append the markers when missing."""
    readme_path = Path(readme_path)
    parts = "\n\n".join(f"### {title}\n\n{markdown}" for title, markdown in sections.items())
    body = f"{START}\n<!-- generated by code; do not edit by hand -->\n\n{parts}\n{END}"
    old = readme_path.read_text(encoding="utf-8") if readme_path.exists() else "# Data\n"
    if old.count(START) != old.count(END) or old.count(START) > 1 or old.find(START) > old.find(END):
        raise ValueError(f"{readme_path}: the quota markers are unbalanced or repeated")
    if START in old:
        new = old[:old.index(START)] + body + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + body + "\n"
    with atomic_writer(readme_path) as handle:
        handle.write(new)


def real_quota_table(per_split: dict[str, list[Record]], cue_of: dict[str, str],
                     selected: int) -> list[dict[str, Any]]:
    """The floors of the real-news set (issue: 300+ real articles) over its built records.

    ``cue_of`` maps doc_id to the article's call cue; ``selected`` is the number of articles in
    the selection file (every one must be annotated)."""
    records = [r for recs in per_split.values() for r in recs]
    docs = {split: {r.doc_id for r in recs} for split, recs in per_split.items()}
    n_docs = sum(len(d) for d in docs.values())
    with_call = sum(any(e.label == "TRIGGER" for e in r.entities) for r in records)
    negpos = sum(e.label == "TRIGGER" and e.polarity in ("negated", "hypothetical")
                 for r in records for e in r.entities)
    weak_none = sum(cue_of.get(r.doc_id) in ("weak", "none") for r in records)
    test_sents = len(per_split.get("test", []))
    cues = Counter(cue_of.get(doc) for split_docs in docs.values() for doc in split_docs)
    shares = " / ".join(f"{cues[c]} ({cues[c] / max(n_docs, 1):.0%})" for c in ("strong", "weak", "none"))
    return [
        _row("articles annotated", n_docs, required=f"all selected ({selected}), ≥ 300",
             ok=n_docs == selected and n_docs >= 300),
        _row("sentences", len(records), 3000),
        _row("sentences with a call event", with_call, 900),
        _row("negated + hypothetical triggers", negpos, 150),
        _row("sentences in articles with a weak or no call cue", weak_none, 400),
        _row("articles by call cue: strong / weak / none", shares,
             required="65 / 20 / 15 % in the first 300; the extension adds call-rich ones", ok=True),
        _row("test articles", len(docs.get("test", ())), required="≥ 25 % of articles",
             ok=n_docs > 0 and len(docs.get("test", ())) >= 0.25 * n_docs),
        _row("test sentences", test_sents, 750),
        _row("dev articles", len(docs.get("dev", ())), required="≥ 15 % of articles",
             ok=n_docs > 0 and len(docs.get("dev", ())) >= 0.15 * n_docs),
        _row("train articles", len(docs.get("train", ())), required="the rest", ok=True),
    ]
