"""Extraction speed: our pipeline vs trafilatura alone vs lxml parsing alone, on the eval corpus.

Pages: the first page of every case of ``tests/data/eval`` (an ``<id>.html`` with an ``<id>.json``
beside it), bytes as a crawler gets them, the case's URL. Three systems, each in this process on
one core:

* ours        -- ``archive.extract.extract_article([(body, url)])``: decode, parse, trafilatura
                 (fast mode), cleaning, metadata, opencc, relevance, content hash;
* trafilatura -- ``trafilatura.bare_extraction(body, url=url, with_metadata=True)`` with its
                 default options (the floor: what a naive crawler would call);
* lxml        -- ``lxml.html.fromstring(body)`` alone (the cost of parsing, nothing more).

Every system is warmed up first, then the three run in interleaved rounds (each round: whole
passes over the corpus for at least ``ROUND_SECONDS`` per system), so a noisy neighbour slows
all three alike. Reported: pages/s of each and ours/trafilatura time per page (target ≤ 1.0).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CORPUS = REPO / "tests" / "data" / "eval"
ROUNDS = 5
ROUND_SECONDS = 2.0  # per system and round: >= 10 s per system in all


def corpus() -> list[tuple[bytes, str | None]]:
    """(bytes, url) of the first page of every eval case."""
    pages = []
    for html in sorted(CORPUS.rglob("*.html")):
        case = html.with_suffix(".json")
        if case.is_file():
            pages.append((html.read_bytes(), json.loads(case.read_text("utf-8")).get("url")))
    return pages


def systems():
    import lxml.html
    import trafilatura

    from archive.extract import ExtractOptions, extract_article

    options = ExtractOptions()

    def ours(body, url):
        extract_article([(body, url)], None, options)

    def trafilatura_alone(body, url):
        trafilatura.bare_extraction(body, url=url, with_metadata=True)

    def lxml_alone(body, url):
        lxml.html.fromstring(body)

    return {"ours": ours, "trafilatura": trafilatura_alone, "lxml": lxml_alone}


def _pass(fn, pages) -> None:
    for body, url in pages:
        fn(body, url)


def measure(rounds: int = ROUNDS, round_seconds: float = ROUND_SECONDS) -> dict:
    """{system: (pages, seconds)} over interleaved rounds, after one warm-up pass each."""
    pages = corpus()
    fns = systems()
    for fn in fns.values():  # warm-up: imports, opencc dictionaries, compiled regexes, caches
        _pass(fn, pages)
    totals = {name: [0, 0.0] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            gc.collect()
            started = time.perf_counter()
            done = 0
            while True:
                _pass(fn, pages)
                done += len(pages)
                elapsed = time.perf_counter() - started
                if elapsed >= round_seconds:
                    break
            totals[name][0] += done
            totals[name][1] += elapsed
    return {name: (n, s) for name, (n, s) in totals.items()}, len(pages)


def run(results: list) -> None:
    figures, corpus_pages = measure()
    rate = {name: n / s for name, (n, s) in figures.items()}
    ms = {name: 1000 * s / n for name, (n, s) in figures.items()}
    for name, (n, s) in figures.items():
        print(f"  extract {name:12} {n:6d} pages in {s:6.2f} s: {rate[name]:8.1f} pages/s, {ms[name]:7.2f} ms/page",
              flush=True)
    note = f"eval corpus, {corpus_pages} first pages, in-process, one core"
    ratio = ms["ours"] / ms["trafilatura"]
    results += [
        {"name": "extract.ours.pages_per_s", "value": round(rate["ours"], 1), "unit": "pages/s",
         "note": f"{note}; {ms['ours']:.1f} ms/page"},
        {"name": "extract.trafilatura.pages_per_s", "value": round(rate["trafilatura"], 1), "unit": "pages/s",
         "note": f"floor: bare_extraction(with_metadata=True), default options; {ms['trafilatura']:.1f} ms/page"},
        {"name": "extract.lxml_parse.pages_per_s", "value": round(rate["lxml"], 1), "unit": "pages/s",
         "note": f"lxml.html.fromstring alone; {ms['lxml']:.2f} ms/page"},
        {"name": "extract.ours_vs_trafilatura.time", "value": round(ratio, 2), "unit": "x",
         "note": f"time per page, ours / trafilatura alone; target ≤ 1.0 ({'holds' if ratio <= 1.0 else 'MISSED'})"},
        {"name": "extract.lxml_share_of_ours", "value": round(100 * ms["lxml"] / ms["ours"], 1), "unit": "%",
         "note": "lxml parsing time as a share of our pipeline's time per page"},
    ]


if __name__ == "__main__":
    out: list = []
    run(out)
    for r in out:
        print(f"{r['name']:36} {r['value']:>10} {r['unit']:8} {r['note']}")
