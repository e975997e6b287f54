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
        nxt = next_page(body, page_url or path.resolve().as_uri())  # as_uri refuses a relative path
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


# --- access: search, serve, export, reextract, stats -------------------------------------------
def open_for_reading(path: str):
    """The archive, read-only; an archive of an older schema is migrated first (one write)."""
    from .db import Archive
    from .schema import SCHEMA_VERSION

    archive = Archive.open(path, readonly=True)
    version = archive.schema_version()
    if version is None or version < SCHEMA_VERSION:
        archive.close()
        Archive.open(path, create=False).close()
        archive = Archive.open(path, readonly=True)
    return archive


def cmd_search(args) -> int:
    from .search import QueryError, mark

    with open_for_reading(args.db) as archive:
        try:
            results = list(archive.search(args.query, source=args.source, outlet=args.outlet, region=args.region,
                                          since=args.since, until=args.until, limit=args.limit,
                                          collapse=args.collapse))
        except QueryError as exc:
            raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.text import Text

        console = Console()
        for r in results:
            console.print(Text.assemble((r["title"] or "(no title)", "bold"), "  ",
                                        ((r["published_at"] or "")[:10], "cyan"), "  ", r["outlet"] or "",
                                        "  ", (r["content_hash"][:12], "dim")))
            snip = Text(r["snippet"])
            for s, e in r["highlights"]:
                snip.stylize("bold yellow", s, e)
            console.print(snip)
            console.print(r["url"] or "", style="dim")
            if args.collapse and r["story_articles"] > 1:
                console.print(f"story {r['story_id']}: {r['story_articles']} articles", style="dim")
            console.print()
        console.print(f"{len(results)} result(s)", style="dim")
    else:
        for r in results:
            print("\t".join([r["content_hash"], (r["published_at"] or "")[:10], r["outlet"] or "",
                             r["title"] or "", mark(r["snippet"], [tuple(h) for h in r["highlights"]])]
                            + ([str(r["story_articles"])] if args.collapse else [])))
    return 0


def cmd_serve(args) -> int:
    from .serve import serve

    serve(args.db, args.port)
    return 0


def cmd_export(args) -> int:
    from .export import export

    if args.out != "-" and Path(args.out).is_dir():
        raise UsageError(f"{args.out}: is a directory")
    import time

    with open_for_reading(args.db) as archive:
        started = time.perf_counter()
        if args.table == "articles":
            n = export(archive.conn, args.format, args.out, since=args.since, until=args.until, source=args.source)
        else:
            from .export import export_table

            if args.format == "warc":
                raise UsageError(f"--table {args.table}: --format jsonl, csv or parquet")
            n = export_table(archive.conn, args.table, args.format, args.out, since=args.since, until=args.until,
                             source=args.source)
        seconds = time.perf_counter() - started
    what = "pages" if args.format == "warc" else "articles" if args.table == "articles" else f"{args.table} rows"
    print(f"exported {n} {what} as {args.format} to {'stdout' if args.out == '-' else args.out} in {seconds:.2f} s",
          file=sys.stderr)
    return 0


def cmd_reextract(args) -> int:
    from .db import Archive
    from .reextract import reextract
    from .sources import load_sources

    sources = load_sources(args.sources)
    with Archive.open(args.db, create=False) as archive:
        summary = reextract(archive.conn, sources, source=args.source, since=args.since,
                            jobs=args.jobs or os.cpu_count() or 1)
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(summary.lines()))
    return 0


def cmd_stats(args) -> int:
    from .stats import print_stats

    with open_for_reading(args.db) as archive:
        stats = archive.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print_stats(stats)
    return 0


def cmd_ingest(args) -> int:
    import signal
    import threading

    from .ingest import connect, ingest

    try:  # a bad URL or a dead server: one line, before the archive is opened
        connect(args.redis).close()
    except Exception as exc:  # noqa: BLE001 - redis raises ValueError or its own errors
        raise UsageError(f"cannot use Redis at {args.redis}: {exc}") from None
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        done = ingest(args.redis, args.db, args.idle_exit, stop)
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - redis raises several kinds for a bad URL or a dead server
        if type(exc).__module__.startswith("redis"):
            raise UsageError(f"cannot use Redis at {args.redis}: {exc}") from None
        raise
    print(json.dumps(dict(done), ensure_ascii=False), file=sys.stderr)
    return 0


