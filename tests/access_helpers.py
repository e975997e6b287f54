"""Archives for the access tests (search, exports, re-extraction, API, Datasette): built for real.

``crawl_sample(path)`` crawls the sample portals (served on 127.0.0.1) with ``scheduler.py --once``;
``build_from_files(path)`` runs the sample portals' article files through the crawler's own
``process_page`` and ``Archive.record_page`` without a network (faster, same pipeline).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from archive.db import Archive
from archive.extract import ExtractOptions
from archive.pipeline import FetchedPage, process_page
from tests.sample_portals.articles import ARTICLES, SITES
from tests.sample_portals.server import SITES_DIR, content_type, serve_portals

REPO = Path(__file__).resolve().parents[1]


def crawl_sample(db: Path, workdir: Path) -> Path:
    """Crawl the six sample portals once into ``db``; returns the sources file written for them."""
    workdir.mkdir(parents=True, exist_ok=True)
    sources = workdir / "sources.toml"
    with serve_portals() as portals:
        portals.write_sources(str(sources))
        proc = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--quiet", "--sources",
                               str(sources), "--db", str(db)], cwd=REPO, capture_output=True, text=True,
                              timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return sources


def sample_page(site: str, path: str, fetched_at: str) -> FetchedPage:
    file = SITES_DIR / site / path
    return FetchedPage(url=f"http://{site}.sample.test/{path}", source=site, status=200, fetched_at=fetched_at,
                       headers={"content-type": content_type(site, file), "server": "SamplePortal/1.0"},
                       body=file.read_bytes(), final_url=f"http://{site}.sample.test/{path}")


def build_from_files(db: Path) -> Archive:
    """An archive of every sample article page, through ``process_page`` and ``record_page``."""
    archive = Archive.open(db)
    for i, art in enumerate(ARTICLES):
        site = SITES[art["site"]]
        page = sample_page(art["site"], art["path"], f"2024-01-{1 + i % 28:02d}T08:{i % 60:02d}:00+08:00")
        record, article = process_page(page, ExtractOptions(outlet=site["outlet"]), site["region"])
        archive.record_page(record, article)
    return archive


def sources_of(archive: Archive) -> str:
    """A sources file naming the sources of an archive built by ``build_from_files`` (outlet and
    region as archived), for re-extracting it."""
    return "".join(
        f"""[[source]]\nname = "{s}"\noutlet = "{o}"\nregion = "{r}"\nstart_urls = ["http://{s}.sample.test/"]\n"""
        f"""article_pattern = 'x'\n\n"""
        for s, o, r in archive.conn.execute(
            "SELECT DISTINCT source, (SELECT outlet FROM articles b WHERE b.source = a.source LIMIT 1), region"
            " FROM articles a"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    """``python -m archive serve`` in a child process, returned once it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "archive", "serve", "--db", str(db), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    if proc.stdout:
        proc.stdout.close()
