"""A fleet of sources in one crawl process: dozens of portals, each on its own loopback address.

What each portal received is read from the fleet server's own request log; what each source's
part of the crawl did, from its ``crawl_runs`` row; what was archived, from the archive. The
expected articles come from the portals' generator (tests/fleet_portals.py), never from a crawl.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler import settings as crawl_settings
from tests.conftest import REPO
from tests.fleet_portals import Fleet, politeness, serve_fleet
from tests.hostile_portal import FAULTS, GOOD, serve_hostile
from tests.hostile_portal import sources_toml as hostile_sources
from tests.test_daemon import GRACE, Daemon, assert_archive_consistent, query, wait_for

PORTALS = 30
# short timeouts so the hostile portal's stalls cost seconds (as in test_faults.py)
FAST = ["--set", "DOWNLOAD_TIMEOUT=3"]


def crawl(sources: Path, db: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "--sources", str(sources), "--db", str(db), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def runs(db: Path) -> dict[str, list[tuple]]:
    """source -> its runs (ended, archived, article_pages, list_pages, started, finished), oldest first."""
    out: dict[str, list[tuple]] = {}
    for row in query(db, "SELECT source, ended, archived, article_pages, list_pages, started, finished "
                         "FROM crawl_runs ORDER BY id"):
        out.setdefault(row[0], []).append(row[1:])
    return out


def lead(url: str) -> str:
    """The first paragraph the fleet portal's generator wrote for the article at ``url``."""
    return Fleet.article(int(url.rsplit("_", 1)[1].split(".")[0])).paragraphs[0]


@pytest.fixture(scope="module")
def fleet_with_hostile(tmp_path_factory):
    """Crawl 1: 30 good portals and the hostile portal's three sources, one process. Crawl 2: each
    good portal has one new article; the hostile source gets 2 s (``max_run_seconds``)."""
    tmp = tmp_path_factory.mktemp("fleet")
    db, sources = tmp / "archive.db", tmp / "sources.toml"
    with serve_fleet(PORTALS, articles=5, latency=0.05) as fleet, serve_hostile() as hostile:
        fleet.sources_toml(sources)
        good = sources.read_text("utf-8")
        sources.write_text(good + "\n" + hostile_sources(hostile["urls"]), "utf-8")
        first = crawl(sources, db, *FAST)
        first_log = list(fleet.log)
        first_runs = runs(db)
        new = {fleet.name(i): fleet.publish(i, 1) for i in range(PORTALS)}
        limited = hostile_sources(hostile["urls"]).replace("name = 'hostile'\n", "name = 'hostile'\nmax_run_seconds = 2\n")
        sources.write_text(good + "\n" + limited, "utf-8")
        # the hostile portal's pages that failed are due again at once
        second = crawl(sources, db, *FAST, "--set", "PAGE_RETRY_BASE_SECONDS=0")
        yield {"db": db, "fleet": fleet, "first": first, "second": second, "first_log": first_log,
               "first_runs": first_runs, "runs": runs(db), "new": new, "hostile": hostile}


def test_fleet_crawl_exits_zero(fleet_with_hostile):
    assert fleet_with_hostile["first"].returncode == 0, fleet_with_hostile["first"].stderr[-3000:]
    assert fleet_with_hostile["second"].returncode == 0, fleet_with_hostile["second"].stderr[-3000:]


def test_every_source_has_its_own_run_with_its_own_counts(fleet_with_hostile):
    first, fleet = fleet_with_hostile["first_runs"], fleet_with_hostile["fleet"]
    assert set(first) == {fleet.name(i) for i in range(PORTALS)} | {"hostile", "many", "garbage"}
    for i in range(PORTALS):
        (ended, archived, article_pages, list_pages, _, _), = first[fleet.name(i)]
        assert (ended, archived, article_pages, list_pages) == ("finished", 5, 5, 1), fleet.name(i)
    assert [(r[0], r[1]) for r in first["many"]] == [("capped", 50)]  # max_article_pages of that source
    assert first["garbage"][0][:2] == ("finished", 1)
    assert first["hostile"][0][0] == "finished"


def test_a_stalling_host_holds_back_only_its_own_source(fleet_with_hostile):
    first, fleet = fleet_with_hostile["first_runs"], fleet_with_hostile["fleet"]
    hostile_end = first["hostile"][0][5]
    good_ends = [first[fleet.name(i)][0][5] for i in range(PORTALS)]
    # the hostile portal stalls two pages past DOWNLOAD_TIMEOUT (3 s, retried): every good source
    # had ended before it did
    assert max(good_ends) < hostile_end, (max(good_ends), hostile_end)


