"""A hostile sample portal on 127.0.0.1: every fault a regional portal has shown, linked from one list page.

``serve_hostile()`` starts three servers: the portal itself (``main``), a second host on
another port (``other``, for off-site redirects and links) and a third whose robots.txt is
garbage (``garbage_robots``); the main portal's robots.txt answers 500. Each fault is a path
under ``/a/``; ``FAULTS`` says what the archive must record for it. Good articles are copies
of the sample portal's jlcity articles, so their expected text is known.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests/sample_portals/sites/jlcity/jj"
GOOD = ["content_289870.html", "content_289892.html", "content_289901.html"]
MANY_LINKS = 10_000
STALL_SECONDS = 60  # longer than the test crawl's DOWNLOAD_TIMEOUT

# path -> (expected outcome in `pages`, a word the recorded reason must contain)
FAULTS: dict[str, tuple[str, str]] = {
    "/a/404.html": ("error", "404"),
    "/a/410.html": ("error", "410"),
    "/a/500.html": ("error", "500"),
    "/a/503.html": ("error", "503"),
    "/a/429.html": ("error", "429"),
    "/a/reset.html": ("error", "Connection"),
    "/a/stall-headers.html": ("error", "Timeout"),
    "/a/stall-body.html": ("error", "Timeout"),
    "/a/redirect-loop.html": ("error", "redirect"),
    "/a/redirect-offsite.html": ("blocked", "off-site"),
    "/a/redirect-ftp.html": ("error", "ftp"),
    "/a/too-big.html": ("error", "size"),
    "/a/gzip-bomb.html": ("error", "size"),
    "/a/deep.html": ("error", "size"),
    "/a/report.pdf": ("attachment", "pdf"),
    "/a/report.doc": ("attachment", "binary"),
    "/a/report.docx": ("attachment", "binary"),
    "/a/photo.jpg": ("attachment", "binary"),
    "/a/empty.html": ("empty", "empty"),
    "/a/js-redirect.html": ("empty", "no article text"),
}
# faults whose page still holds a good article: it must be archived, clean
ARCHIVED_FAULTS = {
    "/a/redirect-chain.html": GOOD[0],  # 302 -> 302 -> 302 -> the article
    "/a/meta-refresh.html": GOOD[1],  # only a <meta http-equiv="refresh">
    "/a/wrong-type.html": None,  # HTML sent as application/octet-stream
    "/a/no-type.html": None,  # HTML with no Content-Type
    "/a/gb2312-but-utf8.html": None,  # declares gb2312, sends UTF-8
    "/a/utf8-but-gbk.html": None,  # declares utf-8, sends GBK
    "/a/bad-bytes.html": None,  # UTF-8 with invalid bytes in it
}


def _article(i: int, body_note: str = "") -> str:
    """A small relevant article page of the hostile portal (distinct text per ``i``)."""
    return (f'<html><head><meta charset="utf-8"><title>开发区招商引资项目通报第{i}号_测试网</title></head><body>'
            f'<div class="TRS_Editor"><h1>开发区招商引资项目通报第{i}号</h1>'
            f'<p>时间：2024-03-{1 + i % 28:02d} 09:00:00 来源：测试日报</p>'
            f'<p>本月开发区新签约招商项目{i + 3}个，总投资{i + 10}.5亿元，项目涵盖新材料、装备制造和现代物流等领域{body_note}。</p>'
            f'<p>开发区招商局负责人表示，将继续开展产业链招商，推动签约项目尽快落地投产，优化营商环境。</p>'
            f'<p>责任编辑：测试</p></div></body></html>')


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png() -> bytes:
    raw = b"\x00\xff\x00\x00"
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _gzip_bomb() -> bytes:
    """~1 MB of gzip that inflates to 1 GB of zeros."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        block = b"\0" * (1 << 20)
        for _ in range(1024):
            gz.write(block)
    return buf.getvalue()


