"""The one spider: every portal of ``sources.toml`` is crawled by this code.

List pages (start URLs, then pages matching ``next_page_pattern``) yield article links
matching ``article_pattern`` on the source's own hosts; article pages already fetched
with a final outcome are skipped. Article pages are handed to the pipelines unparsed —
apart from a cheap look for a "下一页" link, so multi-page articles arrive whole.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from archive.db import Archive, now_iso
from archive.decode import decode_html
from archive.extract import next_page
from archive.links import extract_links
from archive.pipeline import FetchedPage
from archive.sources import Source, load_sources
from archive.urls import canonical_url

from ..items import ArticlePageItem

_NEXT_MARKERS = ("下一页".encode(), "下一頁".encode(), "下一页".encode("gb18030"), "下一頁".encode("big5hkscs"))
MAX_ARTICLE_PAGES = 10  # continuation pages followed for one article


class PortalSpider(scrapy.Spider):
    name = "portal"
    custom_settings: dict = {}

    def __init__(self, source: str | None = None, sources_file: str | None = None, db: str | None = None,
                 refresh: str | bool = False, **kwargs):
        super().__init__(**kwargs)
        self.source_name = source
        self.sources_file = sources_file
        self.db_path = db
        self.refresh = str(refresh).lower() in ("1", "true", "yes")
        self.fetch_counts: dict[str, Counter] = defaultdict(Counter)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.sources = load_sources(spider.sources_file or settings.get("SOURCES_FILE"))
        spider.selected = spider.sources.select(spider.source_name)
        spider.archive = Archive.open(spider.db_path or settings.get("ARCHIVE_DB"))
        return spider

    # --- list pages --------------------------------------------------------------------
    async def start(self):
        for src in self.selected:
            for url in src.start_urls:
                yield self._list_request(src, url, depth=0)

    def _list_request(self, src: Source, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_list, errback=self.list_failed, dont_filter=depth == 0,
                              cb_kwargs={"source": src.name, "depth": depth}, meta={"source": src.name})

    def parse_list(self, response, source: str, depth: int):
        src = self.sources.get(source)
        counts = self.fetch_counts[source]
        counts["list_pages"] += 1
        counts["bytes"] += len(response.body)
        html = decode_html(response.body, response.headers.get("Content-Type")).text
        links = extract_links(html, response.url)
        unknown = 0
        next_pages = []
        for link in links:
            url = canonical_url(link)
            if not src.allows(url):
                continue
            if src.article_re.search(url):
                if not self.refresh and self.archive.is_done(url):
                    continue
                unknown += 1
                yield scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                                     cb_kwargs={"source": source}, meta={"source": source})
            elif src.next_page_re is not None and src.next_page_re.search(url):
                next_pages.append(url)
        if src.stop_on_known_page and unknown == 0:
            self.logger.info("%s: no new article on %s, pagination stops", source, response.url)
            return
        if depth + 1 < src.max_list_pages:
            for url in next_pages:
                yield self._list_request(src, url, depth + 1)

    def list_failed(self, failure):
        source = failure.request.meta.get("source")
        self.fetch_counts[source]["errors"] += 1
        self.logger.warning("%s: list page failed %s: %s", source, failure.request.url, failure.getErrorMessage())

    # --- article pages -----------------------------------------------------------------
    def parse_article(self, response, source: str, pages: tuple = ()):
        counts = self.fetch_counts[source]
        counts["article_pages"] += 1
        counts["bytes"] += len(response.body)
        if len(pages) + 1 < MAX_ARTICLE_PAGES and any(m in response.body for m in _NEXT_MARKERS):
            nxt = next_page(response.body, response.url, response.headers.get("Content-Type", b"").decode("latin-1"))
            if nxt and self.sources.get(source).allows(nxt) and nxt not in {r.url for r in pages} | {response.url}:
                yield response.follow(nxt, callback=self.parse_article, errback=self.article_failed,
                                      cb_kwargs={"source": source, "pages": pages + (response,)},
                                      meta={"source": source})
                return
        if not pages:
            yield self._item(response, source)
            return
        item = self._item(pages[0], source)
        item.page.more_pages = tuple((r.body, r.url) for r in pages[1:]) + ((response.body, response.url),)
        yield item

    def _item(self, response, source: str) -> ArticlePageItem:
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        original = response.request.meta.get("redirect_urls", [response.url])[0]
        return ArticlePageItem(FetchedPage(
            url=canonical_url(original), source=source, status=response.status, fetched_at=now_iso(),
            headers=headers, body=response.body, final_url=response.url))

    def article_failed(self, failure):
        request = failure.request
        source = request.meta.get("source")
        if failure.check(HttpError):
            response = failure.value.response
            item = self._item(response, source)
            item.page.reason = f"HTTP {response.status}"
            self.fetch_counts[source]["article_pages"] += 1
            return item
        blocked = failure.check(IgnoreRequest) is not None
        reason = failure.getErrorMessage() or failure.type.__name__
        if blocked and "robots" in reason.lower() or blocked and not reason:
            reason = "forbidden by robots.txt"
        return ArticlePageItem(FetchedPage(
            url=canonical_url(request.url), source=source, status=None, fetched_at=now_iso(), headers={},
            body=b"", reason=f"{failure.type.__name__}: {reason}",
            outcome="blocked" if blocked else "error"))
