"""Template learning per source: lines that recur across a large share of one source's pages are
that source's boilerplate (its editor box, its disclaimer, its app prompt), whatever they say.

The crawler sees many pages of each source. For every page it archives (or finds irrelevant)
for the first time, the keys of its body lines (``fold.line_key``: width, spaces, brackets and
digits do not count) are counted in ``template_lines``; ``template_sources`` counts the pages.
A line whose key is on at least ``MIN_SHARE`` of a source's pages, once the source has
``MIN_PAGES`` pages, is template, unless another source has it too: a paragraph syndicated
across sources is text, not a template. Counts halve when a source reaches ``WINDOW`` pages, so
the tables stay small and a redesigned site's new template replaces the old one.

Writing costs one upsert per line of the page, in the page's own transaction; reading a
source's template is one indexed query, done when a crawl (or ``reextract``) starts work on
the source and again every ``REFRESH_PAGES`` pages: no page ever scans the archive.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable

MIN_PAGES = 10
MIN_SHARE = 0.3
WINDOW = 400
REFRESH_PAGES = 100

SCHEMA = """
CREATE TABLE IF NOT EXISTS template_sources (
    source TEXT PRIMARY KEY,
    pages INTEGER NOT NULL            -- pages learned from (halved at WINDOW)
);
CREATE TABLE IF NOT EXISTS template_lines (
    source TEXT NOT NULL,
    key INTEGER NOT NULL,             -- archive.text.fold.line_key of a body line
    pages INTEGER NOT NULL,           -- pages of the source with this line
    PRIMARY KEY (source, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS template_lines_key ON template_lines (key, source);
"""


def create_tables(conn: sqlite3.Connection) -> None:
    """The two tables of template learning (schema version 6)."""
    for statement in SCHEMA.split(";"):  # not executescript: it would commit the caller's transaction
        if statement.strip():
            conn.execute(statement)


def learn(conn: sqlite3.Connection, source: str, keys: Iterable[int]) -> None:
    """Count one page of ``source`` with body lines ``keys`` (in the caller's transaction)."""
    keys = set(keys)
    if not keys:
        return
    pages = conn.execute(
        "INSERT INTO template_sources (source, pages) VALUES (?, 1)"
        " ON CONFLICT(source) DO UPDATE SET pages = pages + 1 RETURNING pages", (source,)).fetchone()[0]
    conn.executemany(
        "INSERT INTO template_lines (source, key, pages) VALUES (?, ?, 1)"
        " ON CONFLICT(source, key) DO UPDATE SET pages = pages + 1", [(source, k) for k in keys])
    if pages >= WINDOW:
        conn.execute("UPDATE template_sources SET pages = pages / 2 WHERE source = ?", (source,))
        conn.execute("UPDATE template_lines SET pages = pages / 2 WHERE source = ?", (source,))
        conn.execute("DELETE FROM template_lines WHERE source = ? AND pages = 0", (source,))


def template(conn: sqlite3.Connection, source: str) -> frozenset[int]:
    """The line keys that are ``source``'s template now (empty before ``MIN_PAGES`` pages)."""
    try:
        row = conn.execute("SELECT pages FROM template_sources WHERE source = ?", (source,)).fetchone()
    except sqlite3.OperationalError:  # an archive from before schema version 6, opened read-only
        return frozenset()
    if not row or row[0] < MIN_PAGES:
        return frozenset()
    need = max(2, math.ceil(MIN_SHARE * row[0]))
    rows = conn.execute(
        "SELECT key FROM template_lines t WHERE source = ? AND pages >= ? AND NOT EXISTS"
        " (SELECT 1 FROM template_lines o WHERE o.key = t.key AND o.source != t.source)", (source, need))
    return frozenset(k for (k,) in rows)