_BOMB: bytes | None = None


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Hostile/1.0"

    def log_message(self, *args):
        pass

    # --- helpers -----------------------------------------------------------------------------
    def send(self, status: int, body: bytes = b"", ctype: str | None = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location: str, status: int = 302):
        self.send(status, b"", None, Location=location)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):  # noqa: C901 - one branch per fault is the point
        srv = self.server
        path = self.path.split("?", 1)[0]
        srv.hits.append(self.path)
        role = srv.role
        if role == "garbage_robots" and path == "/robots.txt":
            return self.send(200, b"\x00\xff<html>User-agent * Disallow ::: \xfe\xfe {{{ nonsense", "text/plain")
        if role != "main":
            if path == "/robots.txt":
                return self.send(404, b"")
            if path.startswith("/good/"):
                return self.send(200, _article(900).encode())
            if path == "/index.html":
                return self.send(200, b'<html><body><a href="/good/1.html">good</a></body></html>')
            return self.send(404, b"")
        base = srv.urls
        if path == "/robots.txt":
            return self.send(500, b"internal error")
        if path == "/news/index.html":
            return self.send(200, self.list_page().encode())
        if path == "/news/many.html":
            links = "".join(f'<a href="/many/{i}.html">{i}</a>' for i in range(MANY_LINKS))
            return self.send(200, f"<html><body>{links}</body></html>".encode())
        if path.startswith("/many/"):
            return self.send(200, _article(10_000 + int(path[6:-5])).encode())
        if path.startswith("/good/"):
            name = path[len("/good/"):]
            return self.send(200, (SAMPLE / name).read_bytes())
        if path.startswith("/ok/"):
            return self.send(200, _article(int(path[4:-5])).encode())
        if path in ("/a/404.html", "/a/410.html", "/a/500.html"):
            return self.send(int(path[3:6]), b"<h1>error</h1>")
        if path == "/a/503.html":
            return self.send(503, b"<h1>busy</h1>", Retry_After="1")
        if path == "/a/429.html":
            return self.send(429, b"<h1>slow down</h1>", Retry_After="1")
        if path == "/a/reset.html":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if path == "/a/stall-headers.html":
            time.sleep(STALL_SECONDS)
            return
        if path == "/a/stall-body.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body><p>" + "开始".encode() * 100)
            self.wfile.flush()
            time.sleep(STALL_SECONDS)
            return
        if path == "/a/redirect-chain.html":
            return self.redirect("/r/1")
        if path == "/r/1":
            return self.redirect("/r/2", 301)
        if path == "/r/2":
            return self.redirect(f"/good/{GOOD[0]}", 307)
        if path == "/a/redirect-loop.html":
            return self.redirect("/a/redirect-loop-2.html")
        if path == "/a/redirect-loop-2.html":
            return self.redirect("/a/redirect-loop.html")
        if path == "/a/redirect-offsite.html":
            return self.redirect(f"{base['other']}/good/1.html")
        if path == "/a/redirect-ftp.html":
            return self.redirect("ftp://127.0.0.1/pub/article.html")
        if path == "/a/too-big.html":
            return self.send(200, b"<html><body>" + b"<p>" + "大".encode() * 2_200_000 + b"</p></body></html>")
        if path == "/a/gzip-bomb.html":
            return self.send(200, _BOMB or _gzip_bomb(), Content_Encoding="gzip")
        if path == "/a/deep.html":
            depth = 1_000_000
            return self.send(200, b"<html><body>" + b"<div>" * depth + "深".encode() + b"</div>" * depth + b"</body></html>")
        if path == "/a/report.pdf":
            return self.send(200, _pdf(), "application/pdf")
        if path == "/a/report.doc":
            return self.send(200, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "application/msword")
        if path == "/a/report.docx":
            return self.send(200, b"PK\x03\x04" + b"\0" * 200, "application/octet-stream")
        if path == "/a/photo.jpg":
            return self.send(200, _png(), "text/html")  # an image, mislabelled as HTML
        if path == "/a/empty.html":
            return self.send(200, b"")
        if path == "/a/js-redirect.html":
            return self.send(200, f'<html><head><script>location.href="{base["main"]}/ok/1.html";</script>'
                                  '</head><body></body></html>'.encode())
        if path == "/a/meta-refresh.html":
            return self.send(200, f'<html><head><meta http-equiv="refresh" content="0; url=/good/{GOOD[1]}">'
                                  '</head><body></body></html>'.encode())
        if path == "/a/wrong-type.html":
            return self.send(200, _article(101).encode(), "application/octet-stream")
        if path == "/a/no-type.html":
            return self.send(200, _article(102).encode(), None)
        if path == "/a/gb2312-but-utf8.html":
            page = _article(103).replace('<meta charset="utf-8">', '<meta charset="gb2312">')
            return self.send(200, page.encode("utf-8"), "text/html")
        if path == "/a/utf8-but-gbk.html":
            return self.send(200, _article(104).encode("gbk"), "text/html")
        if path == "/a/bad-bytes.html":
            page = _article(105).encode()
            cut = page.index("总投资".encode())
            return self.send(200, page[:cut] + b"\xff\xfe\x80" + page[cut:], "text/html; charset=utf-8")
        return self.send(404, b"<h1>not found</h1>")

    def list_page(self) -> str:
        base = self.server.urls
        links = [f'<a href="/good/{g}">good {g}</a>' for g in GOOD]
        links += [f'<a href="{p}">{p}</a>' for p in list(FAULTS) + list(ARCHIVED_FAULTS)]
        links += [
            '<a href="file:///etc/passwd">file</a>', '<a href="javascript:void(0)">js</a>',
            '<a href="mailto:editor@example.cn">mail</a>', f'<a href="{base["other"]}/good/2.html">other port</a>',
            '<a href="http://other-host.example.cn/good/3.html">other host</a>',
            '<a href="/ok/7.html?utm_source=wechat&amp;spm=a.b">tracked 1</a>',
            '<a href="/ok/7.html?from=timeline&amp;isappinstalled=0">tracked 2</a>',
            '<a href="/ok/7.html#comments">tracked 3</a>',
        ]
        return "<html><body><ul>" + "".join(f"<li>{a}</li>" for a in links) + "</ul></body></html>"


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that time out or reset mid-answer are the point of this portal


