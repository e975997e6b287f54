"""A small, fast static file server for the crawl benchmark: asyncio, HTTP/1.1 keep-alive, files in memory.

    python -m bench.static_server ROOT [--port N]

Prints ``listening http://127.0.0.1:PORT`` once it accepts connections; on SIGTERM or SIGINT it
prints one JSON line (requests served, 200s, 404s, CPU seconds used) and exits. Every file under
ROOT is read into memory at start, so a request costs a dict lookup and one write: the server
must not be what limits a crawl that shares the machine's cores with it. ``robots.txt`` and any
missing path answer 404 (Scrapy then allows everything). No logging per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".xml": "application/xml",
         ".txt": "text/plain; charset=utf-8"}
NOT_FOUND = b"<h1>404 Not Found</h1>"


def load(root: Path) -> dict[str, tuple[bytes, bytes]]:
    """URL path -> (response head, body) for every file under ``root`` (``dir/`` -> ``dir/index.html``)."""
    files = {}
    for f in root.rglob("*"):
        if not f.is_file():
            continue
        body = f.read_bytes()
        ctype = TYPES.get(f.suffix.lower(), "application/octet-stream")
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Server: bench-static\r\n\r\n").encode()
        path = "/" + f.relative_to(root).as_posix()
        files[path] = (head, body)
        if f.name == "index.html":
            files[path[: -len("index.html")]] = (head, body)
    return files


class Server:
    def __init__(self, files: dict[str, tuple[bytes, bytes]]):
        self.files = files
        self.requests = self.ok = self.missing = 0
        self.missing_head = (f"HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"
                             f"Content-Length: {len(NOT_FOUND)}\r\n\r\n").encode()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                line, _, rest = head.partition(b"\r\n")
                parts = line.split()
                if len(parts) < 3:
                    break
                method, target, version = parts[0], parts[1].decode("latin-1"), parts[2]
                lower = rest.lower()
                close = b"connection: close" in lower or (version == b"HTTP/1.0" and b"keep-alive" not in lower)
                if b"content-length:" in lower:  # a request body (none expected): skip it
                    n = int(lower.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
                    await reader.readexactly(n)
                self.requests += 1
                found = self.files.get(unquote(urlsplit(target).path))
                if found is None:
                    self.missing += 1
                    head_out, body = self.missing_head, NOT_FOUND
                else:
                    self.ok += 1
                    head_out, body = found
                writer.write(head_out if method == b"HEAD" else head_out + body)
                await writer.drain()
                if close:
                    break
        finally:
            writer.close()

    def report(self) -> dict:
        t = os.times()
        return {"requests": self.requests, "ok": self.ok, "not_found": self.missing,
                "cpu_seconds": round(t.user + t.system, 3)}


async def serve(root: Path, port: int) -> None:
    server = Server(load(root))
    srv = await asyncio.start_server(server.handle, "127.0.0.1", port, backlog=512)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening http://127.0.0.1:{srv.sockets[0].getsockname()[1]}", flush=True)
    async with srv:
        await stop.wait()
    print(json.dumps(server.report()), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.static_server", description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    asyncio.run(serve(args.root, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
