"""The one spider: every portal of ``sources.toml`` is crawled by this code.

Start pages are list pages (``start_urls``), sitemaps (``sitemap_urls``), feeds (``feed_urls``),
JSON list endpoints (``list_api``) and the days of a digital edition (``edition_url``); all are
fetched with a conditional GET (validators kept in the archive), and a 304 means "nothing new".
List pages of every CMS shape in ``archive.listing`` are understood without configuration: TRS
JavaScript pagers, Hanweb record groups (POSTed to ``dataproxy.jsp``), ``onclick`` item links.
Links matching ``article_pattern`` on the source's own hosts become article requests unless the
archive already has a final outcome for them (failed pages come back after a backoff). Pagination follows
``next_page_pattern`` while list pages still link unknown articles, up to
``max_list_pages``. Article pages go to the pipelines unparsed — apart from a cheap look
for a "下一页" link, so multi-page articles arrive whole.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from archive.db import Archive, now_iso
from archive.decode import decode_html
from archive.extract import next_page
from archive.links import absolute, feed_links, sitemap_links
from archive.listing import hanweb
from archive.listing.anchors import next_linked_page
from archive.listing.edition import edition_days, edition_url
from archive.listing.jsonlist import PAGE, ListApiError, api_form, api_links, api_page
from archive.listing.page import read_list_page
from archive.pipeline import FetchedPage
from archive.sources import Source, load_sources
from archive.urls import canonical_url

from ..fleet import Fleet, SourceClosed
from ..items import ArticlePageItem

_NEXT_MARKERS = ("下一页".encode(), "下一頁".encode(), "下一页".encode("gb18030"), "下一頁".encode("big5hkscs"))
MAX_ARTICLE_PAGES = 10  # continuation pages followed for one article
ARTICLE_PRIORITY = 1  # above list pages (0)
MAX_SITEMAP_DEPTH = 3


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, source: str | None = None, sources_file: str | None = None, db: str | None = None,
                 refresh: str | bool = False, names: list[str] | None = None, locks: dict | None = None,
                 **kwargs):
        """``source``: one source (None: every enabled one); ``names``: these sources (a fleet batch);
        ``locks``: the sources' held locks, each released when its source's run ends (``crawler.fleet``)."""
        super().__init__(**kwargs)
        self.source_name = source
        self.names = list(names) if names else None
        self.sources_file = sources_file
        self.db_path = db
        self.refresh = str(refresh).lower() in ("1", "true", "yes")
        self.locks = locks

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.sources = load_sources(spider.sources_file or settings.get("SOURCES_FILE"))
        if spider.names:
            spider.selected = tuple(spider.sources.get(name) for name in spider.names)
        else:
            spider.selected = spider.sources.select(spider.source_name)
        redis_url = settings.get("ZHAOSHANG_REDIS_URL")
        if redis_url:  # distributed: the frontier and the seen-set live in Redis, a writer owns the archive
            from ..distributed import RedisStore

            spider.store = RedisStore.from_settings(settings)
        else:
            spider.store = Archive.open(spider.db_path or settings.get("ARCHIVE_DB"))
        spider.distributed = bool(redis_url)
        if spider.distributed:
            crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        spider.retry_base = settings.getfloat("PAGE_RETRY_BASE_SECONDS", 3600)
        spider.max_attempts = settings.getint("PAGE_MAX_ATTEMPTS", 6)
        spider.max_seconds = settings.getfloat("ZHAOSHANG_MAX_SECONDS", 0)  # --max-seconds: every source's limit
        spider.fleet = Fleet(crawler, spider.store, settings.get("CRAWL_TRIGGER", "manual"), spider.locks,
                             per_source=not spider.distributed)
        return spider

    # --- start pages ----------------------------------------------------------------------
    async def start(self):
        # one source after the other, each with its own run (crawler/fleet.py); Scrapy reads start()
        # ahead of the downloads, and the scheduler's queue (crawler/queues.py) lets the hosts take turns
        for src in self.selected:
            limit = self.max_seconds or src.max_run_seconds or self.sources.settings.max_run_seconds
            run = self.fleet.begin(src, limit)
            run.paginate_fully = not self.store.previous_run_complete(src.name)
            if self.refresh:
                self.store.forget_list_validators(src.name)
            retries, _ = self._article_requests(src, self.store.due_retries(
                src.name, self.retry_base, self.max_attempts, limit=src.max_article_pages))
            for request in retries:
                yield request
            for request in self._start_requests(src):
                if request is not None:
                    yield request
            self.fleet.started(src.name)

    def _start_requests(self, src: Source):
        starts = [(u, "parse_list") for u in src.start_urls] + \
                 [(u, "parse_sitemap") for u in src.sitemap_urls] + [(u, "parse_feed") for u in src.feed_urls]
        for url, parse in starts:
            yield self._listing_request(src, canonical_url(url), parse, depth=0)
        if src.list_api:
            yield self._api_request(src, src.list_api.first_page, depth=0)
        if src.edition_url:
            zone = ZoneInfo(self.sources.settings.timezone)
            today = datetime.now(zone).date()
            for day in edition_days(today, src.edition_days, src.edition_from, src.edition_until):
                url = canonical_url(edition_url(src.edition_url, day))
                if not self.refresh and day < today and self._edition_done(url, day, zone):
                    continue
                yield self._listing_request(src, url, "parse_edition", depth=0, extra={"day": day.isoformat()},
                                            statuses=[304, 404])

    def _edition_done(self, url: str, day: date, zone: ZoneInfo) -> bool:
        """A past day is done once crawled, or once a 404 was seen after the day had ended."""
        seen = self.store.list_page_status(url)
        if seen is None:
            return False
        status, fetched_at = seen
        return status != 404 or datetime.fromisoformat(fetched_at).astimezone(zone).date() > day

    def _listing_request(self, src: Source, url: str | None, callback: str, depth: int, *, extra: dict | None = None,
                         formdata: dict[str, str] | None = None, statuses: list[int] | None = None):
        """A list/sitemap/feed/API request, conditional on the validators the archive kept; None if made
        already this run (or ``url`` is None). ``formdata`` makes it a POST (never conditional)."""
        run = self.fleet.get(src.name)
        if url is None or run is None or self.fleet.closing(src.name):
            return None
        key = url if formdata is None else f"{url} {sorted(formdata.items())}"
        if key in run.listed:
            return None
        run.listed.add(key)
        self.fleet.request_made(src.name)
        kwargs = {"source": src.name, "depth": depth, "parse": callback, "extra": extra or {}}
        # run.listed keeps each listing to one request a run; distributed, the run's dupefilter does
        meta = {"source": src.name, "handle_httpstatus_list": statuses or [304]}
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, callback=self._listing_response,
                                      errback=self.list_failed, dont_filter=not self.distributed,
                                      cb_kwargs=kwargs, meta=meta)
        headers = {}
        etag, last_modified = self.store.list_validators(url)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return scrapy.Request(url, callback=self._listing_response, errback=self.list_failed, headers=headers,
                              dont_filter=not self.distributed, cb_kwargs=kwargs, meta=meta)

    def _listing_response(self, response, source: str, depth: int, parse: str, extra: dict):
        try:
            run = self.fleet.get(source)
            if run is None:
                return
            counts = run.counts
            counts["list_pages"] += 1
            counts["bytes"] += len(response.body)
            if response.status == 304:
                counts["not_modified"] += 1
                self.store.save_list_page(response.url, source, 304, None, None)
                return
            if response.status == 200:
                header = lambda name: (response.headers.get(name) or b"").decode("latin-1") or None  # noqa: E731
                run.validators.append((response.url, response.status, header("ETag"), header("Last-Modified")))
            for request in getattr(self, parse)(response, self.sources.get(source), depth, **extra):
                if request is not None:
                    yield request
            self._release(response.request.url)  # its links are queued: nothing to redo if we die now
        finally:
            self.fleet.request_done(source)

    def closed(self, reason: str):
        """Every source still running ends as the crawl did (list validators kept only if it got through)."""
        try:
            self.fleet.end_all(reason)
        finally:
            self.store.close()

    def _article_requests(self, src: Source, links) -> tuple[list[scrapy.Request], int]:
        """Requests for the unknown article links among ``links``; also how many were unknown."""
        requests, unknown = [], 0
        run = self.fleet.get(src.name)
        if run is None or self.fleet.closing(src.name):
            return requests, unknown
        cap = src.max_article_pages
        for link in links:
            url = canonical_url(link)
            if not src.allows(url) or not src.article_re.search(url) or url in run.requested:
                continue
            if not self.refresh and not self.store.should_fetch(url, self.retry_base, self.max_attempts):
                continue
            unknown += 1
            if len(run.requested) >= cap:
                run.capped = True
                continue  # capped for this run: left for the next one
            run.requested.add(url)
            self.fleet.request_made(src.name)
            self.fleet.requested_total += 1
            # dont_filter: run.requested already dedupes, and a redirect landing on a URL seen
            # this run must still come back to be recorded under the URL that was linked.
            # Distributed, the shared dupefilter is what keeps two workers off the same URL.
            # priority: a list page's articles go before the next list page, so the queue holds
            # about one list page of requests instead of every article of the portal (memory), and
            # a run cut short has archived the newest articles
            requests.append(scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                                           dont_filter=not self.distributed, cb_kwargs={"source": src.name},
                                           meta={"source": src.name}, priority=ARTICLE_PRIORITY))
        return requests, unknown

    def _paginate(self, src: Source, unknown: int, depth: int, url: str) -> bool:
        """True when pagination goes on past ``url`` (unknown articles on it, list pages left)."""
        run = self.fleet.get(src.name)
        if src.stop_on_known_page and unknown == 0 and run is not None and not run.paginate_fully:
            self.logger.info("%s: no new article on %s, pagination stops", src.name, url)
            return False
        return depth + 1 < src.max_list_pages

    def _list_error(self, src: Source, url: str, problem: str) -> None:
        self.fleet.counts(src.name)["errors"] += 1
        self.logger.warning("%s: list %s: %s", src.name, url, problem)

    def parse_list(self, response, src: Source, depth: int):
        """A list page of any shape: its article links, then the next list pages it leads to."""
        page = read_list_page(decode_html(response.body, response.headers.get("Content-Type")).text, response.url)
        requests, unknown = self._article_requests(src, page.links)
        yield from requests
        if page.jpage_problem:
            self._list_error(src, response.url, page.jpage_problem)
        if not self._paginate(src, unknown, depth, response.url):
            return
        if src.next_page_re is not None:
            pager = [url for url in dict.fromkeys(canonical_url(link) for link in page.links)
                     if src.allows(url) and src.next_page_re.search(url) and not src.article_re.search(url)]
            here = canonical_url(response.url)
            for url in next_linked_page(pager, here, bool(src.next_page_re.search(here))):
                yield self._listing_request(src, url, "parse_list", depth + 1)
        nxt = page.next_trs_page()
        if nxt and src.allows(nxt):
            yield self._listing_request(src, canonical_url(nxt), "parse_list", depth + 1)
        group = page.first_hanweb_group()
        if group and src.allows(group[0]):
            url, form = group
            yield self._listing_request(src, url, "parse_group", depth + 1, formdata=form,
                                        extra={"jpage": page.jpage})
        elif page.jpage is None and page.records is not None:
            for href in page.records.nextgroup:  # no usable jpage call: the nextgroup GET form
                url = absolute(href, response.url)
                if url and src.allows(url) and "dataproxy" in url:
                    yield self._listing_request(src, url, "parse_group", depth + 1)

    def parse_group(self, response, src: Source, depth: int, jpage: hanweb.Jpage | None = None):
        """A Hanweb dataproxy answer: its records, then the next group (POST with ``jpage``, else GET)."""
        store = hanweb.datastore(decode_html(response.body, response.headers.get("Content-Type")).text)
        links = [u for u in (absolute(h, response.url) for h in store.hrefs) if u]
        requests, unknown = self._article_requests(src, links)
        yield from requests
        if store.records == 0 or not self._paginate(src, unknown, depth, response.url):
            return
        if jpage is not None:
            start = int(parse_qs(urlsplit(response.url).query).get("startrecord", ["1"])[0]) + store.records
            total = store.total or jpage.total
            if total is None or start <= total:
                url, form = hanweb.group_request(jpage, response.url, start)
                yield self._listing_request(src, url, "parse_group", depth + 1, formdata=form, extra={"jpage": jpage})
            return
        nxt = [u for u in (absolute(h, response.url) for h in store.nextgroup) if u] or \
              [hanweb.next_get_group(response.url)]
        for url in nxt:
            if url and src.allows(url):
                yield self._listing_request(src, canonical_url(url), "parse_group", depth + 1)

    def _api_request(self, src: Source, page: int, depth: int):
        api = src.list_api
        url = api_page(api.url, page)
        form = api_form(dict(api.form), page) if api.method == "POST" else None
        return self._listing_request(src, url, "parse_api", depth, formdata=form, extra={"page": page})

    def parse_api(self, response, src: Source, depth: int, page: int):
        """One answer of a JSON list endpoint (``list_api``): its article links, then the next page."""
        api = src.list_api
        try:
            links = api_links(response.body, api.items, api.link, response.url,
                              response.headers.get("Content-Type", b"").decode("latin-1"))
        except ListApiError as exc:
            self._list_error(src, response.url, str(exc))
            return
        requests, unknown = self._article_requests(src, links)
        yield from requests
        paged = PAGE in api.url or any(PAGE in v for _, v in api.form)
        if links and paged and self._paginate(src, unknown, depth, response.url):
            yield self._api_request(src, page + 1, depth + 1)

    def parse_edition(self, response, src: Source, depth: int, day: str):
        """A digital edition's first layout page of ``day``; a 404 means no edition that day."""
        if response.status == 404:
            self.logger.info("%s: no edition on %s (%s)", src.name, day, response.url)
            self.store.save_list_page(response.url, src.name, 404, None, None)
            return
        yield from self.parse_list(response, src, depth)

    def parse_sitemap(self, response, src: Source, depth: int):
        pages, children = sitemap_links(response.body)
        requests, _ = self._article_requests(src, pages)
        yield from requests
        if depth + 1 < MAX_SITEMAP_DEPTH:
            for url in children:
                if src.allows(url):
                    yield self._listing_request(src, canonical_url(url), "parse_sitemap", depth + 1)

    def parse_feed(self, response, src: Source, depth: int):
        links = [canonical_url(response.urljoin(u)) for u in feed_links(response.body)]
        requests, _ = self._article_requests(src, links)
        yield from requests

    def _idle(self, spider=None):
        """Distributed: an idle worker stays while others still hold or queue requests."""
        if self.store.others_busy():
            raise DontCloseSpider("other workers are still crawling")

    def _release(self, url: str) -> None:
        if self.distributed:
            self.store.release(url)

    def list_failed(self, failure):
        self._release(failure.request.url)
        source = failure.request.meta.get("source")
        try:
            if not failure.check(SourceClosed):
                self.fleet.counts(source)["errors"] += 1
                self.logger.warning("%s: list page failed %s: %s", source, failure.request.url,
                                    failure.getErrorMessage())
        finally:
            self.fleet.request_done(source)

    # --- article pages -----------------------------------------------------------------
    def parse_article(self, response, source: str, first: FetchedPage | None = None):
        """An article page; a "下一页" link to a continuation is followed first, carrying page 1 along."""
        try:
            yield from self._article(response, source, first)
        finally:
            self.fleet.request_done(source)

    def _article(self, response, source: str, first: FetchedPage | None):
        counts = self.fleet.counts(source)
        counts["article_pages"] += 1
        self.fleet.fetched_total += 1
        counts["bytes"] += len(response.body)
        if first is None:
            item = self._item(response, source)
        else:
            item = ArticlePageItem(first)
            first.more_pages = first.more_pages + ((response.body, response.url),)
        page = item.page
        seen = {page.url, page.final_url} | {u for _, u in page.more_pages}
        if len(page.more_pages) + 1 < MAX_ARTICLE_PAGES and any(m in response.body for m in _NEXT_MARKERS):
            nxt = next_page(response.body, response.url, response.headers.get("Content-Type", b"").decode("latin-1"))
            if nxt and self.sources.get(source).allows(nxt) and nxt not in seen and not self.fleet.closing(source):
                self.fleet.request_made(source)
                yield response.follow(nxt, callback=self.parse_article, errback=self.article_failed,
                                      dont_filter=True, cb_kwargs={"source": source, "first": page},
                                      priority=ARTICLE_PRIORITY + 1,  # it holds the pages before it
                                      meta={"source": source, "article_url": page.url})
                return
        self.fleet.item_made(source)
        yield item

    def _item(self, response, source: str) -> ArticlePageItem:
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        original = response.request.meta.get("redirect_urls", [response.url])[0]
        return ArticlePageItem(FetchedPage(
            url=canonical_url(original), source=source, status=response.status, fetched_at=now_iso(),
            headers=headers, body=response.body, final_url=response.url))

    def article_failed(self, failure):
        source = failure.request.meta.get("source")
        try:
            if failure.check(SourceClosed):  # its source closed (time limit): the next run fetches it
                return None
            item = self._failed_item(failure, source)
            self.fleet.item_made(source)
            return item
        finally:
            self.fleet.request_done(source)

    def _failed_item(self, failure, source: str) -> ArticlePageItem:
        request = failure.request
        first = request.cb_kwargs.get("first")
        if first is not None:  # a continuation page failed: archive what the article has so far
            self.logger.warning("%s: continuation page failed %s: %s", source, request.url, failure.getErrorMessage())
            return ArticlePageItem(first)
        if failure.check(HttpError):
            response = failure.value.response
            item = self._item(response, source)
            item.page.reason = f"HTTP {response.status}"
            location = response.headers.get("Location")
            if 300 <= response.status < 400 and location:
                item.page.reason += f": redirect to an unsupported URL {location.decode('latin-1')[:200]}"
            self.fleet.counts(source)["article_pages"] += 1
            return item
        reason = failure.getErrorMessage() or failure.type.__name__
        # IgnoreRequest covers robots.txt, off-site redirects, redirect loops and oversized bodies:
        # only the first two are a decision not to fetch
        blocked = failure.check(IgnoreRequest) is not None and ("robots" in reason.lower() or "off-site" in reason)
        original = request.meta.get("redirect_urls", [request.url])[0]
        return ArticlePageItem(FetchedPage(
            url=canonical_url(original), source=source, status=None, fetched_at=now_iso(), headers={},
            body=b"", reason=f"{failure.type.__name__}: {reason}"[:500],
            outcome="blocked" if blocked else "error"))
