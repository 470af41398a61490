"""The rule-based baseline (hatif.rules.extract) on sentences written for these tests.

Most cases run with an empty gazetteer, so they test the rules themselves (titles, clitics,
roles, dates, polarity) rather than names remembered from the training corpus.
"""

from __future__ import annotations

import io

import hashlib
import json
from pathlib import Path

import pytest

from conftest import REPO
from hatif.data.validate import check_record
from hatif.rules.extract import DocContext, extract
from hatif.predict.job import PredictConfig, run_predict
from hatif.rules.gazetteer import NameResources
from hatif.rules.lexicon import tokenize

EMPTY = NameResources()

# sha256 of committed record files and of the rules' predictions on them (`hatif predict --model rules --records`, the
# bytes `hatif predict --model rules --records` writes). Speed-ups must leave the output byte-identical;
# a deliberate change of the rules, lexicon or gazetteer re-records the digests the failure prints.
PINNED_PREDICTIONS = {
    "corpus/dev/corpus.jsonl": ("9b32389a41b2abe0b62967d34859f7d175a2c0e70c5911c8a6b661fbdb3d82df",
                                "c0a48772cddb8a1b0caa3d25b68357d3802c2811f08b0e8414216b2ca1fc82d8"),
    "corpus/gold/seed_articles.jsonl": ("89d379f919cfe1b8607c4e8fbd161862cb0f1cce3a05fabb44c34e9632f9c3ed",
                                        "cf95023a9414b98e8fda2ad5544374d29b38f2d7ac5a5eae658ff288a4849199"),
}

# (text, doc_date, [(trigger text, polarity, callers, callees, date value or None)])
CASES = [
    ("أجرى وزير الخارجية المصري سامح شكري اتصالاً هاتفياً مع نظيره الأردني أيمن الصفدي أمس الاثنين، "
     "بحثا خلاله تطورات الأوضاع في المنطقة.", "2023-03-14",
     [("اتصالاً هاتفياً", "asserted", ["سامح شكري"], ["أيمن الصفدي"], "2023-03-13")]),
    ("تلقى الرئيس الفرنسي إيمانويل ماكرون اتصالاً من المستشار الألماني أولاف شولتس اليوم الجمعة.", "2023-06-16",
     [("اتصالاً", "asserted", ["أولاف شولتس"], ["إيمانويل ماكرون"], "2023-06-16")]),
    ("ومن المقرر أن يجري رئيس الوزراء الياباني فوميو كيشيدا محادثة هاتفية مع الرئيس الكوري الجنوبي "
     "يون سوك يول الأسبوع المقبل.", "2023-06-16",
     [("محادثة هاتفية", "hypothetical", ["فوميو كيشيدا"], ["يون سوك يول"], "2023-W25")]),
    ("ونفى المتحدث باسم الكرملين أن يكون الرئيس الروسي قد أجرى أي اتصال مع نظيره الأوكراني.", "2023-06-16",
     [("اتصال", "negated", ["الرئيس الروسي"], ["نظيره الأوكراني"], None)]),
    ("هاتف العاهل المغربي الملك محمد السادس الرئيس الموريتاني محمد ولد الغزواني مساء أمس.", "2023-06-16",
     [("هاتف", "asserted", ["محمد السادس"], ["محمد ولد الغزواني"], "2023-06-15")]),
    ("جرى اتصال هاتفي بين الرئيس التونسي قيس سعيد والرئيس الجزائري عبد المجيد تبون في 12 مايو/ أيار.", "2023-05-20",
     [("اتصال هاتفي", "asserted", ["قيس سعيد"], ["عبد المجيد تبون"], "2023-05-12")]),
    ("استقبل الرئيس اللبناني ميشال عون في قصر بعبدا وزير الخارجية الفرنسي جان إيف لودريان.", "2023-05-20", []),
    ("وأعلنت وزارة الاتصالات عن توسيع شبكة الهاتف المحمول وقنوات الاتصال في المناطق الريفية.", "2023-05-20", []),
    ("أجرى وزير الدفاع البريطاني غرانت شابس اتصالات هاتفية مع كل من نظيره الفرنسي سيباستيان لوكورنو "
     "ونظيره الألماني بوريس بيستوريوس.", "2023-05-20",
     [("اتصالات هاتفية", "asserted", ["غرانت شابس"], ["سيباستيان لوكورنو", "بوريس بيستوريوس"], None)]),
    ("وتلقى أمير الكويت الشيخ مشعل الأحمد اتصالاً من ولي العهد السعودي، كما هاتفه الرئيس الإماراتي محمد بن زايد.",
     "2023-05-20",
     [("اتصالاً", "asserted", ["ولي العهد السعودي"], ["مشعل الأحمد"], None),
      ("هاتفه", "asserted", ["محمد بن زايد"], ["مشعل الأحمد"], None)]),
    ("لم يتلق رئيس الحكومة الليبية عبد الحميد الدبيبة أي اتصال من المبعوث الأممي.", "2023-05-20",
     [("اتصال", "negated", ["المبعوث الأممي"], ["عبد الحميد الدبيبة"], None)]),
    ("بحث هاتفياً وزير الخارجية السعودي فيصل بن فرحان مع نظيره الإيراني حسين أمير عبداللهيان العلاقات الثنائية.",
     "2023-05-20",
     [("بحث هاتفياً", "asserted", ["فيصل بن فرحان"], ["حسين أمير عبداللهيان"], None)]),
    ("أجرى الرئيسُ الصيني شي جين بينغ اتصـالاً هاتفيّاً بالرئيس الروسي فلاديمير بوتين.", "2023-05-20",
     [("اتصـالاً هاتفيّاً", "asserted", ["شي جين بينغ"], ["فلاديمير بوتين"], None)]),
    ("وهذا أول اتصال بين الزعيمين منذ مارس الماضي.", "2023-05-20",
     [("اتصال", "asserted", [], [], None)]),
    ("وكان رئيس الوزراء الهندي ناريندرا مودي قد طلب إجراء مكالمة مع نظيره الباكستاني.", "2023-05-20",
     [("مكالمة", "hypothetical", ["ناريندرا مودي"], ["نظيره الباكستاني"], None)]),
]


