"""``python -m archive serve``: Datasette over the live archive, on 127.0.0.1.

The file is opened mutable (not ``immutable``), read-only by Datasette, so it stays readable while
the crawler writes (WAL). The database is always named ``archive`` (``/archive``), whatever the
file is called. What is configured here: metadata (title, description, source note, column
descriptions), facets on outlet, region, source and month, canned queries (latest, search,
article, per_month_region, several_urls, sources, signed_investment, targets_and_results,
largest_projects, search_stories), the article page and the chart pages /chart, /investment and
/targets (archive/datasette/templates), and the hooks of archive/datasette/plugin.py. Raw pages
(``pages.body``) are shown as their size only.
"""

from __future__ import annotations

import socket
from pathlib import Path

from .db import Archive, ArchiveError
from .search import FTS_TABLE, MAP_TABLE

DB_NAME = "archive"
TEMPLATES = Path(__file__).parent / "datasette" / "templates"

SEARCH_SQL = f"""SELECT a.content_hash AS article, a.title, substr(a.published_at, 1, 10) AS published,
       a.outlet, a.region, zh_snippet(a.text, :q) AS snippet
FROM (SELECT rowid AS id, rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH zh_query(:q)
      ORDER BY rank LIMIT 100) r
JOIN {MAP_TABLE} s ON s.id = r.id
JOIN articles a ON a.content_hash = s.content_hash
ORDER BY r.rank"""

ARTICLE_SQL = """SELECT a.content_hash, a.title, a.published_at, a.outlet, a.region, a.source, a.author, a.editor,
       a.original_title, a.text,
       (SELECT group_concat(url, char(10)) FROM (SELECT url FROM article_urls u
         WHERE u.content_hash = a.content_hash ORDER BY u.first_seen, u.url)) AS urls,
       a.first_seen, a.last_seen, a.extractor_version
FROM articles a WHERE a.content_hash = :hash"""

ARTICLE_COLUMNS = {
    "content_hash": "SHA-256 of the clean Simplified body (NFKC, whitespace removed): the article's identity",
    "title": "headline, Simplified, without the site-name suffix",
    "text": "clean body, Simplified (opencc t2s), paragraphs separated by newlines",
    "text_original": "the same clean body as the page wrote it (Traditional stays Traditional)",
    "published_at": "publication time, ISO 8601 Beijing time, or a bare date",
    "outlet": "publisher named by the page (来源), else the source's outlet",
    "region": "the source's region",
    "source": "name of the source it was first archived from",
    "url": "the URL it was first archived from",
    "author": "reporters/authors in the by-line",
    "editor": "责任编辑 (else 编辑)",
    "original_title": "the 原标题 headline when the page gives one",
    "first_seen": "first time a page with this text was fetched",
    "last_seen": "latest time a page with this text was fetched",
    "relevance": "招商引资 keyword score",
    "suspect_encoding": "1 when the text still looks like mojibake",
    "extractor_version": "version of the text pipeline that produced the row",
}


# Money facts once per story: a story's syndicated copies (and a figure its title repeats) count once;
# sub-figures (part_of: 其中 …) are left out, their total counts. The year is that of the period the
# figure covers (period_end), else of the story's publication. The place is the fact's own (its
# province and prefecture, archive/facts/placing.py), not the publisher's region.
_MONEY_ONCE = """SELECT DISTINCT a.story_id AS story, f.value, f.unit, f.status, f.measure,
         coalesce(f.province, '(unresolved)') AS province, f.prefecture,
         substr(coalesce(f.period_end, s.published_at, s.first_seen), 1, 4) AS year
  FROM facts f JOIN articles a ON a.content_hash = f.content_hash JOIN stories s ON s.story_id = a.story_id
  WHERE f.kind = 'money' AND f.part_of IS NULL"""

