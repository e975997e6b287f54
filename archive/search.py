"""Chinese full-text search over the archive: an exact substring index of overlapping character bigrams.

SQLite's FTS5 tokenizers do not segment Chinese, and ``trigram`` cannot match queries of one or
two characters (招商, 项目, 港). So the index is built from a pre-tokenised form of each
``title`` and ``text``: every pair of neighbouring characters becomes one token, the last
character of a column one more. A token spells its characters as four base-36 digits each
(``招`` -> ``1bay``), so every character — Chinese, Latin, digits, punctuation, spaces — is
indexable and ``unicode61`` keeps each token whole. Matching is then exact:

- a term of two or more characters is the FTS5 *phrase* of its bigrams, in a row: the
  articles whose title or text contains the term as a substring;
- a term of one character is the *prefix* query ``code*``: tokens that start with the character
  (a bigram, or the final single character of a column).

ASCII letters are folded to lower case before encoding, so the result is exactly the set
``title LIKE '%q%' OR text LIKE '%q%'`` (SQLite's LIKE folds ASCII only). Queries are converted
to Simplified first (``normalize.to_simplified``): the archive's ``title``/``text`` are
Simplified, so a Traditional query finds them. Why bigrams rather than ``trigram`` plus a short
query path, and what the index costs, is measured in docs/search.md.

Query syntax: whitespace-separated terms are ANDed, ``"…"`` is one term kept verbatim
(spaces included), ``-term`` / ``-"…"`` excludes. Results are ranked by FTS5's ``bm25``.

The index is a contentless FTS5 table ``articles_fts`` (its rowid is ``articles_search.id``,
mapped to ``articles.content_hash``). ``index_article`` / ``unindex_article`` keep it in step
with ``articles``; ``Archive.record_page`` calls them inside the article's own transaction.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Iterator

from .normalize import to_simplified

# Bump when the token encoding changes: docs already indexed must then be re-indexed.
ENCODING_VERSION = "1"
FTS_TABLE = "articles_fts"
MAP_TABLE = "articles_search"
SNIPPET_CHARS = 80

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _code(cp: int) -> str:
    """Four base-36 digits for a code point (36**4 > 0x10FFFF); ASCII A-Z as a-z."""
    if 65 <= cp <= 90:
        cp += 32
    out = []
    for _ in range(4):
        cp, r = divmod(cp, 36)
        out.append(_DIGITS[r])
    return "".join(reversed(out))


class _CodeTable(dict):
    """``str.translate`` table: code point -> its four-digit code, filled on first use."""

    def __missing__(self, cp: int) -> str:
        code = self[cp] = _code(cp)
        return code


_TABLE = _CodeTable()


def tokens(text: str | None) -> str:
    """The indexed form of one column: its bigram tokens, then the last character alone."""
    if not text:
        return ""
    enc = text.translate(_TABLE)
    n = len(enc)
    return " ".join([enc[i:i + 8] for i in range(0, n - 4, 4)] + [enc[n - 4:]])


def _term_expr(term: str) -> str:
    enc = term.translate(_TABLE)
    if len(term) == 1:
        return enc + "*"
    return '"' + " ".join(enc[i:i + 8] for i in range(0, len(enc) - 4, 4)) + '"'


# --- queries -----------------------------------------------------------------------------------
class QueryError(ValueError):
    """A query that cannot be searched (empty, or only exclusions): the message says why."""


@dataclass
class Query:
    """A parsed query: terms that must occur and terms that must not (Simplified, verbatim)."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def fts(self) -> str:
        """The FTS5 MATCH expression over the bigram index."""
        if not self.include:
            raise QueryError("the query needs at least one term that is not excluded (-term)")
        expr = " AND ".join(_term_expr(t) for t in self.include)
        for t in self.exclude:
            expr = f"({expr}) NOT {_term_expr(t)}"
        return expr


_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(query: str) -> Query:
    """Split a query into terms: whitespace ANDs, ``"…"`` is a phrase, ``-term`` excludes."""
    q = Query()
    for m in _QUERY_TOKEN.finditer(to_simplified(query or "")):
        if m.group(3) is not None:
            word = m.group(3)
            neg = word.startswith("-") and len(word) > 1
            term = word[1:] if neg else word
        else:
            neg, term = bool(m.group(1)), m.group(2)
        if not term:
            continue
        (q.exclude if neg else q.include).append(term)
    if not q.include and not q.exclude:
        raise QueryError("empty query")
    return q


def fts_query(query: str) -> str:
    """The MATCH expression for a user query (registered in SQLite as ``zh_query(q)``)."""
    return parse_query(query).fts()


# --- snippets ----------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """ASCII lower case (length-preserving), to find terms the way the index matches them."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}


