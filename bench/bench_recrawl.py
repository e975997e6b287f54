"""Re-crawl cost: first crawl of a 2,000-article portal vs a crawl of the same, unchanged portal.

Requests are counted from the portal server's own log. Politeness delays are switched off for
the loopback portal (``--set``) so the figure measures the crawler, not the sleep.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.portal import REPO, build_portal, sources_toml
from tests.sample_portals.server import serve_portals

FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "CONCURRENT_REQUESTS=16", "LOG_LEVEL=WARNING"]


def crawl(sources: Path, db: Path, extra: list[str] = ()) -> float:
    cmd = [sys.executable, "-m", "crawler", "--sources", str(sources), "--db", str(db), "--trigger", "manual"]
    for s in FAST:
        cmd += ["--set", s]
    started = time.perf_counter()
    subprocess.run(cmd + list(extra), cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(results: list, articles: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_portal(tmp / "sites" / "bench", articles)
        log = tmp / "requests.log"
        with serve_portals(root=str(tmp / "sites"), sites=["bench"], log_path=str(log)) as portals:
            sources = tmp / "sources.toml"
            sources.write_text(sources_toml(portals.url("bench"), max_article_pages=articles + 10), "utf-8")
            first_s = crawl(sources, tmp / "archive.db")
            first_n = len(log.read_text().splitlines())
            second_s = crawl(sources, tmp / "archive.db")
            second_n = len(log.read_text().splitlines()) - first_n
        stored = json.loads(subprocess.run(
            [sys.executable, "-m", "archive", "runs", "--db", str(tmp / "archive.db"), "--json"],
            cwd=REPO, capture_output=True, text=True, check=True).stdout)
    archived = sum(r["archived"] for r in stored)
    note = f"{articles}-article sample portal on 127.0.0.1, politeness delays off"
    results += [
        {"name": "recrawl.first.requests", "value": first_n, "unit": "requests", "note": note},
        {"name": "recrawl.first.seconds", "value": round(first_s, 2), "unit": "s", "note": f"{archived} archived"},
        {"name": "recrawl.unchanged.requests", "value": second_n, "unit": "requests",
         "note": "robots.txt + one conditional GET of the start page (304)"},
        {"name": "recrawl.unchanged.seconds", "value": round(second_s, 2), "unit": "s", "note": ""},
        {"name": "recrawl.request_ratio", "value": round(100 * second_n / first_n, 3), "unit": "%",
         "note": "target: at most 1 % of the first crawl's requests"},
    ]


if __name__ == "__main__":
    out: list = []
    run(out)
    for r in out:
        print(f"{r['name']:32} {r['value']:>10} {r['unit']:10} {r['note']}")
