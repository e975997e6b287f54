"""A crawl of the hostile portal: every fault survived, recorded with a reason, nothing garbled archived.

Run alone with ``make faults`` (which also runs the crash, bad-input and fuzz tests).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.normalize import to_simplified
from tests.conftest import REPO
from tests.hostile_portal import ARCHIVED_FAULTS, FAULTS, GOOD, MANY_LINKS, serve_hostile, sources_toml

EXPECTED = {e["path"].rsplit("/", 1)[-1]: e for e in
            json.loads((REPO / "tests/sample_portals/expected.json").read_text("utf-8")) if e["site"] == "jlcity"}
# short timeouts so stalls cost seconds, not minutes; everything else as configured
CRAWL_SETTINGS = ["DOWNLOAD_TIMEOUT=3", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False"]
GARBAGE = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def crawl(sources: Path, db: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "crawler", "--sources", str(sources), "--db", str(db)]
    for setting in CRAWL_SETTINGS:
        cmd += ["--set", setting]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with serve_hostile() as portal:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(portal["urls"]), "utf-8")
        first = crawl(sources, tmp / "archive.db")
        hits_after_first = {role: list(h) for role, h in portal["hits"].items()}
        second = crawl(sources, tmp / "archive.db")
        conn = sqlite3.connect(tmp / "archive.db")
        conn.row_factory = sqlite3.Row
        yield {"first": first, "second": second, "conn": conn, "urls": portal["urls"],
               "hits": hits_after_first, "all_hits": portal["hits"]}
        conn.close()


def page(hostile, path):
    return hostile["conn"].execute("SELECT * FROM pages WHERE url = ?", (hostile["urls"]["main"] + path,)).fetchone()


def test_crawls_exit_zero(hostile):
    assert hostile["first"].returncode == 0, hostile["first"].stderr[-3000:]
    assert hostile["second"].returncode == 0, hostile["second"].stderr[-3000:]


@pytest.mark.parametrize("path", list(FAULTS))
def test_fault_recorded_with_outcome_and_reason(hostile, path, fault_report):
    outcome, word = FAULTS[path]
    row = page(hostile, path)
    ok = row is not None and row["outcome"] == outcome and word.lower() in (row["reason"] or "").lower()
    fault_report(path.rsplit("/", 1)[-1], 1, int(ok), 0)
    assert row is not None, "not recorded"
    assert row["outcome"] == outcome, dict(row)
    assert word.lower() in (row["reason"] or "").lower(), row["reason"]
    assert hostile["conn"].execute("SELECT 1 FROM article_urls WHERE url = ?", (row["url"],)).fetchone() is None


@pytest.mark.parametrize("path", list(ARCHIVED_FAULTS))
def test_fault_with_an_article_behind_it_is_archived_clean(hostile, path, fault_report):
    row = page(hostile, path)
    article = hostile["conn"].execute(
        "SELECT a.* FROM article_urls u JOIN articles a USING (content_hash) WHERE u.url = ?", (row["url"],)
    ).fetchone() if row else None
    ok = article is not None and not GARBAGE.search(article["text"])
    fault_report(path.rsplit("/", 1)[-1], 1, int(ok), 0 if article is not None else 1)
    assert row is not None and row["outcome"] in ("archived", "duplicate"), dict(row) if row else None
    assert article is not None
    assert not GARBAGE.search(article["text"]) and article["text"] == to_simplified(article["text"])
    good = ARCHIVED_FAULTS[path]
    if good:
        assert article["text"] == "\n".join(EXPECTED[good]["paragraphs"])
    else:
        assert "开发区招商局负责人表示" in article["text"] and "总投资" in article["text"]


def test_good_articles_of_the_hostile_portal_archived_exactly(hostile, fault_report):
    lost = 0
    for name in GOOD:
        row = hostile["conn"].execute(
            "SELECT a.text FROM article_urls u JOIN articles a USING (content_hash) WHERE u.url = ?",
            (f"{hostile['urls']['main']}/good/{name}",)).fetchone()
        lost += row is None or row[0] != "\n".join(EXPECTED[name]["paragraphs"])
    fault_report("good articles beside faults", 1, int(lost == 0), lost)
    assert lost == 0


def test_suspect_encoding_flagged(hostile):
    row = hostile["conn"].execute(
        "SELECT a.suspect_encoding FROM article_urls u JOIN articles a USING (content_hash) WHERE u.url = ?",
        (hostile["urls"]["main"] + "/a/bad-bytes.html",)).fetchone()
    assert row is not None and row[0] == 1


def test_links_off_the_source_are_never_followed(hostile, fault_report):
    other = [h for h in hostile["all_hits"]["other"]]
    # the off-site redirect's target and the other-port link were never requested
    assert "/good/1.html" not in other and "/good/2.html" not in other
    urls = [r[0] for r in hostile["conn"].execute("SELECT url FROM pages")]
    assert not [u for u in urls if not u.startswith(("http://127.0.0.1",))]
    assert not [u for u in urls if "other-host" in u or u.startswith(hostile["urls"]["other"])]
    fault_report("file:/javascript:/mailto:/other port/other host links", 1, 1, 0)


def test_tracking_parameters_fetch_once(hostile, fault_report):
    fetched = [h for h in hostile["hits"]["main"] if h.startswith("/ok/7.html")]
    assert fetched == ["/ok/7.html"]
    assert hostile["conn"].execute("SELECT count(*) FROM pages WHERE url LIKE '%/ok/7.html%'").fetchone()[0] == 1
    fault_report("same link, other tracking parameters", 1, 1, 0)


def test_robots_500_and_garbage_robots_do_not_stop_the_crawl(hostile, fault_report):
    assert "/robots.txt" in hostile["hits"]["main"] and "/robots.txt" in hostile["hits"]["garbage_robots"]
    assert page(hostile, f"/good/{GOOD[2]}")["outcome"] == "archived"
    garbage = hostile["conn"].execute("SELECT outcome FROM pages WHERE source = 'garbage'").fetchall()
    assert [g[0] for g in garbage] == ["archived"]
    fault_report("robots.txt 500", 1, 1, 0)
    fault_report("robots.txt garbage", 1, 1, 0)


def test_list_page_with_ten_thousand_links_is_capped_per_run(hostile, fault_report):
    many = [h for h in hostile["all_hits"]["main"] if h.startswith("/many/")]
    first = [h for h in hostile["hits"]["main"] if h.startswith("/many/")]
    assert len(first) == 50  # max_article_pages of the source
    assert len(many) == 100 and len(set(many)) == 100  # the second run took the next 50, none twice
    runs = hostile["conn"].execute("SELECT archived, ended FROM crawl_runs WHERE source = 'many' ORDER BY id").fetchall()
    assert [tuple(r) for r in runs] == [(50, "capped"), (50, "capped")]
    fault_report(f"list page with {MANY_LINKS} links", 2, 2, 0)


def test_second_run_retries_only_what_failed(hostile):
    final = {"archived", "duplicate", "irrelevant", "attachment"}
    second_hits = hostile["all_hits"]["main"][len(hostile["hits"]["main"]):]
    for path, (outcome, _) in FAULTS.items():
        if outcome in final:
            assert path not in second_hits, path