def highlight_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of every occurrence of any term in ``text``."""
    folded = _fold(text)
    spans = []
    for term in {_fold(t) for t in terms if t}:
        start = folded.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str | None, terms: list[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first occurrence of a term, and the terms' spans in it."""
    text = (text or "").replace("\n", " ")
    spans = highlight_spans(text, terms)
    if spans:
        first = spans[0][0]
        start = max(0, first - width // 4)
    else:
        start = 0
    end = min(len(text), start + width)
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start]
    return prefix + window + suffix, inside


def mark(text: str, spans: list[tuple[int, int]], before: str = "«", after: str = "»") -> str:
    """``text`` with ``before``/``after`` around each span."""
    out, pos = [], 0
    for s, e in spans:
        out += [text[pos:s], before, text[s:e], after]
        pos = e
    out.append(text[pos:])
    return "".join(out)


# Private-use characters around highlighted terms in ``zh_snippet``'s plain-text result: a
# renderer escapes the text first and then turns these into markup (archive/datasette/plugin.py).
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


def snippet_marked(text: str | None, query: str) -> str:
    """The snippet with terms between ``MARK_OPEN``/``MARK_CLOSE`` (registered in SQLite as ``zh_snippet``)."""
    try:
        terms = parse_query(query).include
    except QueryError:
        terms = []
    snip, spans = snippet(text, terms)
    return mark(snip, spans, MARK_OPEN, MARK_CLOSE)


def _safe_fts_query(query: str) -> str:
    try:
        return fts_query(query)
    except QueryError:
        return '"00000000"'  # matches nothing (NUL NUL): an empty or exclusion-only query finds nothing


def register_functions(conn: sqlite3.Connection) -> None:
    """``zh_query(q)`` (MATCH expression) and ``zh_snippet(text, q)`` (marked snippet) on a connection."""
    conn.create_function("zh_query", 1, _safe_fts_query, deterministic=True)
    conn.create_function("zh_snippet", 2, snippet_marked, deterministic=True)


# --- keeping the index in step with ``articles`` --------------------------------------------------
def index_article(conn: sqlite3.Connection, content_hash: str, title: str | None, text: str | None) -> None:
    """Add (or re-add) one article to the index; call inside the transaction that writes it."""
    index_tokens(conn, [(content_hash, tokens(title), tokens(text))])


def index_tokens(conn: sqlite3.Connection, docs: list[tuple[str, str, str]]) -> None:
    """Add (or re-add) articles ``(content_hash, tokens(title), tokens(text))`` to the index, in the
    caller's transaction.

    Call it once for all the articles a transaction writes, after its other statements: FTS5 keeps
    new entries in memory and writes them out whenever a statement opens a savepoint (a foreign
    key check does), so indexing page by page between other writes costs ~0.2 ms a page and
    leaves many tiny index segments to merge.
    """
    rows = []
    for content_hash, title_tokens, text_tokens in docs:
        if conn.execute(f"SELECT id FROM {MAP_TABLE} WHERE content_hash = ?", (content_hash,)).fetchone():
            unindex_article(conn, content_hash)
        cur = conn.execute(f"INSERT INTO {MAP_TABLE} (content_hash) VALUES (?)", (content_hash,))
        rows.append((cur.lastrowid, title_tokens, text_tokens))
    conn.executemany(f"INSERT INTO {FTS_TABLE} (rowid, title, text) VALUES (?, ?, ?)", rows)


def unindex_article(conn: sqlite3.Connection, content_hash: str) -> None:
    """Remove one article from the index; call *before* its row's title/text change or it is deleted."""
    row = conn.execute(
        f"SELECT s.id, a.title, a.text FROM {MAP_TABLE} s LEFT JOIN articles a USING (content_hash)"
        f" WHERE s.content_hash = ?", (content_hash,)).fetchone()
    if not row:
        return
    doc_id, title, text = row
    if text is not None:
        conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                     (doc_id, tokens(title), tokens(text)))
    conn.execute(f"DELETE FROM {MAP_TABLE} WHERE id = ?", (doc_id,))