def _events(text: str, doc_date: str | None, resources: NameResources | None = EMPTY):
    entities, relations = extract(text, doc_date, resources)
    by_id = {e.id: e for e in entities}
    found = []
    for trig in (e for e in entities if e.label == "TRIGGER"):
        args = {"caller": [], "callee": [], "date": []}
        for rel in relations:
            if rel.head == trig.id and rel.label in args:
                tail = by_id[rel.tail]
                args[rel.label].append(tail.value if rel.label == "date" else tail.text)
        found.append((trig.text, trig.polarity, args["caller"], args["callee"], (args["date"] or [None])[0]))
    return entities, relations, found


def _record(text: str, doc_date: str | None, resources: NameResources | None = EMPTY) -> dict:
    entities, relations = extract(text, doc_date, resources)
    return {"id": "t-s01", "doc_id": "t", "doc_date": doc_date, "text": text,
            "entities": [e.to_dict() for e in entities], "relations": [r.to_dict() for r in relations]}


@pytest.mark.parametrize("text,doc_date,expected", CASES, ids=[f"case{n}" for n in range(len(CASES))])
def test_events(text: str, doc_date: str, expected: list) -> None:
    _, _, found = _events(text, doc_date)
    assert found == expected


@pytest.mark.parametrize("text,doc_date", [(c[0], c[1]) for c in CASES], ids=[f"case{n}" for n in range(len(CASES))])
def test_every_output_validates(text: str, doc_date: str) -> None:
    for resources in (EMPTY, None):  # the rules alone, and with the shipped gazetteer
        record = _record(text, doc_date, resources)
        assert check_record(record, "test", 1) == []
        starts = [e["start"] for e in record["entities"]]
        assert starts == sorted(starts)
        assert [e["id"] for e in record["entities"]] == [f"e{n + 1}" for n in range(len(starts))]


def test_person_leaves_out_one_letter_clitic_but_keeps_lil() -> None:
    text = "وأجرى أوستن اتصالاً هاتفياً بشويغو، ثم اتصل للمرة الثانية بوزير الدفاع الفرنسي."
    entities, relations, _ = _events(text, "2023-01-10", NameResources(names={("اوستن",), ("شويغو",)}))
    persons = [e.text for e in entities if e.label == "PERSON"]
    assert "شويغو" in persons and "أوستن" in persons
    assert all(not p.startswith("ب") for p in persons)


