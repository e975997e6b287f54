"""A fleet of small portals for fleet crawls (tests and ``make bench``): portal i on its own loopback address.

Every portal is one list page linking its articles (distinct generated 招商引资 texts,
``tests/sample_portals/shapes/corpus.py``), a robots.txt, and the articles; portal i listens on
127.0.x.y (Linux routes all of 127/8 to the loopback interface), every portal on the same port, so
each is its own host to a crawler (its own download slot, robots.txt and politeness). Every answer
waits ``latency`` seconds first, like a remote server. The request log keeps, per request, the
portal, path, status, and when it arrived and when its answer was sent: ``politeness()`` reads
from it how many requests a host ever had in flight and the shortest gap between a host's requests.

    python -m tests.fleet_portals --portals 100 --articles 5 --latency 0.3 --sources FILE --log FILE

serves until SIGTERM/SIGINT, then writes the request log (JSON lines) and exits. In a test:
``with serve_fleet(40) as fleet:`` (an asyncio loop in a thread).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import html
import json
import signal
import socket
import sys
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from tests.sample_portals.shapes.corpus import CST, make_article

ROBOTS = b"User-agent: *\nDisallow: /admin/\n"
SEQ_BASE = 50000  # article numbers of portal i: SEQ_BASE + 10 i + k (the generator's texts differ by number)
ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_{outlet}</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/news/index.html">要闻</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">时间：{time} 来源：{source} 作者：{author}</div>
<div class="content">{paragraphs}</div>
<div class="editor">责任编辑：{editor}</div></div>
<div class="footer">{outlet} 版权所有</div></body></html>
"""
LIST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>要闻_{outlet}</title></head><body>
<ul class="list">{items}</ul></body></html>
"""


def address(i: int) -> str:
    """Portal i's loopback address: 127.0.0.2 … 127.0.0.254, 127.0.1.1 …; never .0, .255 or 127.0.0.1."""
    a = i + 1
    return f"127.0.{a // 254}.{a % 254 + 1}"


class Fleet:
    """The portals' content and request log (the server is ``serve``/``serve_fleet``)."""

    def __init__(self, portals: int, articles: int = 5, latency: float = 0.3, first: int = 0):
        self.count, self.articles, self.latency, self.first = portals, articles, latency, first
        self.addresses = [address(first + i) for i in range(portals)]
        self.index = {a: i for i, a in enumerate(self.addresses)}
        self.port: int | None = None
        self.log: list[dict] = []
        self.extra: dict[int, int] = defaultdict(int)  # portal -> articles published since the start
        self.slow: dict[int, float] = {}  # portal -> its own latency (settable while serving)

    def name(self, i: int) -> str:
        return f"fleet{self.first + i:05d}"

    def url(self, i: int, path: str = "/news/index.html") -> str:
        return f"http://{self.addresses[i]}:{self.port}{path}"

    def seqs(self, i: int) -> list[int]:
        """Article numbers of portal i, newest first."""
        n = self.articles + self.extra[i]
        base = SEQ_BASE + (self.first + i) * 10
        return [base + k for k in range(n)][::-1]

    @staticmethod
    def article(seq: int):
        """Article number ``seq`` of the generator (its text depends on the number only)."""
        return make_article(seq, datetime(2024, 3, 1, 9, tzinfo=CST) + timedelta(hours=seq % 997))

    def article_urls(self, i: int) -> list[str]:
        return [self.url(i, f"/news/content_{s}.html") for s in self.seqs(i)]

    def publish(self, i: int, k: int) -> list[str]:
        """Portal i gains k newer articles (at most 10 in all); their URLs."""
        self.extra[i] += k
        return self.article_urls(i)[:k]

    def sources_toml(self, path: Path, **keys) -> Path:
        """A sources file with one [[source]] a portal (``keys`` added to every table)."""
        tables = []
        for i in range(self.count):
            lines = [f"name = '{self.name(i)}'", f"outlet = '样例{self.first + i}号日报'", "region = '吉林省'",
                     f"start_urls = ['{self.url(i)}']", "article_pattern = '/news/content_\\d+\\.html$'"]
            lines += [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
            tables.append("[[source]]\n" + "\n".join(lines) + "\n")
        Path(path).write_text("\n".join(tables), "utf-8")
        return Path(path)

    def answer(self, host: str, path: str, headers: bytes) -> tuple[int, bytes, str, dict]:
        """(status, body, content type, extra headers) of one request."""
        i = self.index.get(host.split(":")[0])
        if i is None:
            return 404, b"no such portal", "text/plain", {}
        outlet = f"样例{self.first + i}号日报"
        if path == "/robots.txt":
            return 200, ROBOTS, "text/plain", {}
        if path in ("/news/index.html", "/news/"):
            items = "".join(f'<li><a href="content_{s}.html">稿件{s}</a></li>' for s in self.seqs(i))
            body = LIST.format(outlet=outlet, items=items).encode()
            etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
            if f"if-none-match: {etag}".encode() in headers.lower():
                return 304, b"", "text/html; charset=utf-8", {"ETag": etag}
            return 200, body, "text/html; charset=utf-8", {"ETag": etag}
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/news/content_") and name[8:-5].isdigit() and int(name[8:-5]) in self.seqs(i):
            seq = int(name[8:-5])
            a = self.article(seq)
            body = ARTICLE.format(title=html.escape(a.title), outlet=outlet, time=a.published.strftime("%Y-%m-%d %H:%M"),
                                  source=a.source, author=a.author, editor=a.editor,
                                  paragraphs="".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs))
            return 200, body.encode(), "text/html; charset=utf-8", {}
        return 404, b"<h1>404 Not Found</h1>", "text/html; charset=utf-8", {}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                arrived = time.time()
                parts = head.split(b"\r\n", 1)[0].split()
                if len(parts) < 3:
                    break
                path = parts[1].decode("latin-1").split("?", 1)[0]
                i = self.index.get(host)
                await asyncio.sleep(self.slow.get(i, self.latency) if i is not None else 0)
                status, body, ctype, extra = self.answer(host, path, head)
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
                lines += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if parts[0] == b"HEAD" else body))
                await writer.drain()
                self.log.append({"host": host, "path": path, "status": status, "start": arrived, "end": time.time()})
        except ConnectionError:
            pass
        finally:
            writer.close()


