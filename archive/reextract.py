"""``python -m archive reextract``: run the current text pipeline over the stored raw pages.

Every page with a stored body and outcome ``archived``, ``duplicate``, ``irrelevant`` or
``empty`` (or ``error`` with reason ``garbled text``) is extracted again by
``archive.pipeline.process_page`` with its source's settings (from the sources file) and its
learned template (``archive.text.templates``), and the archive is brought in line, one
transaction per page:

- same content hash: the article's columns are updated from its own page (the one it was first
  archived from) when they differ, ``extractor_version`` included;
- new content hash: the page's ``article_urls`` row moves to the new hash (its ``first_seen`` kept).
  The new article is created, or, when it already exists, the two *merge*: the earliest
  ``first_seen`` and latest ``last_seen`` are kept, and the URLs are the union. An article left
  without URLs is removed (its URLs all moved); one that keeps some gets its earliest remaining URL
  as ``url``;
- an irrelevant or empty page whose text is now relevant is archived as above;
- an archived page whose new text is empty or irrelevant keeps its article (counted as ``kept``):
  re-extraction never loses an article, URL, page or first-seen date;
- an article whose continuation pages (multi-page articles) are not stored is left alone.

Running it twice changes nothing the second time. The search index follows every change in the
same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from .db import write_transaction
from .records import decompress
from .extract import EXTRACTOR_VERSION, ExtractOptions, next_page
from .pipeline import GARBLED, FetchedPage, process_page
from .search import index_article, unindex_article
from .derived import derive, underive
from .sources import SourcesFile
from .text import templates

OUTCOMES = ("archived", "duplicate", "irrelevant", "empty")
# columns an article's own page decides (url, source and the seen dates are the archive's)
UPDATABLE = ("title", "text", "text_original", "published_at", "outlet", "region", "author", "editor",
             "original_title", "relevance", "suspect_encoding", "extractor_version")


@dataclass
class Summary:
    """What a re-extraction changed (``counts``) and which pages it could not redo (``skipped``)."""

    counts: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        labels = [
            ("pages", "pages re-extracted"), ("unchanged", "pages unchanged"),
            ("articles_updated", "articles updated in place (same text hash)"),
            ("urls_moved", "URLs moved to a new text hash"), ("articles_created", "articles created"),
            ("articles_merged", "URLs merged into an existing article"),
            ("articles_removed", "articles removed (every URL moved to another)"),
            ("newly_archived", "irrelevant/empty pages now archived"),
            ("pages_updated", "other page rows updated (outcome, reason, hash)"),
            ("kept", "archived pages now empty or irrelevant (article kept)"),
            ("multipage_skipped", "multi-page articles skipped (continuation pages not stored)"),
            ("unknown_source", "pages of sources not in the sources file (skipped)"),
        ]
        return [f"{label}: {self.counts[key]}" for key, label in labels if self.counts[key] or key == "pages"]

    def as_dict(self) -> dict:
        return {"extractor_version": EXTRACTOR_VERSION, **dict(self.counts), "skipped": self.skipped}


def _options(sources: SourcesFile | None, name: str,
             template: frozenset[int] = frozenset()) -> tuple[ExtractOptions, str] | None:
    if sources is None:
        return None
    for src in sources.sources:
        if src.name == name:
            return (ExtractOptions(boilerplate=src.boilerplate, outlet=src.outlet,
                                   relevance=sources.settings.relevance_model(src), template=template),
                    src.region)
    return None


def _more_pages(conn: sqlite3.Connection, body: bytes, url: str, content_type: str | None):
    """Stored continuation pages of a multi-page article; None when one of them is not stored."""
    more, seen = [], {url}
    nxt = next_page(body, url, content_type)
    while nxt and len(more) < 9:
        if nxt in seen:
            break
        seen.add(nxt)
        row = conn.execute("SELECT body FROM pages WHERE (url = ? OR final_url = ?) AND body IS NOT NULL",
                           (nxt, nxt)).fetchone()
        if row is None:
            return None
        page_body = decompress(row[0])
        more.append((page_body, nxt))
        nxt = next_page(page_body, nxt, None)
    return tuple(more)


def _extract(job):
    page, options, region = job
    record, article = process_page(page, options, region, keep_body=False)
    return page.url, record, article


def reextract(conn: sqlite3.Connection, sources: SourcesFile | None, *, source: str | None = None,
              since: str | None = None, jobs: int = 1) -> Summary:
    """Re-extract stored pages (of ``source``, fetched at or after ``since``) and apply the changes."""
    summary = Summary()
    where = ["body IS NOT NULL",
             f"(outcome IN ({', '.join('?' * len(OUTCOMES))}) OR (outcome = 'error' AND reason = ?))"]
    params = [*OUTCOMES, GARBLED]
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("fetched_at >= ?")
        params.append(since)
    urls = [r[0] for r in conn.execute(f"SELECT url FROM pages WHERE {' AND '.join(where)} ORDER BY fetched_at, url",
                                       params)]

    learned: dict[str, frozenset[int]] = {}

    def jobs_iter():
        for url in urls:
            row = conn.execute("SELECT source, status, fetched_at, headers, body, final_url, content_type FROM pages"
                               " WHERE url = ?", (url,)).fetchone()
            src, status, fetched_at, headers, body_z, final_url, ctype = row
            if src not in learned:  # the source's template: one indexed query per source
                learned[src] = templates.template(conn, src)
            opts = _options(sources, src, learned[src])
            if opts is None:
                summary.counts["unknown_source"] += 1
                continue
            body = decompress(body_z)
            more = _more_pages(conn, body, final_url or url, ctype)
            if more is None:
                summary.counts["multipage_skipped"] += 1
                summary.skipped.append(url)
                continue
            page = FetchedPage(url=url, source=src, status=status, fetched_at=fetched_at,
                               headers=json.loads(headers) if headers else {}, body=body, more_pages=more,
                               final_url=final_url)
            yield page, opts[0], opts[1]

    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            batch: list = []
            for job in chain(jobs_iter(), [None]):  # batches keep the bodies in memory bounded
                if job is not None:
                    batch.append(job)
                if batch and (job is None or len(batch) >= 16 * jobs):
                    for result in pool.map(_extract, batch, chunksize=4):
                        _apply(conn, *result, summary)
                    batch = []
    else:
        for job in jobs_iter():
            _apply(conn, *_extract(job), summary)
    return summary


def _article(conn: sqlite3.Connection, h: str) -> dict | None:
    cur = conn.execute("SELECT * FROM articles WHERE content_hash = ?", (h,))
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def _apply(conn: sqlite3.Connection, url: str, record, article: dict | None, summary: Summary) -> None:
    summary.counts["pages"] += 1
    with write_transaction(conn):
        page = conn.execute("SELECT source, fetched_at, outcome, reason, content_hash FROM pages WHERE url = ?",
                            (url,)).fetchone()
        src, fetched_at, outcome, reason, page_hash = page
        link = conn.execute("SELECT content_hash, first_seen FROM article_urls WHERE url = ?", (url,)).fetchone()
        old_hash = link[0] if link else None

        if article is None:  # empty or irrelevant now
            if old_hash is not None:
                summary.counts["kept"] += 1
                return
            new = (record.outcome, record.reason, record.content_hash)
            if new != (outcome, reason, page_hash):
                conn.execute("UPDATE pages SET outcome = ?, reason = ?, content_hash = ? WHERE url = ?", (*new, url))
                summary.counts["pages_updated"] += 1
            else:
                summary.counts["unchanged"] += 1
            return

        new_hash = article["content_hash"]
        if new_hash == old_hash:
            current = _article(conn, new_hash)
            if current["url"] != url:
                summary.counts["unchanged"] += 1
                return
            changed = {c: article[c] for c in UPDATABLE if c in article and article[c] != current[c]}
            if not changed:
                summary.counts["unchanged"] += 1
                return
            reindex = "title" in changed or "text" in changed
            if reindex:
                unindex_article(conn, new_hash)
            conn.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in changed)} WHERE content_hash = ?",
                         (*changed.values(), new_hash))
            if reindex:
                index_article(conn, new_hash, article["title"], article["text"])
            derive(conn, new_hash, story=False)  # same text: its story stays; facts and places follow
            summary.counts["articles_updated"] += 1
            return

        # a new text hash for this URL (or a first one for a page that was not archived)
        old = _article(conn, old_hash) if old_hash else None
        first = min(x for x in (old and old["first_seen"], link and link[1], fetched_at) if x)
        last = max(x for x in (old and old["last_seen"], fetched_at) if x)
        target = _article(conn, new_hash)
        if target is None:
            row = {c: article.get(c) for c in article}
            row.update(url=url, source=src, first_seen=first, last_seen=last)
            conn.execute(f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         list(row.values()))
            index_article(conn, new_hash, row["title"], row["text"])
            derive(conn, new_hash)
            summary.counts["articles_created"] += 1
            primary = url
        else:
            conn.execute("UPDATE articles SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
                         " WHERE content_hash = ?", (first, last, new_hash))
            summary.counts["articles_merged"] += 1
            primary = target["url"]
        conn.execute("INSERT INTO article_urls (url, content_hash, source, first_seen) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash",
                     (url, new_hash, src, link[1] if link else fetched_at))
        conn.execute("UPDATE pages SET content_hash = ?, outcome = ?, reason = ? WHERE url = ?",
                     (new_hash, "archived" if primary == url else "duplicate", record.reason, url))
        if old_hash is None:
            summary.counts["newly_archived"] += 1
        else:
            summary.counts["urls_moved"] += 1
            _settle(conn, old, summary)


def _settle(conn: sqlite3.Connection, old: dict, summary: Summary) -> None:
    """After a URL left article ``old``: remove it if it has no URL left, else give it a new own URL."""
    h = old["content_hash"]
    rest = conn.execute("SELECT url, source FROM article_urls WHERE content_hash = ? ORDER BY first_seen, url",
                        (h,)).fetchall()
    if not rest:
        unindex_article(conn, h)
        underive(conn, h)
        conn.execute("DELETE FROM articles WHERE content_hash = ?", (h,))
        summary.counts["articles_removed"] += 1
        return
    if old["url"] not in {u for u, _ in rest}:
        url, src = rest[0]
        conn.execute("UPDATE articles SET url = ?, source = ? WHERE content_hash = ?", (url, src, h))
        conn.execute("UPDATE pages SET outcome = 'archived' WHERE url = ? AND outcome = 'duplicate'", (url,))


def load_sources_or_none(path: str | Path | None) -> SourcesFile | None:
    from .sources import load_sources

    return load_sources(path) if path else None
