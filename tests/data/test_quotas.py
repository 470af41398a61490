"""Tests of the corpus quota table (data/quotas.py): each counter on hand-made records."""

from __future__ import annotations

from pathlib import Path

import pytest

from hatif.data.quotas import (END, START, call_construction, cue_groups, date_features, format_markdown,
                               format_stats_markdown, load_cues, orthography_counts, quota_table,
                               read_people, trigger_lemma, write_readme_section)
from hatif.data.records import Record
from hatif.data.stats import compute_stats
import helpers


def make_record(text: str, spans: list[tuple], relations: list[tuple] = (), rid: str = "q-001-s00") -> Record:
    return helpers.make_record(text, spans, relations, rid, polarity="asserted")


def rows_by_name(rows: list[dict]) -> dict[str, dict]:
    return {r["quota"]: r for r in rows}


@pytest.mark.parametrize("text,groups", [
    ("وبحث الجانبان خلال اجتماعهما في الرياض", {"meeting"}),
    ("وشهدت الاجتماعات الثلاثة تقدماً", {"meeting"}),
    ("مع مراعاة التباعد الاجتماعي", set()),
    ("وخلال زيارته إلى القاهرة", {"visit"}),
    ("ويزور ماكرون بيروت", {"visit"}),
    ("وبعث برقيةً إلى الرئيس", {"letter"}),
    ("وقال في مؤتمرٍ صحفيّ مشترك", {"press conference"}),
    ("ودعا المبعوث الأممي إلى تنفيذ الاتفاق", {"call to"}),
    ("أعلنت هيئة الاتصالات", {"statement", "telecom", "contact"}),
    ("وأبقى البلدان على قنوات الاتصال مفتوحة", {"contact"}),
    ("عبر الخط الساخن بين الجيشين", {"hotline"}),
    ("وصل الوفد إلى المطار", set()),
])
def test_cue_groups_match_inflected_forms(text, groups):
    assert cue_groups(text, load_cues()) == groups


@pytest.mark.parametrize("text,lemma", [
    ("اتصالاً هاتفياً", "اتصال هاتفي"), ("الاتصالات الهاتفية", "اتصال هاتفي"), ("اتصـــالاً", "اتصال"),
    ("اتصالًا هاتفيًا", "اتصال هاتفي"), ("بالاتصال", "اتصال"), ("يتحدثان هاتفيا", "تحدث هاتفي"),
    ("سيتحدث هاتفياً", "تحدث هاتفي"), ("تحدثت", "تحدث"), ("يتصل", "اتصل"), ("واتصلت", "اتصل"),
    ("المكالمتين", "مكالم"), ("مكالمة", "مكالم"), ("هاتفه", "هاتف"), ("يهاتفون", "هاتف"),
    ("اتصالاً عبر الفيديو", "اتصال عبر فيديو"), ("يتباحثان هاتفياً", "تباحث هاتفي")])
def test_trigger_lemma(text, lemma):
    assert trigger_lemma(text) == lemma


@pytest.mark.parametrize("text,spans,relations,construction", [
    ("تلقى شكري اتصالاً هاتفياً من الصفدي", [("PERSON", "شكري"), ("TRIGGER", "اتصالاً هاتفياً"),
                                           ("PERSON", "الصفدي")], [(2, 1, "callee"), (2, 3, "caller")],
     ("تلقى", "اتصال هاتفي", "من")),
    ("أجرى بلينكن اتصالات هاتفية مع كل من شكري والصفدي", [("PERSON", "بلينكن"), ("TRIGGER", "اتصالات هاتفية"),
                                                        ("PERSON", "شكري"), ("PERSON", "الصفدي")],
     [(2, 1, "caller"), (2, 3, "callee"), (2, 4, "callee")], ("أجرى/جرى", "اتصال هاتفي", "مع كل من")),
    ("اتصل ماكرون بشولتس", [("TRIGGER", "اتصل"), ("PERSON", "ماكرون"), ("PERSON", "شولتس")],
     [(1, 2, "caller"), (1, 3, "callee")], ("-", "اتصل", "ب-")),
    ("جرى اتصال هاتفي بين بوتين وأردوغان", [("TRIGGER", "اتصال هاتفي"), ("PERSON", "بوتين"), ("PERSON", "أردوغان")],
     [(1, 2, "caller"), (1, 3, "callee")], ("أجرى/جرى", "اتصال هاتفي", "بين")),
    ("تحدث أوستن ونظيره الروسي شويغو", [("TRIGGER", "تحدث"), ("PERSON", "أوستن"), ("PERSON", "شويغو")],
     [(1, 2, "caller"), (1, 3, "callee")], ("-", "تحدث", "نظير")),
    ("ووصف المكالمة بأنها بناءة", [("TRIGGER", "المكالمة")], [], ("-", "مكالم", "no party")),
])
def test_call_construction(text, spans, relations, construction):
    rec = make_record(text, spans, relations)
    trigger = next(e for e in rec.entities if e.label == "TRIGGER")
    assert call_construction(rec, trigger) == construction


@pytest.mark.parametrize("text,kinds", [
    ("اليوم الأحد", {"weekday", "relative day"}), ("يوم الثلاثاء", {"weekday"}),
    ("10 مارس/ آذار الماضي", {"day + double month"}), ("١٠ مارس", {"Arabic-Indic digits"}),
    ("15 رمضان 1444هـ", {"Hijri"}), ("مايو/ أيار الماضي", {"month only"}),
    ("الشهر الماضي", {"الشهر الماضي"}), ("أواخر مايو الماضي", {"منتصف/أواخر + month"}),
    ("منتصف ديسمبر/ كانون الأول", {"منتصف/أواخر + month"}), ("العاشر من مارس/ آذار", {"day + double month"}),
    ("الأسبوع المقبل", set())])
