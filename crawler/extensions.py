"""Progress of a long crawl: a rich progress bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys

from scrapy import signals
from twisted.internet import task

log = logging.getLogger("progress")


class Progress:
    """Every ``PROGRESS_INTERVAL`` seconds: article pages requested/fetched and outcomes so far."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.bar = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 10.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        if sys.stderr.isatty() and not self.crawler.settings.getbool("LOG_JSON"):
            from rich.progress import Progress as Bar

            self.bar = Bar(transient=True)
            self.task = self.bar.add_task(f"crawl {spider.source_name or 'all'}", total=None)
            self.bar.start()
            interval = 0.5
        else:
            interval = self.interval
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(interval, now=False)

    def report(self, spider):
        requested, fetched = spider.fleet.requested_total, spider.fleet.fetched_total
        stats = self.crawler.stats
        archived = stats.get_value("zhaoshang/outcome/archived", 0)
        errors = stats.get_value("zhaoshang/outcome/error", 0)
        if self.bar is not None:
            self.bar.update(self.task, total=requested or None, completed=fetched,
                            description=f"crawl {spider.source_name or 'all'}: {archived} archived, {errors} errors")
        else:
            log.info("progress %s: %d/%d article pages, %d archived, %d errors, %d sources running, %d ended",
                     spider.source_name or "all", fetched, requested, archived, errors,
                     len(spider.fleet.runs), len(spider.fleet.ended))

    def spider_closed(self, spider):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.bar is not None:
            self.bar.stop()