SIGNED_BY_REGION_YEAR_SQL = f"""WITH once AS (
  {_MONEY_ONCE} AND f.status = 'done' AND f.measure = 'signed'
)
SELECT province, prefecture, year, unit, round(sum(value) / 1e8, 2) AS total_yi, count(*) AS amounts,
       count(DISTINCT story) AS stories
FROM once GROUP BY 1, 2, 3, 4 ORDER BY year, province, prefecture, unit"""

TARGETS_SQL = f"""WITH once AS (
  {_MONEY_ONCE} AND f.status IN ('done', 'target') AND f.measure IN ('signed', 'actual')
)
SELECT province, prefecture, year, measure, unit,
       round(sum(CASE WHEN status = 'target' THEN value END) / 1e8, 2) AS target_yi,
       round(sum(CASE WHEN status = 'done' THEN value END) / 1e8, 2) AS done_yi,
       count(DISTINCT story) AS stories
FROM once GROUP BY 1, 2, 3, 4, 5 ORDER BY year, province, prefecture, measure, unit"""

LARGEST_PROJECTS_SQL = """SELECT article, round(value / 1e8, 2) AS yi, unit, text, measure, wording, place, title, published, region, sentence
FROM (
  SELECT a.content_hash AS article, f.value, f.unit, f.text, f.measure, f.wording, f.place, a.title,
         substr(a.published_at, 1, 10) AS published, a.region, f.sentence,
         row_number() OVER (PARTITION BY coalesce(a.story_id, a.content_hash), f.value, f.unit
                            ORDER BY a.first_seen) AS k
  FROM facts f JOIN articles a ON a.content_hash = f.content_hash
  WHERE f.kind = 'money' AND f.unit = :unit AND f.status = 'done' AND f.measure IN ('signed', 'total')
    AND NOT EXISTS (SELECT 1 FROM facts n WHERE n.content_hash = f.content_hash AND n.kind = 'projects'
                    AND n.sentence = f.sentence AND n.value > 1)
) WHERE k = 1 ORDER BY value DESC LIMIT 100"""

SEARCH_STORIES_SQL = f"""SELECT article, title, published, outlet, region, story, articles, zh_snippet(text, :q) AS snippet
FROM (
  SELECT a.content_hash AS article, a.title, substr(a.published_at, 1, 10) AS published, a.outlet, a.region,
         a.story_id AS story, coalesce(st.articles, 1) AS articles, a.text, r.rank,
         row_number() OVER (PARTITION BY coalesce(a.story_id, a.content_hash) ORDER BY r.rank) AS k
  FROM (SELECT rowid AS id, rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH zh_query(:q)
        ORDER BY rank LIMIT 1000) r
  JOIN {MAP_TABLE} s ON s.id = r.id
  JOIN articles a ON a.content_hash = s.content_hash
  LEFT JOIN stories st ON st.story_id = a.story_id
) WHERE k = 1 ORDER BY rank LIMIT 100"""


