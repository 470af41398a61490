"""Real news, annotated as standoff: selection, `.ann` export/import, and materialisation.

The article text belongs to its outlets (../shared/corpora/call_articles/PROVENANCE.md), so
the repository keeps only *standoff*: for each sentence its place in the article (paragraph
index, character offsets in that paragraph; paragraph -1 is the title), a hash of its text,
and its spans and relations with offsets relative to the sentence. `build_records` puts the
text back from the corpus and refuses any sentence whose hash no longer matches.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from hatif.text.arabic import word_ngrams
from .authoring import AuthoredArticle
from .jsonl import Violation, atomic_writer
from .paths import shared_dir
from .records import Entity, Record, Relation
from hatif.text.sentences import split_sentences

TITLE = -1  # the paragraph index of the headline in standoff
CUES = ("strong", "weak", "none")
SPLITS = ("train", "dev", "test")
MARKUP_CHARS = "[]{}"  # reserved by the .ann markup; articles holding them are not selectable
# A paragraph that mentions calling: the cut of a long article keeps every such paragraph.
_CALL_WORD = re.compile(r"اتصا?ل|مكالم|هاتف|محادث")


@dataclass(frozen=True)
class Selection:
    """One selected article: where it comes from, which split it is in, how much of it is kept."""

    doc_id: str
    corpus: str
    outlet: str
    cue: str
    split: str
    paragraphs: int  # paragraphs kept from the start of the article (the cut)
    sentences: int  # sentences in the kept part, headline included


def call_articles_dir() -> Path:
    return shared_dir() / "corpora" / "call_articles"


class StandoffError(ValueError):
    """Standoff that does not fit the corpus text (hash mismatch, missing article, bad offsets)."""


def load_call_articles(corpus_dir: str | Path) -> dict[str, dict]:
    """Every article of call_articles/*.jsonl by doc_id."""
    articles: dict[str, dict] = {}
    files = sorted(Path(corpus_dir).glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"{corpus_dir}: no call_articles *.jsonl here (set --corpus-dir)")
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise StandoffError(f"{path}:{lineno}: malformed JSON: {err.msg}") from err
                    articles[row["doc_id"]] = row
    return articles


def _paragraph_texts(article: dict) -> dict[int, str]:
    """The article's texts by standoff paragraph index (TITLE for the headline)."""
    return {TITLE: article["title"], **dict(enumerate(article["paragraphs"]))}


def sentence_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def count_sentences(title: str, paragraphs: list[str]) -> int:
    return len(split_sentences(title)) + sum(len(split_sentences(p)) for p in paragraphs)


def cut_length(article: dict, max_sentences: int) -> int:
    """Paragraphs to keep: all of them, or for a long article up to the last call paragraph + 2."""
    paragraphs = article["paragraphs"]
    if count_sentences(article["title"], paragraphs) <= max_sentences:
        return len(paragraphs)
    last_call = max((i for i, p in enumerate(paragraphs) if _CALL_WORD.search(p)), default=-1)
    return min(len(paragraphs), max(last_call + 3, 1))


def selectable(article: dict) -> bool:
    text = article["title"] + "".join(article["paragraphs"])
    return bool(article["paragraphs"]) and not any(ch in text for ch in MARKUP_CHARS)


def _spread_over_outlets(candidates: list[dict], rng: random.Random) -> list[dict]:
    """Seeded order that takes the outlets in turn, so a short list covers as many as possible."""
    by_outlet: dict[str, list[dict]] = defaultdict(list)
    for art in candidates:
        by_outlet[art["outlet"]].append(art)
    queues = [by_outlet[name] for name in sorted(by_outlet)]
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    ordered: list[dict] = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop())
    return ordered


def select_articles(articles: dict[str, dict], total: int, shares: dict[str, float], seed: int,
                    split_shares: dict[str, float], max_sentences: int,
                    train_ngrams: set[tuple[str, ...]] = frozenset()) -> list[Selection]:
    """The seeded selection: cue shares over ``total``, half of each cue per corpus, outlets in
    turn; then a split by article stratified by (cue, corpus), with articles sharing text kept
    together and those sharing a run with ``train_ngrams`` (the authored training text) in train."""
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for doc_id in sorted(articles):
        art = articles[doc_id]
        if selectable(art):
            strata[(art["call_cue"], art["corpus"])].append(art)
    corpora = sorted({corpus for _, corpus in strata})
    chosen: list[Selection] = []
    for cue in CUES:
        want = round(total * shares[cue])
        for k, corpus in enumerate(corpora):
            n = want // len(corpora) + (1 if k < want % len(corpora) else 0)
            picked = _spread_over_outlets(list(strata[(cue, corpus)]), rng)[:n]
            if len(picked) < n:
                raise ValueError(f"only {len(picked)} selectable {cue!r} articles in {corpus}, {n} wanted")
            order = list(range(n))
            rng.shuffle(order)
            bounds = _split_bounds(n, split_shares)
            for rank, art in zip(order, picked):
                split = next(s for s, (lo, hi) in bounds.items() if lo <= rank < hi)
                kept = cut_length(art, max_sentences)
                chosen.append(Selection(art["doc_id"], corpus, art["outlet"], cue, split, kept,
                                        count_sentences(art["title"], art["paragraphs"][:kept])))
    return sorted(_keep_shared_text_in_one_split(chosen, articles, train_ngrams), key=lambda s: s.doc_id)


def _keep_shared_text_in_one_split(chosen: list[Selection], articles: dict[str, dict],
                                   train_ngrams: set[tuple[str, ...]],
                                   fixed: frozenset[str] = frozenset()) -> list[Selection]:
    """Articles that share an 8-word run (the same wire story, agency boilerplate) end up in one
    split: train if any of them shares a run with the authored training text, else test if any
    of them is test, else dev if any is dev. Test then shares no run with any training text.

    Articles in ``fixed`` (an earlier selection being extended) keep their split and impose it on
    the new articles of their group; a new article that would join groups of two different fixed
    splits, or a fixed test or dev group while sharing a run with the authored training text, is
    dropped (and the groups are formed again without it): it cannot be placed without leaking text."""
    owner: dict[tuple[str, ...], int] = {}
    parent = list(range(len(chosen)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    near_train: set[int] = set()
    for i, sel in enumerate(chosen):
        art = articles[sel.doc_id]
        for para in [art["title"]] + art["paragraphs"][:sel.paragraphs]:
            for gram in word_ngrams(para):
                j = owner.setdefault(gram, i)
                parent[root(i)] = root(j)
                if gram in train_ngrams:
                    near_train.add(i)
    fixed_splits: dict[int, set[str]] = defaultdict(set)
    for i, sel in enumerate(chosen):
        if sel.doc_id in fixed:
            fixed_splits[root(i)].add(sel.split)
    # a new article that cannot be placed without leaking text: its group is tied to two fixed
    # splits, or to a fixed test/dev split while it shares a run with the authored training text
    unplaceable = {i for i, sel in enumerate(chosen) if sel.doc_id not in fixed and (
        len(fixed_splits[root(i)]) > 1 or (i in near_train and fixed_splits[root(i)] - {"train"}))}
    if unplaceable:
        kept = [sel for i, sel in enumerate(chosen) if i not in unplaceable]
        return _keep_shared_text_in_one_split(kept, articles, train_ngrams, fixed)
    # a group's split: its fixed split, else the first of (authored overlap -> train, test, dev) any
    # member has, else train
    rank = {"near-train": 0, "test": 1, "dev": 2, "train": 3}
    split_of: dict[int, str] = {}
    for i, sel in enumerate(chosen):
        own = "near-train" if i in near_train else sel.split
        split_of[root(i)] = min(split_of.get(root(i), "train"), own, key=rank.__getitem__)
    split_of = {r: "train" if s == "near-train" else s for r, s in split_of.items()}
    return [sel if sel.doc_id in fixed else replace(sel, split=next(iter(fixed_splits[root(i)]), split_of[root(i)]))
            for i, sel in enumerate(chosen)]


# The extension strata (`hatif real extend`): a sentence that names a phone call, and such a
# sentence that also carries a negation or a plan/attempt/request cue near a call word.
CALL_PHRASE = re.compile(r"اتصالا?\s+هاتفي|هاتفيا|مكالمة|مكالمات|اتصل\S*\s+(?:ب|هاتف)|تلق\S*\s+اتصال"
                         r"|أجر\S*\s+(?:\S+\s+)?اتصال|اتصالات?\s+مع|مباحثات هاتفية|محادثة هاتفية|اتصال\s+(?:ب|من)")
NEGATION_CUE = re.compile(r"\b(?:لم|لن|لا|دون أن|رفض|رفضت|نفى|نفت|ينفي|عدم|امتنع)\s+(?:\S+\s+){0,2}?"
                          r"(?:ي|ت|الـ?)?(?:اتصا|اتصل|مكالم|هاتف|رد|يرد|ترد|يتصل|تتصل|يجر|تجر|يتلق|تتلق)")
PLAN_CUE = re.compile(r"سيجري|ستجري|سيتصل|ستتصل|سيتحدث|ستتحدث|سيبحث|ستبحث|سوف|من المقرر|المقرر أن|يعتزم|تعتزم"
                      r"|ينوي|تنوي|حاول|يحاول|محاولة|طلب|طالب|المرتقب|يرتقب|ينتظر أن|مرتقب")
# A call that could not be made, was not answered or is to come, in words that need no call
# phrase beside them (news boilerplate such as ولم يتسن الاتصال ب... is the commonest).
UNREACHED_CUE = re.compile(
    r"لم يتسن\S*\s+(?:\S+\s+)?الاتصال|تعذر الاتصال|(?:يتمكن|تتمكن|نتمكن|أتمكن|يستطع|تستطع)\S*\s+(?:\S+\s+){0,2}?من الاتصال"
    r"|(?:حاول|يحاول|تحاول|محاولة|محاولات)\S*\s+(?:\S+\s+){0,2}?الاتصال"
    r"|(?:يرد|ترد|يردوا|الرد)\s+على\s+(?:\S*اتصال|\S*مكالم|هاتف)|سيتصل|ستتصل|سنتصل|سأتصل|سيتحدث هاتفي|ستتحدث هاتفي"
    r"|(?:المقرر|يعتزم|تعتزم|ينتظر|يتوقع|المتوقع)\s+أن\s+\S+\s+(?:\S+\s+)?(?:اتصال|مكالم|هاتفي)"
    r"|لم\s+(?:يجر|تجر|يتلق|تتلق|نتلق|أتلق|يتصل|تتصل|يتم الاتصال)\S*\s+(?:\S+\s+){0,2}?(?:أي\s+|أية\s+)?(?:\S*اتصال|\S*مكالم|ب)")


@dataclass(frozen=True)
class CallDensity:
    """Sentence counts of an article's kept part, for ranking it in an extension stratum."""

    sentences: int
    calls: int  # with a call phrase
    cued: int  # of those, with a negation or plan cue
    unreached: int  # with an UNREACHED_CUE (call phrase or not)


def call_density(article: dict, paragraphs: int) -> CallDensity:
    texts = [p[s:e] for p in [article["title"]] + article["paragraphs"][:paragraphs] for s, e in split_sentences(p)]
    calls = [t for t in texts if CALL_PHRASE.search(t)]
    return CallDensity(len(texts), len(calls), sum(bool(NEGATION_CUE.search(t) or PLAN_CUE.search(t)) for t in calls),
                       sum(bool(UNREACHED_CUE.search(t)) for t in texts))


@dataclass(frozen=True)
class Extension:
    """How many articles each extension stratum adds, taken in this order (see extend_selection)."""

    cued: int = 0
    unreached: int = 0
    dense: int = 0
    dense_cues: tuple[str, ...] = ("strong",)
    single: int = 0


def extend_selection(articles: dict[str, dict], existing: list[Selection], wanted: Extension, seed: int,
                     split_shares: dict[str, float], max_sentences: int,
                     train_ngrams: set[tuple[str, ...]] = frozenset()) -> tuple[list[Selection], int]:
    """Add articles rich in calls to an existing selection, whose splits stay as they are.

    Real news seldom reports a call, and a denied or planned one even more seldom, so ranked strata
    are added, each from what the ones before left: ``cued`` articles whose call sentences carry a
    negation or plan cue (by (call + cued sentences) per sentence); ``unreached`` articles of any cue
    with a call that could not be made or is to come (by such sentences per sentence); ``dense``
    articles of ``dense_cues`` with two or more call sentences (by call sentences per sentence);
    ``single`` articles with one call sentence, shortest first. Ties in seeded order (``unreached``:
    by doc_id). The new articles are split per (cue, corpus) stratum like `select_articles` and
    grouped by shared text with the old ones. Returns the extended selection and how many articles
    were offered before grouping dropped any."""
    rng = random.Random(seed)
    taken = {s.doc_id for s in existing}
    fresh = [articles[d] for d in sorted(articles) if d not in taken and selectable(articles[d])]
    pool = [a for a in fresh if a["call_cue"] != "none"]
    rng.shuffle(pool)
    stats = {a["doc_id"]: call_density(a, cut_length(a, max_sentences)) for a in fresh}

    def ranked(candidates: list[dict], score) -> list[dict]:
        return sorted((a for a in candidates if a["doc_id"] not in chosen and score(stats[a["doc_id"]]) is not None),
                      key=lambda a: score(stats[a["doc_id"]]))

    chosen: dict[str, dict] = {}
    for candidates, score, n in (
            (pool, lambda d: -(d.calls + d.cued) / d.sentences if d.cued else None, wanted.cued),
            (fresh, lambda d: -d.unreached / d.sentences if d.unreached else None, wanted.unreached),
            ([a for a in pool if a["call_cue"] in wanted.dense_cues],
             lambda d: -d.calls / d.sentences if d.calls >= 2 else None, wanted.dense),
            (pool, lambda d: d.sentences if d.calls == 1 else None, wanted.single)):
        chosen.update((a["doc_id"], a) for a in ranked(candidates, score)[:n])
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for art in chosen.values():
        strata[(art["call_cue"], art["corpus"])].append(art)
    new: list[Selection] = []
    for key in sorted(strata):
        group = strata[key]
        order = list(range(len(group)))
        rng.shuffle(order)
        bounds = _split_bounds(len(group), split_shares)
        for rank, art in zip(order, group):
            split = next(s for s, (lo, hi) in bounds.items() if lo <= rank < hi)
            new.append(Selection(art["doc_id"], art["corpus"], art["outlet"], art["call_cue"], split,
                                 cut_length(art, max_sentences), stats[art["doc_id"]].sentences))
    merged = _keep_shared_text_in_one_split(existing + new, articles, train_ngrams,
                                            fixed=frozenset(taken))
    return sorted(merged, key=lambda s: s.doc_id), len(new)


def _split_bounds(n: int, split_shares: dict[str, float]) -> dict[str, tuple[int, int]]:
    """Rank ranges per split: test and dev rounded up (their floors matter), train the rest."""
    n_test = math.ceil(n * split_shares["test"])
    n_dev = math.ceil(n * split_shares["dev"])
    return {"test": (0, n_test), "dev": (n_test, n_test + n_dev), "train": (n_test + n_dev, n)}


SELECTION_COLUMNS = ("doc_id", "corpus", "outlet", "cue", "split", "paragraphs", "sentences")


def write_selection(path: Path, rows: list[Selection], header: str) -> None:
    with atomic_writer(path) as out:
        for line in header.splitlines():
            out.write(f"# {line}\n")
        out.write("\t".join(SELECTION_COLUMNS) + "\n")
        for row in rows:
            out.write("\t".join(str(getattr(row, col)) for col in SELECTION_COLUMNS) + "\n")


def selection_commands(path: str | Path) -> list[str]:
    """The commands that made a selection file (its leading comment lines)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line[2:] for line in lines if line.startswith("# ")]


def read_selection(path: str | Path) -> list[Selection]:
    rows: list[Selection] = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    body = [(n, line) for n, line in enumerate(lines, start=1) if line and not line.startswith("#")]
    if not body or tuple(body[0][1].split("\t")) != SELECTION_COLUMNS:
        raise StandoffError(f"{path}:1: expected the header {'/'.join(SELECTION_COLUMNS)}")
    for lineno, line in body[1:]:
        cells = line.split("\t")
        if len(cells) != len(SELECTION_COLUMNS) or cells[4] not in SPLITS:
            raise StandoffError(f"{path}:{lineno}: expected {len(SELECTION_COLUMNS)} columns and a split in {SPLITS}")
        rows.append(Selection(cells[0], cells[1], cells[2], cells[3], cells[4], int(cells[5]), int(cells[6])))
    return rows


def article_to_ann(article: dict, paragraphs: int, standoff: dict | None = None) -> str:
    """The article as an `.ann` file (AUTHORING.md): blank, or marked up from its standoff."""
    title, body = article["title"], article["paragraphs"][:paragraphs]
    marks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)  # para -> (start, end, markup)
    if standoff is not None:
        for sent in standoff["sentences"]:
            names = {e["id"]: f"t{sent['id'].rsplit('-s', 1)[1]}{e['id']}" for e in sent["entities"]
                     if e["label"] == "TRIGGER"}
            roles: dict[str, list[str]] = defaultdict(list)
            for rel in sent["relations"]:
                roles[rel["tail"]].append(f"{rel['label']}>{names[rel['head']]}")
            for ent in sent["entities"]:
                attrs = [ent["label"] + (f"#{names[ent['id']]}" if ent["id"] in names else "")]
                if ent["label"] == "TRIGGER":
                    attrs.append(ent["polarity"])
                if ent["label"] == "DATE":
                    attrs.append("=" + (ent["value"] or "null"))
                attrs.extend(roles[ent["id"]])
                marks[sent["para"]].append((sent["start"] + ent["start"], sent["start"] + ent["end"],
                                            " ".join(attrs)))

    def marked(para: int, text: str) -> str:
        out, pos = [], 0
        for start, end, attrs in sorted(marks[para]):
            out.append(text[pos:start] + f"[{text[start:end]}]{{{attrs}}}")
            pos = end
        return "".join(out) + text[pos:]

    lines = [f"doc_id: {article['doc_id']}", f"doc_date: {article['date']}",
             f"headline: {marked(TITLE, title)}", "==="]
    lines += [marked(i, p) for i, p in enumerate(body)]
    return "\n".join(lines) + "\n"


def ann_to_standoff(compiled: AuthoredArticle, article: dict, paragraphs: int,
                    annotator: str) -> dict:
    """Standoff of a compiled `.ann` article: sentence places in the corpus article, hashes, spans."""
    # compile_article renders the headline, a blank line, then "\n" + paragraph + "\n" each.
    starts = {TITLE: 0}
    pos = len(article["title"]) + 2
    for i, para in enumerate(article["paragraphs"][:paragraphs]):
        starts[i] = pos + 1
        pos += len(para) + 2
    source = _paragraph_texts(article)
    sentences = []
    for record in compiled.records:
        para = max(p for p, s in starts.items() if s <= record.doc_offset)
        start = record.doc_offset - starts[para]
        end = start + len(record.text)
        if source[para][start:end] != record.text:
            raise StandoffError(f"{compiled.path}: {record.id}: the .ann text differs from the corpus "
                                f"article (paragraph {para}); re-export it")
        sentences.append({
            "id": record.id, "para": para, "start": start, "end": end, "sha1": sentence_hash(record.text),
            "entities": [{k: v for k, v in e.to_dict().items() if k != "text"} for e in record.entities],
            "relations": [r.to_dict() for r in record.relations],
        })
    return {"doc_id": compiled.doc_id, "doc_date": compiled.doc_date, "paragraphs": paragraphs,
            "annotator": annotator, "sentences": sentences}


def build_records(standoff: dict, article: dict, where: str) -> list[Record]:
    """Full records from standoff and the corpus text; a changed sentence is a StandoffError."""
    source = _paragraph_texts(article)
    records = []
    for sent in standoff["sentences"]:
        text = source.get(sent["para"], "")[sent["start"]:sent["end"]]
        if sentence_hash(text) != sent["sha1"]:
            raise StandoffError(f"{where}: {sent['id']}: hash-mismatch: the corpus text at paragraph "
                                f"{sent['para']} [{sent['start']}:{sent['end']}] is not the annotated sentence")
        entities = [Entity(e["id"], e["label"], e["start"], e["end"], text[e["start"]:e["end"]],
                           polarity=e.get("polarity"), value=e.get("value")) for e in sent["entities"]]
        relations = [Relation(r["head"], r["tail"], r["label"]) for r in sent["relations"]]
        records.append(Record(sent["id"], standoff["doc_id"], standoff["doc_date"], text, entities, relations))
    return records


def standoff_violations(records: list[Record], where: str) -> list[Violation]:
    """The record contract checked on materialised records."""
    from .validate import check_record

    found: list[Violation] = []
    for record in records:
        found.extend(check_record(record.to_dict(), where, 0))
    return found


def standoff_path(standoff_dir: Path, doc_id: str) -> Path:
    return Path(standoff_dir) / f"{doc_id}.json"


def read_standoff(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise StandoffError(f"{path}:{err.lineno}: malformed JSON: {err.msg}") from err


def import_ann(ann_path: Path, articles: dict[str, dict], selection: dict[str, Selection],
               annotator: str) -> tuple[dict | None, list[Violation]]:
    """Compile one annotated `.ann` file against its corpus article; returns (standoff, violations)."""
    from .authoring import compile_article

    compiled, violations = compile_article(ann_path)
    if compiled is None or violations:
        return None, violations
    path = str(ann_path)
    if compiled.doc_id not in selection or compiled.doc_id not in articles:
        return None, [Violation(path, 1, compiled.doc_id, "selection",
                                "not in the selection file or not in call_articles")]
    chosen = selection[compiled.doc_id]
    if compiled.doc_date != articles[compiled.doc_id]["date"]:
        return None, [Violation(path, 1, compiled.doc_id, "doc-date",
                                f"doc_date must be the article's date {articles[compiled.doc_id]['date']}")]
    try:
        return ann_to_standoff(compiled, articles[compiled.doc_id], chosen.paragraphs, annotator), []
    except StandoffError as err:
        return None, [Violation(path, 1, compiled.doc_id, "corpus-text", str(err))]


def build_split_records(selection: list[Selection], standoff_dir: Path,
                        articles: dict[str, dict]) -> tuple[dict[str, list[Record]], list[str]]:
    """Records per split for every selected article that has standoff; missing ones are listed."""
    per_split: dict[str, list[Record]] = {s: [] for s in SPLITS}
    missing: list[str] = []
    for chosen in selection:
        path = standoff_path(standoff_dir, chosen.doc_id)
        if not path.is_file():
            missing.append(chosen.doc_id)
            continue
        if chosen.doc_id not in articles:
            raise StandoffError(f"{path}: {chosen.doc_id} is not in call_articles (wrong --corpus-dir?)")
        records = build_records(read_standoff(path), articles[chosen.doc_id], str(path))
        bad = standoff_violations(records, str(path))
        if bad:
            raise StandoffError("\n".join(map(str, bad)))
        per_split[chosen.split].extend(records)
    return per_split, missing
