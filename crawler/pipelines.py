"""Item pipelines: extract (in worker processes) and archive.

``ExtractPipeline`` runs ``archive.pipeline.process_page`` and ``archive.derived.prepare_article``
— CPU work, tens of milliseconds a page — in worker processes (``crawler.extract_pool``), so the
reactor keeps downloading while pages are parsed. ``ArchivePipeline`` writes the pages that reach it together (a batch
back from the pool) in one transaction, a savepoint a page, and counts each page's outcome in its
source's run (``crawler.fleet``: the run's ``crawl_runs`` row is written when the source ends).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from scrapy.exceptions import DropItem

from archive.extract import ExtractOptions
from archive.text.templates import REFRESH_PAGES

from .extract_pool import ExtractPool
from .items import ArticlePageItem

log = logging.getLogger(__name__)


class ExtractPipeline:
    """Turn fetched pages into page records and article rows, in ``EXTRACT_PROCESSES`` worker
    processes (``crawler.extract_pool``; 0: in the crawl process itself, for debugging)."""

    def __init__(self, crawler, processes: int, batch_max: int = 8):
        self.crawler = crawler
        self.processes = processes
        self.batch_max = batch_max
        self.pool: ExtractPool | None = None
        self._starting: asyncio.Task | None = None
        self._options: dict[str, ExtractOptions] = {}
        self._served: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("EXTRACT_PROCESSES", 1),
                   crawler.settings.getint("EXTRACT_BATCH_MAX", 8))

    def open_spider(self, spider=None):
        if self.processes > 0:
            self.pool = ExtractPool(self.processes, batch_max=self.batch_max)
            # started in the background: the spider opens (and a SIGTERM closes it cleanly) without
            # waiting for the workers; pages that come first wait in the pool
            self._starting = asyncio.get_running_loop().create_task(self.pool.start())

    async def close_spider(self, spider=None):
        if self.pool is not None:
            await self._starting
            await self.pool.close()

    def options(self, source_name: str) -> ExtractOptions:
        # the source's learned template is read again every REFRESH_PAGES pages (one indexed query)
        served = self._served.get(source_name, 0)
        if source_name not in self._options or served >= REFRESH_PAGES:
            spider = self.crawler.spider
            src = spider.sources.get(source_name)
            learned = getattr(spider.store, "template", None)  # a distributed worker has no archive
            self._options[source_name] = ExtractOptions(
                boilerplate=src.boilerplate, outlet=src.outlet,
                relevance=spider.sources.settings.relevance_model(src),
                template=learned(source_name) if learned else frozenset())
            served = 0
        self._served[source_name] = served + 1
        return self._options[source_name]

    async def process_item(self, item, spider=None):
        if not isinstance(item, ArticlePageItem):
            return item
        src = self.crawler.spider.sources.get(item.page.source)
        args = (item.page, self.options(src.name), src.region)
        if self.pool is None:
            from .extract_worker import extract_page  # the crawl process needs trafilatura only here

            item.record, item.article, item.prepared = extract_page(*args)
        else:
            item.record, item.article, item.prepared = await self.pool.extract(args)
        return item


class ArchivePipeline:
    """Write page records and articles; count each page's outcome in its source's run.

    Pages are written in groups, one transaction each: a page waits until ``group_max`` pages
    wait or ``delay`` seconds have passed since the first of them. A commit costs about what
    writing three pages does (the WAL frames, the search index's segment): groups of 16-32 instead
    of the ~8 that arrive together save ~0.2 ms of the crawl process's CPU a page.
    """

    def __init__(self, crawler, group_max: int = 16, delay: float = 0.25):
        self.crawler = crawler
        self.group_max = max(1, group_max)
        self.delay = delay
        self.fatal: str | None = None
        self._pending: list[tuple[ArticlePageItem, asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("ARCHIVE_WRITE_GROUP", 16),
                   crawler.settings.getfloat("ARCHIVE_WRITE_DELAY", 0.25))

    @property
    def archive(self):
        """Where pages go: the SQLite archive, or (distributed) the Redis queue its writer drains."""
        return self.crawler.spider.store

    async def process_item(self, item, spider=None):
        if not isinstance(item, ArticlePageItem):
            return item
        if self.fatal:
            raise DropItem(f"not written: {self.fatal}")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.group_max:
            self._write_pending()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self._write_pending)
        outcome = await future
        counter = self.crawler.spider.fleet.counts(item.page.source)
        key = {"duplicate": "duplicates", "archived": "archived", "irrelevant": "irrelevant"}.get(outcome)
        counter[key or ("errors" if outcome in ("error", "empty") else outcome)] += 1
        log.info("%s %s %s%s", outcome, item.page.source, item.page.url,
                 f" ({item.record.reason})" if item.record.reason else "")
        self.crawler.stats.inc_value(f"zhaoshang/outcome/{outcome}")
        return item

    def _write_pending(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        try:
            if self.fatal:
                raise DropItem(f"not written: {self.fatal}")
            if self.crawler.spider.distributed:  # continuation pages' leases go back with the page
                outcomes = [self._queue(item) for item, _ in batch]
            else:
                outcomes = self.archive.record_pages([(i.record, i.article, i.prepared) for i, _ in batch])
        except sqlite3.DatabaseError as exc:
            # a full disk or a file gone read-only: nothing more can be written, so stop the
            # crawl instead of fetching pages only to drop them; the transaction rolled back,
            # what was archived before stays intact
            self.fatal = f"{self.archive.path}: cannot write the archive ({exc})"
            log.error("%s: stopping the crawl", self.fatal)
            self.crawler.stats.set_value("zhaoshang/fatal", self.fatal)
            self.crawler.engine.close_spider(self.crawler.spider, "archive error")
            outcomes = [DropItem(self.fatal)] * len(batch)
        except Exception as exc:  # noqa: BLE001  (whatever it is, every waiting item must hear of it)
            outcomes = [exc] * len(batch)
        for (_, future), outcome in zip(batch, outcomes):
            if future.done():  # the item was cancelled meanwhile
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def _queue(self, item) -> str | Exception:
        try:
            return self.archive.record_page(item.record, item.article, item.prepared,
                                            lease_urls=[u for _, u in item.page.more_pages])
        except Exception as exc:  # noqa: BLE001  (one page's failure stays with its item)
            return exc
