"""What every shape portal shares: the Portal base class, the HTTP handler, the running set.

A portal is a Python object holding its articles (newest first) and answering requests
(`route`); each runs in its own ThreadingHTTPServer on 127.0.0.1. Pages are rendered on every
request from the current articles, so `add_articles` is seen at once, and list pages carry an
ETag / Last-Modified (304 on a matching conditional GET, like tests/sample_portals/server.py).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ..server import Handler as StaticHandler
from ..server import not_modified, toml_value
from .corpus import Article, ArticleFactory

ROBOTS = "User-agent: *\nDisallow: /search/\nDisallow: /admin/\n"
# Each portal numbers its articles from its own base, so texts differ between portals too
# (a crawl of several portals must not find one text twice).
SEQ_BASES = {"trs": 0, "hanweb": 5000, "xxgk": 10000, "ucap": 15000, "epaper": 20000,
             "trs_huge": 25000, "hanweb_broken": 30000, "ucap_bad": 35000}
NOT_FOUND = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>"
             "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>").encode()


@dataclass
class Request:
    """One parsed request: `query` and `form` map each name to its first value."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str] | None
    body: str | None
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """Query and form together, as a servlet's getParameter sees them (query wins)."""
        return {**(self.form or {}), **self.query}


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    cacheable: bool = False  # ETag / Last-Modified, 304 on a matching conditional GET
    headers: dict[str, str] = field(default_factory=dict)


def html(body: str, status: int = 200, cacheable: bool = True) -> Response:
    return Response(status, body.encode("utf-8"), cacheable=cacheable and status == 200)


def not_found() -> Response:
    return Response(404, NOT_FOUND)


class Portal:
    """Base of every shape portal. Subclasses set `name`, `outlet`, `region`, `list_re`/`article_re`
    (and `post_paths`), and implement `route(request)`, `article_path(article)` and `sources()`.

    Articles are kept newest first in `self.articles`; `expected()` lists the article URLs a
    correct crawl must archive (from the generator, never from a crawl).
    """

    name = "portal"
    outlet = "样例门户"
    region = "吉林省"
    robots = ROBOTS
    list_re: re.Pattern | None = None     # paths of list pages (for the log's `kind`)
    article_re: re.Pattern | None = None  # paths of article pages
    post_paths: tuple[str, ...] = ()      # paths that take POST (others answer 405)

    def __init__(self, n: int = 40, *, seed: int = 7, name: str | None = None, newest: datetime | None = None):
        self.name = name or self.name
        base = SEQ_BASES.get(self.name, 40000 + zlib.crc32(self.name.encode()) % 10 * 5000)
        self.factory = ArticleFactory(seed=seed, newest=newest, first_seq=base)
        self.articles: list[Article] = self.factory.initial(n)[::-1]
        self.lock = threading.RLock()
        self.modified = int(time.time())
        self.host, self.port = "127.0.0.1", None
        self.set: ShapePortals | None = None

    # -- what subclasses provide -------------------------------------------------------------
    def kind(self, path: str) -> str:
        """'list', 'article', 'api', 'proxy', 'edition', … for the request log."""
        if self.article_re and self.article_re.match(path):
            return "article"
        return "list" if self.list_re and self.list_re.match(path) else "other"

    def route(self, req: Request) -> Response | None:
        """The answer to a request, None for 404."""
        return None

    def article_path(self, article: Article) -> str:
        raise NotImplementedError

    def sources(self) -> list[dict]:
        """The [[source]] tables (dicts) that crawl this portal."""
        raise NotImplementedError

    # -- common ------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def article_url(self, article: Article) -> str:
        return self.url(self.article_path(article))

    def expected(self) -> list[str]:
        """URLs of the articles a correct crawl archives, newest first."""
        with self.lock:
            return [self.article_url(a) for a in self.articles]

    def add_articles(self, k: int) -> list[str]:
        """Publish k new articles (newer than all others, so first in the lists); their URLs, newest first."""
        with self.lock:
            new = self.factory.more(k)[::-1]
            self.articles = new + self.articles
            self.touch()
            return [self.article_url(a) for a in new]

    def touch(self) -> None:
        """Mark the lists changed: a later Last-Modified (whole seconds, strictly increasing)."""
        self.modified = max(self.modified + 1, int(time.time()))

    def article_at(self, path: str) -> Article | None:
        """The article published at `path`, if any."""
        with self.lock:
            return next((a for a in self.articles if self.article_path(a) == path), None)

    @property
    def requests(self) -> list[dict]:
        """This portal's entries of the request log, in order."""
        return [r for r in (self.set.requests if self.set else []) if r["portal"] == self.name]

    def requested(self, kind: str | None = None, method: str | None = None, status: int | None = None) -> list[dict]:
        """This portal's log entries of one kind ('list', 'article', 'proxy', 'api', 'edition', 'other'),
        method and status (None: any)."""
        return [r for r in self.requests if kind in (None, r["kind"]) and method in (None, r["method"])
                and status in (None, r["status"])]

    def answer(self, req: Request) -> Response:
        if req.path == "/robots.txt":
            return Response(200, self.robots.encode(), "text/plain; charset=utf-8")
        if req.method not in ("GET", "HEAD") and not any(re.match(p, req.path) for p in self.post_paths):
            return Response(405, b"Method Not Allowed")
        with self.lock:
            return self.route(req) or not_found()

    def source_table(self, **keys) -> dict:
        return {"name": self.name, "outlet": self.outlet, "region": self.region, **keys}


