"""Sentence splitter throughput on hostile input: 4 MB of Arabic with no sentence end, and 4 MB of
ordinary news prose, each split as one paragraph (the worst case: no line breaks either).

Run: `make bench` (or `python bench/bench_split.py`). The splitter must stay linear: before it
was, 800 KB of run-on text took 128 s."""

from __future__ import annotations

import time

from hatif.text.sentences import MAX_SENTENCE_CHARS, split_sentences

SIZE = 4_000_000
INPUTS = {
    "run-on (no sentence end)": "كلمة عربية طويلة «مقتبسة» ",
    "news prose": "وأجرى وزير الخارجية اتصالاً هاتفياً بنظيره الفرنسي أمس. وقال إن الجانبين بحثا العلاقات الثنائية! ",
}


def main() -> None:
    print(f"{'input':<26} {'chars':>10} {'sentences':>10} {'longest':>8} {'seconds':>8} {'MB/s':>6}")
    for name, unit in INPUTS.items():
        text = (unit * (SIZE // len(unit) + 1))[:SIZE]
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            spans = split_sentences(text)
            best = min(best, time.perf_counter() - started)
        longest = max(end - start for start, end in spans)
        assert longest <= MAX_SENTENCE_CHARS
        print(f"{name:<26} {len(text):>10,} {len(spans):>10,} {longest:>8,} {best:>8.2f} {len(text.encode()) / best / 1e6:>6.1f}")


if __name__ == "__main__":
    main()
