"""Serve each sample portal from its own ThreadingHTTPServer on 127.0.0.1 (static bytes)."""

import contextlib
import email.utils
import hashlib
import json
import mimetypes
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .articles import SITES

SITES_DIR = Path(__file__).parent / "sites"


def content_type(site, file):
    """HTML gets a charset parameter only on UTF-8 sites; GBK/Big5 pages rely on their <meta>."""
    if file.suffix in (".html", ".htm"):
        utf8 = SITES.get(site, {}).get("codec", "utf-8") == "utf-8"
        return "text/html; charset=utf-8" if utf8 else "text/html"
    if file.suffix == ".txt":
        return "text/plain"
    return mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def not_modified(headers, etag, mtime):
    """True when If-None-Match (preferred) or If-Modified-Since says the client copy is current."""
    inm, ims = headers.get("If-None-Match"), headers.get("If-Modified-Since")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    with contextlib.suppress(TypeError, ValueError):
        return ims is not None and email.utils.parsedate_to_datetime(ims).timestamp() >= mtime
    return False


class Handler(BaseHTTPRequestHandler):
    """Static file handler; `self.server` carries `site`, `folder` and `portals`."""

    server_version = "SamplePortal/1.0"

    def log_message(self, *args):  # quiet: requests go to Portals.log instead
        pass

    def do_GET(self):
        self.serve(send_body=True)

    def do_HEAD(self):
        self.serve(send_body=False)

    def locate(self):
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or "\\" in p for p in parts):
            return None
        file = self.server.folder.joinpath(*parts)
        if file.is_dir():
            file = file / "index.html"
        return file if file.is_file() else None

    def serve(self, send_body):
        if self.server.portals.delay:  # a slow portal, for tests that stop a crawl midway
            time.sleep(self.server.portals.delay)
        file = self.locate()
        if file is None:
            status, data = 404, b"<h1>404 Not Found</h1>"
            headers = {"Content-Type": "text/html; charset=utf-8"}
        else:
            data = file.read_bytes()
            mtime = int(file.stat().st_mtime)
            headers = {"ETag": '"%s"' % hashlib.sha1(data).hexdigest()[:20],
                       "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
            status = 304 if not_modified(self.headers, headers["ETag"], mtime) else 200
            if status == 200:
                headers["Content-Type"] = content_type(self.server.site, file)
        self.server.portals.log({"site": self.server.site, "method": self.command, "path": self.path,
                                 "status": status, **self.header_facts()})
        self.reply(status, headers, data, send_body)

    def header_facts(self) -> dict:
        """The request's validators and user agent, and the time: the log fields every sample server keeps."""
        return {"if_none_match": self.headers.get("If-None-Match"),
                "if_modified_since": self.headers.get("If-Modified-Since"),
                "user_agent": self.headers.get("User-Agent"),
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}

    def reply(self, status: int, headers: dict, data: bytes, send_body: bool) -> None:
        """Send status, headers and (unless 304 or HEAD) the body."""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(data)


def toml_value(value):
    """TOML literal: strings single-quoted (literal) when possible, lists and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    value = str(value)
    if "'" in value or "\n" in value:
        return json.dumps(value, ensure_ascii=False)
    return f"'{value}'"


class Portals:
    """The running portals: `.url(site)`, `.ports`, `.sites`, `.requests`, `.write_sources()`."""

    def __init__(self, root, host, sites, log_path):
        self.root, self.host, self.sites = Path(root), host, list(sites)
        self.log_path = Path(log_path) if log_path else None
        self.ports, self.requests, self._servers = {}, [], []
        self.delay = 0.0  # seconds each request waits before it is answered (settable while serving)
        self._lock = threading.Lock()

    def url(self, site):
        return f"http://{self.host}:{self.ports[site]}"

    def log(self, entry):
        with self._lock:
            self.requests.append(entry)
            if self.log_path:
                with self.log_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")
                    f.flush()

    def start(self, base_port):
        for i, site in enumerate(self.sites):
            server = ThreadingHTTPServer((self.host, base_port + i if base_port else 0), Handler)
            server.daemon_threads = True
            server.site, server.folder, server.portals = site, self.root / site, self
            self.ports[site] = server.server_address[1]
            self._servers.append(server)
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            thread.start()

    def close(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def write_sources(self, path, extra=None):
        """Write sources.toml for the running portals; `extra` maps a site (or '*') to more keys."""
        extra = extra or {}
        tables = []
        for site in (s for s in self.sites if s in SITES):
            s, base = SITES[site], re.escape(self.url(site))
            table = {"name": site, "outlet": s["outlet"], "region": s["region"],
                     "start_urls": [f"{self.url(site)}/{s['lists'][0]}"],
                     "article_pattern": f"^{base}{s['article_re']}",
                     "next_page_pattern": f"^{base}{s['list_re']}",
                     **extra.get("*", {}), **extra.get(site, {})}
            tables.append("[[source]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in table.items()))
        Path(path).write_text("\n".join(tables), encoding="utf-8")
        return Path(path)


def default_sites(root):
    """Known sites present under root (in SITES order), then any other folders."""
    present = {p.name for p in Path(root).iterdir() if p.is_dir()}
    return [s for s in SITES if s in present] + sorted(present - set(SITES))


@contextlib.contextmanager
def serve_portals(root=None, host="127.0.0.1", base_port=0, log_path=None, sites=None):
    """Serve root/<site>/ for each site, site i on base_port+i (ephemeral ports if base_port == 0)."""
    root = Path(root or SITES_DIR)
    portals = Portals(root, host, sites or default_sites(root), log_path)
    try:
        portals.start(base_port)
        yield portals
    finally:
        portals.close()
