"""Scrapy settings for the zhaoshang-archive crawler.

Polite by default: robots.txt obeyed, AutoThrottle on, two requests at a time per domain,
a 5 MB download cap (Scrapy's default is 1 GB), 30 s timeouts, retries of transient errors.
Archive location and sources file come from ZHAOSHANG_DB / ZHAOSHANG_SOURCES (or -s).
"""

import os

from scrapy.settings import default_settings

from archive import fetching

BOT_NAME = "zhaoshang-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = fetching.USER_AGENT  # ZHAOSHANG_USER_AGENT; probe and check-sources send the same
ROBOTSTXT_OBEY = True

# One crawl process serves many sources (crawler/fleet.py), so the settings follow Scrapy's "Broad
# Crawls" advice: politeness stays per host (CONCURRENT_REQUESTS_PER_DOMAIN, the delay and
# AutoThrottle act per download slot, i.e. per host), while the global limit is sized for many
# hosts at once: a portal answers in 0.1-1 s, so a process mostly waits on the network.
CONCURRENT_REQUESTS = 128
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Dequeue from the host with the fewest downloads in flight, and only while it has fewer than
# CONCURRENT_REQUESTS_PER_DOMAIN: one source with 2,000 queued articles gets its two like every
# other host (fairness), and a graceful close waits for two requests a host, not a queue of them.
SCHEDULER_PRIORITY_QUEUE = "crawler.queues.HostTurnQueue"  # Scrapy's DownloaderAwarePriorityQueue, see there
# DNS lookups of many hosts at once run in this thread pool (Scrapy's default is 10)
REACTOR_THREADPOOL_MAXSIZE = 20
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's RemoteControl runs Python code sent to an HTTP server it starts in every crawl
# process, and leaves a job file per process in ~/.local/state/scrapy: not for a daemon. Off.
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False
# A failed article page is recorded by the spider's errback: let every status reach it.
HTTPERROR_ALLOW_ALL = False

DOWNLOADER_MIDDLEWARES = {
    # after RedirectMiddleware (600) and MetaRefreshMiddleware (580) have made their new requests
    "crawler.middlewares.SourceHostsMiddleware": 50,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.HeadMetaRefreshMiddleware": 580,  # Scrapy's, where Scrapy puts it
}
# News portals are http(s): the ftp handler (twisted's FTP client) is not loaded.
DOWNLOAD_HANDLERS = {"ftp": None}

# Items (and requests) a response's callback output is processed with in parallel. Scrapy's default,
# 100, starts 100 asyncio tasks for every response (scrapy/scrapy#5182): a third of the reactor
# thread's time on a fast crawl. Our callbacks yield one item, or a list page's few dozen requests.
CONCURRENT_ITEMS = 8
# Scrapy parses the source of every generator callback with ast, per response, to warn about a
# `return value` in it (its cache is keyed on short-lived bound methods): a development aid only.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Every spider middleware wraps each callback's output in one more async generator, for every
# response. Not needed here: depth (the spider counts list-page depth itself, max_list_pages) and
# the meta-copy detector (a development aid).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 300,
    "crawler.pipelines.ArchivePipeline": 800,
}

# Extraction runs in this many worker processes (0: inside the crawl process), sent batches of up to
# EXTRACT_BATCH_MAX pages; the archive is written ARCHIVE_WRITE_GROUP pages a transaction (a page
# waits at most ARCHIVE_WRITE_DELAY seconds for the others). See crawler/pipelines.py. Pages being
# extracted (2 batches a worker) and waiting for their group stay within Scrapy's 5 MB of responses
# in the pipelines (SCRAPER_SLOT_MAX_ACTIVE_SIZE): a group of 32 and a 10 MB slot measured 7 MiB
# more peak memory for no speed.
EXTRACT_PROCESSES = int(os.environ.get("ZHAOSHANG_EXTRACT_PROCESSES", "1"))
EXTRACT_BATCH_MAX = 8
ARCHIVE_WRITE_GROUP = 16
ARCHIVE_WRITE_DELAY = 0.25

EXTENSIONS = {"crawler.extensions.Progress": 500}
# Components that are switched off above are still imported when merely disabled (Scrapy imports
# every name listed in a component setting, None or not): left out of the base lists instead, they
# cost nothing. RemoteControl imports aiohttp, the cookie middleware tldextract and requests:
# 12 MiB of every crawl process's memory.
_UNUSED = {"scrapy.extensions.remote_control.RemoteControl", "scrapy.extensions.telnet.TelnetConsole",
           "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"}
EXTENSIONS_BASE = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in _UNUSED}
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if k not in _UNUSED}
PROGRESS_INTERVAL = 10.0  # seconds between progress log lines (a rich bar on a terminal)
LOG_JSON = False

ARCHIVE_DB = os.environ.get("ZHAOSHANG_DB", "archive.db")
SOURCES_FILE = os.environ.get("ZHAOSHANG_SOURCES", "sources.toml")
CRAWL_TRIGGER = "manual"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
