"""Incremental crawling on every list shape: requests of a first crawl, a no-change re-crawl and a
re-crawl after 3 new articles, for a TRS, a Hanweb and a JSON-list portal of 500 articles each.

Requests are counted from the sample server's own log, by kind (list page, Hanweb dataproxy
POST, JSON API page, article page). The target: a no-change re-crawl asks for no article page
and at most one list page (or API page) per start.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from pathlib import Path

from bench.bench_recrawl import crawl
from tests.sample_portals.shapes import bench_portals, serve_shapes


def _counts(portal) -> Counter:
    return Counter(r["kind"] for r in portal.requests if r["kind"] != "other")


def run(results: list, articles: int = 500) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db, sources = tmp / "archive.db", tmp / "sources.toml"
        with serve_shapes(bench_portals(articles)) as running:
            running.write_sources(sources, extra={"*": {"max_article_pages": articles + 50}})
            tables = {t["name"]: t for t in running.tables()}
            phases = {}
            for phase in ("first", "unchanged", "3 new"):
                if phase == "3 new":
                    for portal in running.portals:
                        portal.add_articles(3)
                running.clear_log()
                seconds = crawl(sources, db)
                phases[phase] = ({p.name: _counts(p) for p in running.portals}, seconds)
            with sqlite3.connect(db) as conn:
                archived = {u for (u,) in conn.execute("SELECT url FROM article_urls")}
            expected = running.expected()
        for name, table in tables.items():
            starts = len(table.get("start_urls", [])) + ("list_api" in table)
            got = len(set(expected[name]) & archived)
            results.append({"name": f"shapes {name}: archived", "value": got, "unit": "articles",
                            "note": f"of {len(expected[name])} (first crawl + 3 new); {starts} start(s)"})
            for phase, (counts, seconds) in phases.items():
                c = counts[name]
                listing = c["list"] + c["proxy"] + c["api"]
                results.append({"name": f"shapes {name}: {phase} crawl", "value": sum(c.values()), "unit": "requests",
                                "note": f"{listing} list/POST/API, {c['article']} article pages (the three portals: {seconds:.1f} s)"})
