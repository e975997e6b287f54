"""``python -m archive``: a thin command line over the library.

Every command takes ``--db FILE`` where it reads the archive and exits 2 with one clear
line on a missing or unusable file (or a bad sources file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .db import ArchiveError
from .sources import SourcesError


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit 2."""


# --- extract ---------------------------------------------------------------------------------
def _local_pages(path: Path, url: str | None) -> list[tuple[bytes, str | None]]:
    """A saved page plus its continuation pages saved beside it (a "下一页" link's file name)."""
    from .extract import next_page

    pages = [(path.read_bytes(), url)]
    seen = {path.resolve()}
    while len(pages) < 10:
        body, page_url = pages[-1]
        nxt = next_page(body, page_url or path.as_uri())
        if not nxt:
            break
        candidate = path.parent / nxt.split("?", 1)[0].rsplit("/", 1)[-1]
        if not candidate.is_file() or candidate.resolve() in seen:
            break
        seen.add(candidate.resolve())
        next_url = nxt if page_url else None
        pages.append((candidate.read_bytes(), next_url))
    return pages


def extract_file(path: str, url: str | None, options=None) -> dict:
    """The extraction of one saved page (and its saved continuation pages) as a JSON-able dict."""
    from .extract import extract_article

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{path}: no such file")
    result = extract_article(_local_pages(p, url), None, options).as_dict()
    return {"file": path, **result}


def _extract_star(args):
    return extract_file(*args)


def _expand(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        if Path(p).is_dir():
            out.extend(str(f) for f in sorted(Path(p).rglob("*")) if f.suffix.lower() in (".html", ".htm", ".shtml"))
        else:
            out.append(p)
    return out


def cmd_extract(args) -> int:
    files = _expand(args.files)
    if not files:
        raise UsageError("no HTML files given")
    url_map = {}
    if args.url_map:
        try:
            url_map = json.loads(Path(args.url_map).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{args.url_map}: cannot read the URL map ({exc})") from None
    if args.url and len(files) > 1:
        raise UsageError("--url applies to one file; use --url-map for several")
    for f in files:
        if not Path(f).is_file():
            raise UsageError(f"{f}: no such file")
    jobs = [(f, args.url or url_map.get(f)) for f in files]
    workers = args.jobs or os.cpu_count() or 1
    if len(jobs) == 1 and not args.jsonl:
        print(json.dumps(extract_file(*jobs[0]), ensure_ascii=False, indent=2))
        return 0
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = pool.map(_extract_star, jobs, chunksize=4)
            for r in results:  # map keeps the input order
                print(json.dumps(r, ensure_ascii=False), flush=False)
    else:
        for job in jobs:
            print(json.dumps(extract_file(*job), ensure_ascii=False))
    return 0


# --- runs ------------------------------------------------------------------------------------
def cmd_runs(args) -> int:
    from .db import Archive
    from .report import print_table

    with Archive.open(args.db, readonly=True) as archive:
        sql = "SELECT * FROM crawl_runs" + (" WHERE source = ?" if args.source else "") + " ORDER BY id DESC LIMIT ?"
        params = ([args.source] if args.source else []) + [args.limit]
        cur = archive.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_table(rows, cols, title="crawl runs")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m archive", description="The zhaoshang-archive archive and text pipeline.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract saved HTML pages, print JSON")
    p.add_argument("files", nargs="+", metavar="FILE", help="HTML files or folders")
    p.add_argument("--url", help="the page's URL (dates in URLs, relative links)")
    p.add_argument("--url-map", help="JSON file mapping file path -> URL")
    p.add_argument("--jsonl", action="store_true", help="one JSON object a line")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("runs", help="crawl runs, newest first")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--source")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ArchiveError, SourcesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
