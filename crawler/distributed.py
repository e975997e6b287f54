"""Distributed crawling on scrapy-redis: one frontier in Redis, many workers, one SQLite writer.

What scrapy-redis provides and we use as is: its ``Scheduler`` (the request queue lives in
Redis and persists, so a stopped worker's requests stay queued for the others) and its
``RFPDupeFilter`` (a shared fingerprint set: no URL is requested by two workers). What it
does not provide, added here:

- **leases** (``LeasedScheduler``): scrapy-redis pops a request off the queue for good; a
  worker killed with SIGKILL would lose every request it had popped. Each popped request is
  recorded with a deadline until its page (or list page) is handed over; a worker starting up
  puts requests whose lease ran out back on the queue.
- **the store** (``RedisStore``): workers have no archive. Pages, run starts and ends become
  JSON messages on a Redis list that ``python -m archive ingest`` applies (see archive/ingest.py);
  the seen-set is the writer's ``zhaoshang:done``; list-page validators are a Redis hash.

Seeding: scrapy-redis's ``RedisSpider`` reads start URLs in ``start_requests``, which Scrapy 2.16
removed; our spider keeps its own ``async def start()``: every worker yields the start pages, and
the run's dupefilter (keyed by ``--redis-run``) lets one copy through.
"""

from __future__ import annotations

import json
import os
import socket
import time

from scrapy_redis.scheduler import Scheduler

from archive.db import now_iso
from archive.ingest import DONE, ITEMS, PREFIX, connect, page_message, run_message

QUEUE = f"{PREFIX}:requests"
LEASES = f"{PREFIX}:leases"
VALIDATORS = f"{PREFIX}:validators"
LIST_STATUS = f"{PREFIX}:list-status"  # url -> [status, fetched_at] of list pages (e-paper days)
DEFAULT_LEASE_SECONDS = 300  # longer than a page can take (timeouts x retries)


def redis_settings(url: str, run: str, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> dict:
    """Scrapy settings that make a crawl one worker of a distributed crawl."""
    return {
        "ZHAOSHANG_REDIS_URL": url,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.LeasedScheduler",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": QUEUE,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # one dupefilter per distributed run: list pages are fetched again next run
        "SCHEDULER_DUPEFILTER_KEY": f"{PREFIX}:dupefilter:{run}",
        "ZHAOSHANG_LEASE_SECONDS": lease_seconds,
        # an idle worker waits a little for the others' requests before closing
        "SCHEDULER_IDLE_BEFORE_CLOSE": 2,
        # scrapy-redis pops requests while the downloader has room, and our HostTurnQueue (which
        # keeps a host's requests in the queue until the host has room) does not apply to its
        # queue: a worker holds at most this many popped requests, the rest stay for the others
        "CONCURRENT_REQUESTS": 16,
    }


class LeasedScheduler(Scheduler):
    """scrapy-redis's Scheduler, with a lease on every popped request."""

    def open(self, spider):
        super().open(spider)
        self.lease_seconds = spider.crawler.settings.getfloat("ZHAOSHANG_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
        recovered = requeue_expired(self.server)
        if recovered:
            spider.logger.info("re-queued %d requests whose worker stopped before finishing them", recovered)

    def next_request(self):
        request = super().next_request()
        if request is not None:
            data = self.queue._encode_request(request).decode("latin-1")
            self.server.hset(LEASES, request.url, json.dumps(
                {"deadline": time.time() + self.lease_seconds, "request": data, "worker": _worker()}))
        return request


def requeue_expired(client) -> int:
    """Put back on the queue every request whose lease ran out (its worker died); returns how many."""
    recovered = 0
    now = time.time()
    for key, raw in client.hgetall(LEASES).items():
        lease = json.loads(raw)
        if lease["deadline"] < now and client.hdel(LEASES, key):  # hdel: only one worker re-queues it
            client.zadd(QUEUE, {lease["request"].encode("latin-1"): 0})
            recovered += 1
    return recovered


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RedisStore:
    """What a worker has instead of the archive (the same methods the spider and pipelines use)."""

    def __init__(self, client, url: str):
        self.client = client
        self.path = url
        self.runs: dict[int, str] = {}  # run id -> run key
        self.run_of_source: dict[str, str] = {}

    @classmethod
    def from_settings(cls, settings) -> "RedisStore":
        url = settings.get("ZHAOSHANG_REDIS_URL")
        return cls(connect(url), url)

    # seen-set, retries, validators
    def should_fetch(self, url: str, retry_base: float = 0, max_attempts: int = 0) -> bool:
        return not self.client.sismember(DONE, url)

    def due_retries(self, source: str, *args, **kwargs) -> list[str]:
        return []  # failed pages are retried when their list page links them again

    def list_validators(self, url: str) -> tuple[str | None, str | None]:
        raw = self.client.hget(VALIDATORS, url)
        return tuple(json.loads(raw)) if raw else (None, None)

    def list_page_status(self, url: str) -> tuple[int, str] | None:
        raw = self.client.hget(LIST_STATUS, url)
        return tuple(json.loads(raw)) if raw else None

    def save_list_page(self, url: str, source: str, status: int, etag: str | None, last_modified: str | None):
        if etag or last_modified:
            self.client.hset(VALIDATORS, url, json.dumps([etag, last_modified]))
        self.client.hset(LIST_STATUS, url, json.dumps([status, now_iso()]))

    def forget_list_validators(self, source: str) -> None:
        self.client.delete(VALIDATORS)

    # runs and pages: messages for the writer
    def previous_run_complete(self, source: str) -> bool:
        return True  # pagination stops at a fully known list page; the shared frontier holds the rest

    def mark_crashed_runs(self, source: str) -> int:
        return 0  # the writer closes runs from their end messages

    def start_run(self, source: str, trigger: str) -> int:
        run_id = len(self.runs) + 1
        key = f"{_worker()}:{source}:{now_iso()}"
        self.runs[run_id] = key
        self.run_of_source[source] = key
        self.client.rpush(ITEMS, run_message("run_start", key, source=source, trigger=trigger))
        return run_id

    def finish_run(self, run_id: int, counts: dict, ended: str) -> None:
        fetch = {k: int(counts.get(k, 0)) for k in ("list_pages", "article_pages", "not_modified", "bytes")}
        fetch["list_errors"] = int(counts.get("list_errors", 0))
        self.client.rpush(ITEMS, run_message("run_end", self.runs[run_id], counts=fetch, ended=ended))

    def record_page(self, record, article, prepared=None, lease_urls=()) -> str:
        """Queue the page for the writer and hand back its requests' leases, in one transaction.
        The facts and places in ``prepared`` go with it; the writer computes the story."""
        run = self.run_of_source.get(record.source, "")
        pipe = self.client.pipeline(transaction=True)
        pipe.rpush(ITEMS, page_message(run, record, article, prepared))
        for url in {record.url, record.final_url, *lease_urls} - {None}:
            pipe.hdel(LEASES, url)
        pipe.execute()
        return record.outcome  # the writer decides duplicates

    def release(self, url: str) -> None:
        self.client.hdel(LEASES, url)

    def others_busy(self) -> bool:
        """Whether the distributed crawl still has work: queued requests, or requests some worker
        holds (theirs may add more). Expired leases are re-queued first."""
        requeue_expired(self.client)
        return bool(self.client.zcard(QUEUE) or self.client.hlen(LEASES))

    def close(self) -> None:
        self.client.close()