def metadata() -> dict:
    """Datasette metadata for the archive (the database is named ``archive``)."""
    queries = {
        "search": {
            "title": "Search (Chinese full text)",
            "description": "Articles whose title or text contains every term: 1 character or more, Traditional "
                           "or Simplified; \"…\" is a phrase, -term excludes. Best (bm25) first, 100 at most.",
            "sql": SEARCH_SQL, "hide_sql": True,
        },
        "article": {"title": "Article", "description": "One article: title, date, outlet, text, every URL.",
                    "sql": ARTICLE_SQL, "hide_sql": True},
        "latest": {
            "title": "Latest articles",
            "sql": "SELECT content_hash AS article, published_at, title, outlet, region, source FROM articles "
                   "ORDER BY published_at DESC LIMIT 100",
        },
        "per_month_region": {
            "title": "Articles per month per region",
            "description": "Data of the chart at /chart.",
            "sql": "SELECT substr(published_at, 1, 7) AS month, region, count(*) AS articles FROM articles "
                   "WHERE published_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
        },
        "several_urls": {
            "title": "Articles seen at several URLs",
            "description": "Syndicated or mirrored stories: one text, several pages.",
            "sql": "SELECT a.content_hash AS article, a.title, a.published_at, count(*) AS urls, "
                   "group_concat(DISTINCT u.source) AS sources FROM article_urls u JOIN articles a "
                   "ON a.content_hash = u.content_hash GROUP BY u.content_hash HAVING count(*) > 1 "
                   "ORDER BY urls DESC, a.published_at DESC LIMIT 500",
        },
        "search_stories": {
            "title": "Search, one row per story",
            "description": "The search, near-duplicates collapsed: each story (archive/stories.py) shows its "
                           "best-ranked article and how many articles it has (among the first 1,000 matches).",
            "sql": SEARCH_STORIES_SQL, "hide_sql": True,
        },
        "signed_investment": {
            "title": "Signed investment by place and year",
            "description": "Signed investment that happened (facts with status done and measure signed: 签约, 协议, "
                           "合同 amounts — no targets, no negotiations), each amount once per story, sub-figures (其中) "
                           "left out, by the province and prefecture the figure belongs to (not the publisher's) and "
                           "the year of the period it covers (else of publication); total_yi in 亿 (100 million) of "
                           "the unit. Chart: /investment.",
            "sql": SIGNED_BY_REGION_YEAR_SQL,
        },
        "targets_and_results": {
            "title": "Targets beside achievements, by place and year",
            "description": "Money facts with status target (力争, 目标, 任务 …) and done, for the measures signed and "
                           "actual (到位资金), each amount once per story, sub-figures left out, by the figure's "
                           "province and prefecture and year; in 亿 of the unit. Chart: /targets.",
            "sql": TARGETS_SQL,
        },
        "largest_projects": {
            "title": "Largest projects",
            "description": "The largest single-project amounts (investment or signed amounts in a sentence that "
                           "counts no several projects), one row per story; unit CNY, USD, EUR, HKD …",
            "sql": LARGEST_PROJECTS_SQL,
            "params": ["unit"],
        },
        "sources": {
            "title": "Pages fetched per source and outcome",
            "sql": "SELECT source, outcome, count(*) AS pages, max(fetched_at) AS last_fetched FROM pages "
                   "GROUP BY 1, 2 ORDER BY 1, 2",
        },
    }
    hidden = {name: {"hidden": True} for name in (
        FTS_TABLE, MAP_TABLE, f"{FTS_TABLE}_data", f"{FTS_TABLE}_idx", f"{FTS_TABLE}_docsize",
        f"{FTS_TABLE}_config", f"{FTS_TABLE}_content")}
    tables = {
        "articles": {
            "description": "One row per distinct article text. Add ?_zh=招商 to the URL to keep the articles "
                           "that contain a term (the Chinese index).",
            "facets": ["outlet", "region", "source"],
            "sort_desc": "published_at",
            "columns": ARTICLE_COLUMNS,
        },
        "article_list": {
            "description": "Articles without their texts, with publication month and URL count: facet by month, "
                           "region, outlet, source. ?_zh=QUERY searches.",
            "facets": ["month", "region", "outlet", "source"],
            "sort_desc": "published_at",
            "columns": {**{k: v for k, v in ARTICLE_COLUMNS.items() if k not in ("text", "text_original")},
                        "month": "publication month (YYYY-MM)", "urls": "how many URLs it was seen at"},
        },
        "article_urls": {
            "description": "Every URL an article was seen at.",
            "facets": ["source"],
            "columns": {"url": "canonical URL", "content_hash": "the article", "source": "source that fetched it",
                        "first_seen": "when"},
        },
        "pages": {
            "description": "Every fetched article page. The raw bytes (body) are kept for re-extraction and WARC "
                           "export and are shown here as their size only.",
            "facets": ["source", "outcome"],
            "sort_desc": "fetched_at",
            "columns": {"url": "canonical URL", "source": "source name", "status": "HTTP status",
                        "fetched_at": "time of the latest fetch",
                        "outcome": "archived, duplicate, irrelevant, attachment, empty, error or blocked",
                        "reason": "why, for every outcome but archived", "content_hash": "the article or text hash",
                        "headers": "response headers (JSON)", "body": "raw response bytes, zstd or zlib (not shown)",
                        "body_size": "uncompressed size in bytes", "encoding": "codec the page was decoded with",
                        "final_url": "URL after redirects", "attempts": "fetches so far"},
        },
        "crawl_runs": {"description": "One row per source per crawl.", "facets": ["source", "ended"],
                       "sort_desc": "id"},
        "stories": {"description": "One row per story: articles that are the same news item (near-duplicates). "
                                   "Its articles: /archive/articles?story_id=N.", "sort_desc": "articles"},
        "story_list": {"description": "Stories with their first article's region, source and URL: browse with "
                                      "the near-duplicates collapsed.", "facets": ["month", "region", "source"],
                       "sort_desc": "published_at"},
        "facts": {"description": "Investment facts in the article texts: money, projects, growth, other_money "
                                 "(archive/facts/). value: yuan (or the currency's unit), projects, percent. status: "
                                 "done, target, pending; measure: signed, actual, total, other; part_of: the "
                                 "char_start of the total a sub-figure belongs to (leave those out of sums).",
                  "facets": ["kind", "status", "measure", "unit", "province"], "sort_desc": "value"},
        "article_places": {"description": "Places per article: the source's region (role source) and the places "
                                          "the title and text name (role mentioned); adcode null = ambiguous.",
                           "facets": ["role", "level", "province"]},
        "story_keys": {"hidden": True},
        **hidden,
    }
    return {
        "title": "招商引资 news archive",
        "description_html": (
            "Chinese investment-promotion (招商引资) news from regional portals and government sites, "
            "extracted, cleaned and converted to Simplified. "
            '<a href="/archive/search">Search</a> · <a href="/archive/latest">latest</a> · '
            '<a href="/archive/article_list">browse with facets</a> · '
            '<a href="/chart">articles per month by region</a> · '
            '<a href="/investment">signed investment by place and year</a> · '
            '<a href="/targets">targets beside achievements</a> · '
            '<a href="/archive/largest_projects?unit=CNY">largest projects</a> · '
            '<a href="/archive/story_list">stories</a> · '
            '<a href="/archive/several_urls">seen at several URLs</a>'),
        "source": "zhaoshang-archive crawls (sources.toml: one entry per portal)",
        "about": "Texts are the publishers'; the archive keeps each page's raw bytes and every URL seen.",
        "databases": {DB_NAME: {"tables": tables, "queries": queries}},
    }


