"""Run one crawl in this process: ``python -m crawler [--source NAME ...] [--db FILE] [--sources FILE]``.

One spider crawls every source named (default: every enabled source) side by side: Scrapy keeps
politeness per host (download slots), ``crawler.fleet`` keeps each source's run, time limit and
lock on its own. A source another process is crawling (its lock is held) is skipped, the others
are crawled. The scheduler starts such processes for batches of due sources (Scrapy's reactor
cannot be restarted inside a process). SIGTERM/SIGINT close the crawl the Scrapy way: in-flight
items are written, every source still running is recorded as ended by "signal"; the process exits 0.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

from archive.db import Archive, ArchiveError
from archive.locks import SourceLock
from archive.logs import setup_logging
from archive.sources import SourcesError, load_sources


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m crawler", description=__doc__.splitlines()[0])
    ap.add_argument("--source", action="append", metavar="NAME",
                    help="crawl this source; may be repeated (default: every enabled source)")
    ap.add_argument("--sources", default="sources.toml", help="sources file (default: sources.toml)")
    ap.add_argument("--db", default="archive.db", help="archive file (default: archive.db)")
    ap.add_argument("--trigger", default="manual", choices=["manual", "once", "schedule"])
    ap.add_argument("--refresh", action="store_true", help="refetch article pages already archived")
    ap.add_argument("--max-seconds", type=int, default=None,
                    help="close each source's part of the crawl gracefully after this long "
                         "(default: its max_run_seconds)")
    ap.add_argument("--log-level", default=os.environ.get("ZHAOSHANG_LOG_LEVEL", "INFO"))
    ap.add_argument("--log-json", action="store_true", help="log one JSON object a line on stderr")
    ap.add_argument("--redis", metavar="URL", help="be one worker of a distributed crawl (scrapy-redis); "
                    "pages go to Redis for `python -m archive ingest`, --db is not used")
    ap.add_argument("--redis-run", default="default", metavar="NAME",
                    help="name shared by the workers of one distributed run (keys its dupefilter)")
    ap.add_argument("--lease-seconds", type=float, default=float(os.environ.get("ZHAOSHANG_LEASE_SECONDS", 300)),
                    help="a request popped by a worker that dies is re-queued after this long")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a Scrapy setting (e.g. DOWNLOAD_DELAY=1); may be repeated")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_json, args.log_level)
    try:
        sources = load_sources(args.sources)
        names = list(dict.fromkeys(args.source or []))
        selected = tuple(sources.get(name) for name in names) if names else sources.select(None)
        if args.redis:
            from archive.ingest import connect

            connect(args.redis).close()
        else:
            Archive.open(args.db).close()  # fail fast, before Scrapy starts, on an unusable file
    except (SourcesError, ArchiveError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - redis raises several kinds for a bad URL or a dead server
        print(f"error: cannot reach Redis at {args.redis}: {exc}", file=sys.stderr)
        return 2
    if args.redis:
        # workers coordinate through Redis (shared queue and dupefilter): no local lock
        return run_crawl(args, sources, [s.name for s in selected] if names else None, {})

    _raise_open_files_limit()  # a lock file a source, a connection a host
    held = {}
    for src in selected:
        lock = SourceLock(args.db, src.name)
        if lock.acquire():
            held[src.name] = lock
        else:
            print(f"skip: source {src.name!r} is being crawled by another process (lock {lock.path})",
                  file=sys.stderr)
    if not held:
        return 0
    try:
        return run_crawl(args, sources, list(held), dict(held))
    finally:
        for lock in held.values():  # each is released when its source ends; these are the leftovers
            lock.release()


def _raise_open_files_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def run_crawl(args, sources, names: list[str] | None, locks: dict) -> int:
    """Crawl ``names`` (None: every enabled source) with one spider in this process."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("ARCHIVE_DB", args.db, priority="cmdline")
    settings.set("SOURCES_FILE", args.sources, priority="cmdline")
    settings.set("CRAWL_TRIGGER", args.trigger, priority="cmdline")
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    settings.set("LOG_JSON", args.log_json, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # our handler: human or JSON lines
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.isupper():
            print(f"error: --set expects NAME=VALUE with an upper-case Scrapy setting name, got {item!r}",
                  file=sys.stderr)
            return 2
        current = settings.get(name)
        kind = type(current) if isinstance(current, (int, float)) and not isinstance(current, bool) else None
        if kind is not None:
            try:
                kind(value)
            except ValueError:
                print(f"error: --set {name} expects {'an integer' if kind is int else 'a number'}, got {value!r}",
                      file=sys.stderr)
                return 2
        settings.set(name, value, priority="cmdline")
    settings.set("ZHAOSHANG_MAX_SECONDS", args.max_seconds or 0, priority="cmdline")
    if args.redis:  # distributed runs end with the crawl: its time limit is the crawl's
        settings.set("CLOSESPIDER_TIMEOUT", args.max_seconds or sources.settings.max_run_seconds, priority="cmdline")
        from .distributed import redis_settings

        for name, value in redis_settings(args.redis, args.redis_run, args.lease_seconds).items():
            settings.set(name, value, priority="cmdline")

    process = CrawlerProcess(settings)
    setup_logging(args.log_json, args.log_level)  # Scrapy reset the levels it configures
    # exit codes: 0 the crawl ran (pages may have failed), 2 bad input, 3 the archive stopped taking writes
    crawler = process.create_crawler("portal")
    process.crawl(crawler, names=names, sources_file=args.sources, db=args.db, refresh=args.refresh, locks=locks,
                  source=names[0] if names and len(names) == 1 else None)
    process.start()
    fatal = crawler.stats.get_value("zhaoshang/fatal")
    if fatal:
        print(f"error: {fatal}; the crawl stopped, nothing archived before was lost", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