def test_date_features(text, kinds):
    assert date_features(text) == kinds


def test_orthography_counts():
    recs = [make_record("أجرى اتصالاً مع إردوغان وأجرى اتصالا مع أردوغان", []),
            make_record("الاتصـــال عبر Zoom", [])]
    counts = orthography_counts(recs)
    assert counts == {"اتصال forms with tanween/diacritics": 1, "accusative اتصالا without tanween": 1,
                      "hamza variants": 1, "tatweel": 1, "Latin letters": 1}


FIXTURE = [
    # two separate calls, one with two callees; a negated one
    make_record("اتصل بايدن بشي، فيما اتصل بلينكن بكل من وانغ يي ولافروف، ولم يجر أي اتصال مع كيم.",
                [("TRIGGER", "اتصل"), ("PERSON", "بايدن"), ("PERSON", "شي"), ("TRIGGER", "اتصل"),
                 ("PERSON", "بلينكن"), ("PERSON", "وانغ يي"), ("PERSON", "لافروف"),
                 ("TRIGGER", "اتصال", "negated"), ("PERSON", "كيم")],
                [(1, 2, "caller"), (1, 3, "callee"), (4, 5, "caller"), (4, 6, "callee"), (4, 7, "callee"),
                 (8, 9, "callee")], rid="q-001-s00"),
    make_record("والتقى نظيره الروسي ماكرون في باريس يوم الأحد.",
                [("PERSON", "ماكرون"), ("DATE", "يوم الأحد", "2023-04-02")], rid="q-001-s01"),
    make_record("وقال الوزير إن المحادثات ستستمر.", [], rid="q-001-s02"),
    make_record("ومن المقرر أن يتحدث بايدن هاتفياً مع نظيره الصيني.",
                [("TRIGGER", "يتحدث", "hypothetical")], rid="q-002-s00"),
]


def test_quota_table_counters(tmp_path: Path):
    tsv = tmp_path / "people.tsv"
    tsv.write_text("name\tcountry or body\trole\nبايدن\tالولايات المتحدة\tالرئيس\n"
                   "شي\tالصين\tالرئيس\nوانغ يي\tالصين\tوزير\nغوتيريش\tالأمم المتحدة\tالأمين العام\n",
                   encoding="utf-8")
    rows = rows_by_name(quota_table(FIXTURE, [tsv]))
    measured = {name: row["measured"] for name, row in rows.items()}
    assert measured["articles"] == 2 and measured["sentences"] == 4
    assert measured["articles with 5–12 sentences"] == 0 and not rows["articles with 5–12 sentences"]["ok"]
    assert measured["sentences with a call event"] == 2
    assert measured["sentences without a call event"] == 2
    assert measured["hard negatives"] == 2  # التقى; المحادثات
    assert measured["negated + hypothetical triggers"] == 2
    assert measured["distinct call constructions"] == 4  # اتصل ب-, اتصل بكل من, اتصال مع, تحدث without parties
    assert measured["sentences with two separate calls"] == 1
    assert measured["sentences with one call and 2–4 callees"] == 1
    assert measured["distinct people"] == 7
    assert measured["distinct countries/bodies"] == 3
    assert measured["date kind: weekday"] == 1 and measured["date kind: Hijri"] == 0
    assert not rows["date kind: Hijri"]["ok"] and rows["date kind: weekday"]["ok"]
    assert all(set(r) == {"quota", "required", "measured", "ok"} for r in rows.values())


def test_read_people_skips_header_and_comments(tmp_path: Path):
    tsv = tmp_path / "people.tsv"
    tsv.write_text("# batch 1\nname\tcountry or body\trole\nبايدن\tالولايات المتحدة\n\n", encoding="utf-8")
    assert read_people([tsv]) == [("بايدن", "الولايات المتحدة", "")]


def test_format_markdown():
    table = format_markdown([{"quota": "articles", "required": "≥ 150", "measured": 155, "ok": True},
                             {"quota": "sentences", "required": "≥ 1200", "measured": 3, "ok": False}])
    lines = table.splitlines()
    assert lines[0] == "| quota | required | measured | ok |"
    assert lines[2] == "| articles | ≥ 150 | 155 | ✓ |" and lines[3].endswith("| ✗ |")
    assert "| sentences | 4 |" in format_stats_markdown(compute_stats(FIXTURE))


def test_write_readme_section(tmp_path: Path):
    readme = tmp_path / "README.md"
    write_readme_section(readme, {"Quotas": "TABLE1", "Train split": "TRAIN1", "Dev split": "DEV1"})
    first = readme.read_text(encoding="utf-8")
    assert first.startswith("# Data\n") and START in first and END in first and "TABLE1" in first
    readme.write_text("# Data\n\nintro\n\n" + first[first.index(START):] + "\n## After\n", encoding="utf-8")
    write_readme_section(readme, {"Quotas": "TABLE2", "Train split": "TRAIN2", "Dev split": "DEV2"})
    second = readme.read_text(encoding="utf-8")
    assert "intro" in second and second.endswith("\n## After\n")
    assert "TABLE2" in second and "TABLE1" not in second and second.count(START) == 1
    readme.write_text("# Data\n\nno markers\n", encoding="utf-8")
    write_readme_section(readme, {"Quotas": "T"})
    assert readme.read_text(encoding="utf-8").startswith("# Data\n\nno markers\n\n" + START)
    readme.write_text(f"{END}\n{START}\n", encoding="utf-8")
    with pytest.raises(ValueError):
        write_readme_section(readme, {"Quotas": "T"})
