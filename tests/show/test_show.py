"""hatif show: the gold-vs-prediction diff, the page, the command, and the page in headless Chromium."""

from __future__ import annotations

import io

import json
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from hatif.cli import app
from hatif.data.records import Record
from hatif.data.validate import load_records
from hatif.eval.metrics import evaluate
from hatif.eval.report import UsageError
from hatif.show.browser import INSTALL_HINT, Browser, find_chromium
from hatif.show.diff import CORRECT, MISSED, SPURIOUS, WRONG_LABEL, arc_marks, has_errors, scores, span_marks
from hatif.show.page import show_files
from hatif.show.render import render_page, text_html
from hatif.show.screenshot import READY
from hatif.show.view import build_view

from conftest import REPO

GOLD = REPO / "corpus" / "gold" / "seed_articles.jsonl"


# --- records made from Arabic strings -------------------------------------------------

def ent(text: str, eid: str, label: str, phrase: str, nth: int = 0, **attrs) -> dict:
    """An entity dict over the nth occurrence of ``phrase`` in ``text`` (offsets computed, never typed)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    out = {"id": eid, "label": label, "start": start, "end": start + len(phrase), "text": phrase}
    if label == "TRIGGER":
        out["polarity"] = attrs.get("polarity", "asserted")
    if label == "DATE":
        out["value"] = attrs.get("value")
    return out


def rel(head: str, tail: str, label: str) -> dict:
    return {"head": head, "tail": tail, "label": label}


def record(rid: str, doc_id: str, text: str, entities=(), relations=(), doc_date: str | None = "2022-10-21") -> dict:
    return {"id": rid, "doc_id": doc_id, "doc_date": doc_date, "text": text,
            "entities": list(entities), "relations": list(relations)}


def as_record(raw: dict) -> Record:
    return Record.from_dict(raw)


# --- the diff classes -----------------------------------------------------------------

S1 = "أجرى الرئيس الروسي فلاديمير بوتين اتصالاً هاتفياً مع نظيره الفرنسي إيمانويل ماكرون يوم الجمعة"
S2 = "تحدث أوستن مع شويغو وبحثا الوضع في أوكرانيا"

# (name, text, gold entities, predicted entities, expected [(label, text, status)])
SPAN_CASES = [
    ("same span and label", S1,
     [ent(S1, "e1", "PERSON", "فلاديمير بوتين")], [ent(S1, "e1", "PERSON", "فلاديمير بوتين")],
     [("PERSON", "فلاديمير بوتين", CORRECT)]),
    ("same span, other label", S1,
     [ent(S1, "e1", "PERSON", "إيمانويل ماكرون")], [ent(S1, "e9", "DATE", "إيمانويل ماكرون", value=None)],
     [("DATE", "إيمانويل ماكرون", WRONG_LABEL)]),
    ("shorter span: spurious and missed", S1,
     [ent(S1, "e1", "TRIGGER", "اتصالاً هاتفياً")], [ent(S1, "e1", "TRIGGER", "اتصالاً")],
     [("TRIGGER", "اتصالاً", SPURIOUS), ("TRIGGER", "اتصالاً هاتفياً", MISSED)]),
    ("predicted only", S1, [], [ent(S1, "e1", "PERSON", "الرئيس الروسي")],
     [("PERSON", "الرئيس الروسي", SPURIOUS)]),
    ("gold only", S1, [ent(S1, "e1", "DATE", "يوم الجمعة", value="2022-10-21")], [],
     [("DATE", "يوم الجمعة", MISSED)]),
    ("crossing spans", S2,
     [ent(S2, "e1", "TOPIC", "الوضع في أوكرانيا")], [ent(S2, "e1", "TOPIC", "وبحثا الوضع")],
     [("TOPIC", "وبحثا الوضع", SPURIOUS), ("TOPIC", "الوضع في أوكرانيا", MISSED)]),
    ("a mix", S2,
     [ent(S2, "e1", "TRIGGER", "تحدث"), ent(S2, "e2", "PERSON", "أوستن"), ent(S2, "e3", "PERSON", "شويغو")],
     [ent(S2, "x1", "TRIGGER", "تحدث"), ent(S2, "x2", "PERSON", "أوستن"), ent(S2, "x3", "TOPIC", "شويغو")],
     [("TRIGGER", "تحدث", CORRECT), ("PERSON", "أوستن", CORRECT), ("TOPIC", "شويغو", WRONG_LABEL)]),
]


@pytest.mark.parametrize("name,text,gold,pred,expected", SPAN_CASES, ids=[c[0] for c in SPAN_CASES])
def test_span_statuses(name, text, gold, pred, expected):
    marks = span_marks(as_record(record("r", "d", text, pred)).entities,
                       as_record(record("r", "d", text, gold)).entities)
    assert [(m.entity.label, m.entity.text, m.status) for m in marks] == expected
    for mark in marks:
        assert text[mark.entity.start:mark.entity.end] == mark.entity.text


def test_spans_without_gold_have_no_status():
    marks = span_marks(as_record(record("r", "d", S1, [ent(S1, "e1", "PERSON", "فلاديمير بوتين")])).entities)
    assert [(m.key, m.status) for m in marks] == [("p0", None)]


def test_attribute_differs_only_on_correct_spans():
    gold = [ent(S1, "e1", "DATE", "يوم الجمعة", value="2022-10-21"), ent(S1, "e2", "TRIGGER", "اتصالاً هاتفياً")]
    pred = [ent(S1, "e1", "DATE", "يوم الجمعة", value="2022-10-14"),
            ent(S1, "e2", "TRIGGER", "اتصالاً هاتفياً", polarity="negated")]
    marks = span_marks(as_record(record("r", "d", S1, pred)).entities, as_record(record("r", "d", S1, gold)).entities)
    assert [m.status for m in marks] == [CORRECT, CORRECT]
    assert [m.attribute_differs for m in marks] == [True, True]
    assert has_errors(marks, [])


def _call(text: str, caller: str, callee: str, trigger: str = "تحدث") -> list[dict]:
    return [ent(text, "t", "TRIGGER", trigger), ent(text, "a", "PERSON", caller), ent(text, "b", "PERSON", callee)]


# (name, gold record, predicted record, expected [(label, head text, tail text, status)])
ARC_CASES = [
    ("same arcs",
     record("r", "d", S2, _call(S2, "أوستن", "شويغو"), [rel("t", "a", "caller"), rel("t", "b", "callee")]),
     record("r", "d", S2, _call(S2, "أوستن", "شويغو"), [rel("t", "a", "caller"), rel("t", "b", "callee")]),
     [("caller", "تحدث", "أوستن", CORRECT), ("callee", "تحدث", "شويغو", CORRECT)]),
    ("caller and callee swapped",
     record("r", "d", S2, _call(S2, "أوستن", "شويغو"), [rel("t", "a", "caller"), rel("t", "b", "callee")]),
     record("r", "d", S2, _call(S2, "أوستن", "شويغو"), [rel("t", "a", "callee"), rel("t", "b", "caller")]),
     [("callee", "تحدث", "أوستن", WRONG_LABEL), ("caller", "تحدث", "شويغو", WRONG_LABEL)]),
    ("argument missed",
     record("r", "d", S2, _call(S2, "أوستن", "شويغو"), [rel("t", "a", "caller"), rel("t", "b", "callee")]),
     record("r", "d", S2, _call(S2, "أوستن", "شويغو"), [rel("t", "a", "caller")]),
     [("caller", "تحدث", "أوستن", CORRECT), ("callee", "تحدث", "شويغو", MISSED)]),
    ("argument of another span",
     record("r", "d", S1, _call(S1, "فلاديمير بوتين", "إيمانويل ماكرون", "اتصالاً هاتفياً"), [rel("t", "a", "caller")]),
     record("r", "d", S1, _call(S1, "بوتين", "إيمانويل ماكرون", "اتصالاً هاتفياً"), [rel("t", "a", "caller")]),
     [("caller", "اتصالاً هاتفياً", "بوتين", SPURIOUS), ("caller", "اتصالاً هاتفياً", "فلاديمير بوتين", MISSED)]),
    ("trigger boundary",
     record("r", "d", S1, _call(S1, "فلاديمير بوتين", "إيمانويل ماكرون", "اتصالاً هاتفياً"), [rel("t", "b", "callee")]),
     record("r", "d", S1, _call(S1, "فلاديمير بوتين", "إيمانويل ماكرون", "اتصالاً"), [rel("t", "b", "callee")]),
     [("callee", "اتصالاً", "إيمانويل ماكرون", SPURIOUS), ("callee", "اتصالاً هاتفياً", "إيمانويل ماكرون", MISSED)]),
]


@pytest.mark.parametrize("name,gold,pred,expected", ARC_CASES, ids=[c[0] for c in ARC_CASES])
def test_arc_statuses(name, gold, pred, expected):
    g, p = as_record(gold), as_record(pred)
    marks = span_marks(p.entities, g.entities)
    by_key = {m.key: m.entity for m in marks}
    arcs = arc_marks(p, g, marks)
    assert [(a.label, by_key[a.head].text, by_key[a.tail].text, a.status) for a in arcs] == expected
    swapped = [a for a in arcs if a.status == WRONG_LABEL]
    assert all(a.gold_label in ("caller", "callee") and a.gold_label != a.label for a in swapped)


def test_counts_agree_with_evaluate(tmp_path):
    """Gold against the rule baseline: the page's counts are evaluate's tp, predicted and support."""
    from hatif.predict.job import PredictConfig, run_predict

    pred_path = tmp_path / "rules.jsonl"
    run_predict([str(GOLD)], pred_path, "rules", PredictConfig(records_mode=True), log=io.StringIO())
    gold, pred = load_records(str(GOLD)), load_records(str(pred_path))
    view = build_view(pred, gold)
    metrics = evaluate(gold, pred)
    for counts, family in ((view.total("span_counts"), "entities_span"), (view.total("arc_counts"), "relations_strict")):
        assert scores(counts) == pytest.approx(metrics[family]["micro"])


# --- the page, without a browser ------------------------------------------------------

class _Balance(HTMLParser):
    VOID = {"meta", "input", "br", "img", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.bad, self.text, self.attrs = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_crossing_spans_nest_and_keep_the_text():
    text = "تحدث أوستن مع شويغو وبحثا الوضع في أوكرانيا"
    gold = as_record(record("r", "d", text, [ent(text, "e1", "TOPIC", "الوضع في أوكرانيا")]))
    pred = as_record(record("r", "d", text, [ent(text, "e1", "TOPIC", "وبحثا الوضع")]))
    html = text_html(text, span_marks(pred.entities, gold.entities))
    parser = _Balance()
    parser.feed(html)
    assert not parser.bad and not parser.stack
    assert "".join(parser.text) == text
    assert html.count('data-ent="g0"') == 2  # the gold span is cut in two by the crossing prediction


HOSTILE_TEXT = 'قال <script>window.__hatif_pwned = 1</script> إن <img src=x onerror="window.__hatif_pwned = 2"> بوتين اتصل'
HOSTILE_ID = 'x"><script>window.__hatif_pwned = 3</script>'


def test_page_escapes_text_and_ids():
    raw = record(HOSTILE_ID + "-s00", HOSTILE_ID, HOSTILE_TEXT,
                 [ent(HOSTILE_TEXT, "e1", "PERSON", "بوتين"), ent(HOSTILE_TEXT, "e2", "TRIGGER", "اتصل")],
                 [rel("e2", "e1", "caller")])
    html = render_page(build_view([as_record(raw)]))
    assert "<script>window" not in html and "<img" not in html
    assert "&lt;script&gt;window.__hatif_pwned = 1&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # the page's own
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert all(re.fullmatch(r"[A-Za-z0-9-]+", i) for i in ids), ids
    assert '<html dir="rtl" lang="ar">' in html
    # self-contained: no element loads anything, links stay in the page, the styles fetch nothing
    parser = _Balance()
    parser.feed(html)
    assert not parser.bad and not parser.stack
    assert not [(tag, name) for tag, name, value in parser.attrs
                if name == "src" or (name == "href" and not value.startswith("#")) or tag == "link"]
    style = html[html.index("<style>"):html.index("</style>")]
    assert "url(" not in style and "@import" not in style
    csp = [value for tag, name, value in parser.attrs if tag == "meta" and name == "content" and "src" in value]
    assert csp and csp[0].startswith("default-src 'none';") and "script-src 'sha256-" in csp[0]


def test_errors_only_and_doc_filter():
    gold = load_records(str(GOLD))
    doc = gold[0].doc_id
    view = build_view(gold, gold, docs=[doc], errors_only=True)
    assert view.articles == []  # gold against itself: no errors at all
    view = build_view(gold, gold, docs=[doc])
    assert [a.doc_id for a in view.articles] == [doc]
    assert view.articles[0].title == next(r.text for r in gold if r.id == f"{doc}-s00")
    assert view.total("span_counts") == Counter({CORRECT: sum(len(r.entities) for r in gold if r.doc_id == doc)})
    # one sentence loses its entities: errors-only shows it alone, and the totals still cover every sentence
    pred = [Record(r.id, r.doc_id, r.doc_date, r.text) if i == 3 else r for i, r in enumerate(gold)]
    full, errors = build_view(pred, gold), build_view(pred, gold, errors_only=True)
    assert [s.record.id for a in errors.articles for s in a.sentences] == [gold[3].id]
    assert errors.total("span_counts") == full.total("span_counts")
    assert errors.total("span_counts")[MISSED] == len(gold[3].entities)
    with pytest.raises(UsageError, match="no such article: nope"):
        build_view(gold, gold, docs=["nope"])
    with pytest.raises(UsageError, match="--gold"):
        build_view(gold, None, errors_only=True)


# --- the command ----------------------------------------------------------------------

def test_cli_show(tmp_path):
    runner = CliRunner()
    out = tmp_path / "view.html"
    result = runner.invoke(app, ["show", str(GOLD), "--gold", str(GOLD), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "span F1 1.000" in result.output
    doc = load_records(str(GOLD))[0].doc_id
    result = runner.invoke(app, ["show", str(GOLD), "--doc", doc, "--out", str(tmp_path / "one.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "one.html").read_text(encoding="utf-8").count('<section class="article') == 1
    result = runner.invoke(app, ["show", str(GOLD), "--doc", "nope", "--out", str(out)])
    assert (result.exit_code, result.stderr) == (2, "show: no such article: nope\n")
    assert runner.invoke(app, ["show", str(GOLD), "--errors-only", "--out", str(out)]).exit_code == 2
    assert runner.invoke(app, ["show", str(tmp_path / "absent.jsonl"), "--out", str(out)]).exit_code == 2
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(record("zz-s00", "zz", "نص آخر")) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["show", str(other), "--gold", str(GOLD), "--out", str(out)])
    assert result.exit_code == 1 and result.stderr.startswith("show: ") and "zz-s00" in result.stderr


# --- in a real browser ----------------------------------------------------------------

# Two calls in one sentence, long enough to wrap; a boundary error that crosses a gold span;
# caller and callee swapped; a DATE value off by a day.
TWO_CALLS = ("أجرى الرئيس الروسي فلاديمير بوتين اتصالاً هاتفياً مع نظيره الفرنسي إيمانويل ماكرون يوم الجمعة، "
             "بحثا خلاله الوضع في أوكرانيا، فيما تحدث وزير الخارجية سيرغي لافروف مع نظيره التركي "
             "مولود جاويش أوغلو أمس.")
CLEAN = "وقال المتحدث باسم الكرملين ديمتري بيسكوف إن المحادثة كانت صريحة."


def _browser_records() -> tuple[list[dict], list[dict]]:
    t = TWO_CALLS
    people = [ent(t, "p1", "PERSON", "فلاديمير بوتين"), ent(t, "p2", "PERSON", "إيمانويل ماكرون"),
              ent(t, "p3", "PERSON", "سيرغي لافروف"), ent(t, "p4", "PERSON", "مولود جاويش أوغلو")]
    triggers = [ent(t, "t1", "TRIGGER", "اتصالاً هاتفياً"), ent(t, "t2", "TRIGGER", "تحدث")]
    gold_ents = triggers + people + [ent(t, "d1", "DATE", "يوم الجمعة", value="2022-10-21"),
                                     ent(t, "d2", "DATE", "أمس", value="2022-10-20"),
                                     ent(t, "k1", "TOPIC", "الوضع في أوكرانيا")]
    pred_ents = triggers + people + [ent(t, "d1", "DATE", "يوم الجمعة", value="2022-10-21"),
                                     ent(t, "d2", "DATE", "أمس", value="2022-10-19"),
                                     ent(t, "k1", "TOPIC", "خلاله الوضع")]
    call1 = [rel("t1", "p1", "caller"), rel("t1", "p2", "callee"), rel("t1", "d1", "date"), rel("t1", "k1", "topic")]
    gold_rels = call1 + [rel("t2", "p3", "caller"), rel("t2", "p4", "callee"), rel("t2", "d2", "date")]
    pred_rels = call1 + [rel("t2", "p3", "callee"), rel("t2", "p4", "caller"), rel("t2", "d2", "date")]
    clean = [ent(CLEAN, "p1", "PERSON", "ديمتري بيسكوف"), ent(CLEAN, "t1", "TRIGGER", "المحادثة")]
    head = "اتصال هاتفي بين بوتين وماكرون"
    head_ents = [ent(head, "t1", "TRIGGER", "اتصال هاتفي"), ent(head, "p1", "PERSON", "بوتين"),
                 ent(head, "p2", "PERSON", "ماكرون")]
    hostile = [ent(HOSTILE_TEXT, "e1", "PERSON", "بوتين"), ent(HOSTILE_TEXT, "e2", "TRIGGER", "اتصل")]
    gold = [record("call-s00", "call", head, head_ents),
            record("call-s01", "call", t, gold_ents, gold_rels),
            record("call-s02", "call", CLEAN, clean),
            record(HOSTILE_ID + "-s00", HOSTILE_ID, HOSTILE_TEXT, hostile, [rel("e2", "e1", "caller")], doc_date=None)]
    pred = [dict(gold[0]), record("call-s01", "call", t, pred_ents, pred_rels), dict(gold[2]), dict(gold[3])]
    return gold, pred


@pytest.fixture(scope="module")
def browser():
    if find_chromium() is None:
        pytest.skip(f"headless Chromium not found: {INSTALL_HINT}")
    with Browser(width=760, height=900) as b:
        yield b


# Every arc's two ends in client coordinates, with the client rects of its head and tail spans.
ARC_GEOMETRY = """(function () {
  function rects(sent, key) {
    var out = [];
    sent.querySelectorAll('.text [data-ent="' + key + '"]').forEach(function (el) {
      Array.prototype.forEach.call(el.getClientRects(), function (r) {
        out.push({left: r.left, right: r.right, top: r.top, bottom: r.bottom}); });
    });
    return out;
  }
  function client(path, at) {
    var p = path.getPointAtLength(at), m = path.getScreenCTM();
    return {x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f};
  }
  return Array.prototype.map.call(document.querySelectorAll('main .arc'), function (g) {
    var sent = g.closest('.sent'), path = g.querySelector('path.line');
    var label = g.querySelector('text').getBoundingClientRect();
    return {sentence: sent.getAttribute('data-id'), label: g.getAttribute('data-label'),
            status: g.getAttribute('data-status'), drawn: !!path,
            start: path && client(path, 0), end: path && client(path, path.getTotalLength()),
            head: rects(sent, g.getAttribute('data-head')), tail: rects(sent, g.getAttribute('data-tail')),
            box: {left: label.left, right: label.right, top: label.top, bottom: label.bottom}};
  });
})()"""


def _over(point: dict, rects: list[dict]) -> bool:
    """The point sits on the top edge of one of the span's boxes, within its width."""
    return any(r["left"] - 1 <= point["x"] <= r["right"] + 1 and abs(point["y"] - r["top"]) <= 2 for r in rects)


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_page_in_headless_chromium(browser, tmp_path):
    gold, pred = _browser_records()
    for name, rows in (("gold", gold), ("pred", pred)):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                                encoding="utf-8")
    page = tmp_path / "view.html"
    view = show_files(str(tmp_path / "pred.jsonl"), page, str(tmp_path / "gold.jsonl"))
    browser.open(page, ready=READY)

    # the DOM holds every span and arc of the view
    expected = {s.record.id: (len(s.spans), len(s.arcs)) for a in view.articles for s in a.sentences}
    found = browser.evaluate("""Array.prototype.map.call(document.querySelectorAll('main .sent'), function (s) {
        var keys = new Set(Array.prototype.map.call(s.querySelectorAll('.text [data-ent]'),
                                                    function (e) { return e.getAttribute('data-ent'); }));
        return [s.getAttribute('data-id'), keys.size, s.querySelectorAll('.arc').length]; })""")
    assert {sid: (n_spans, n_arcs) for sid, n_spans, n_arcs in found} == expected
    assert expected["call-s01"] == (10, 8)  # 8 shared spans + two crossing topics; 6 shared arcs + two topic arcs

    # each arc runs from its trigger's box to its argument's box, and no two labels of a sentence collide
    arcs = browser.evaluate(ARC_GEOMETRY)
    assert len(arcs) == sum(n for _, n in expected.values())
    for arc in arcs:
        assert arc["drawn"], arc
        assert _over(arc["start"], arc["head"]), arc
        assert _over(arc["end"], arc["tail"]), arc
    two_calls = [a for a in arcs if a["sentence"] == "call-s01"]
    for i, a in enumerate(two_calls):
        for b in two_calls[i + 1:]:
            assert not _overlap(a["box"], b["box"]), (a["label"], b["label"])
    statuses = Counter(a["status"] for a in two_calls)
    assert statuses == {CORRECT: 4, WRONG_LABEL: 2, SPURIOUS: 1, MISSED: 1}
    # the two-call sentence wraps at this width, and some arcs go from one line to another
    lines = browser.evaluate("""(function () { var t = document.querySelector('.sent[data-id="call-s01"] .text');
        return Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)); })()""")
    assert lines >= 2

    # right to left: the document and the text run RTL; a sentence starts at its right edge
    layout = browser.evaluate("""(function () {
        var t = document.querySelector('.sent[data-id="call-s00"] .text');
        var first = t.querySelector('[data-ent="p0"]').getBoundingClientRect();
        var later = t.querySelector('[data-ent="p2"]').getBoundingClientRect();
        var box = t.getBoundingClientRect(), pad = parseFloat(getComputedStyle(t).paddingRight);
        return {dir: document.documentElement.dir, lang: document.documentElement.lang,
                direction: getComputedStyle(t).direction, firstRight: first.right, laterRight: later.right,
                edgeGap: box.right - pad - first.right};
    })()""")
    assert (layout["dir"], layout["lang"], layout["direction"]) == ("rtl", "ar", "rtl")
    assert layout["firstRight"] > layout["laterRight"]
    assert 0 <= layout["edgeGap"] < 8

    # the hostile text is shown as text and nothing in it ran
    assert browser.evaluate("typeof window.__hatif_pwned") == "undefined"
    assert "<script>window.__hatif_pwned = 1</script>" in browser.evaluate("document.querySelector('main').textContent")
    assert browser.evaluate("document.querySelectorAll('main script, main img').length") == 0

    # the errors filter hides the sentences without errors, and arcs are redrawn
    browser.evaluate("document.getElementById('errors-filter').click()")
    shown = browser.evaluate("""Array.prototype.filter.call(document.querySelectorAll('main .sent'),
        function (s) { return s.offsetParent !== null; }).map(function (s) { return s.getAttribute('data-id'); })""")
    assert shown == ["call-s01"]
    assert all(_over(a["start"], a["head"]) for a in browser.evaluate(ARC_GEOMETRY) if a["sentence"] == "call-s01")
    browser.evaluate("document.getElementById('errors-filter').click()")

    png = browser.screenshot(tmp_path / "view.png", full_page=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
