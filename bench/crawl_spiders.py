"""The crawl benchmark's floors: Scrapy spiders over the generated portal without our pipelines.

    python -m bench.crawl_spiders {bare,naive} START_URL [--out FILE]

* ``bare``  -- downloads the list pages and every article page they link, and does nothing with
               the article bytes: the cost of Scrapy's downloading alone.
* ``naive`` -- the same crawl, calling ``trafilatura.bare_extraction(body, url=..., with_metadata=True)``
               inside ``parse`` (in the reactor thread) and yielding the result: the design the
               project's process pool replaces. Nothing is archived.

Both follow list pages and article links exactly as the project's spider does for the generated
portal (``archive.links.extract_links`` over the decoded list page, the same URL patterns), with the
project's Scrapy settings (robots.txt obeyed, same reactor, dupefilter, retries) minus its pipelines
and extensions, and the benchmark's politeness overrides. Writes ``{"mode", "article_pages",
"list_pages", "seconds"}`` (spider opened to closed) as JSON to ``--out`` or stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

import scrapy
from scrapy import signals

from archive.decode import decode_html
from archive.links import extract_links

OVERRIDES = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
             "CONCURRENT_REQUESTS": 16, "LOG_LEVEL": "WARNING", "ITEM_PIPELINES": {}, "EXTENSIONS": {},
             "CLOSESPIDER_TIMEOUT": 3600}
ARTICLE = re.compile(r"/news/content_\d+\.html$")
NEXT = re.compile(r"/news/index_\d+\.html$")


class FloorSpider(scrapy.Spider):
    name = "bench_floor"

    def __init__(self, start_url: str, mode: str, **kwargs):
        super().__init__(**kwargs)
        self.start_url, self.mode = start_url, mode
        self.article_pages = self.list_pages = 0
        self.opened = self.closed_at = 0.0
        if mode == "naive":
            import trafilatura

            self.trafilatura = trafilatura

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_open, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_close, signal=signals.spider_closed)
        return spider

    def on_open(self, spider):
        self.opened = time.perf_counter()

    def on_close(self, spider, reason):
        self.closed_at = time.perf_counter()

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse_list)

    def parse_list(self, response):
        self.list_pages += 1
        html = decode_html(response.body, response.headers.get("Content-Type")).text
        for url in extract_links(html, response.url):
            if ARTICLE.search(url):
                yield scrapy.Request(url, callback=self.parse_article)
            elif NEXT.search(url):
                yield scrapy.Request(url, callback=self.parse_list)

    def parse_article(self, response):
        self.article_pages += 1
        if self.mode == "naive":
            doc = self.trafilatura.bare_extraction(response.body, url=response.url, with_metadata=True)
            if doc is not None:
                yield {"url": response.url, "title": doc.title, "date": doc.date, "text": doc.text}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.crawl_spiders")
    ap.add_argument("mode", choices=["bare", "naive"])
    ap.add_argument("start_url")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in OVERRIDES.items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FloorSpider)
    process.crawl(crawler, start_url=args.start_url, mode=args.mode)
    process.start()
    spider = crawler.spider
    out = {"mode": args.mode, "article_pages": spider.article_pages, "list_pages": spider.list_pages,
           "seconds": round(spider.closed_at - spider.opened, 3)}
    text = json.dumps(out)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
