"""Polite fetching outside Scrapy, for the commands that look at a few pages (probe, check-sources).

The crawler's manners: its User-Agent (``ZHAOSHANG_USER_AGENT``; crawler/settings.py reads it from
here), robots.txt obeyed, a pause between two requests to one host. urllib, because a few
sequential requests need no Scrapy reactor, and the archive package stays usable without Scrapy.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .decode import decode_html

USER_AGENT = os.environ.get(
    "ZHAOSHANG_USER_AGENT", "zhaoshang-archive/0.1 (+https://github.com/zhaoshang-archive; archive of public news)")
DOWNLOAD_DELAY = 0.25  # seconds between two requests to one host (the crawler's DOWNLOAD_DELAY)
TIMEOUT = 30
MAX_BYTES = 20 * 1024 * 1024


class ProbeError(Exception):
    """A page that could not be fetched (robots.txt, HTTP error, network): one line."""


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str | None
    body: bytes


class PoliteFetcher:
    """Sequential GET/POST with robots.txt obeyed and ``delay`` seconds between requests to a host."""

    def __init__(self, user_agent: str = USER_AGENT, delay: float = DOWNLOAD_DELAY, timeout: float = TIMEOUT):
        self.user_agent, self.delay, self.timeout = user_agent, delay, timeout
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last: dict[str, float] = {}

    def _wait(self, host: str) -> None:
        pause = self._last.get(host, 0) + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last[host] = time.monotonic()

    def _raw(self, url: str, form: dict[str, str] | None = None) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ProbeError(f"{url}: not an http(s) URL")
        self._wait(parts.netloc)
        data = urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read(MAX_BYTES + 1)
                return Fetched(answer.geturl(), answer.status, answer.headers.get("Content-Type"), body[:MAX_BYTES])
        except urllib.error.HTTPError as exc:
            return Fetched(url, exc.code, exc.headers.get("Content-Type") if exc.headers else None, b"")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ProbeError(f"{url}: {getattr(exc, 'reason', exc)}") from None

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        robots = self._robots.get(parts.netloc)
        if robots is None:
            robots = urllib.robotparser.RobotFileParser()
            try:
                answer = self._raw(f"{parts.scheme}://{parts.netloc}/robots.txt")
                lines = decode_html(answer.body, answer.content_type).text.splitlines() if answer.status == 200 else []
            except ProbeError:
                lines = []  # no robots.txt to be had: allowed, as Scrapy's RobotsTxtMiddleware does
            robots.parse(lines)
            self._robots[parts.netloc] = robots
        return robots.can_fetch(self.user_agent, url)

    def fetch(self, url: str, form: dict[str, str] | None = None) -> Fetched:
        """One page (a POST with ``form``); ``ProbeError`` when robots.txt forbids it or it fails."""
        if not self.allowed(url):
            raise ProbeError(f"{url}: disallowed by robots.txt")
        answer = self._raw(url, form)
        if answer.status != 200:
            raise ProbeError(f"{url}: HTTP {answer.status}")
        return answer