def test_dates_and_values() -> None:
    text = "أعلن البيان أول من أمس السبت و14 يوليو/ تموز 2023 ومنتصف فبراير/شباط الماضي و١٥ رمضان ١٤٤٤هـ."
    entities, _, _ = _events(text, "2023-07-17")
    dates = {e.text: e.value for e in entities if e.label == "DATE"}
    assert dates["أول من أمس السبت"] == "2023-07-15"
    assert dates["ومنتصف فبراير/شباط الماضي"] == "2023-02"  # whole words: the clitic stays
    assert dates["و١٥ رمضان ١٤٤٤هـ"] == "2023-04-06"
    assert dates["و14 يوليو/ تموز 2023"] == "2023-07-14"
    assert check_record(_record(text, "2023-07-17"), "test", 1) == []


def test_bare_speaking_verb_needs_a_call_article() -> None:
    text = "تحدث وزير الدفاع الأميركي لويد أوستن مع نظيره الروسي سيرغي شويغو اليوم الجمعة."
    assert _events(text, "2022-10-21")[2] == []
    entities, _ = extract(text, "2022-10-21", EMPTY, DocContext(phone_article=True))
    assert [e.text for e in entities if e.label == "TRIGGER"] == ["تحدث"]


def test_tokens_keep_original_offsets() -> None:
    text = "اتصـالاً هاتفيّاً"
    toks = tokenize(text)
    assert [t.norm for t in toks] == ["اتصالا", "هاتفيا"]
    assert [text[t.start:t.end] for t in toks] == ["اتصـالاً", "هاتفيّاً"]


def test_rules_through_the_prediction_path_write_valid_records(tmp_path) -> None:
    rows = [{"id": f"d1-s{n:02d}", "doc_id": "d1", "doc_date": "2023-06-16", "text": text,
             "entities": [], "relations": []} for n, (text, _, _) in enumerate(CASES[:5])]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    summary = run_predict([str(src)], out, "rules", PredictConfig(records_mode=True), log=io.StringIO())
    assert summary.records_out == summary.done == len(rows)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in written] == [r["id"] for r in rows]
    for n, rec in enumerate(written, start=1):
        assert check_record(rec, str(out), n) == []
    assert any(e["label"] == "TRIGGER" for e in written[0]["entities"])


def test_nationality_at_sentence_end_does_not_crash():
    from hatif.data.records import Record
    from hatif.data.validate import check_record

    text = "أجرى وزير الخارجية اتصالاً هاتفياً مع نظيره الأردني والإماراتي"
    entities, relations = extract(text, "2023-01-01")
    record = Record("x-s00", "x", "2023-01-01", text, entities, relations)
    assert check_record(record.to_dict(), "x", 1) == []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(PINNED_PREDICTIONS))
def test_predictions_are_pinned(name: str, tmp_path) -> None:
    records, out = REPO / name, tmp_path / "rules.jsonl"
    records_sha, predictions_sha = PINNED_PREDICTIONS[name]
    assert _sha256(records) == records_sha, f"{name} changed: re-record both of its digests"
    run_predict([str(records)], out, "rules", PredictConfig(records_mode=True), log=io.StringIO())
    assert _sha256(out) == predictions_sha, f"the rules' predictions on {name} changed: now {_sha256(out)}"


@pytest.mark.parametrize("change, message", [
    ({"unnamed_heads": ["الرئيس", "الدالاي لاما"]}, "lexicon.json: unnamed_heads: الدالاي لاما not in title_heads"),
    ({"_sublists": {"unnamed_heads": "heads_of_state"}}, "names a list the lexicon lacks"),
])
def test_a_sub_list_may_only_narrow_its_list(change: dict, message: str) -> None:
    from hatif.rules.lexicon import LEXICON_PATH, Lexicon, LexiconError

    raw = {**json.loads(LEXICON_PATH.read_text(encoding="utf-8")), **change}
    with pytest.raises(LexiconError, match=message):
        Lexicon(raw)

