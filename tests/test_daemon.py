"""The daemon and cron entry points, as an operator meets them: real subprocesses, real signals.

What a portal received is read from the sample server's own request log, never from our
counters.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sample_portals.grow import publish_articles
from tests.sample_portals.server import serve_portals

SITES = REPO / "tests/sample_portals/sites"
EXPECTED = json.loads((REPO / "tests/sample_portals/expected.json").read_text("utf-8"))
GRACE = 20


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def query(db: Path, sql: str, *params):
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []  # tables not created yet
    finally:
        conn.close()


class Daemon:
    """``scheduler.py`` as a subprocess; its output goes to files (a full pipe would block it)."""

    def __init__(self, tmp: Path, *args: str):
        self.out, self.err = tmp / f"daemon-{id(self)}.out", tmp / f"daemon-{id(self)}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen([sys.executable, str(REPO / "scheduler.py"), *args], cwd=REPO,
                                         stdout=out, stderr=err)

    def stop(self, timeout: float) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr(self) -> str:
        return self.err.read_text()[-3000:]


@pytest.fixture
def portals(tmp_path):
    root = tmp_path / "sites"
    shutil.copytree(SITES, root)
    with serve_portals(root=str(root), log_path=str(tmp_path / "requests.log")) as running:
        running.root_dir = root
        sources = tmp_path / "sources.toml"
        running.write_sources(str(sources))
        running.sources_file = sources
        yield running


def add_articles(portals, count: int, start: int = 300001) -> list[str]:
    return publish_articles(portals.root_dir, count, start)


def jlcity_expected_articles() -> int:
    return len([e for e in EXPECTED if e["site"] == "jlcity" and e["relevant"] and not e["disallowed_by_robots"]])


def assert_archive_consistent(db: Path):
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT count(*) FROM articles WHERE content_hash NOT IN "
                     "(SELECT content_hash FROM article_urls)") == [(0,)]
    assert query(db, "SELECT count(*) FROM article_urls WHERE content_hash NOT IN "
                     "(SELECT content_hash FROM articles)") == [(0,)]


def test_daemon_runs_on_schedule_and_stops_cleanly_on_sigterm(portals, tmp_path):
    db = tmp_path / "archive.db"
    daemon = Daemon(tmp_path, "--sources", str(portals.sources_file), "--db", str(db), "--source", "jlcity",
                    "--every", "2", "--grace", str(GRACE))
    try:
        wait_for(lambda: len(query(db, "SELECT id FROM crawl_runs WHERE trigger = 'schedule' AND ended = 'finished'"))
                 >= 2, 90, "two scheduled runs")
        # the portal gains an article and turns slow; stop the daemon in the middle of that crawl
        add_articles(portals, 1)
        portals.delay = 1.0
        wait_for(lambda: query(db, "SELECT id FROM crawl_runs WHERE ended = 'running'"), 30, "a running crawl")
        started = time.monotonic()
        assert daemon.stop(timeout=GRACE + 15) == 0, daemon.stderr()
        assert time.monotonic() - started < GRACE + 10
    finally:
        daemon.kill()
    runs = query(db, "SELECT trigger, ended FROM crawl_runs ORDER BY id")
    assert ("schedule", "finished") in runs and runs[-1][1] in ("signal", "finished"), runs
    assert_archive_consistent(db)


def test_sigterm_mid_crawl_then_next_run_finishes_the_job(portals, tmp_path):
    db = tmp_path / "archive.db"
    # Scrapy finishes the requests already handed to its downloader (up to CONCURRENT_REQUESTS)
    # when it closes gracefully: a portal with 40 new articles is still mid-crawl after that.
    add_articles(portals, 40)
    total = jlcity_expected_articles() + 40
    portals.delay = 0.3
    daemon = Daemon(tmp_path, "--sources", str(portals.sources_file), "--db", str(db), "--source", "jlcity",
                    "--every", "600", "--grace", str(GRACE))
    try:
        count = lambda: (query(db, "SELECT count(*) FROM articles") or [(0,)])[0][0]  # noqa: E731
        wait_for(lambda: count() >= 1, 90, "a first archived article")
        assert daemon.stop(timeout=GRACE + 15) == 0, daemon.stderr()
    finally:
        daemon.kill()
    assert_archive_consistent(db)
    assert query(db, "SELECT ended FROM crawl_runs") == [("signal",)]
    partial = query(db, "SELECT count(*) FROM articles")[0][0]
    assert 1 <= partial < total

    portals.delay = 0
    once = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--sources",
                           str(portals.sources_file), "--db", str(db), "--source", "jlcity"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr[-2000:]
    assert_archive_consistent(db)
    assert query(db, "SELECT count(*) FROM articles")[0][0] == total
    # nothing archived twice: one archived page per article, no page with a final outcome fetched again
    assert query(db, "SELECT count(*) FROM pages WHERE outcome = 'archived'")[0][0] == total
    fetched = [json.loads(line)["path"] for line in (tmp_path / "requests.log").read_text().splitlines()]
    for (url, attempts) in query(db, "SELECT url, attempts FROM pages WHERE outcome IN ('archived', 'irrelevant')"):
        assert attempts == 1, url
        assert fetched.count("/jj/" + url.rsplit("/", 1)[-1]) == 1, url


def test_cron_once_skips_a_source_the_daemon_is_crawling(portals, tmp_path):
    db = tmp_path / "archive.db"
    portals.delay = 0.5
    daemon = Daemon(tmp_path, "--sources", str(portals.sources_file), "--db", str(db), "--source", "jlcity",
                    "--every", "600", "--grace", str(GRACE))
    try:
        wait_for(lambda: query(db, "SELECT id FROM crawl_runs WHERE ended = 'running'"), 60, "the daemon's crawl")
        once = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--sources",
                               str(portals.sources_file), "--db", str(db), "--source", "jlcity"],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
        assert once.returncode == 0
        assert "skip jlcity: another process is crawling it" in once.stderr
        assert query(db, "SELECT trigger FROM crawl_runs") == [("schedule",)]
        assert daemon.stop(timeout=GRACE + 15) == 0, daemon.stderr()
    finally:
        daemon.kill()


def _list_requests(log: Path, start: int, site: str):
    entries = [json.loads(line) for line in log.read_text().splitlines()[start:]]
    return [e for e in entries if e["site"] == site]


def test_recrawl_of_unchanged_portal_is_one_conditional_request_then_only_new_articles(portals, tmp_path):
    db, log = tmp_path / "archive.db", tmp_path / "requests.log"
    run = lambda: subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--sources",  # noqa: E731
                                  str(portals.sources_file), "--db", str(db)], cwd=REPO, capture_output=True,
                                 text=True, timeout=300)
    assert run().returncode == 0
    mark = len(log.read_text().splitlines())
    assert run().returncode == 0
    article_re = re.compile(r"/(content_\d+\.html?|\d+\.html|t\d{8}_\d+\.html|n\d+\.htm|a\d+\.html)$")
    for site in portals.sites:
        requests = [r for r in _list_requests(log, mark, site) if r["path"] != "/robots.txt"]
        assert [r for r in requests if article_re.search(r["path"])] == [], site
        assert len(requests) == 1, (site, requests)  # one list page per start URL...
        assert requests[0]["status"] == 304 and requests[0]["if_none_match"]  # ...answered 304
    assert query(db, "SELECT sum(not_modified) FROM crawl_runs WHERE id > 6") == [(6,)]

    # the portal gains three articles: the next crawl requests exactly those three pages
    new = add_articles(portals, 3)
    mark = len(log.read_text().splitlines())
    assert run().returncode == 0
    fetched = [r["path"] for r in _list_requests(log, mark, "jlcity") if article_re.search(r["path"])]
    assert sorted(fetched) == sorted(new)
    assert query(db, "SELECT count(*) FROM article_urls WHERE url LIKE '%content_30000_.html'") == [(3,)]
    runs = query(db, "SELECT archived FROM crawl_runs WHERE source = 'jlcity' ORDER BY id DESC LIMIT 1")
    assert runs == [(3,)]


def test_time_limit_closes_the_crawl_gracefully_and_keeps_no_validators(portals, tmp_path):
    db = tmp_path / "archive.db"
    add_articles(portals, 40)
    portals.delay = 0.5
    crawl = subprocess.run([sys.executable, "-m", "crawler", "--sources", str(portals.sources_file), "--db", str(db),
                            "--source", "jlcity", "--max-seconds", "3"], cwd=REPO, capture_output=True, text=True,
                           timeout=120)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert query(db, "SELECT ended FROM crawl_runs") == [("time limit",)]
    assert_archive_consistent(db)
    # an unfinished run must not leave validators behind: the next run reads the list page in full
    assert query(db, "SELECT count(*) FROM list_pages WHERE etag IS NOT NULL") == [(0,)]


def test_sighup_reloads_sources_and_keeps_the_old_ones_when_the_new_file_is_bad(portals, tmp_path):
    db = tmp_path / "archive.db"
    daemon = Daemon(tmp_path, "--sources", str(portals.sources_file), "--db", str(db), "--source", "jlcity",
                    "--every", "600")
    try:
        wait_for(lambda: "scheduled jlcity" in daemon.err.read_text(), 30, "the daemon to start")
        good = portals.sources_file.read_text("utf-8")
        portals.sources_file.write_text(good + "\n[[source]]\nname = 'broken'\n", "utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "kept the old sources" in daemon.err.read_text(), 30, "the bad file to be refused")
        assert "source 'broken': missing key 'outlet'" in daemon.err.read_text()
        portals.sources_file.write_text(good, "utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: reloaded" in daemon.err.read_text(), 30, "the reload")
        assert daemon.proc.poll() is None
        assert daemon.stop(timeout=GRACE + 15) == 0, daemon.stderr()
    finally:
        daemon.kill()


def test_log_json_and_runs_table(portals, tmp_path):
    db = tmp_path / "archive.db"
    once = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--log-json", "--sources",
                           str(portals.sources_file), "--db", str(db), "--source", "aqnews"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert once.returncode == 0
    lines = [line for line in once.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any("archived aqnews" in r["message"] for r in records)
    runs = subprocess.run([sys.executable, "-m", "archive", "runs", "--db", str(db)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert runs.returncode == 0
    header, row = runs.stdout.splitlines()[:2]
    assert "trigger" in header and "not_modified" in header
    assert "aqnews" in row and "once" in row and "finished" in row
    as_json = json.loads(subprocess.run([sys.executable, "-m", "archive", "runs", "--db", str(db), "--json"],
                                        cwd=REPO, capture_output=True, text=True, timeout=60).stdout)
    expected = len([e for e in EXPECTED if e["site"] == "aqnews" and e["relevant"]])
    assert as_json[0]["archived"] == expected and as_json[0]["ended"] == "finished"
    missing = subprocess.run([sys.executable, "-m", "archive", "runs", "--db", str(tmp_path / "nope.db")],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such archive" in missing.stderr
