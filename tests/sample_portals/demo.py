"""``make demo``: serve the sample portals on 127.0.0.1, crawl them once, print the summary.

The portals listen on fixed ports (18700 + i) so a second demo sees the same URLs and,
as a re-crawl should, fetches no article page it already archived.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from .server import serve_portals

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.sample_portals.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="archive.db", help="archive file (default: archive.db)")
    ap.add_argument("--base-port", type=int, default=18700)
    ap.add_argument("--workdir", default=".demo", help="where the demo's sources file and request log go")
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "requests.log"
    before = log_path.read_text().count("\n") if log_path.exists() else 0
    with serve_portals(base_port=args.base_port, log_path=str(log_path)) as portals:
        sources = work / "sources.toml"
        portals.write_sources(str(sources))
        print("sample portals:", ", ".join(f"{s} {portals.url(s)}" for s in portals.sites), flush=True)
        cmd = [sys.executable, str(REPO / "scheduler.py"), "--once", "--sources", str(sources), "--db", args.db]
        code = subprocess.call(cmd, cwd=REPO, stderr=subprocess.DEVNULL)
    requests = [json.loads(line) for line in log_path.read_text().splitlines()[before:]]
    articles = sum(1 for r in requests if r["path"] != "/robots.txt" and "index" not in r["path"])
    print(f"this crawl sent {len(requests)} requests to the portals ({articles} for article pages); "
          f"archive: {args.db}")
    return code


if __name__ == "__main__":
    sys.exit(main())
