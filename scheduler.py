"""Run the crawls: ``python scheduler.py --once`` (cron) or ``python scheduler.py`` (daemon).

Each source's crawl runs in its own process (``python -m crawler``), at most
``max_parallel_crawls`` at once; a source already being crawled by another process is
skipped. Exit codes: 0 when the crawls ran (even if some pages failed), 2 for a bad
sources file or an unusable archive.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from archive.db import Archive, ArchiveError
from archive.locks import SourceLock
from archive.logs import setup_logging
from archive.sources import SourcesError, SourcesFile, load_sources

log = logging.getLogger("scheduler")
GRACE_SECONDS = 60


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="scheduler.py", description=__doc__.splitlines()[0])
    ap.add_argument("--once", action="store_true", help="crawl every source once and exit (for cron)")
    ap.add_argument("--sources", default="sources.toml", help="sources file (default: sources.toml)")
    ap.add_argument("--db", default="archive.db", help="archive file (default: archive.db)")
    ap.add_argument("--source", help="only this source")
    ap.add_argument("--every", type=float, metavar="SECONDS", help="daemon: run every source at this interval")
    ap.add_argument("--refresh", action="store_true", help="refetch article pages already archived")
    ap.add_argument("--grace", type=float, default=GRACE_SECONDS,
                    help=f"seconds running crawls get to close after SIGTERM (default {GRACE_SECONDS})")
    ap.add_argument("--quiet", action="store_true", help="no per-source summary")
    ap.add_argument("--log-json", action="store_true", help="log one JSON object a line on stderr")
    ap.add_argument("--redis", metavar="URL", help="run as one worker of a distributed crawl (scrapy-redis); "
                    "`python -m archive ingest --redis URL --db FILE` writes the archive")
    ap.add_argument("--redis-run", metavar="NAME", help="name shared by the workers of one distributed run "
                    "(default: the current UTC hour)")
    return ap


class CrawlRunner:
    """Starts crawl processes and keeps track of them, so a signal can stop them all."""

    def __init__(self, sources: SourcesFile, sources_path: str, db: str, refresh: bool = False,
                 grace: float = GRACE_SECONDS, log_json: bool = False, redis: str | None = None,
                 redis_run: str | None = None):
        self.log_json = log_json
        self.redis = redis
        self.redis_run = redis_run
        self.sources = sources
        self.sources_path = sources_path
        self.db = db
        self.refresh = refresh
        self.grace = grace
        self.procs: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.stop_requested_at: float | None = None

    def command(self, name: str | None, trigger: str) -> list[str]:
        cmd = [sys.executable, "-m", "crawler", "--sources", self.sources_path, "--db", self.db,
               "--trigger", trigger] + (["--source", name] if name else [])
        if self.redis:
            run = self.redis_run or time.strftime("%Y%m%d%H", time.gmtime())
            cmd += ["--redis", self.redis, "--redis-run", run]
        return cmd + (["--refresh"] if self.refresh else []) + (["--log-json"] if self.log_json else [])

    def crawl(self, name: str, trigger: str) -> int | None:
        """Crawl one source in a child process; None when skipped (busy or stopping)."""
        if self.stopping.is_set():
            return None
        if not self.redis and SourceLock(self.db, name).held_elsewhere():
            log.warning("skip %s: another process is crawling it", name)
            return None
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                          env.get("PYTHONPATH")]))
        log.info("crawl %s (%s)", name or "all sources", trigger)
        with self.lock:
            if self.stopping.is_set():
                return None
            proc = subprocess.Popen(self.command(name, trigger), env=env)
            self.procs[name] = proc
        # the crawl closes itself at max_run_seconds; this is the backstop
        deadline = time.monotonic() + self.sources.settings.max_run_seconds + 120
        while proc.poll() is None:
            now = time.monotonic()
            stop_at = self.stop_requested_at
            if now > deadline or (stop_at is not None and now > stop_at + self.grace):
                log.error("crawl %s did not close in time, killing it", name)
                proc.kill()
            time.sleep(0.2)
        with self.lock:
            self.procs.pop(name, None)
        log.info("crawl %s exited %s", name or "all sources", proc.returncode)
        return proc.returncode

    def request_stop(self) -> None:
        """Start no new crawl; ask running ones to close (SIGTERM: Scrapy's graceful shutdown)."""
        with self.lock:
            if self.stopping.is_set():
                return
            self.stopping.set()
            self.stop_requested_at = time.monotonic()
            procs = list(self.procs.values())
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    def wait_idle(self) -> None:
        """Block until no crawl process is running."""
        while True:
            with self.lock:
                if not self.procs:
                    return
            time.sleep(0.2)


def run_once(runner: CrawlRunner, names: list[str], trigger: str = "once") -> int:
    """Crawl ``names`` once, ``max_parallel_crawls`` at a time; the worst crawl exit code (0: all ran)."""
    with ThreadPoolExecutor(runner.sources.settings.max_parallel_crawls) as pool:
        codes = list(pool.map(lambda n: runner.crawl(n, trigger), names))
    failed = [c for c in codes if c not in (None, 0, -signal.SIGTERM)]
    return max(failed, key=abs) if failed else 0


def summary(db: str, since_id: int) -> str:
    """A per-source table of the runs recorded after run ``since_id``."""
    with Archive.open(db, readonly=True) as archive:
        rows = archive.conn.execute(
            "SELECT source, sum(article_pages), sum(archived), sum(duplicates), sum(irrelevant), sum(errors),"
            " group_concat(ended) FROM crawl_runs WHERE id > ? GROUP BY source ORDER BY source", (since_id,)
        ).fetchall()
    header = ("source", "pages", "archived", "duplicates", "irrelevant", "errors", "ended")
    table = [header] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in table)


