"""The scheduler's queue for a fleet crawl: hosts take turns, each holds at most its own share of the downloader.

Scrapy's ``DownloaderAwarePriorityQueue`` keeps a priority queue per download slot (host) and
hands out a request of the host with the fewest downloads in flight, so one source with 2,000
queued articles cannot crowd out 999 with five. It still hands requests out while the downloader
has room (``CONCURRENT_REQUESTS``), so one busy host could fill the downloader's queue with
requests that then wait there for their politeness delay — and Scrapy's graceful close (SIGTERM,
a source's time limit) would wait for every one of them. ``HostTurnQueue`` hands a host's request
out only while that host has fewer than ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests in the
downloader: the rest wait in the scheduler, where closing drops them (the next run fetches them).
Memory queues only (no JOBDIR: a crawl that stops is resumed by the next run from the archive).
"""

from __future__ import annotations

import time
from collections import Counter, deque

from scrapy import signals
from scrapy.pqueues import DownloaderAwarePriorityQueue


class HostTurnQueue(DownloaderAwarePriorityQueue):
    """Per-host priority queues; hosts with room take turns (round robin).

    Scrapy's class looks at every host's downloads on every pop and len(): O(hosts) each, 9 s of
    a 1,000-source crawl's reactor time. Here a host waits in ``turns`` while it may have room:
    put there when it gets a request or one of its downloads ends (``request_left_downloader``),
    taken out when found full, so a pop looks at few hosts. A request dropped by a downloader
    middleware (a closed source's, an off-site redirect) sends no signal: a host whose requests
    are still in the middlewares stays in turn; and when no host is in turn, every host is looked
    at again, at most once a second.
    """

    def __init__(self, crawler, *args, **kwargs):
        super().__init__(crawler, *args, **kwargs)
        self.per_host = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.downloader = crawler.engine.downloader
        self.turns: deque[str] = deque()  # hosts that may have room, in the order they came
        self.in_turn: set[str] = set()
        for slot in self.pqueues:
            self._turn(slot)
        self.size = sum(len(q) for q in self.pqueues.values())
        self.rescanned = 0.0
        # ids of requests whose download has ended but which are still in the downloader's
        # ``active`` set (its response middlewares run after the signal)
        self.gone: set[int] = set()
        crawler.signals.connect(self._left, signal=signals.request_left_downloader)

    def _left(self, request, spider=None):
        self.gone.intersection_update(id(r) for r in self.downloader.active)
        self.gone.add(id(request))
        slot = request.meta.get("download_slot")
        if slot in self.pqueues:
            self._turn(slot)

    def _turn(self, slot: str) -> None:
        if slot not in self.in_turn:
            self.in_turn.add(slot)
            self.turns.append(slot)

    def _busy(self) -> tuple[Counter, Counter]:
        """Per host, its requests in the downloader whose download has not ended (passing its
        middlewares, waiting for their delay, starting, downloading), and how many of them are
        still in the middlewares (waiting for robots.txt, or about to be dropped there). Counted
        over the downloader's ``active`` set (at most CONCURRENT_REQUESTS)."""
        key, gone, slots = self._downloader_interface.get_slot_key, self.gone, self.downloader.slots
        busy, staged = Counter(), Counter()
        for r in self.downloader.active:
            if id(r) in gone:
                continue
            slot = key(r)
            busy[slot] += 1
            s = slots.get(slot)
            if s is None or r not in s.active:
                staged[slot] += 1
        return busy, staged

    def push(self, request) -> None:
        super().push(request)
        self.size += 1
        self._turn(self._downloader_interface.get_slot_key(request))

    def pop(self):
        """The next request of the next host with room in the downloader; None when every host is full."""
        if not self.turns and self.pqueues and time.monotonic() - self.rescanned > 1:
            self.rescanned = time.monotonic()
            for slot in self.pqueues:
                self._turn(slot)
        busy, staged = self._busy() if self.turns else (None, None)
        for _ in range(len(self.turns)):
            slot = self.turns.popleft()
            self.in_turn.discard(slot)
            queue = self.pqueues.get(slot)
            if queue is None:
                continue
            if busy[slot] >= self.per_host:
                if staged[slot]:  # a request dropped by a middleware sends no signal: look again next time
                    self._turn(slot)
                continue  # else back in turn when one of its downloads ends
            request = queue.pop()
            if len(queue) == 0:
                del self.pqueues[slot]
                queue.close()
            else:
                self._turn(slot)  # the end of the line
            if request is not None:
                self.size -= 1
                return request
        return None

    def __len__(self) -> int:
        return self.size
