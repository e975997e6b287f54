"""Sample portals shaped like the CMSs that run Chinese government sites and papers (issue 14).

Dynamic: each portal is generated from N articles (tests/sample_portals/shapes/corpus.py: distinct,
relevant 招商引资 texts recombined from the project's own sample paragraphs), served by its own
ThreadingHTTPServer on 127.0.0.1 (ephemeral port by default), rendered per request, so articles
can be added while it runs. One module per shape:

========  =====================================================================================
trs       TRS WCM / 海云: ``index.html``, ``index_1.html`` … pager only in JavaScript
          (``createPageHTML(5, 0, …)``, ``var countPage`` + document.write, ``var countPage`` +
          ``createPageHTML(countPage, currentPage, …)``); 海云 ``index.shtml`` then
          ``index_2.shtml`` … (1-based, as real 海云 sites: there is no ``index_1.shtml``)
hanweb    Hanweb jpage: first 45 records in the column page's XML datastore, later groups by
          ``POST /module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` (+ form)
xxgk      信息公开目录 ``column-index-N.shtml`` with ``<div onclick="window.open('…')">`` items
ucap      JSON list: empty HTML shell + ``GET /es-search/search/{channel}?_pageSize=20&page=N``
epaper    数字报 ``/html/YYYY-MM/DD/node_2.htm`` … ``content_N.htm``, JS calendar, a day without edition
========  =====================================================================================

Start portals (a context manager; ports are ephemeral unless ``base_port`` is given)::

    from tests.sample_portals.shapes import serve_shapes, shape_portals, bad_portals
    with serve_shapes(shape_portals(), log_path=tmp / "requests.jsonl") as running:
        running.write_sources(tmp / "sources.toml")          # one [[source]] per portal (bad ucap: 3)
        trs = running["trs"]                                  # a portal by name
        trs.base, trs.url("/xwdt/index.html")                 # http://127.0.0.1:PORT…
        trs.expected()                                        # article URLs that must be archived
        running.expected()                                    # {portal name: [urls]}
        new = trs.add_articles(3)                             # publish 3 newest articles -> their URLs
        running.requests / trs.requests                       # the request log (dicts, in order)
        trs.requested("list"), running["hanweb"].requested("proxy", "POST")  # entries by kind/method
        running.clear_log()                                   # e.g. between crawl and re-crawl

Per-portal helpers for assertions: ``TrsPortal.list_paths(col=None)``, ``.column_articles(col)``;
``HanwebPortal.column_path``, ``.ajax_param()`` (the POST form), ``.nextgroup_href()``, ``.group_size``;
``XxgkPortal.list_path(n)``, ``.page_count()``; ``UcapPortal.api_url(channel=None)``, ``.list_api()``;
``EpaperPortal.days``, ``.node_paths()``, ``.node_path(day, i)``; every portal ``.articles`` (generated
``Article``s, newest first: ``title``, ``paragraphs``, ``published``, ``source``…), ``.article_url(a)``,
``.article_at(path)``, ``.sources()`` (its tables as dicts).

``shape_portals(n=None, seed=7)`` gives the five portals above (n articles each; the defaults meet
the issue's minimums, a smaller n may not: Hanweb needs n > 90 for two POST groups, TRS n >= 44 for
three list pages in every column at per_page=5); build any mix yourself, e.g.
``serve_shapes(bench_portals(500))`` for the bench (TrsPortal(500, per_page=20), HanwebPortal(500),
UcapPortal(500); pages are rendered per request, 600-1,000 article GETs a second), and
``bad_portals()`` for the issue's bad input (``trs_huge``: pager claims 10,000 pages, 3 exist;
``hanweb_broken``: jpage call without proxyUrl/columnid/unitid, only the first group is expected;
``ucap_bad``: channels answering HTML, garbage, and JSON of the wrong shape, nothing expected).
Constructor options: ``TrsPortal(n=48, per_page=5, columns=("xwdt", "zwyw", "tzgg", "tzcj"), claimed_pages=None)``
(articles dealt to the columns in turn), ``HanwebPortal(n=100, per_page=15, group_pages=3,
columnid=1519, unitid=4158341, webid=5, get_page_size=100, broken_config=False)``,
``XxgkPortal(n=45, per_page=10)``, ``UcapPortal(n=50, channel="123", page_size=20, method="GET", bad=False)``,
``EpaperPortal(n=48, first=date(2022,11,21), last=date(2022,11,25), missing=(date(2022,11,23),),
pages_per_day=3)`` or ``EpaperPortal.last_days(n, today=None, days=7, missing_offsets=(1,))``
(``add_articles(k, day=None)`` there publishes an edition); every portal takes ``seed=`` and ``name=``.

Request log entry (``running.requests``; also one JSON line per request in ``log_path``)::

    {"portal": "hanweb", "method": "POST", "path": "/module/web/jpage/dataproxy.jsp",
     "query": {"startrecord": "46", "endrecord": "90", "perpage": "15"},
     "form": {"col": "1", "columnid": "1519", …} or None, "body": raw POST body or None,
     "status": 200, "kind": "list" | "article" | "proxy" | "api" | "edition" | "other",
     "if_none_match": …, "if_modified_since": …, "user_agent": …, "time": ISO UTC}

``kind`` is decided by the URL's shape (a 404 for ``index_9999.html`` is still a "list" request);
robots.txt requests are "other". List pages, edition pages and GET API pages carry ETag and
Last-Modified and answer 304 to a matching conditional GET; `add_articles` changes both.

Sources written by ``write_sources(path, extra=None)`` (``extra`` maps a source name or '*' to more
keys, as in tests/sample_portals/server.py; ``sources_text()`` gives each table as TOML text):
TRS/Hanweb/xxgk ``start_urls`` + ``article_pattern`` (+ ``next_page_pattern`` for xxgk's anchors);
ucap ``list_api = {url = ".../es-search/search/123?_pageSize=20&page={page}", items = "results",
link = "url"}`` (``UcapPortal(method="POST")``: ``{url, method = "POST", form = {_pageSize = "20",
page = "{page}"}, …}``, a guess at the POST form of the key); epaper ``edition_url =
".../html/{date:%Y-%m/%d}/node_2.htm"``, ``edition_from``/``edition_until`` (or ``edition_days``),
``next_page_pattern``, ``article_pattern``. ``running.tables()`` gives the same tables as dicts.

CLI: ``python -m tests.sample_portals.shapes [--n 40] [--base-port P] [--sources-out F] [--log F]``.
"""

