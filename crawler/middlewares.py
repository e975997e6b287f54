"""Downloader middleware: a request never leaves its source's hosts, redirects included.

The spider only follows links on the source's own hosts (and ports); a redirect, a meta
refresh or a retry creates a new request that did not pass that check. This middleware
checks every request that carries a source and ignores the ones that left it.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class SourceHostsMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        name = request.meta.get("source")
        spider = self.crawler.spider
        if not name or not hasattr(spider, "sources"):
            return None
        if not spider.sources.get(name).allows(request.url):
            origin = request.meta.get("redirect_urls", [request.url])[0]
            raise IgnoreRequest(f"off-site redirect from {origin} to {request.url}")
        return None