def test_a_source_with_many_articles_does_not_hold_back_the_small_ones(fleet_with_hostile):
    first, fleet = fleet_with_hostile["first_runs"], fleet_with_hostile["fleet"]
    # 'many' has 50 articles to fetch from one host (2 at a time, politely); each good portal 5
    many = first["many"][0]
    assert many[2] == 50
    assert max(first[fleet.name(i)][0][5] for i in range(PORTALS)) < many[5]


def test_every_good_article_archived_with_its_text(fleet_with_hostile):
    db, fleet = fleet_with_hostile["db"], fleet_with_hostile["fleet"]
    stored = dict(query(db, "SELECT u.url, a.text FROM article_urls u JOIN articles a USING (content_hash)"))
    missing = [u for i in range(PORTALS) for u in fleet.article_urls(i)
               if u not in stored or lead(u) not in stored[u]]
    assert missing == []
    good = query(db, "SELECT count(*) FROM article_urls WHERE url LIKE '%/good/%'")[0][0]
    assert good >= len(GOOD)


def test_faults_of_the_hostile_portal_recorded_inside_the_fleet(fleet_with_hostile):
    db, main = fleet_with_hostile["db"], fleet_with_hostile["hostile"]["urls"]["main"]
    for path, (outcome, word) in FAULTS.items():
        row = query(db, "SELECT outcome, reason FROM pages WHERE url = ?", main + path)
        assert row and row[0][0] == outcome and word.lower() in (row[0][1] or "").lower(), (path, row)


def test_no_host_had_more_requests_in_flight_than_allowed_and_delays_held(fleet_with_hostile):
    polite = politeness(fleet_with_hostile["first_log"], min_gap=crawl_settings.DOWNLOAD_DELAY * 0.5)
    assert polite["hosts"] == PORTALS and polite["requests"] == PORTALS * 7  # robots, list, 5 articles
    assert polite["max_in_flight"] <= crawl_settings.CONCURRENT_REQUESTS_PER_DOMAIN
    # a gap shorter than the shortest delay Scrapy may pick happens only when the crawl's reactor was
    # busy between sending one request and the next (ignoring the delay, half the gaps would be ~0)
    assert polite["short_gaps"] <= polite["gaps"] * 0.05, polite


def test_second_crawl_fetches_only_new_articles_and_a_time_limit_closes_only_its_source(fleet_with_hostile):
    latest, fleet = fleet_with_hostile["runs"], fleet_with_hostile["fleet"]
    for i in range(PORTALS):
        ended, archived, article_pages, _, _, _ = latest[fleet.name(i)][-1]
        assert (ended, archived, article_pages) == ("finished", 1, 1), fleet.name(i)
    assert latest["hostile"][-1][0] == "time limit"
    fetched = Counter(e["path"] for e in fleet.log if "/content_" in e["path"])
    assert max(fetched.values()) == 1  # no article page fetched twice over both crawls
    assert len(fetched) == PORTALS * 6


def test_sigterm_mid_fleet_exits_zero_and_the_next_run_finishes_the_job(tmp_path):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    n = 24
    with serve_fleet(n, articles=8, latency=0.4) as fleet:
        fleet.sources_toml(sources)
        err = (tmp_path / "crawl.err").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "--sources", str(sources), "--db", str(db)],
                                cwd=REPO, stderr=err, stdout=subprocess.DEVNULL)
        try:
            wait_for(lambda: (query(db, "SELECT count(*) FROM articles") or [(0,)])[0][0] >= 10, 120,
                     "some articles archived")
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=GRACE + 15) == 0, (tmp_path / "crawl.err").read_text()[-3000:]
            assert time.monotonic() - started < GRACE
        finally:
            if proc.poll() is None:
                proc.kill()
        assert_archive_consistent(db)
        cut = runs(db)
        assert len(cut) == n and all(len(r) == 1 for r in cut.values())
        assert {r[0][0] for r in cut.values()} <= {"signal", "finished"} and "signal" in {r[0][0] for r in cut.values()}
        partial = query(db, "SELECT count(*) FROM articles")[0][0]
        assert partial < n * 8

        fleet.latency = 0
        again = crawl(sources, db)
        assert again.returncode == 0, again.stderr[-3000:]
        assert_archive_consistent(db)
        archived = {u for (u,) in query(db, "SELECT url FROM article_urls")}
        assert {u for i in range(n) for u in fleet.article_urls(i)} <= archived
        assert all(r[-1][0] == "finished" for r in runs(db).values())
        fetched = Counter(e["path"] for e in fleet.log if "/content_" in e["path"])
        assert len(fetched) == n * 8 and max(fetched.values()) == 1  # nothing fetched twice