@contextlib.contextmanager
def serve_hostile():
    """Start the hostile portal's servers; yields ``{role: base URL}`` plus ``hits`` per role."""
    global _BOMB
    # made before any crawl: compressing 1 GB takes seconds of CPU, which on a loaded machine ran past
    # the tests' 3 s download timeout when done on the first request (a timeout instead of "size")
    _BOMB = _BOMB or _gzip_bomb()
    servers = {}
    urls: dict[str, str] = {}
    for role in ("main", "other", "garbage_robots"):
        server = QuietServer(("127.0.0.1", 0), HostileHandler)
        server.role, server.hits, server.urls = role, [], urls
        urls[role] = f"http://127.0.0.1:{server.server_address[1]}"
        servers[role] = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield {"urls": urls, "hits": {r: s.hits for r, s in servers.items()}}
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


def sources_toml(urls: dict[str, str], cap: int = 2000) -> str:
    """Two sources: the hostile portal (robots 500) and the garbage-robots host."""
    return (
        "[[source]]\nname = 'hostile'\noutlet = '测试日报'\nregion = '测试省'\n"
        f"start_urls = ['{urls['main']}/news/index.html']\n"
        "article_pattern = '/(a|good|ok|r)/'\n"
        f"max_article_pages = {cap}\n\n"
        "[[source]]\nname = 'many'\noutlet = '测试日报'\nregion = '测试省'\n"
        f"start_urls = ['{urls['main']}/news/many.html']\n"
        "article_pattern = '/many/\\d+\\.html$'\nmax_article_pages = 50\n\n"
        "[[source]]\nname = 'garbage'\noutlet = '测试日报'\nregion = '测试省'\n"
        f"start_urls = ['{urls['garbage_robots']}/index.html']\n"
        "article_pattern = '/good/'\n"
    )
