"""Datasette hooks for the archive (registered by ``archive.serve``).

- ``zh_query(q)`` and ``zh_snippet(text, q)`` on every connection, so canned queries can use the
  Chinese index (archive/search.py);
- ``?_zh=QUERY`` on the ``articles`` and ``article_list`` tables restricts them to the articles
  matching the query (facets then count the matches);
- cells: highlighted snippets, links to the article page, and ``pages.body`` shown as its size
  only — raw HTML is never rendered as HTML.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

from archive.search import FTS_TABLE, MAP_TABLE, MARK_CLOSE, MARK_OPEN, register_functions

DB_NAME = "archive"
SEARCHABLE = ("articles", "article_list")


@hookimpl
def prepare_connection(conn, database, datasette):
    register_functions(conn)


@hookimpl
def filters_from_request(request, database, table, datasette):
    q = request.args.get("_zh")
    if not q or table not in SEARCHABLE:
        return None
    return FilterArguments(
        [f"content_hash IN (SELECT s.content_hash FROM {MAP_TABLE} s WHERE s.id IN "
         f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH zh_query(:zh_q)))"],
        {"zh_q": q}, [f"title or text contains {q}"])


def article_link(datasette, content_hash: str) -> Markup:
    href = datasette.urls.database(DB_NAME) + "/article?hash=" + str(content_hash)
    return Markup('<a class="article-link" href="{}">{}</a>').format(href, str(content_hash)[:12] + "…")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DB_NAME:
        return None
    if column == "body" and table in (None, "pages"):
        if isinstance(value, (bytes, bytearray)):
            return f"{len(value):,} bytes, compressed raw page (not shown)"
        return None
    if column == "snippet" and isinstance(value, str):
        return Markup(str(escape(value)).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))
    if column in ("article", "content_hash") and table in (None, "article_list", "article_urls") \
            and isinstance(value, str) and len(value) == 64:
        return article_link(datasette, value)
    return None
