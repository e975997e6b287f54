"""Many sources in one spider: each source's part of a crawl keeps its own run, clock, lock and end.

A crawl process serves a batch of sources with ONE spider (one engine, one scheduler, one extraction
pool); Scrapy's download slots keep politeness per host. What a crawl process per source gave for
free is kept here, per source:

- its ``crawl_runs`` row, started when the spider reaches the source and finished when the source's
  last request and item are done — not when the whole crawl ends — with its own counts and end;
- its time limit (``max_run_seconds`` from its start): past it, the source makes no new request, its
  queued requests are dropped unrecorded (``SourceClosed``), and it ends "time limit" once the
  requests already downloading are through — the other sources go on;
- its lock, released at its end (the daemon may start it again in another process), and its run
  state (URLs requested, list validators), dropped at its end: memory follows the sources running,
  not the fleet's history (seen URLs are asked of the archive, an indexed lookup).

Bookkeeping: a request counts from the moment the spider makes it until its callback (or errback)
has returned; a redirect or retry keeps the callback, so it stays one request. An item counts from
the callback's yield until the pipelines are done with it (``item_scraped``/``dropped``/``error``).
Distributed (``--redis``), other workers make and take a source's requests: no per-source end, every
run ends with the crawl, and the crawl-wide ``CLOSESPIDER_TIMEOUT`` is the time limit.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from twisted.internet import task

log = logging.getLogger(__name__)

# Scrapy close reasons -> how a run ended, as crawl_runs records it
ENDINGS = {"finished": "finished", "closespider_timeout": "time limit", "shutdown": "signal"}
TIME_CHECK_SECONDS = 0.5


class SourceClosed(IgnoreRequest):
    """A queued request of a source whose part of the crawl has closed (time limit): not fetched, not recorded."""


@dataclass
class SourceRun:
    """One source's part of the crawl, while it runs."""

    name: str
    run_id: int
    deadline: float
    counts: Counter = field(default_factory=Counter)  # crawl_runs columns
    requested: set[str] = field(default_factory=set)  # article URLs requested this run
    listed: set[str] = field(default_factory=set)  # list/sitemap/feed/API requests made this run
    # validators of list pages seen this run, saved only if the run finishes with nothing left
    # behind: a 304 next time must mean "every link on it was handled", not "we were interrupted"
    validators: list[tuple] = field(default_factory=list)
    capped: bool = False  # max_article_pages left articles for the next run
    paginate_fully: bool = False  # the last run did not get through: no stop at a known page
    starting: bool = True  # its start requests are still being made
    outstanding: int = 0
    items: int = 0
    closing: str | None = None  # why it makes no more requests ("time limit")


class Fleet:
    """The sources of one crawl, each started, tracked and ended on its own (see the module docstring)."""

    def __init__(self, crawler, store, trigger: str, locks: dict | None = None, per_source: bool = True):
        self.crawler = crawler
        self.store = store
        self.trigger = trigger
        self.locks = locks or {}
        self.per_source = per_source
        self.runs: dict[str, SourceRun] = {}
        self.others: dict[str, SourceRun] = {}  # distributed: sources other workers started
        self.ended: dict[str, str] = {}  # source -> how its run ended
        self.requested_total = 0
        self.fetched_total = 0
        self._spare = Counter()  # counts of a source no longer running (never written)
        self._timer: task.LoopingCall | None = None
        if per_source:
            for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
                crawler.signals.connect(self._item_done, signal=signal)
            crawler.signals.connect(self._opened, signal=signals.spider_opened)

    def _opened(self, spider=None):
        self._timer = task.LoopingCall(self._check_time)
        self._timer.start(TIME_CHECK_SECONDS, now=False)

    # --- a source's life -------------------------------------------------------------
    def begin(self, src, max_seconds: float) -> SourceRun:
        """Start ``src``'s run: runs left 'running' by a dead process are marked crashed, a row is started."""
        self.store.mark_crashed_runs(src.name)  # we hold the source's lock: nobody else runs it
        run = SourceRun(src.name, self.store.start_run(src.name, self.trigger), time.monotonic() + max_seconds)
        self.runs[src.name] = run
        return run

    def started(self, name: str) -> None:
        """Its start requests are made: from now on it ends when nothing of it is left."""
        run = self.runs.get(name)
        if run is not None:
            run.starting = False
            self._soon(name)

    def get(self, name: str | None) -> SourceRun | None:
        """``name``'s run while it runs. Distributed, a worker also takes requests of sources it did
        not start (other workers queued them): those get a run state that is never written."""
        if not name:
            return None
        run = self.runs.get(name)
        if run is None and not self.per_source:
            run = self.others.setdefault(name, SourceRun(name, -1, float("inf"), starting=False))
        return run

    def counts(self, name: str | None) -> Counter:
        run = self.get(name)
        return run.counts if run is not None else self._spare

    def closing(self, name: str | None) -> bool:
        run = self.get(name)
        return self.per_source and (run is None or run.closing is not None)

    def request_made(self, name: str) -> None:
        run = self.runs.get(name)
        if run is not None:
            run.outstanding += 1

    def request_done(self, name: str | None) -> None:
        """A request's callback or errback has returned (its new requests and items are counted)."""
        run = self.get(name)
        if run is not None:
            run.outstanding -= 1
            self._soon(name)

    def item_made(self, name: str | None) -> None:
        run = self.get(name)
        if run is not None:
            run.items += 1

    def _item_done(self, item, *args, **kwargs) -> None:
        page = getattr(item, "page", None)
        run = self.get(getattr(page, "source", None))
        if run is not None:
            run.items -= 1
            self._soon(run.name)

    def _soon(self, name: str) -> None:
        if self.per_source:
            from twisted.internet import reactor  # installed by Scrapy (asyncio) before the crawl starts

            reactor.callLater(0, self._end_if_done, name)

    def _end_if_done(self, name: str) -> None:
        run = self.runs.get(name)
        if run is not None and not run.starting and run.outstanding <= 0 and run.items <= 0:
            self.end(name, run.closing or ("capped" if run.capped else "finished"))

    def _check_time(self) -> None:
        now = time.monotonic()
        for run in list(self.runs.values()):
            if run.closing is None and now > run.deadline:
                run.closing = "time limit"
                log.info("%s: time limit reached, closing this source (%d requests still out)",
                         run.name, run.outstanding)
                self._soon(run.name)

    def end(self, name: str, ended: str) -> None:
        """Finish ``name``'s run: its validators (if it got through), its row, its lock; its state is dropped."""
        run = self.runs.pop(name)
        self.ended[name] = ended
        try:
            if ended == "finished":
                for url, status, etag, last_modified in run.validators:
                    self.store.save_list_page(url, name, status, etag, last_modified)
            self.store.finish_run(run.run_id, run.counts, ended)
        except sqlite3.DatabaseError as exc:  # the disk that filled up may not take the run record either
            log.error("%s: could not record the end of the run: %s", name, exc)
        finally:
            lock = self.locks.pop(name, None)
            if lock is not None:
                lock.release()
        log.info("%s: run ended (%s): %s", name, ended,
                 ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()) if v) or "nothing fetched")

    def end_all(self, reason: str) -> None:
        """The crawl closes: every source still running ends the way the crawl did."""
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        ended = ENDINGS.get(reason, reason)
        for name in list(self.runs):
            run = self.runs[name]
            self.end(name, (run.closing or ("capped" if run.capped else "finished")) if ended == "finished" else ended)