def build(db: str, *, settings: dict | None = None):
    """A configured ``Datasette`` instance over the archive file ``db``."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from .datasette import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="zhaoshang-archive")
    ds = Datasette(
        metadata=metadata(), template_dir=str(TEMPLATES),
        settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 2000, "default_page_size": 50,
                  "max_returned_rows": 1000, **(settings or {})},
    )
    ds.add_database(Database(ds, path=str(Path(db).resolve()), is_mutable=True), name=DB_NAME)
    return ds


def check_archive(db: str) -> None:
    """Raise ``ArchiveError`` unless ``db`` is a usable archive; migrate an older one first."""
    with Archive.open(db, readonly=True) as archive:
        version = archive.schema_version()
    from .schema import SCHEMA_VERSION

    if version is None or version < SCHEMA_VERSION:
        Archive.open(db, create=False).close()


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def serve(db: str, port: int = 8001) -> None:
    """Run Datasette on 127.0.0.1:``port`` until interrupted."""
    import asyncio

    import uvicorn

    check_archive(db)
    if not port_free(port):
        raise ArchiveError(f"port {port} on 127.0.0.1 is in use")
    ds = build(db)
    asyncio.run(ds.invoke_startup())
    print(f"serving {db} at http://127.0.0.1:{port}/  (search: http://127.0.0.1:{port}/{DB_NAME}/search)",
          flush=True)
    uvicorn.run(ds.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="on", workers=1)
