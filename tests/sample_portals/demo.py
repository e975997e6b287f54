"""``make demo``: serve the sample portals on 127.0.0.1, crawl them once, print the summary.

Two families are served: the hand-written sample sites (tests/sample_portals/sites, ports 18700 + i)
and the five CMS-shaped portals (tests/sample_portals/shapes: TRS, Hanweb jpage, 信息公开 onclick list,
JSON list, 数字报; small N, the ports after them). Ports are fixed and the shape portals are generated
from a fixed seed, so a second demo sees the same URLs and, as a re-crawl should, fetches no article
page it already archived.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from archive.sources import SourcesError, parse_sources

from .server import serve_portals
from .shapes import EpaperPortal, HanwebPortal, TrsPortal, UcapPortal, XxgkPortal, serve_shapes

REPO = Path(__file__).resolve().parents[2]


def demo_shapes() -> list:
    """Small shape portals: every shape's pagination is exercised (TRS 2 pages a column, one jpage POST group,
    2 xxgk pages, 2 JSON pages, 4 edition days)."""
    return [TrsPortal(30), HanwebPortal(60), XxgkPortal(20), UcapPortal(30), EpaperPortal(16)]


def usable(tables: list[str]) -> tuple[list[str], list[str]]:
    """(tables this project's sources parser accepts, one-line reasons for the others)."""
    ok, left_out = [], []
    for table in tables:
        try:
            parse_sources(table, "demo")
            ok.append(table)
        except SourcesError as exc:
            left_out.append(str(exc))
    return ok, left_out


def read_log(path: Path, skip: int) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()[skip:]] if path.exists() else []


def line_count(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.sample_portals.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="archive.db", help="archive file (default: archive.db)")
    ap.add_argument("--base-port", type=int, default=18700)
    ap.add_argument("--workdir", default=".demo", help="where the demo's sources file and request logs go")
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    log_path, shape_log = work / "requests.log", work / "shape-requests.log"
    before, shape_before = line_count(log_path), line_count(shape_log)
    with serve_portals(base_port=args.base_port, log_path=str(log_path)) as portals, \
            serve_shapes(demo_shapes(), base_port=args.base_port + len(portals.sites), log_path=shape_log) as shapes:
        sources = work / "sources.toml"
        portals.write_sources(str(sources))
        tables, left_out = usable(shapes.sources_text())
        sources.write_text(sources.read_text("utf-8") + "\n" + "\n".join(tables), encoding="utf-8")
        print("sample portals:", ", ".join(f"{s} {portals.url(s)}" for s in portals.sites), flush=True)
        print("shape portals:", ", ".join(f"{p.name} {p.base}" for p in shapes.portals), flush=True)
        for reason in left_out:  # keys of a newer sources format than this crawler reads
            print("  not crawled:", reason, flush=True)
        cmd = [sys.executable, str(REPO / "scheduler.py"), "--once", "--sources", str(sources), "--db", args.db]
        code = subprocess.call(cmd, cwd=REPO, stderr=subprocess.DEVNULL)
        expected = shapes.expected()
    requests = read_log(log_path, before)
    articles = sum(1 for r in requests if r["path"] != "/robots.txt" and "index" not in r["path"])
    shape_requests = read_log(shape_log, shape_before)
    print(f"this crawl sent {len(requests) + len(shape_requests)} requests to the portals "
          f"({articles + sum(r['kind'] == 'article' for r in shape_requests)} for article pages); archive: {args.db}")
    if Path(args.db).exists():
        with sqlite3.connect(args.db) as conn:
            archived = {u for (u,) in conn.execute("SELECT url FROM article_urls")}
        print("shape portals archived:", ", ".join(
            f"{name} {len(archived & set(urls))}/{len(urls)}" for name, urls in expected.items()))
    return code


if __name__ == "__main__":
    sys.exit(main())