# --- facts of a plain text ---------------------------------------------------------------------
FACT_FIELDS = ("kind", "text", "char_start", "value", "unit", "qualifier", "status", "measure", "period",
               "period_start", "period_end", "place", "adcode", "part_of")


def cmd_facts(args) -> int:
    from datetime import date

    from .facts import analyse

    if args.published:
        try:
            date.fromisoformat(args.published)
        except ValueError:
            raise UsageError(f"--published {args.published}: not a date (YYYY-MM-DD)") from None
    if args.region:
        from .places import gazetteer

        if not gazetteer().region(args.region):
            raise UsageError(f"--region {args.region}: names no province, city or county of the gazetteer")
    if args.file in (None, "-"):
        raw = sys.stdin.buffer.read()
        name = "stdin"
    else:
        path = Path(args.file)
        if not path.is_file():
            raise UsageError(f"{args.file}: no such file")
        raw, name = path.read_bytes(), args.file
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = [{"kind": f.kind, "text": f.text, "char_start": f.start, "value": f.value, "unit": f.unit,
             "qualifier": f.qualifier, "status": f.status, "measure": f.measure, "period": f.period,
             "period_start": f.period_start, "period_end": f.period_end, "place": f.place, "adcode": f.adcode,
             "part_of": f.part_of}
            for f in analyse(text, args.published, args.region) if args.all or f.kind in ("money", "projects")]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        from .report import print_table

        print_table(rows, list(FACT_FIELDS), title=f"facts of {name}")
    return 0


def cmd_stories(args) -> int:
    from .db import Archive, write_transaction
    from .report import print_table

    if args.rebuild:
        from .derived import rebuild

        only = {"facts": args.facts_only, "places": args.places_only}
        parts = {k: (v or not any(only.values())) for k, v in only.items()}
        parts["stories"] = not any(only.values())
        with Archive.open(args.db, create=False) as archive, write_transaction(archive.conn):
            n = rebuild(archive.conn, **parts,
                        progress=lambda i, total: print(f"{i}/{total}", file=sys.stderr, flush=True))
        print(f"{', '.join(k for k, v in parts.items() if v)} recomputed for {n} articles", file=sys.stderr)
        return 0
    with open_for_reading(args.db) as archive:
        cur = archive.conn.execute("SELECT story_id, articles, published_at, title, outlets FROM stories"
                                   " ORDER BY articles DESC, story_id DESC LIMIT ?", (args.limit,))
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur]
    for r in rows:
        r["outlets"] = json.loads(r["outlets"] or "[]")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_table([{**r, "outlets": " ".join(r["outlets"])} for r in rows], cols, title="largest stories")
    return 0


def _add_access_commands(sub) -> None:
    p = sub.add_parser("search", help="Chinese full-text search (exact substrings, Traditional or Simplified)")
    p.add_argument("query", help='terms (AND), "a phrase", -excluded')
    p.add_argument("--db", default="archive.db")
    for name in ("source", "outlet", "region"):
        p.add_argument(f"--{name}")
    p.add_argument("--since", help="published_at >= this (ISO date)")
    p.add_argument("--until", help="published_at < this (ISO date)")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--collapse", action="store_true", help="one result per story (near-duplicates collapsed)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("serve", help="Datasette over the archive on 127.0.0.1")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--port", type=int, default=8001)
    p.set_defaults(func=cmd_serve)

    from .export import FORMATS

    p = sub.add_parser("export", help="articles as JSONL/CSV/Parquet, or raw pages as WARC")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--format", choices=FORMATS, default="jsonl")
    p.add_argument("--since", help="published_at (fetched_at for warc) >= this")
    p.add_argument("--until", help="published_at (fetched_at for warc) < this")
    p.add_argument("--source")
    p.add_argument("--out", default="-", help="file, or - for stdout (default)")
    p.add_argument("--table", choices=("articles", "facts", "places", "stories"), default="articles",
                   help="what to export (default articles; facts, places and stories: jsonl, csv or parquet)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("reextract", help="run the current text pipeline over the stored raw pages")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--sources", default="sources.toml", help="sources file (per-source rules, outlet, region)")
    p.add_argument("--source")
    p.add_argument("--since", help="pages fetched at or after this")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("stories", help="the largest stories (near-duplicates); --rebuild recomputes stories, facts, places")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.add_argument("--rebuild", action="store_true", help="recompute stories, facts and places of every article")
    p.add_argument("--facts-only", action="store_true", help="with --rebuild: only the facts")
    p.add_argument("--places-only", action="store_true", help="with --rebuild: only the places")
    p.set_defaults(func=cmd_stories)

    p = sub.add_parser("stats", help="per source, outlet and region: articles, dates, last crawl, error rate")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)


