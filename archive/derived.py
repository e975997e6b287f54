"""Everything the archive derives from an article's text: its story, its facts, its places.

``prepare`` is the CPU part — fact rows, place rows and (``story=True``) the story sketch and
keys — and is pure, so the crawler runs it in its extraction workers beside ``process_page`` and
hands the result to ``Archive.record_page``. The workers leave the story sketch to the writer
(~0.2 ms a page in numpy, which the writer needs anyway to compare stories; a worker without
numpy is ~20 MiB smaller). ``derive`` stores it all in the caller's transaction, computing what
was not prepared (re-extraction, the Redis writer and migrations prepare nothing).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .facts import FACT_COLUMNS, fact_rows
from .places import PLACE_COLUMNS, place_rows

if TYPE_CHECKING:
    from .stories import Sketch


@dataclass
class Prepared:
    """What ``derive`` stores for one article, computed from its title, text and region."""

    facts: list[tuple]
    places: list[tuple]
    sketch: Sketch | None = None  # with its keys, or both None: computed by ``derive``
    keys: list[int] | None = None


def prepare(title: str | None, text: str | None, region: str | None, story: bool = True,
            published: str | None = None) -> Prepared:
    """Fact rows, place rows and (when ``story``) the story sketch and keys of an article
    (``published``: its ``published_at``, which dates the facts' periods)."""
    prepared = Prepared(fact_rows(text, published, region), place_rows(title, text, region))
    if story:
        from .stories import keys, sketch

        prepared.sketch = sketch(text)
        prepared.keys = keys(prepared.sketch)
    return prepared


def prepare_article(article: dict, story: bool = True) -> Prepared:
    """``prepare`` over an ``articles`` row (as ``archive.pipeline.process_page`` returns it)."""
    return prepare(article.get("title"), article.get("text"), article.get("region"), story,
                   article.get("published_at"))


def store_rows(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], content_hash: str,
               rows: list[tuple], replace: bool = True) -> int:
    """Replace (``replace=False``: only add) one article's rows of ``facts`` or ``article_places``
    by ``rows`` (every column after ``content_hash``); returns how many."""
    if replace:
        conn.execute(f"DELETE FROM {table} WHERE content_hash = ?", (content_hash,))
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     [(content_hash, *r) for r in rows])
    return len(rows)


def derive(conn: sqlite3.Connection, content_hash: str, story: bool = True, prepared: Prepared | None = None,
           new: bool = False) -> None:
    """Story (unless ``story`` is false), facts and places of one archived article; call in the
    transaction that writes it. ``prepared`` must come from the article's current title, text and
    region; ``new``: the article was just inserted, so it has no story, facts or places to replace."""
    row = conn.execute("SELECT title, text, region, published_at FROM articles WHERE content_hash = ?",
                       (content_hash,)).fetchone()
    if row is None:
        return
    if prepared is None:
        prepared = prepare(*row[:3], story=False, published=row[3])
    if story:
        from .stories import assign_story, leave_story

        if not new:
            leave_story(conn, content_hash)
        assign_story(conn, content_hash, prepared.sketch, prepared.keys)
    store_rows(conn, "facts", FACT_COLUMNS, content_hash, prepared.facts, replace=not new)
    store_rows(conn, "article_places", PLACE_COLUMNS, content_hash, prepared.places, replace=not new)


def underive(conn: sqlite3.Connection, content_hash: str) -> None:
    """Remove what ``derive`` stored for an article (before the article row is deleted)."""
    from .stories import leave_story

    leave_story(conn, content_hash)
    conn.execute("DELETE FROM facts WHERE content_hash = ?", (content_hash,))
    conn.execute("DELETE FROM article_places WHERE content_hash = ?", (content_hash,))


def rebuild(conn: sqlite3.Connection, *, stories: bool = True, facts: bool = True, places: bool = True,
            progress=None) -> int:
    """Recompute stories (in ``first_seen`` order), facts and places of every article; in the caller's
    transaction. Returns the number of articles."""
    from .stories import assign_story

    if stories:
        conn.execute("DELETE FROM story_keys")
        conn.execute("DELETE FROM stories")
        conn.execute("UPDATE articles SET story_id = NULL")
    hashes = [h for (h,) in conn.execute("SELECT content_hash FROM articles ORDER BY first_seen, content_hash")]
    for i, h in enumerate(hashes, 1):
        if stories:
            assign_story(conn, h)
        if facts or places:
            title, text, region, published = conn.execute(
                "SELECT title, text, region, published_at FROM articles WHERE content_hash = ?", (h,)).fetchone()
            if facts:
                store_rows(conn, "facts", FACT_COLUMNS, h, fact_rows(text, published, region))
            if places:
                store_rows(conn, "article_places", PLACE_COLUMNS, h, place_rows(title, text, region))
        if progress and i % 1000 == 0:
            progress(i, len(hashes))
    return len(hashes)


def rekey_stories(conn: sqlite3.Connection) -> int:
    """Recompute every story's keys from its articles (after the key scheme changed), leaving the
    stories as they are; in the caller's transaction. Returns the number of articles."""
    from .stories import keys, sketch

    conn.execute("DELETE FROM story_keys")
    n = 0
    for h, text, sid in conn.execute("SELECT content_hash, text, story_id FROM articles"
                                     " WHERE story_id IS NOT NULL").fetchall():
        conn.executemany("INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)",
                         [(k, sid) for k in keys(sketch(text))])
        n += 1
    return n