def test_cron_once_beside_the_daemon_skips_only_the_sources_it_is_crawling(tmp_path):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    n, slow = 10, {0, 1, 2}
    with serve_fleet(n, articles=5, latency=0) as fleet:
        fleet.sources_toml(sources)
        fleet.slow = dict.fromkeys(slow, 1.5)  # ~7 requests of 1.5 s: still crawling while the others end
        daemon = Daemon(tmp_path, "--sources", str(sources), "--db", str(db), "--every", "600", "--grace", str(GRACE))
        try:
            wait_for(lambda: len(query(db, "SELECT id FROM crawl_runs WHERE ended = 'finished'")) == n - len(slow),
                     90, "the fast sources' runs to end")
            assert len(query(db, "SELECT id FROM crawl_runs WHERE ended = 'running'")) == len(slow)
            once = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--sources", str(sources),
                                   "--db", str(db)], cwd=REPO, capture_output=True, text=True, timeout=120)
            assert once.returncode == 0, once.stderr[-3000:]
            for i in range(n):
                skipped = f"skip {fleet.name(i)}: another process is crawling it" in once.stderr
                assert skipped == (i in slow), fleet.name(i)
            by_trigger = Counter(t for (t,) in query(db, "SELECT trigger FROM crawl_runs"))
            assert by_trigger == {"schedule": n, "once": n - len(slow)}
            assert daemon.stop(timeout=GRACE + 15) == 0, daemon.stderr()
        finally:
            daemon.kill()
    # one crawl of a source at a time: no source has two runs that overlap
    for source, rows in runs(db).items():
        spans = sorted((r[4], r[5]) for r in rows)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), (source, spans)


def test_daemon_batches_due_sources_and_never_starts_a_busy_one_twice(tmp_path):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    n, slow = 8, {0}
    with serve_fleet(n, articles=3, latency=0) as fleet:
        fleet.sources_toml(sources)
        fleet.slow = dict.fromkeys(slow, 1.5)  # a run of ~8 s: due again (every 3 s) while still crawling
        daemon = Daemon(tmp_path, "--sources", str(sources), "--db", str(db), "--every", "3", "--grace", str(GRACE))
        try:
            wait_for(lambda: len(query(db, "SELECT id FROM crawl_runs WHERE source = 'fleet00001' AND ended = "
                                           "'finished'")) >= 2, 90, "a fast source crawled twice")
            wait_for(lambda: "fleet00000 came due while still being crawled" in daemon.err.read_text(), 60,
                     "the slow source to come due while busy")
            assert daemon.stop(timeout=GRACE + 15) == 0, daemon.stderr()
        finally:
            daemon.kill()
        log = daemon.err.read_text()
    # the first batch held every source: one crawl process for all of them
    assert f"crawl {n} sources (schedule, batch 1)" in log, log[-3000:]
    for source, rows in runs(db).items():
        spans = sorted((r[4], r[5]) for r in rows)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), (source, spans)  # never two at once
    assert_archive_consistent(db)


def fairness_crawl(tmp: Path, *extra: str) -> dict[str, list[tuple]]:
    """20 small portals and one source with 150 articles on one host, a downloader of 4 requests."""
    db, sources = tmp / "archive.db", tmp / "sources.toml"
    with serve_fleet(20, articles=5, latency=0.05) as fleet, serve_hostile() as hostile:
        fleet.sources_toml(sources)
        big = (f"\n[[source]]\nname = 'big'\noutlet = '测试日报'\nregion = '测试省'\nmax_run_seconds = 25\n"
               f"start_urls = ['{hostile['urls']['main']}/news/many.html']\n"
               "article_pattern = '/many/\\d+\\.html$'\nmax_article_pages = 150\n")
        sources.write_text(sources.read_text("utf-8") + big, "utf-8")
        done = crawl(sources, db, "--set", "CONCURRENT_REQUESTS=4", *extra)
        assert done.returncode == 0, done.stderr[-3000:]
    return runs(db)


def test_one_big_source_does_not_starve_the_small_ones(tmp_path):
    from datetime import datetime

    seen = fairness_crawl(tmp_path)
    start = min(datetime.fromisoformat(r[0][4]) for r in seen.values())
    small_ends = [(datetime.fromisoformat(r[0][5]) - start).total_seconds() for name, r in seen.items() if name != "big"]
    big_end = (datetime.fromisoformat(seen["big"][0][5]) - start).total_seconds()
    assert all(r[0][0] == "finished" for name, r in seen.items() if name != "big")
    # each small source is ~7 polite requests (~6 s here, 2 at a time in 4 places); the big one
    # needs ~150 x 0.25 s and is closed at 25 s. With Scrapy's own ScrapyPriorityQueue the big
    # host's queued requests take the downloader's places: small sources ended between 3 and 27 s
    assert max(small_ends) < 15 < 20 < big_end, (max(small_ends), big_end)