async def start_servers(fleet: Fleet, port: int = 0) -> list[asyncio.base_events.Server]:
    """Listen on every portal's address, all on one port (a free one: retried if another process holds it)."""
    for _ in range(20):
        if not port:
            with socket.socket() as probe:
                probe.bind((fleet.addresses[0], 0))
                port = probe.getsockname()[1]
        servers = []
        try:
            for addr in fleet.addresses:
                servers.append(await asyncio.start_server(fleet.handle, addr, port, backlog=64, reuse_address=True))
        except OSError:
            for server in servers:
                server.close()
            port = 0
            continue
        fleet.port = port
        return servers
    raise OSError("no port free on every fleet address")


@contextlib.contextmanager
def serve_fleet(portals: int, articles: int = 5, latency: float = 0.0, first: int = 0):
    """Serve a fleet from a background thread; yields the ``Fleet`` (its ``log`` grows as requests come)."""
    fleet = Fleet(portals, articles, latency, first)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    servers: list = []

    async def main():
        servers.extend(await start_servers(fleet))
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    future = asyncio.run_coroutine_threadsafe(main(), loop)
    future.result(timeout=60)
    try:
        yield fleet
    finally:
        async def stop():
            for server in servers:
                server.close()
        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)


def politeness(log: list[dict], min_gap: float = 0.0) -> dict:
    """From a request log: the most requests any host had in flight at once (``max_in_flight``), the
    gaps between consecutive request arrivals at one host (``gaps``), how many were shorter than
    ``min_gap`` seconds (``short_gaps``) and the shortest (``min_gap``, with its host)."""
    by_host: dict[str, list[dict]] = defaultdict(list)
    for entry in log:
        by_host[entry["host"]].append(entry)
    worst, gaps, short, shortest, shortest_host = 0, 0, 0, None, None
    for host, entries in by_host.items():
        # an answer sent at the moment another request arrives is over: ends sort first
        events = sorted([(e["start"], 1) for e in entries] + [(e["end"], -1) for e in entries])
        now = 0
        for _, step in events:
            now += step
            worst = max(worst, now)
        starts = sorted(e["start"] for e in entries)
        for a, b in zip(starts, starts[1:]):
            gaps += 1
            short += b - a < min_gap
            if shortest is None or b - a < shortest:
                shortest, shortest_host = b - a, host
    return {"hosts": len(by_host), "requests": len(log), "max_in_flight": worst, "gaps": gaps, "floor": min_gap,
            "short_gaps": short, "min_gap": None if shortest is None else round(shortest, 4),
            "min_gap_host": shortest_host}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fleet_portals", description=__doc__.splitlines()[0])
    ap.add_argument("--portals", type=int, default=100)
    ap.add_argument("--articles", type=int, default=5)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--sources", type=Path, required=True, help="write the sources file here")
    ap.add_argument("--log", type=Path, required=True, help="write the request log here on exit")
    args = ap.parse_args(argv)
    fleet = Fleet(args.portals, args.articles, args.latency)

    async def run():
        servers = await start_servers(fleet)
        fleet.sources_toml(args.sources)
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        print(f"listening {len(servers)} portals on port {fleet.port}", flush=True)
        await stop.wait()
        for server in servers:
            server.close()

    asyncio.run(run())
    args.log.write_text("".join(json.dumps(e) + "\n" for e in fleet.log), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
