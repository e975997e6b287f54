"""Crash safety: a crawl killed with SIGKILL at 10 seeded moments, readers during writes, two writers.

After every kill the file is intact and consistent; the next runs archive what was missed,
nothing twice; and at the end the archive holds exactly what the portals published.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from archive import Archive
from tests.access_helpers import free_port
from tests.conftest import REPO
from tests.sample_portals.grow import publish_articles, published_paragraphs
from tests.sample_portals.server import serve_portals

SITES = REPO / "tests/sample_portals/sites"
EXPECTED = json.loads((REPO / "tests/sample_portals/expected.json").read_text("utf-8"))
TEMPLATE = next(e for e in EXPECTED if e["path"].endswith("content_289892.html"))
KILLS = 10
NEW_ARTICLES = 40


def crawl_cmd(sources: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "crawler", "--sources", str(sources), "--db", str(db),
            "--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


def check_consistent(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM articles WHERE content_hash NOT IN "
                            "(SELECT content_hash FROM article_urls)").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM article_urls WHERE content_hash NOT IN "
                            "(SELECT content_hash FROM articles)").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pages WHERE outcome IN ('archived', 'duplicate') AND "
                            "url NOT IN (SELECT url FROM article_urls)").fetchone() == (0,)
    finally:
        conn.close()


def expected_texts(base_urls: dict[str, str], new_paths: list[str]) -> dict[str, str]:
    """URL -> expected text of every relevant article the portals publish."""
    texts = {}
    for e in EXPECTED:
        if e["relevant"] and not e["disallowed_by_robots"]:
            texts[f"{base_urls[e['site']]}/{e['path'].lstrip('/')}"] = "\n".join(e["paragraphs"])
    for path in new_paths:
        number = int(path.rsplit("_", 1)[1].split(".")[0])
        texts[base_urls["jlcity"] + path] = "\n".join(published_paragraphs(TEMPLATE, number))
    return texts


@pytest.fixture
def portals(tmp_path):
    root = tmp_path / "sites"
    shutil.copytree(SITES, root)
    new = publish_articles(root, NEW_ARTICLES)
    with serve_portals(root=str(root), log_path=str(tmp_path / "requests.log")) as running:
        running.write_sources(str(tmp_path / "sources.toml"))
        running.new_paths = new
        yield running


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # tables not created yet
    finally:
        conn.close()


def test_sigkill_at_ten_seeded_points_loses_nothing(portals, tmp_path, fault_report):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    portals.delay = 0.2  # each request takes a while: a run lasts long enough to be killed midway
    urls = {s: portals.url(s) for s in portals.sites}
    for seed in range(KILLS):
        # the seeded point: 0 = as soon as the run has started, n = after n more pages were written
        point = random.Random(seed).randint(0, 4)
        runs_before = _count(db, "SELECT count(*) FROM crawl_runs")
        pages_before = _count(db, "SELECT coalesce(sum(attempts), 0) FROM pages")
        proc = subprocess.Popen(crawl_cmd(sources, db), cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            started = _count(db, "SELECT count(*) FROM crawl_runs") > runs_before
            written = _count(db, "SELECT coalesce(sum(attempts), 0) FROM pages") - pages_before
            if started and written >= point:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the crawl ended before its kill point"
        os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its extraction workers, like a power cut
        proc.wait()
        check_consistent(db)
        fault_report(f"SIGKILL after {point} pages written (seed {seed})", 1, 1, 0)
    final = subprocess.run(crawl_cmd(sources, db), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    check_consistent(db)
    expected = expected_texts(urls, portals.new_paths)
    conn = sqlite3.connect(db)
    stored = {u: t for u, t in conn.execute(
        "SELECT u.url, a.text FROM article_urls u JOIN articles a USING (content_hash)")}
    lost = [u for u, t in expected.items() if stored.get(u) != t]
    # none twice: one article row per distinct text, no page archived twice
    distinct = len(set(expected.values()))
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == distinct
    assert conn.execute("SELECT count(*) FROM pages WHERE outcome = 'archived'").fetchone()[0] == distinct
    runs = conn.execute("SELECT ended, count(*) FROM crawl_runs GROUP BY ended").fetchall()
    conn.close()
    fault_report("run after ten kills", 1, int(not lost), len(lost))
    assert lost == []
    assert dict(runs).get("crash", 0) >= KILLS  # every killed run was recorded as a crash


def test_readers_never_see_a_locked_database_while_a_crawl_writes(portals, tmp_path, fault_report):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    Archive.open(db).close()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "archive", "serve", "--db", str(db), "--port", str(port)],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    errors: list[str] = []
    reads = {"api": 0, "datasette": 0}
    stop = threading.Event()

    def api_reader():
        while not stop.is_set():
            try:
                with Archive.open(db, readonly=True) as archive:
                    for row in archive.articles():
                        archive.urls(row["content_hash"])
                    list(archive.search("招商"))
                reads["api"] += 1
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(f"api: {exc!r}")

    def datasette_reader():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/archive/articles.json?_size=100", timeout=10) as resp:
                    json.loads(resp.read())
                reads["datasette"] += 1
            except OSError as exc:
                if reads["datasette"] or "refused" not in str(exc):
                    errors.append(f"datasette: {exc!r}")
                time.sleep(0.1)
            time.sleep(0.02)

    threads = [threading.Thread(target=api_reader), threading.Thread(target=datasette_reader)]
    try:
        for t in threads:
            t.start()
        crawl = subprocess.run(crawl_cmd(sources, db), cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        server.terminate()
        server.wait(30)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert "database is locked" not in crawl.stderr
    fault_report("readers (API, Datasette) during writes", reads["api"] + reads["datasette"],
                 reads["api"] + reads["datasette"] - len(errors), 0)
    assert errors == []
    assert reads["api"] > 0 and reads["datasette"] > 0


def test_daemon_and_cron_on_another_source_both_finish(portals, tmp_path, fault_report):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    portals.delay = 0.05
    with (tmp_path / "daemon.err").open("w") as err:
        daemon = subprocess.Popen([sys.executable, str(REPO / "scheduler.py"), "--sources", str(sources), "--db",
                                   str(db), "--source", "jlcity", "--every", "600"], cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=err)
    try:
        cron = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--sources", str(sources),
                               "--db", str(db), "--source", "aqnews"], cwd=REPO, capture_output=True, text=True,
                              timeout=300)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with sqlite3.connect(db) as conn:
                done = conn.execute("SELECT ended FROM crawl_runs WHERE source = 'jlcity'").fetchall()
            if done and done[0][0] != "running":
                break
            time.sleep(0.5)
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(60)
    assert cron.returncode == 0, cron.stderr[-2000:]
    assert code == 0
    with sqlite3.connect(db) as conn:
        runs = dict(conn.execute("SELECT source, ended FROM crawl_runs"))
    assert runs == {"jlcity": "finished", "aqnews": "finished"}
    assert "database is locked" not in cron.stderr + (tmp_path / "daemon.err").read_text()
    check_consistent(db)
    fault_report("daemon and cron --once on another source", 2, 2, 0)
