"""The SQLite archive: schema, writes in transactions, and the read API for downstream tools.

One file, WAL mode (readers never block the writer, nor the writer them), a
``busy_timeout`` so a reader beside the daemon waits instead of failing. sqlite-utils
creates the tables and indexes; the per-page hot path is plain SQL in one transaction
(``record_page``), so an article, its URL row and its page row land together or not at all.
The schema is documented in docs/schema.md; its version is kept in ``meta``.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import sqlite_utils

from .metadata import BEIJING
from .schema import ARTICLE_COLUMNS, SCHEMA_VERSION, migrate
from .search import index_tokens, tokens
from .derived import Prepared, derive
from .records import PageRecord, compress, decompress  # noqa: F401  (re-exported)
from .text import templates
FINAL_OUTCOMES = ("archived", "duplicate", "irrelevant", "attachment")
RETRY_BASE_SECONDS = 3600  # a failed page waits 1 h, then 2 h, 4 h ... before the next try
MAX_ATTEMPTS = 6  # after this many failed fetches a page is left alone (``--refresh`` still fetches it)


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, ``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception).

    IMMEDIATE takes the write lock up front, so the busy timeout applies: a deferred
    transaction that reads first and writes second fails at once with "database is locked"
    when another process (a second crawl, a cron run) committed in between.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class ArchiveError(RuntimeError):
    """The archive file cannot be used: the message says why in one line."""


def now_iso() -> str:
    """The current Beijing time, ISO 8601 with +08:00, to the second."""
    return datetime.now(BEIJING).isoformat(timespec="seconds")


OPEN_TIMEOUT = 30  # seconds Archive.open keeps trying while another process holds the file locked


def _connect(path: str, p: Path, readonly: bool) -> sqlite3.Connection:
    """A connection to the archive file, in WAL mode when writing (closed again if that fails)."""
    if readonly:
        conn = sqlite3.connect(f"file:{p.resolve()}?mode=ro", uri=True, timeout=30, isolation_level=None,
                               check_same_thread=False)
    else:
        # isolation_level=None: no implicit transactions; writes use write_transaction()
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise ArchiveError(f"{path}: cannot switch to WAL mode (journal_mode={mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


class Archive:
    """An archive file. ``Archive.open(path)`` for reading and writing, ``readonly=True`` to only read."""

    def __init__(self, conn: sqlite3.Connection, path: str, readonly: bool):
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self.db = sqlite_utils.Database(conn)

    # --- opening ---------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, readonly: bool = False, create: bool = True) -> "Archive":
        """Open (and create, unless ``readonly`` or ``create=False``) the archive at ``path``.

        Raises ``ArchiveError`` with one clear line when the file is missing (read-only),
        not SQLite, read-only on disk, or written by a newer version of this program.
        """
        path = str(path)
        p = Path(path)
        if (readonly or not create) and not p.exists():
            raise ArchiveError(f"{path}: no such archive")
        if p.exists() and p.is_dir():
            raise ArchiveError(f"{path}: is a directory, not an archive file")
        if not readonly:
            folder = p.resolve().parent
            if (p.exists() and not os.access(p, os.W_OK)) or (folder.exists() and not os.access(folder, os.W_OK)):
                # WAL mode also needs to create ARCHIVE-wal and ARCHIVE-shm beside the file
                raise ArchiveError(f"{path}: read-only (the file or its folder cannot be written); "
                                   "open it read-only to query it")
        # Two processes opening a new file at once (a daemon and a cron run) can meet SQLite's
        # deadlock rule while one switches the file to WAL: the loser gets "database is locked"
        # at once, without the busy timeout. Connecting again after a moment is enough.
        deadline = time.monotonic() + OPEN_TIMEOUT
        while True:
            try:
                conn = _connect(path, p, readonly)
                break
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) and time.monotonic() < deadline:
                    time.sleep(0.05 + random.random() * 0.2)
                    continue
                raise ArchiveError(f"{path}: not a usable SQLite archive ({exc})") from None
            except sqlite3.DatabaseError as exc:
                raise ArchiveError(f"{path}: not a usable SQLite archive ({exc})") from None
        archive = cls(conn, path, readonly)
        archive._check_version()
        if not readonly:
            try:
                migrate(archive.db)
            except sqlite3.OperationalError as exc:
                conn.close()
                raise ArchiveError(f"{path}: cannot write the archive ({exc})") from None
        return archive

    def _check_version(self) -> None:
        version = self.schema_version()
        if version is not None and version > SCHEMA_VERSION:
            self.conn.close()
            raise ArchiveError(
                f"{self.path}: schema version {version} is newer than this program's ({SCHEMA_VERSION}); upgrade zhaoshang-archive"
            )

    def schema_version(self) -> int | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return None
        return int(row[0]) if row else None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the crawler's writes ----------------------------------------------------------
    def record_page(self, page: PageRecord, article: dict | None = None, prepared: Prepared | None = None) -> str:
        """Store one fetched page and, when ``article`` is given, its article — one transaction.

        ``article`` holds the articles columns of a relevant extraction; ``prepared`` what
        ``archive.derived.prepare_article`` computed from it, when the caller did that already
        (the crawler does, in its extraction workers). Returns the final outcome: "archived", or
        "duplicate" when its content hash is already archived (the URL is then added to the
        existing article).
        """
        to_index: list = []
        with write_transaction(self.conn):
            outcome = self._write_page(page, article, prepared, to_index)
            index_tokens(self.conn, to_index)
        return outcome

    def record_pages(self, entries: list[tuple[PageRecord, dict | None, Prepared | None]]) -> list[str | Exception]:
        """``record_page`` for several pages in one transaction; each page's outcome, or the exception
        that kept that page out (its writes undone, the others kept: one savepoint a page).

        The crawler writes the pages that reach it together this way: a commit costs about as
        much as writing a page. A ``sqlite3.DatabaseError`` (a full disk, a file gone read-only)
        is raised and the whole transaction rolled back.
        """
        results: list[str | Exception] = []
        to_index: list = []
        with write_transaction(self.conn):
            for entry in entries:
                self.conn.execute("SAVEPOINT page")
                mark = len(to_index)
                try:
                    results.append(self._write_page(*entry, to_index))
                except sqlite3.DatabaseError:
                    raise
                except Exception as exc:
                    self.conn.execute("ROLLBACK TO page")
                    del to_index[mark:]
                    results.append(exc)
                self.conn.execute("RELEASE page")
            index_tokens(self.conn, to_index)  # after the rest: see search.index_tokens
        return results

    def _write_page(self, page: PageRecord, article: dict | None, prepared: Prepared | None,
                    to_index: list) -> str:
        """Write one page (and article) in the open transaction; a new article's hash and search
        tokens are appended to ``to_index``, indexed once for the whole transaction."""
        outcome = page.outcome
        if article is not None:
            h = article["content_hash"]
            exists = self.conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (h,)).fetchone()
            if exists:
                outcome = "duplicate"
                self.conn.execute("UPDATE articles SET last_seen = ? WHERE content_hash = ?",
                                  (page.fetched_at, h))
            else:
                outcome = "archived"
                row = {k: article.get(k) for k in ARTICLE_COLUMNS}
                row.update(content_hash=h, url=page.url, source=page.source,
                           first_seen=page.fetched_at, last_seen=page.fetched_at)
                cols = ", ".join(row)
                self.conn.execute(f"INSERT INTO articles ({cols}) VALUES ({', '.join('?' * len(row))})",
                                  list(row.values()))
                to_index.append((h, tokens(row["title"]), tokens(row["text"])))
                derive(self.conn, h, prepared=prepared, new=True)  # story, facts, places: same transaction
            self.conn.execute(
                "INSERT INTO article_urls (url, content_hash, source, first_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash",
                (page.url, h, page.source, page.fetched_at),
            )
            page.content_hash = h
        if page.line_keys and outcome != "duplicate" and self.conn.execute(
                "SELECT 1 FROM pages WHERE url = ?", (page.url,)).fetchone() is None:
            templates.learn(self.conn, page.source, page.line_keys)  # a page's first fetch only
        self.conn.execute(
            """INSERT INTO pages (url, source, status, fetched_at, outcome, reason, content_hash,
                   content_type, headers, body, body_size, encoding, final_url, attempts)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
               ON CONFLICT(url) DO UPDATE SET status = excluded.status, fetched_at = excluded.fetched_at,
                   outcome = excluded.outcome, reason = excluded.reason,
                   content_hash = coalesce(excluded.content_hash, pages.content_hash),
                   content_type = excluded.content_type, headers = excluded.headers,
                   body = coalesce(excluded.body, pages.body),
                   body_size = coalesce(excluded.body_size, pages.body_size),
                   encoding = excluded.encoding, final_url = excluded.final_url,
                   attempts = pages.attempts + 1""",
            (page.url, page.source, page.status, page.fetched_at, outcome, page.reason, page.content_hash,
             page.content_type, json.dumps(page.headers, ensure_ascii=False) if page.headers else None,
             page.body_z, page.body_size, page.encoding, page.final_url),
        )
        return outcome

    def template(self, source: str) -> frozenset[int]:
        """The body-line keys ``source``'s pages share (its learned template; archive/text/templates.py)."""
        return templates.template(self.conn, source)

    def page_outcome(self, url: str) -> tuple[str, int] | None:
        """(outcome, attempts) of a fetched page, or None if never fetched."""
        return self.conn.execute("SELECT outcome, attempts FROM pages WHERE url = ?", (url,)).fetchone()

    def is_done(self, url: str) -> bool:
        """True when ``url`` was fetched with a final outcome (never fetched again)."""
        row = self.page_outcome(url)
        return bool(row) and row[0] in FINAL_OUTCOMES

    def should_fetch(self, url: str, retry_base: float = RETRY_BASE_SECONDS, max_attempts: int = MAX_ATTEMPTS,
                     now: datetime | None = None) -> bool:
        """Whether a crawl should request article page ``url`` now.

        Never-fetched pages: yes. Pages with a final outcome: never. Failed pages (error,
        empty, blocked): after a backoff doubling with each attempt, and at most
        ``max_attempts`` times in all.
        """
        row = self.conn.execute("SELECT outcome, attempts, fetched_at FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return True
        outcome, attempts, fetched_at = row
        if outcome in FINAL_OUTCOMES or attempts >= max_attempts:
            return False
        wait = retry_base * 2 ** max(0, attempts - 1)
        elapsed = ((now or datetime.now(BEIJING)) - datetime.fromisoformat(fetched_at)).total_seconds()
        return elapsed >= wait

    def due_retries(self, source: str, retry_base: float = RETRY_BASE_SECONDS, max_attempts: int = MAX_ATTEMPTS,
                    limit: int = 1000) -> list[str]:
        """Failed article pages of ``source`` whose backoff has passed (their list page may answer 304)."""
        rows = self.conn.execute(
            "SELECT url FROM pages WHERE source = ? AND outcome IN ('error', 'empty', 'blocked') AND attempts < ?"
            " ORDER BY fetched_at LIMIT ?", (source, max_attempts, limit * 4)).fetchall()
        return [u for (u,) in rows if self.should_fetch(u, retry_base, max_attempts)][:limit]

    # --- list pages: validators for conditional GET ----------------------------------------
    def list_validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) last seen for a list page."""
        row = self.conn.execute("SELECT etag, last_modified FROM list_pages WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def list_page_status(self, url: str) -> tuple[int, str] | None:
        """(HTTP status, fetched_at) of a list page kept from an earlier run, or None."""
        row = self.conn.execute("SELECT status, fetched_at FROM list_pages WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else None

    def save_list_page(self, url: str, source: str, status: int, etag: str | None, last_modified: str | None) -> None:
        """Remember a list page's validators (kept as they were on a 304)."""
        with write_transaction(self.conn):
            self.conn.execute(
                """INSERT INTO list_pages (url, source, etag, last_modified, fetched_at, status)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, status = excluded.status,
                       etag = coalesce(excluded.etag, list_pages.etag),
                       last_modified = coalesce(excluded.last_modified, list_pages.last_modified)""",
                (url, source, etag, last_modified, now_iso(), status),
            )

    def forget_list_validators(self, source: str) -> None:
        """Drop a source's list validators (``--refresh``: fetch every list page in full)."""
        with write_transaction(self.conn):
            self.conn.execute("UPDATE list_pages SET etag = NULL, last_modified = NULL WHERE source = ?", (source,))

    def start_run(self, source: str, trigger: str) -> int:
        with write_transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO crawl_runs (source, trigger, started, ended, list_pages, article_pages, not_modified,"
                " archived, duplicates, irrelevant, errors, bytes) VALUES (?, ?, ?, 'running', 0,0,0,0,0,0,0,0)",
                (source, trigger, now_iso()),
            )
        return cur.lastrowid

    def previous_run_complete(self, source: str) -> bool:
        """Whether the last ended run of ``source`` got through everything it saw ("finished").

        After a crash, a signal, a time limit or a per-run cap, list pages beyond the first one
        whose articles are all known may still link unknown articles: pagination must not stop early.
        """
        row = self.conn.execute("SELECT ended FROM crawl_runs WHERE source = ? AND ended != 'running' "
                                "ORDER BY id DESC LIMIT 1", (source,)).fetchone()
        return row is None or row[0] == "finished"

    def mark_crashed_runs(self, source: str) -> int:
        """Runs of ``source`` still marked running: their process died. Call while holding the source's lock."""
        with write_transaction(self.conn):
            cur = self.conn.execute(
                "UPDATE crawl_runs SET ended = 'crash', finished = coalesce(finished, ?) WHERE source = ? AND ended = 'running'",
                (now_iso(), source))
        return cur.rowcount

    def finish_run(self, run_id: int, counts: dict, ended: str) -> None:
        fields = ("list_pages", "article_pages", "not_modified", "archived", "duplicates", "irrelevant",
                  "errors", "bytes")
        with write_transaction(self.conn):
            self.conn.execute(
                f"UPDATE crawl_runs SET finished = ?, ended = ?, {', '.join(f'{f} = ?' for f in fields)} WHERE id = ?",
                (now_iso(), ended, *(int(counts.get(f, 0)) for f in fields), run_id),
            )

    # --- reads -------------------------------------------------------------------------
    def get(self, content_hash: str) -> dict | None:
        """One article by content hash, or None."""
        row = self.conn.execute("SELECT * FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        return self._row(row, "articles") if row else None

    def urls(self, content_hash: str) -> list[str]:
        """Every URL an article was seen at, first seen first."""
        return [r[0] for r in self.conn.execute(
            "SELECT url FROM article_urls WHERE content_hash = ? ORDER BY first_seen, url", (content_hash,))]

    def articles(self, since: str | None = None, until: str | None = None, source: str | None = None,
                 outlet: str | None = None, region: str | None = None) -> Iterator[dict]:
        """Articles in publication order, filtered; a generator, so memory stays flat."""
        where, params = [], []
        for col, op, val in (("published_at", ">=", since), ("published_at", "<", until), ("source", "=", source),
                             ("outlet", "=", outlet), ("region", "=", region)):
            if val is not None:
                where.append(f"{col} {op} ?")
                params.append(val)
        sql = "SELECT * FROM articles" + (" WHERE " + " AND ".join(where) if where else "") + \
              " ORDER BY published_at, content_hash"
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row))

    def page_body(self, url: str) -> bytes:
        """The raw bytes stored for a fetched page ("" if none)."""
        row = self.conn.execute("SELECT body FROM pages WHERE url = ?", (url,)).fetchone()
        return decompress(row[0]) if row else b""

    def _row(self, row, table: str) -> dict:
        cols = [c.name for c in self.db[table].columns]
        return dict(zip(cols, row))

    def count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]

    # --- access API (search, exports) ---
    def search(self, query: str, *, source: str | None = None, outlet: str | None = None,
               region: str | None = None, since: str | None = None, until: str | None = None,
               limit: int | None = 20, offset: int = 0, collapse: bool = False) -> Iterator[dict]:
        """Articles whose title or text contains the query's terms, best (bm25) first.

        Terms are substrings of 1+ characters (a Traditional query finds the Simplified text),
        ``"…"`` is a phrase, ``-term`` excludes. Each result: content_hash, title, published_at,
        outlet, region, source, url, rank, snippet, highlights. See archive/search.py.
        ``collapse=True``: one result per story (its best article), with ``story_id``, ``story_articles``.
        """
        from .search import search

        return search(self.conn, query, source=source, outlet=outlet, region=region, since=since,
                      until=until, limit=limit, offset=offset, collapse=collapse)

    def pages(self, since: str | None = None, until: str | None = None, source: str | None = None,
              outcomes: tuple[str, ...] | None = None, with_body: bool = True) -> Iterator[dict]:
        """Fetched pages in fetch order (``fetched_at`` in [since, until)), ``body`` decompressed."""
        where, params = [], []
        for col, op, val in (("fetched_at", ">=", since), ("fetched_at", "<", until), ("source", "=", source)):
            if val is not None:
                where.append(f"{col} {op} ?")
                params.append(val)
        if outcomes:
            where.append(f"outcome IN ({', '.join('?' * len(outcomes))})")
            params.extend(outcomes)
        cols = ("url, source, status, fetched_at, outcome, reason, content_hash, content_type, headers, "
                + ("body, " if with_body else "") + "body_size, encoding, final_url, attempts")
        cur = self.conn.execute(f"SELECT {cols} FROM pages" + (" WHERE " + " AND ".join(where) if where else "")
                                + " ORDER BY fetched_at, url", params)
        names = [d[0] for d in cur.description]
        for row in cur:
            d = dict(zip(names, row))
            if with_body:
                d["body"] = decompress(d["body"])
            yield d

    def stats(self) -> dict:
        """Per source, outlet and region: articles, first/last published, last crawl, error rate."""
        from .stats import archive_stats

        return archive_stats(self.conn)
