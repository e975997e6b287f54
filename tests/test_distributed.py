"""Distributed crawling on scrapy-redis with a real Redis server: two workers, one writer.

Each test starts its own ``redis-server`` on a free loopback port. Which worker fetched what is
read from the sample server's request log (each worker sends its own User-Agent).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import facts, places
from archive.derived import prepare, store_rows
from archive.facts import FACT_COLUMNS
from archive.places import PLACE_COLUMNS
from tests.conftest import REPO
from tests.redis_server import redis_server
from tests.sample_portals.grow import publish_articles, published_paragraphs
from tests.sample_portals.server import serve_portals

SITES = REPO / "tests/sample_portals/sites"
EXPECTED = json.loads((REPO / "tests/sample_portals/expected.json").read_text("utf-8"))
TEMPLATE = next(e for e in EXPECTED if e["path"].endswith("content_289892.html"))
NEW = 40


@pytest.fixture
def redis_url(tmp_path):
    try:
        with redis_server(tmp_path) as url:
            yield url
    except FileNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}: .ci/run installs it")
        pytest.skip(str(exc))


@pytest.fixture
def portals(tmp_path):
    root = tmp_path / "sites"
    shutil.copytree(SITES, root)
    new = publish_articles(root, NEW)
    with serve_portals(root=str(root), log_path=str(tmp_path / "requests.log")) as running:
        running.write_sources(str(tmp_path / "sources.toml"))
        running.new_paths = new
        running.delay = 0.1
        yield running


def worker(name: str, redis_url: str, sources: Path, tmp: Path, lease: float = 60) -> subprocess.Popen:
    """A worker; a short ``lease`` makes a killed worker's requests come back within the test."""
    env = {**os.environ, "ZHAOSHANG_USER_AGENT": f"worker-{name}", "ZHAOSHANG_LEASE_SECONDS": str(lease)}
    with (tmp / f"worker-{name}.err").open("a") as err:
        return subprocess.Popen([sys.executable, str(REPO / "scheduler.py"), "--once", "--redis", redis_url,
                                 "--redis-run", "test-run", "--sources", str(sources)], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


def writer(redis_url: str, db: Path, tmp: Path) -> subprocess.Popen:
    with (tmp / "writer.err").open("a") as err:
        return subprocess.Popen([sys.executable, "-m", "archive", "ingest", "--redis", redis_url, "--db", str(db),
                                 "--idle-exit", "6"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)


def expected_texts(portals) -> dict[str, str]:
    texts = {}
    for e in EXPECTED:
        if e["relevant"] and not e["disallowed_by_robots"]:
            texts[f"{portals.url(e['site'])}/{e['path'].lstrip('/')}"] = "\n".join(e["paragraphs"])
    for path in portals.new_paths:
        number = int(path.rsplit("_", 1)[1].split(".")[0])
        texts[portals.url("jlcity") + path] = "\n".join(published_paragraphs(TEMPLATE, number))
    return texts


def article_paths() -> set[str]:
    return {"/" + e["path"].lstrip("/") for e in EXPECTED}


def fetched_by(log: Path) -> dict[str, list[str]]:
    """Article page path -> the workers that requested it."""
    out: dict[str, list[str]] = {}
    for line in (log.read_text().splitlines() if log.exists() else []):
        entry = json.loads(line)
        if entry["path"] in article_paths() or "/content_3000" in entry["path"]:
            out.setdefault(entry["path"], []).append(entry["user_agent"])
    return out


def check_archive(db: Path, portals) -> None:
    conn = sqlite3.connect(db)
    stored = {u: t for u, t in conn.execute("SELECT u.url, a.text FROM article_urls u JOIN articles a "
                                            "USING (content_hash)")}
    expected = expected_texts(portals)
    missing = [u for u, t in expected.items() if stored.get(u) != t]
    assert missing == []
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(set(expected.values()))
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    runs = conn.execute("SELECT ended FROM crawl_runs").fetchall()
    check_facts_and_places(conn)
    conn.close()
    assert runs and all(r[0] == "finished" for r in runs[-2:])


def check_facts_and_places(conn: sqlite3.Connection) -> None:
    """The facts and places the workers sent with their pages are stored as the archive computes
    them from the stored text (nothing lost or changed on the way through JSON and Redis)."""
    expected = sqlite3.connect(":memory:")
    facts.create_table(expected)
    places.create_table(expected)
    rows = conn.execute("SELECT content_hash, title, text, region, published_at FROM articles").fetchall()
    for h, title, text, region, published in rows:
        prepared = prepare(title, text, region, story=False, published=published)
        store_rows(expected, "facts", FACT_COLUMNS, h, prepared.facts, replace=False)
        store_rows(expected, "article_places", PLACE_COLUMNS, h, prepared.places, replace=False)
    for table, columns in (("facts", FACT_COLUMNS), ("article_places", PLACE_COLUMNS)):
        query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}"
        assert conn.execute(query).fetchall() == expected.execute(query).fetchall()
    assert expected.execute("SELECT count(*) FROM facts").fetchone()[0] > 0


def test_two_workers_one_writer_every_article_once(redis_url, portals, tmp_path):
    sources, db, log = tmp_path / "sources.toml", tmp_path / "archive.db", tmp_path / "requests.log"
    w = writer(redis_url, db, tmp_path)
    a = worker("a", redis_url, sources, tmp_path)
    time.sleep(0.5)
    b = worker("b", redis_url, sources, tmp_path)
    assert a.wait(300) == 0, (tmp_path / "worker-a.err").read_text()[-2000:]
    assert b.wait(300) == 0, (tmp_path / "worker-b.err").read_text()[-2000:]
    assert w.wait(120) == 0, (tmp_path / "writer.err").read_text()[-2000:]
    fetched = fetched_by(log)
    twice = {p: who for p, who in fetched.items() if len(who) > 1}
    assert twice == {}  # no URL fetched by both workers (nor twice by one)
    workers = {who[0] for who in fetched.values()}
    assert workers == {"worker-a", "worker-b"}  # both did part of the work
    check_archive(db, portals)


def test_worker_killed_mid_crawl_loses_nothing(redis_url, portals, tmp_path):
    sources, db, log = tmp_path / "sources.toml", tmp_path / "archive.db", tmp_path / "requests.log"
    w = writer(redis_url, db, tmp_path)
    a = worker("a", redis_url, sources, tmp_path, lease=3)
    # let worker a take a share of the queue, then kill it (and its extraction workers) outright
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len([p for p, who in fetched_by(log).items() if "worker-a" in who]) < 8:
        time.sleep(0.05)
    b = worker("b", redis_url, sources, tmp_path, lease=3)
    time.sleep(0.5)
    os.killpg(a.pid, signal.SIGKILL)
    a.wait(30)
    assert b.wait(300) == 0, (tmp_path / "worker-b.err").read_text()[-2000:]
    # a restarted worker takes back what the killed one had popped (its leases ran out)
    time.sleep(3.5)
    a2 = worker("a2", redis_url, sources, tmp_path, lease=3)
    assert a2.wait(300) == 0, (tmp_path / "worker-a2.err").read_text()[-2000:]
    assert w.wait(120) == 0, (tmp_path / "writer.err").read_text()[-2000:]
    conn = sqlite3.connect(db)
    stored = {u for (u,) in conn.execute("SELECT url FROM article_urls")}
    conn.close()
    missing = [u for u in expected_texts(portals) if u not in stored]
    assert missing == []
    check_archive(db, portals)


def test_a_page_message_carries_the_workers_facts_and_places():
    from archive.ingest import _prepared, page_message
    from archive.records import PageRecord

    text = "11月23日，吉林市举行重点项目集中签约仪式，共签约项目12个，总投资86.5亿元，同比增长12.5%。"
    prepared = prepare("吉林市集中签约12个项目", text, "吉林省", story=False)
    assert prepared.facts and prepared.places
    record = PageRecord(url="http://a.example.cn/1.html", source="s", status=200, fetched_at="2024-11-23T09:00:00+08:00",
                        outcome="archived", body_z=b"\x28\xb5\x2f\xfd raw")
    msg = json.loads(page_message("run", record, {"title": "t"}, prepared))
    assert _prepared(msg) == prepared  # the writer stores these rows instead of computing them
    assert _prepared(json.loads(page_message("run", record, {"title": "t"}))) is None  # an older worker's message
