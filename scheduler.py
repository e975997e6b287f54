"""Run the crawls: ``python scheduler.py --once`` (cron) or ``python scheduler.py`` (daemon).

Sources are crawled in batches: one crawl process (``python -m crawler --source A --source B …``)
crawls a batch of sources side by side, each source with its own run, lock and time limit
(crawler/fleet.py). ``max_parallel_crawls`` is the number of crawl processes at once: ``--once``
splits the sources among that many; the daemon gathers the sources that come due together into a
batch and starts a process for it when one is free. A source already being crawled (by this
daemon or another process) is not started again. Exit codes: 0 when the crawls ran (even if some
pages failed), 2 for a bad sources file or an unusable archive.
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
BATCH_WINDOW = 1.0  # seconds the daemon waits for other sources coming due with the first one


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
        self.procs: dict[int, subprocess.Popen] = {}  # batch number -> its crawl process
        self.crawling: set[str] = set()  # sources in a crawl process of ours
        self.batches = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.stop_requested_at: float | None = None

    def command(self, names: list[str] | None, trigger: str) -> list[str]:
        cmd = [sys.executable, "-m", "crawler", "--sources", self.sources_path, "--db", self.db,
               "--trigger", trigger]
        for name in names or ():
            cmd += ["--source", name]
        if self.redis:
            run = self.redis_run or time.strftime("%Y%m%d%H", time.gmtime())
            cmd += ["--redis", self.redis, "--redis-run", run]
        return cmd + (["--refresh"] if self.refresh else []) + (["--log-json"] if self.log_json else [])

    def crawl(self, names: list[str] | None, trigger: str) -> int | None:
        """Crawl a batch of sources in one child process (None: every source, distributed only);
        None when nothing was started (all busy, or stopping)."""
        if self.stopping.is_set():
            return None
        if names is not None:
            names = self._claim(names)
            if not names:
                return None
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                          env.get("PYTHONPATH")]))
        what = names[0] if names and len(names) == 1 else f"{len(names)} sources" if names else "all sources"
        try:
            with self.lock:
                if self.stopping.is_set():
                    return None
                self.batches += 1
                batch = self.batches
                log.info("crawl %s (%s, batch %d)", what, trigger, batch)
                proc = subprocess.Popen(self.command(names, trigger), env=env)
                self.procs[batch] = proc
            # each source closes its part at its max_run_seconds, counted from when the process
            # reaches it (at once: start requests are read ahead); this is the backstop
            limits = [self.sources.get(n).max_run_seconds or 0 for n in names or ()]
            deadline = time.monotonic() + max([self.sources.settings.max_run_seconds, *limits]) + 120
            while proc.poll() is None:
                now = time.monotonic()
                stop_at = self.stop_requested_at
                if now > deadline or (stop_at is not None and now > stop_at + self.grace):
                    log.error("crawl %s did not close in time, killing it", what)
                    proc.kill()
                time.sleep(0.2)
            with self.lock:
                self.procs.pop(batch, None)
            log.info("crawl %s exited %s", what, proc.returncode)
            return proc.returncode
        finally:
            with self.lock:
                self.crawling.difference_update(names or ())

    def _claim(self, names: list[str]) -> list[str]:
        """The sources of ``names`` nobody is crawling, now marked as ours."""
        free = []
        for name in names:
            with self.lock:
                if name in self.crawling:
                    log.warning("skip %s: still being crawled since it was last due", name)
                    continue
            if not self.redis and SourceLock(self.db, name).held_elsewhere():
                log.warning("skip %s: another process is crawling it", name)
                continue
            free.append(name)
        with self.lock:
            free = [n for n in free if n not in self.crawling]
            self.crawling.update(free)
        return free

    def busy(self) -> int:
        with self.lock:
            return len(self.procs)

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


def batches(names: list[str], processes: int) -> list[list[str]]:
    """``names`` dealt out to ``processes`` crawl processes (fewer when there are fewer sources)."""
    n = max(1, min(processes, len(names)))
    return [names[i::n] for i in range(n)] if names else []


def run_once(runner: CrawlRunner, names: list[str], trigger: str = "once") -> int:
    """Crawl ``names`` once in ``max_parallel_crawls`` processes; the worst crawl exit code (0: all ran)."""
    groups = batches(names, runner.sources.settings.max_parallel_crawls)
    with ThreadPoolExecutor(max(1, len(groups))) as pool:
        codes = list(pool.map(lambda group: runner.crawl(group, trigger), groups))
    return worst(codes)


def worst(codes) -> int:
    failed = [c for c in codes if c not in (None, 0, -signal.SIGTERM)]
    return max(failed, key=abs) if failed else 0


class Batcher:
    """The daemon's dispatcher: sources that come due wait here and leave together, as one batch,
    when a crawl process is free (at most ``max_parallel_crawls``)."""

    def __init__(self, runner: CrawlRunner, window: float = BATCH_WINDOW):
        self.runner = runner
        self.window = window
        self.due: dict[str, None] = {}  # in the order they came due
        self.cond = threading.Condition()
        self.threads: list[threading.Thread] = []

    def add(self, name: str) -> None:
        """A source came due (an APScheduler job)."""
        with self.runner.lock:
            running = name in self.runner.crawling
        if running:
            log.warning("%s came due while still being crawled: not started twice", name)
            return
        with self.cond:
            self.due[name] = None
            self.cond.notify()

    def run(self) -> None:
        """Dispatch batches until the runner stops."""
        while not self.runner.stopping.is_set():
            with self.cond:
                if not self.due:
                    self.cond.wait(0.5)
                    continue
            time.sleep(self.window)  # the others due at the same minute join this batch
            while self.runner.busy() >= self.runner.sources.settings.max_parallel_crawls:
                if self.runner.stopping.wait(0.2):
                    return
            with self.cond:
                names, self.due = list(self.due), {}
            thread = threading.Thread(target=self.runner.crawl, args=(names, "schedule"), daemon=True)
            thread.start()
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
            time.sleep(0.3)  # let it start (and count as busy) before the next batch is weighed


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


def schedule_jobs(scheduler, runner: CrawlRunner, batcher: Batcher, names: list[str], every: float | None) -> None:
    """(Re)create one job per source: its cron ``schedule`` (or the default), or ``every`` seconds;
    a job hands its source to the batcher."""
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
        scheduler.add_job(batcher.add, trigger, args=[name], id=name, name=f"crawl {name}",
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
        executors={"default": JobExecutor(1)},  # a job only hands its source to the batcher
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    batcher = Batcher(runner)
    dispatcher = threading.Thread(target=batcher.run, name="batcher", daemon=True)
    dispatcher.start()
    schedule_jobs(scheduler, runner, batcher, names, every)
    scheduler.start()
    try:
        while not runner.stopping.wait(0.5):
            if reload_sources.is_set():
                reload_sources.clear()
                try:
                    runner.sources = load_sources(runner.sources_path)
                    names = [s.name for s in runner.sources.select(None if len(names) > 1 else names[0])]
                    schedule_jobs(scheduler, runner, batcher, names, every)
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
        code = runner.crawl([args.source] if args.source else None, "once") or 0  # one worker, one spider
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
