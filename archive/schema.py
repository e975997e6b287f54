"""The archive's schema and its migrations.

``SCHEMA_VERSION`` is the version this program writes; ``meta.schema_version`` the version
of a file. Opening an older file runs the missing migrations in order, each in one
transaction, so a file is always at a version listed in docs/schema.md. A newer file is
refused (``db.Archive.open``).
"""

from __future__ import annotations

from typing import Callable

import sqlite_utils

SCHEMA_VERSION = 7

ARTICLE_COLUMNS = {
    "content_hash": str, "title": str, "text": str, "text_original": str, "published_at": str,
    "outlet": str, "region": str, "source": str, "url": str, "author": str, "editor": str,
    "original_title": str, "first_seen": str, "last_seen": str, "relevance": float,
    "suspect_encoding": int, "extractor_version": str,
}


def _v1(db: sqlite_utils.Database) -> None:
    """The first schema: articles, article_urls, pages, crawl_runs, list_pages, meta."""
    db["articles"].create(ARTICLE_COLUMNS, pk="content_hash", not_null={"text", "first_seen"}, if_not_exists=True)
    db["article_urls"].create(
        {"url": str, "content_hash": str, "source": str, "first_seen": str},
        pk="url", foreign_keys=[("content_hash", "articles", "content_hash")], if_not_exists=True,
    )
    db["pages"].create(
        {"url": str, "source": str, "status": int, "fetched_at": str, "outcome": str, "reason": str,
         "content_hash": str, "content_type": str, "headers": str, "body": bytes, "body_size": int,
         "encoding": str, "final_url": str, "attempts": int},
        pk="url", if_not_exists=True,
    )
    db["crawl_runs"].create(
        {"id": int, "source": str, "trigger": str, "started": str, "finished": str, "ended": str,
         "list_pages": int, "article_pages": int, "not_modified": int, "archived": int,
         "duplicates": int, "irrelevant": int, "errors": int, "bytes": int},
        pk="id", if_not_exists=True,
    )
    db["list_pages"].create(
        {"url": str, "source": str, "etag": str, "last_modified": str, "fetched_at": str, "status": int},
        pk="url", if_not_exists=True,
    )
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    for table, cols in (("articles", ["source"]), ("articles", ["published_at"]), ("articles", ["outlet"]),
                        ("articles", ["region"]), ("article_urls", ["content_hash"]),
                        ("pages", ["source", "outcome"]), ("pages", ["content_hash"]),
                        ("crawl_runs", ["source", "started"])):
        db[table].create_index(cols, if_not_exists=True)


def _v2(db: sqlite_utils.Database) -> None:
    """Chinese full-text search (``articles_search``, ``articles_fts``: see archive/search.py) and the
    ``article_list`` view (one row per article with its month and URL count, for browsing)."""
    from .search import create_index, rebuild_index

    create_index(db.conn)
    rebuild_index(db.conn)
    db.execute("""CREATE VIEW IF NOT EXISTS article_list AS
        SELECT a.content_hash, a.published_at, substr(a.published_at, 1, 7) AS month, a.title, a.outlet,
               a.region, a.source, a.url,
               (SELECT count(*) FROM article_urls u WHERE u.content_hash = a.content_hash) AS urls,
               a.first_seen, a.last_seen, a.relevance, a.extractor_version
        FROM articles a""")


def _v3(db: sqlite_utils.Database) -> None:
    """Stories (``stories``, ``story_keys``, ``articles.story_id``), investment ``facts`` and
    ``article_places`` (archive/stories.py, facts.py, places.py), computed for the existing articles;
    the ``story_list`` view."""
    from .facts import create_table as create_facts
    from .places import create_table as create_places
    from .derived import rebuild
    from .stories import create_tables as create_stories, create_views

    create_stories(db.conn)
    create_facts(db.conn)
    create_places(db.conn)
    create_views(db.conn)
    rebuild(db.conn)


def _v4(db: sqlite_utils.Database) -> None:
    """Story keys recomputed: MinHash now runs over 64-bit shingle hashes in numpy (archive/stories.py,
    ``stories_params`` version 2); stories stay as they were."""
    from .derived import rekey_stories
    from .stories import write_params

    rekey_stories(db.conn)
    write_params(db.conn)


def _v5(db: sqlite_utils.Database) -> None:
    """Raw pages (``pages.body``) are written zstd-compressed from now on; the rows before stay
    zlib streams (``archive.records.decompress`` reads both). Nothing to rewrite: the version tells
    an older program, which reads zlib only, that this file is not for it."""


def _v6(db: sqlite_utils.Database) -> None:
    """Template learning per source (archive/text/templates.py): ``template_sources`` and
    ``template_lines``, empty; they fill as pages are archived from now on."""
    from .text.templates import create_tables

    create_tables(db.conn)


def _v7(db: sqlite_utils.Database) -> None:
    """Facts say what each figure is (archive/facts/): ``status`` (done, target, pending), ``measure``
    (signed, actual, total, other), ``period`` with ``period_start``/``period_end``, ``place`` with
    ``adcode``, ``province``, ``prefecture``, and ``part_of``; the old ``measure`` (the clause's words)
    is renamed ``wording``, ``signed`` now means status done and measure signed. Every article's facts
    are computed again."""
    from .derived import rebuild

    columns = {r[1] for r in db.execute("PRAGMA table_info(facts)").fetchall()}
    if "wording" not in columns:  # a file from versions 3-6 (a new file got these columns in version 3)
        db.execute("ALTER TABLE facts RENAME COLUMN measure TO wording")
        for name, kind in (("status", "TEXT"), ("measure", "TEXT"), ("period", "TEXT"), ("period_start", "TEXT"),
                           ("period_end", "TEXT"), ("place", "TEXT"), ("adcode", "TEXT"), ("province", "TEXT"),
                           ("prefecture", "TEXT"), ("part_of", "INTEGER")):
            db.execute(f"ALTER TABLE facts ADD COLUMN {name} {kind}")
        rebuild(db.conn, stories=False, facts=True, places=False)
    db.execute("CREATE INDEX IF NOT EXISTS facts_status_measure ON facts (status, measure, kind)")


# version -> migration that brings a file from version-1 to version (1: from an empty file)
MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _v5, 6: _v6, 7: _v7}


def file_version(db: sqlite_utils.Database) -> int:
    """The schema version of an open file (0 for an empty file)."""
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Bring ``db`` to ``SCHEMA_VERSION``; returns the versions applied (each in its own transaction)."""
    from .db import write_transaction

    applied: list[int] = []
    if file_version(db) == SCHEMA_VERSION:
        return applied  # the common case: no write lock taken just to open a file
    while True:
        with write_transaction(db.conn):
            # read the version inside the write lock: two processes opening a new file at once
            # must not both run the same migration
            version = file_version(db) + 1
            if version > SCHEMA_VERSION:
                break
            MIGRATIONS[version](db)
            db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(version)])
        applied.append(version)
    return applied