def create_index(conn: sqlite3.Connection) -> None:
    """The index's tables (schema version 2)."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {MAP_TABLE} (id INTEGER PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE)")
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, text, content='', "
                 "tokenize='unicode61 remove_diacritics 0')")


def rebuild_index(conn: sqlite3.Connection) -> int:
    """Index every article afresh (inside the caller's transaction); returns the number indexed."""
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
    conn.execute(f"DELETE FROM {MAP_TABLE}")
    n = 0
    # streamed: the inserts touch other tables than the one being read
    for h, title, text in conn.execute("SELECT content_hash, title, text FROM articles ORDER BY rowid"):
        cur = conn.execute(f"INSERT INTO {MAP_TABLE} (content_hash) VALUES (?)", (h,))
        conn.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, text) VALUES (?, ?, ?)",
                     (cur.lastrowid, tokens(title), tokens(text)))
        n += 1
    conn.execute("INSERT INTO meta (key, value) VALUES ('search_encoding', ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (ENCODING_VERSION,))
    return n


# --- searching ---------------------------------------------------------------------------------
RESULT_COLUMNS = ("content_hash", "title", "published_at", "outlet", "region", "source", "url", "rank")
_FILTERS = (("source", "a.source = ?"), ("outlet", "a.outlet = ?"), ("region", "a.region = ?"),
            ("since", "a.published_at >= ?"), ("until", "a.published_at < ?"))


def search_sql(filtered: bool = False, filters: tuple[str, ...] = ()) -> str:
    """The search statement: ``?`` = MATCH expression, then the filter values, limit, offset.

    The inner query ranks without touching the article texts; only the page of results is
    joined to ``articles``.
    """
    where = "".join(f" AND {sql}" for name, sql in _FILTERS if name in filters)
    if where:
        inner = (f"SELECT f.rowid AS id, f.rank AS rank FROM {FTS_TABLE} f"
                 f" JOIN {MAP_TABLE} s ON s.id = f.rowid JOIN articles a ON a.content_hash = s.content_hash"
                 f" WHERE {FTS_TABLE} MATCH ?{where} ORDER BY f.rank LIMIT ? OFFSET ?")
    else:
        inner = (f"SELECT rowid AS id, rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
                 " ORDER BY rank LIMIT ? OFFSET ?")
    return (f"SELECT a.content_hash, a.title, a.published_at, a.outlet, a.region, a.source, a.url, r.rank,"
            f" a.text FROM ({inner}) r JOIN {MAP_TABLE} s ON s.id = r.id"
            f" JOIN articles a ON a.content_hash = s.content_hash ORDER BY r.rank")


def search(conn: sqlite3.Connection, query: str, *, source: str | None = None, outlet: str | None = None,
           region: str | None = None, since: str | None = None, until: str | None = None,
           limit: int | None = 20, offset: int = 0, collapse: bool = False) -> Iterator[dict]:
    """Articles matching ``query``, best first: dicts of ``RESULT_COLUMNS`` plus ``snippet``
    (plain text around the first match) and ``highlights`` ([start, end] spans of the terms in it).

    ``limit=None`` returns every match. Raises ``QueryError`` on an unusable query.
    ``collapse=True``: one result per story (archive/stories.py), its best-ranked article, with
    ``story_id`` and ``story_articles`` (how many articles the story has); ``limit``/``offset``
    then count stories.
    """
    if collapse:
        yield from _collapsed(conn, query, limit, offset, source=source, outlet=outlet, region=region,
                              since=since, until=until)
        return
    q = parse_query(query)
    values = {"source": source, "outlet": outlet, "region": region, "since": since, "until": until}
    active = tuple(k for k, v in values.items() if v is not None)
    params = [q.fts(), *(values[k] for k in active), -1 if limit is None else limit, offset]
    try:
        cur = conn.execute(search_sql(bool(active), active), params)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise QueryError("this archive has no search index (schema version < 2): "
                             "open it once for writing to migrate it") from None
        raise
    for row in cur:
        d = dict(zip(RESULT_COLUMNS, row[:-1]))
        snip, spans = snippet(row[-1], q.include)
        d["snippet"] = snip
        d["highlights"] = [list(s) for s in spans]
        yield d


def _collapsed(conn: sqlite3.Connection, query: str, limit: int | None, offset: int, **filters) -> Iterator[dict]:
    """``search`` with one result per story: ranked pages of articles, stories already seen skipped."""
    seen: set = set()
    skipped = given = 0
    batch = max(50, 3 * (limit or 0))
    pos = 0
    while limit is None or given < limit:
        rows = list(search(conn, query, limit=batch, offset=pos, **filters))
        if not rows:
            return
        pos += len(rows)
        for r in rows:
            story = conn.execute("SELECT a.story_id, s.articles FROM articles a LEFT JOIN stories s"
                                 " ON s.story_id = a.story_id WHERE a.content_hash = ?",
                                 (r["content_hash"],)).fetchone()
            sid, n = story if story else (None, None)
            key = sid if sid is not None else r["content_hash"]
            if key in seen:
                continue
            seen.add(key)
            if skipped < offset:
                skipped += 1
                continue
            r["story_id"], r["story_articles"] = sid, n or 1
            yield r
            given += 1
            if limit is not None and given >= limit:
                return


def count(conn: sqlite3.Connection, query: str) -> int:
    """How many articles match ``query`` (no filters)."""
    return conn.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?",
                        (fts_query(query),)).fetchone()[0]


def index_stats(conn: sqlite3.Connection) -> dict:
    """Bytes of the index (its FTS5 shadow tables and the id map) beside the bytes of title+text."""
    text = conn.execute("SELECT coalesce(sum(length(CAST(coalesce(title,'') AS BLOB)) + "
                        "length(CAST(text AS BLOB))), 0), count(*) FROM articles").fetchone()
    try:
        size = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE ? OR name = ?",
                            (f"{FTS_TABLE}%", MAP_TABLE)).fetchone()[0] or 0
    except sqlite3.OperationalError:  # no dbstat in this SQLite build
        size = None
    return {"articles": text[1], "text_bytes": text[0], "index_bytes": size}
