"""A fleet round: 100 and 1,000 small portals, each on its own loopback address, one ``scheduler.py --once``.

Every portal (``tests/fleet_portals.py``, served by its own process) has 5 articles and answers
after 300 ms, like a remote server. Per fleet size: the round's wall time against one source of
the same fleet crawled alone (same command, ``--source``), articles archived a second, the peak
resident memory of the scheduler and everything it started (crawl processes, extraction
workers, summed, sampled from /proc), and politeness read from the server's own request log: the
most requests any host ever had in flight (CONCURRENT_REQUESTS_PER_DOMAIN allows 2) and how many
gaps between a host's consecutive requests were shorter than the shortest delay Scrapy may pick
(DOWNLOAD_DELAY × (1 − jitter 0.5); gaps a little shorter happen when the crawl's reactor is busy
between deciding to send a request and writing it).

    python -m bench.run --only fleet              # 100 and 1,000
    python -m bench.bench_fleet --portals 100     # one size
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from crawler import settings as crawl_settings
from tests.fleet_portals import politeness

REPO = Path(__file__).resolve().parents[1]
SIZES = (100, 1000)
LATENCY = 0.3
ARTICLES = 5


class PeakRss:
    """Peak of the summed RSS of a process and its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.pid, self.interval, self.peak = pid, interval, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree_rss(self) -> int:
        parents, rss = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                continue
        tree, grew = {self.pid}, True
        while grew:
            grew = False
            for pid, ppid in parents.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return sum(rss.get(pid, 0) for pid in tree)

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self.stop.wait(self.interval)

    def done(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.peak


def once(sources: Path, db: Path, *extra: str) -> tuple[float, int, subprocess.CompletedProcess]:
    """One ``scheduler.py --once`` round: (seconds, peak RSS bytes, the finished process)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(REPO / "scheduler.py"), "--once", "--quiet", "--sources", str(sources),
                             "--db", str(db), *extra], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "ZHAOSHANG_LOG_LEVEL": "WARNING"})
    rss = PeakRss(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    return seconds, rss.done(), subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def fleet_round(portals: int, tmp: Path) -> dict:
    """Serve ``portals`` portals, crawl one alone, then the whole fleet; the figures."""
    sources, log = tmp / f"sources-{portals}.toml", tmp / f"requests-{portals}.log"
    server = subprocess.Popen([sys.executable, "-m", "tests.fleet_portals", "--portals", str(portals), "--articles",
                               str(ARTICLES), "--latency", str(LATENCY), "--sources", str(sources), "--log", str(log)],
                              cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("listening"):
            raise RuntimeError(f"fleet server did not start: {line!r}")
        alone, _, first = once(sources, tmp / f"alone-{portals}.db", "--source", "fleet00000")
        if first.returncode != 0:
            raise RuntimeError(first.stderr[-2000:])
        fleet_from = time.time()
        seconds, peak, run = once(sources, tmp / f"fleet-{portals}.db")
        if run.returncode != 0:
            raise RuntimeError(run.stderr[-2000:])
    finally:
        server.terminate()
        server.wait(timeout=60)
    fleet_entries = [e for e in map(json.loads, log.read_text().splitlines()) if e["start"] >= fleet_from]
    delay = crawl_settings.DOWNLOAD_DELAY
    polite = politeness(fleet_entries, min_gap=delay * 0.5)
    with sqlite3.connect(tmp / f"fleet-{portals}.db") as conn:
        archived = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        ended = dict(conn.execute("SELECT ended, count(*) FROM crawl_runs GROUP BY ended").fetchall())
    return {"portals": portals, "alone": alone, "seconds": seconds, "peak": peak, "archived": archived,
            "ended": ended, **polite}


def report(results: list, r: dict) -> None:
    n = r["portals"]
    results += [
        {"name": f"fleet {n}: round", "value": round(r["seconds"], 1), "unit": "s",
         "note": f"{r['seconds'] / r['alone']:.1f}x one source alone ({r['alone']:.1f} s); target <= 5x at 100, "
                 f"<= 120 s at 1,000; runs ended {r['ended']}"},
        {"name": f"fleet {n}: articles/s", "value": round(r["archived"] / r["seconds"], 1), "unit": "art/s",
         "note": f"{r['archived']} of {n * ARTICLES} archived, {LATENCY * 1000:.0f} ms a response"},
        {"name": f"fleet {n}: peak RSS", "value": round(r["peak"] / 2**20), "unit": "MiB",
         "note": "scheduler + crawl processes + extraction workers, summed; target <= 500 at 1,000"},
        {"name": f"fleet {n}: max in flight per host", "value": r["max_in_flight"], "unit": "requests",
         "note": f"from the server log, {r['hosts']} hosts, {r['requests']} requests; "
                 f"CONCURRENT_REQUESTS_PER_DOMAIN = {crawl_settings.CONCURRENT_REQUESTS_PER_DOMAIN}"},
        {"name": f"fleet {n}: short gaps", "value": r["short_gaps"], "unit": "gaps",
         "note": f"of {r['gaps']} between a host's requests shorter than {r['floor']:.3f} s "
                 f"(DOWNLOAD_DELAY x 0.5); shortest {r['min_gap']} s"},
    ]


def run(results: list, sizes=SIZES) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            report(results, fleet_round(n, Path(tmp)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_fleet", description=__doc__.splitlines()[0])
    ap.add_argument("--portals", type=int, action="append", help="fleet size (repeatable; default 100 and 1000)")
    args = ap.parse_args(argv)
    results: list = []
    run(results, args.portals or SIZES)
    for r in results:
        print(f"{r['name']:<36} {r['value']:>8} {r['unit']:<9} {r['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