from __future__ import annotations

import contextlib

from .epaper import EpaperPortal
from .hanweb import HanwebPortal
from .server import Portal, ShapePortals, serve
from .trs import TrsPortal
from .ucap import UcapPortal
from .xxgk import XxgkPortal

__all__ = ["EpaperPortal", "HanwebPortal", "Portal", "ShapePortals", "TrsPortal", "UcapPortal", "XxgkPortal",
           "bad_portals", "bench_portals", "serve_shapes", "shape_portals"]


def shape_portals(n: int | None = None, seed: int = 7) -> list[Portal]:
    """The five shapes, each with n articles (None: each portal's default, sized for the issue's
    minimums: TRS 3 list pages a column, Hanweb 2 POST groups, e-paper 4 edition days of 5)."""
    kw = {"seed": seed} if n is None else {"seed": seed, "n": n}
    return [TrsPortal(**kw), HanwebPortal(**kw), XxgkPortal(**kw), UcapPortal(**kw), EpaperPortal(**kw)]


def bench_portals(n: int = 500, seed: int = 7) -> list[Portal]:
    """The bench's TRS, Hanweb and JSON-list portals of n articles each (TRS lists of 20, as real TRS columns)."""
    return [TrsPortal(n, seed=seed, per_page=20), HanwebPortal(n, seed=seed), UcapPortal(n, seed=seed)]


def bad_portals(seed: int = 11) -> list[Portal]:
    """Bad input: a TRS pager claiming 10,000 pages, a jpage call missing fields, broken JSON lists."""
    return [TrsPortal(15, seed=seed, name="trs_huge", columns=("xwdt",), claimed_pages=10_000),
            HanwebPortal(60, seed=seed + 1, name="hanweb_broken", broken_config=True),
            UcapPortal(10, seed=seed + 2, name="ucap_bad", bad=True)]


@contextlib.contextmanager
def serve_shapes(portals: list[Portal] | None = None, *, host: str = "127.0.0.1", base_port: int = 0,
                 log_path=None):
    """Serve `portals` (default: `shape_portals()`) until the block ends; yields a ShapePortals."""
    with serve(portals if portals is not None else shape_portals(), host, base_port, log_path) as running:
        yield running