def last_run_id(db: str) -> int:
    with Archive.open(db) as archive:
        return archive.conn.execute("SELECT coalesce(max(id), 0) FROM crawl_runs").fetchone()[0]


def schedule_jobs(scheduler, runner: CrawlRunner, names: list[str], every: float | None) -> None:
    """(Re)create one job per source: its cron ``schedule`` (or the default), or ``every`` seconds."""
    from apscheduler.triggers.interval import IntervalTrigger

    from archive.cron import cron_trigger

    settings = runner.sources.settings
    scheduler.remove_all_jobs()
    for name in names:
        src = runner.sources.get(name)
        if every:
            trigger = IntervalTrigger(seconds=every, timezone=settings.timezone)
        else:
            trigger = cron_trigger(src.schedule or settings.default_schedule, settings.timezone)
        scheduler.add_job(runner.crawl, trigger, args=[name, "schedule"], id=name, name=f"crawl {name}",
                          **({"next_run_time": _now(settings.timezone)} if every else {}))
        log.info("scheduled %s: %s", name, f"every {every}s" if every else (src.schedule or settings.default_schedule))


def _now(tz: str):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz))


def run_daemon(runner: CrawlRunner, names: list[str], every: float | None, reload_sources) -> None:
    """Run the scheduler until ``runner.stopping`` is set; SIGHUP (``reload_sources``) re-reads the sources file."""
    from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    settings = runner.sources.settings
    scheduler = BackgroundScheduler(
        timezone=settings.timezone,
        executors={"default": JobExecutor(settings.max_parallel_crawls)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    schedule_jobs(scheduler, runner, names, every)
    scheduler.start()
    try:
        while not runner.stopping.wait(0.5):
            if reload_sources.is_set():
                reload_sources.clear()
                try:
                    runner.sources = load_sources(runner.sources_path)
                    names = [s.name for s in runner.sources.select(None if len(names) > 1 else names[0])]
                    schedule_jobs(scheduler, runner, names, every)
                    log.info("SIGHUP: reloaded %s", runner.sources_path)
                except SourcesError as exc:
                    log.error("SIGHUP: kept the old sources, the new file is bad: %s", exc)
    finally:
        scheduler.shutdown(wait=False)
        runner.wait_idle()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_json)
    try:
        sources = load_sources(args.sources)
        names = [s.name for s in sources.select(args.source)]
        start_id = 0 if args.redis else last_run_id(args.db)
        if args.redis:
            from archive.ingest import connect

            connect(args.redis).close()
    except (SourcesError, ArchiveError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - redis raises several kinds for a bad URL or a dead server
        print(f"error: cannot reach Redis at {args.redis}: {exc}", file=sys.stderr)
        return 2
    if args.every is not None and args.every <= 0:
        print("error: --every must be a positive number of seconds", file=sys.stderr)
        return 2
    runner = CrawlRunner(sources, args.sources, args.db, args.refresh, args.grace, args.log_json,
                         args.redis, args.redis_run)
    reload_sources = threading.Event()

    def on_stop(signum, frame):
        log.info("signal %s: no new crawls; running crawls get %ss to close", signum, args.grace)
        runner.request_stop()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, lambda signum, frame: reload_sources.set())

    code = 0
    if args.once and args.redis:
        code = runner.crawl(args.source, "once") or 0  # one worker process, all sources in one spider
    elif args.once:
        code = run_once(runner, names)
    else:
        run_daemon(runner, names, args.every, reload_sources)
    if not args.quiet and not args.redis:  # a worker's pages are in Redis until the writer ingests them
        try:
            print(summary(args.db, start_id))
        except ArchiveError as exc:
            print(f"error: {exc}", file=sys.stderr)
    # 0: the crawls ran; 2: bad sources or archive; 3: a crawl stopped because the archive took no more
    # writes (disk full); other: a crawl process crashed
    return 3 if code == 3 else (0 if code == 0 else 1)


if __name__ == "__main__":
    sys.exit(main())