def article_page(frame: str, article: Article, **fields) -> str:
    """Format an article template; `{body}` gets the paragraphs, times in the usual forms."""
    p = article.published
    return frame.format(
        title=article.title, source=article.source, author=article.author, editor=article.editor,
        time=p.strftime("%Y-%m-%d %H:%M:%S"), minute=p.strftime("%Y-%m-%d %H:%M"), date=p.strftime("%Y-%m-%d"),
        cn_date=f"{p.year}年{p.month:02d}月{p.day:02d}日", id=article.id, **fields)


class Handler(StaticHandler):
    """Hands every request to `self.server.portal`; logs it in the portal set (GET/HEAD as the static one)."""

    server_version = "SamplePortal/2.0"

    def do_POST(self):
        self.serve(send_body=True)

    def read_request(self) -> Request:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = body = None
        if self.command == "POST":
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = raw.decode("utf-8", "replace")
            if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = dict(parse_qsl(body, keep_blank_values=True))
        return Request(self.command, parts.path, query, form, body, dict(self.headers.items()))

    def serve(self, send_body: bool):
        portal: Portal = self.server.portal
        if portal.set and portal.set.delay:
            time.sleep(portal.set.delay)
        req = self.read_request()
        try:
            resp = portal.answer(req)
        except Exception as exc:  # a bug in a portal: say so in the log, answer 500
            resp = Response(500, f"<h1>500</h1><pre>{type(exc).__name__}: {exc}</pre>".encode())
        headers = {"Content-Type": resp.content_type, **resp.headers}
        status = resp.status
        if resp.cacheable and req.method in ("GET", "HEAD"):
            headers["ETag"] = '"%s"' % hashlib.sha1(resp.body).hexdigest()[:20]
            headers["Last-Modified"] = email.utils.formatdate(portal.modified, usegmt=True)
            if not_modified(self.headers, headers["ETag"], portal.modified):
                status = 304
        if portal.set:
            portal.set.log({"portal": portal.name, "method": req.method, "path": req.path, "query": req.query,
                            "form": req.form, "body": req.body, "status": status, "kind": portal.kind(req.path),
                            **self.header_facts()})
        self.reply(status, headers, resp.body, send_body)


class ShapePortals:
    """The running portals: `[name]`, `.portals`, `.requests`, `.write_sources()`, `.expected()`."""

    def __init__(self, portals: list[Portal], host: str = "127.0.0.1", log_path: str | Path | None = None):
        names = [p.name for p in portals]
        assert len(set(names)) == len(names), f"portal names must differ: {names}"
        self.portals, self.host = list(portals), host
        self.log_path = Path(log_path) if log_path else None
        self.requests: list[dict] = []
        self.delay = 0.0  # seconds each request waits before it is answered (settable while serving)
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    def __getitem__(self, name: str) -> Portal:
        return next(p for p in self.portals if p.name == name)

    def url(self, name: str) -> str:
        return self[name].base

    def log(self, entry: dict) -> None:
        with self._lock:
            self.requests.append(entry)
            if self.log_path:
                with self.log_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def clear_log(self) -> None:
        """Forget the in-memory log (the JSONL file is kept), e.g. between a crawl and a re-crawl."""
        with self._lock:
            self.requests.clear()

    def start(self, base_port: int = 0) -> None:
        for i, portal in enumerate(self.portals):
            server = ThreadingHTTPServer((self.host, base_port + i if base_port else 0), Handler)
            server.daemon_threads = True
            server.portal = portal
            portal.host, portal.port, portal.set = self.host, server.server_address[1], self
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def tables(self, extra: dict | None = None) -> list[dict]:
        """Every portal's [[source]] tables; `extra` maps a source name (or '*') to more keys."""
        extra = extra or {}
        return [{**t, **extra.get("*", {}), **extra.get(t["name"], {})} for p in self.portals for t in p.sources()]

    def sources_text(self, extra: dict | None = None) -> list[str]:
        """Each [[source]] table as TOML text."""
        return ["[[source]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in t.items()) for t in self.tables(extra)]

    def write_sources(self, path: str | Path, extra: dict | None = None) -> Path:
        """Write a sources.toml crawling the running portals."""
        Path(path).write_text("\n".join(self.sources_text(extra)), encoding="utf-8")
        return Path(path)

    def expected(self) -> dict[str, list[str]]:
        """Portal name -> article URLs a correct crawl archives."""
        return {p.name: p.expected() for p in self.portals}


@contextlib.contextmanager
def serve(portals: list[Portal], host: str = "127.0.0.1", base_port: int = 0, log_path=None):
    """Serve the given portals (portal i on base_port+i, ephemeral ports when 0) until the block ends."""
    running = ShapePortals(portals, host, log_path)
    try:
        running.start(base_port)
        yield running
    finally:
        running.close()
