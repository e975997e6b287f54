"""``python -m archive stats``: what the archive holds, per source, outlet and region.

For each group: articles, first and last ``published_at``, the last crawl (latest
``crawl_runs.started``) and the error rate (pages with outcome ``error`` / pages fetched).
A source's articles are the ones first archived from it. Outlets and regions are not crawled
themselves: their last crawl and error rate are those of the sources their articles came from.
"""

from __future__ import annotations

import sqlite3

GROUPS = ("source", "outlet", "region")
COLUMNS = ("articles", "first_published", "last_published", "last_crawl", "pages", "errors", "error_rate")


def archive_stats(conn: sqlite3.Connection) -> dict[str, list[dict]]:
    """``{"source": [...], "outlet": [...], "region": [...]}``: one dict per group value, by articles."""
    crawl = {s: {"last_crawl": started, "pages": 0, "errors": 0}
             for s, started in conn.execute("SELECT source, max(started) FROM crawl_runs GROUP BY source")}
    for source, pages, errors in conn.execute(
            "SELECT source, count(*), sum(outcome = 'error') FROM pages GROUP BY source"):
        c = crawl.setdefault(source, {"last_crawl": None, "pages": 0, "errors": 0})
        c["pages"], c["errors"] = pages, errors or 0
    out: dict[str, list[dict]] = {}
    for group in GROUPS:
        rows = {}
        for value, n, first, last in conn.execute(
                f"SELECT {group}, count(*), min(published_at), max(published_at) FROM articles GROUP BY {group}"):
            rows[value] = {group: value, "articles": n, "first_published": first, "last_published": last,
                           "_sources": set()}
        for value, source in conn.execute(f"SELECT DISTINCT {group}, source FROM articles"):
            rows[value]["_sources"].add(source)
        if group == "source":  # sources that fetched pages but archived nothing yet
            for source in crawl:
                rows.setdefault(source, {"source": source, "articles": 0, "first_published": None,
                                         "last_published": None, "_sources": {source}})
        for row in rows.values():
            sources = [crawl[s] for s in row.pop("_sources") if s in crawl]
            crawls = [c["last_crawl"] for c in sources if c["last_crawl"]]
            row["last_crawl"] = max(crawls) if crawls else None
            row["pages"] = sum(c["pages"] for c in sources)
            row["errors"] = sum(c["errors"] for c in sources)
            row["error_rate"] = round(row["errors"] / row["pages"], 4) if row["pages"] else None
        out[group] = sorted(rows.values(), key=lambda r: (-r["articles"], str(r[group])))
    return out


def print_stats(stats: dict[str, list[dict]]) -> None:
    """Three tables (rich on a terminal, plain text when piped)."""
    import sys

    from .report import print_table

    for group in GROUPS:
        if not sys.stdout.isatty():
            print(f"per {group}")
        rows = [{**r, "error_rate": None if r["error_rate"] is None else f"{r['error_rate']:.1%}"}
                for r in stats[group]]
        print_table(rows, [group, *COLUMNS], title=f"per {group}")
        print()
