"""Distributed crawl throughput: pages/s with one and with two scrapy-redis workers (and one writer),
and how fast the single writer (``archive ingest``) drains pages already waiting in Redis.

Both workers run on this machine, so the figure shows the coordination overhead and how far two
workers share one machine's cores, not what two machines would do. A real ``redis-server`` is
started on a free loopback port; the part is skipped (with a note) when it is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.portal import REPO, build_portal, sources_toml
from tests.sample_portals.server import serve_portals

ARTICLES = 1500
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "CONCURRENT_REQUESTS=16", "LOG_LEVEL=WARNING"]


def _crawl(workers: int, sources: Path, db: Path, redis_url: str, run: str) -> float:
    writer = subprocess.Popen([sys.executable, "-m", "archive", "ingest", "--redis", redis_url, "--db", str(db),
                               "--idle-exit", "3"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cmd = [sys.executable, "-m", "crawler", "--sources", str(sources), "--redis", redis_url, "--redis-run", run]
    for s in FAST:
        cmd += ["--set", s]
    started = time.perf_counter()
    procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    for p in procs:
        p.wait()
    crawled = time.perf_counter() - started
    writer.wait()
    return crawled


IDLE_EXIT = 1.0


def _writer_rate(site: Path, db: Path, redis_url: str) -> tuple[int, float]:
    """Queue every article page of ``site`` as the workers would (extracted, one message each), then
    time ``python -m archive ingest`` draining them: (pages, seconds, start-up included)."""
    from archive.extract import ExtractOptions
    from archive.ingest import ITEMS, connect, page_message, run_message
    from archive.pipeline import FetchedPage, process_page

    client = connect(redis_url)
    client.rpush(ITEMS, run_message("run_start", "drain", source="bench", trigger="manual"))
    paths = sorted((site / "news").glob("content_*.html"))
    for path in paths:
        page = FetchedPage(url=f"http://bench.test/news/{path.name}", source="bench", status=200,
                           fetched_at="2024-06-01T08:00:00+08:00", body=path.read_bytes(),
                           headers={"content-type": "text/html; charset=utf-8"})
        client.rpush(ITEMS, page_message("drain", *process_page(page, ExtractOptions(outlet="样例日报"), "吉林省")))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "archive", "ingest", "--redis", redis_url, "--db", str(db),
                    "--idle-exit", str(IDLE_EXIT)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return len(paths), time.perf_counter() - started - IDLE_EXIT


def run(results: list) -> None:
    import sqlite3

    from tests.redis_server import redis_server

    if shutil.which("redis-server") is None:
        results.append({"name": "distributed", "value": "skipped", "unit": "", "note": "redis-server not installed"})
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_portal(tmp / "sites" / "bench", ARTICLES)
        with serve_portals(root=str(tmp / "sites"), sites=["bench"]) as portals:
            sources = tmp / "sources.toml"
            sources.write_text(sources_toml(portals.url("bench"), max_article_pages=ARTICLES + 10), "utf-8")
            rates = {}
            for workers in (1, 2):
                db = tmp / f"archive-{workers}.db"
                with redis_server(tmp) as url:
                    seconds = _crawl(workers, sources, db, url, f"bench-{workers}")
                with sqlite3.connect(db) as conn:
                    pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
                rates[workers] = pages / seconds
                results.append({"name": f"distributed.{workers}_worker{'s' if workers > 1 else ''}",
                                "value": round(rates[workers], 1), "unit": "pages/s",
                                "note": f"{pages} pages in {seconds:.1f} s (idle wait at the end included), "
                                        "one writer, workers on this machine"})
        with redis_server(tmp) as url:
            pages, seconds = _writer_rate(tmp / "sites" / "bench", tmp / "drain.db", url)
    results.append({"name": "distributed.two_vs_one", "value": round(rates[2] / rates[1], 2), "unit": "x",
                    "note": "both workers share this machine's cores; on two machines each has its own"})
    results.append({"name": "distributed.writer_drain", "value": round(pages / seconds), "unit": "pages/s",
                    "note": f"archive ingest writing {pages} queued pages of the portal into a new archive: "
                            f"{seconds:.1f} s, its start-up included; the ceiling of every worker feeding it"})


if __name__ == "__main__":
    out: list = []
    run(out)
    for r in out:
        print(f"{r['name']:32} {r['value']:>10} {r['unit']:8} {r['note']}")