# --- probe, check-sources ----------------------------------------------------------------------
def cmd_probe(args) -> int:
    from .fetching import ProbeError
    from .probe import probe, source_toml

    try:
        report = probe(args.url, name=args.name, outlet=args.outlet, region=args.region)
    except ProbeError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
        return 0
    print(f"# {report.url}\n# shape: {report.shape}\n# pagination: {report.pagination}")
    print(f"# {len(report.article_links)} article links, the first ones:")
    for link in report.article_links[:5]:
        print(f"#   {link}")
    if report.first_article:
        a = report.first_article
        print(f"# first article: {a['title']!r} ({a['published_at'] or 'no date'})\n#   {a['first_line']}")
    for note in report.notes:
        print(f"# note: {note}")
    print(source_toml(report.source), end="")
    return 0


def cmd_check_sources(args) -> int:
    from .fetching import PoliteFetcher
    from .probe import check_source
    from .sources import load_sources

    sources = load_sources(args.sources)
    fetcher = PoliteFetcher()
    checks = [check_source(src, sources, fetcher) for src in sources.select(args.source)]
    if args.json:
        print(json.dumps([{**c.__dict__, "ok": c.ok} for c in checks], ensure_ascii=False, indent=2))
    else:
        for c in checks:
            status = "ok " if c.ok else "BAD"
            print(f"{status} {c.source}: {c.matched}/{c.links} links match article_pattern; "
                  f"pagination: {c.pagination}" + (f"; {c.problem}" if c.problem else "") + f"  <{c.url}>")
    return 0 if all(c.ok for c in checks) else 1


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

    p = sub.add_parser("ingest", help="the single writer of a distributed crawl: Redis list -> archive")
    p.add_argument("--redis", required=True, metavar="URL", help="redis://host:port/db of the workers")
    p.add_argument("--db", default="archive.db")
    p.add_argument("--idle-exit", type=float, metavar="SECONDS",
                   help="exit after this long with nothing to write (default: run until SIGTERM)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("probe", help="a new source from one list URL: its shape, article_pattern, a [[source]] table")
    p.add_argument("url")
    p.add_argument("--name", help="the source's name (default: from the host)")
    p.add_argument("--outlet", help="the publisher (default: the site name in <title>)")
    p.add_argument("--region", help="the source's region (default: 全国, a placeholder)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("check-sources", help="fetch each source's start page: links matched, pagination; exit 1 "
                                             "when a pattern matches nothing")
    p.add_argument("--sources", default="sources.toml")
    p.add_argument("--source", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check_sources)

    p = sub.add_parser("facts", help="the investment facts of a plain text: status, measure, period, place")
    p.add_argument("file", nargs="?", metavar="FILE", help="UTF-8 text, Traditional or Simplified (default or -: stdin)")
    p.add_argument("--published", metavar="YYYY-MM-DD", help="publication date: resolves 今年, 明年, 前10个月 …")
    p.add_argument("--region", metavar="NAME", help="the source's region (e.g. 吉林省吉林市): resolves 我市, 全区 …")
    p.add_argument("--all", action="store_true", help="also growth figures and non-investment money (other_money)")
    p.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    p.set_defaults(func=cmd_facts)

    _add_access_commands(sub)
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
