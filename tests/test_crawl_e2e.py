"""End to end: real Scrapy crawls (a subprocess) of the sample portals into a real SQLite file.

Expected values come from tests/sample_portals/expected.json, written by hand with the
portals' articles — never from this program's output.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.normalize import to_simplified
from tests.conftest import REPO
from tests.sample_portals.server import serve_portals

EXPECTED = json.loads((REPO / "tests/sample_portals/expected.json").read_text("utf-8"))
SITES = REPO / "tests/sample_portals/sites"
TONE_PINYIN = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"


def run_once(sources: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--sources", str(sources),
                           "--db", str(db), *extra], cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """One crawl of every portal (from a temp copy of the sites), then a second one."""
    tmp = tmp_path_factory.mktemp("e2e")
    root = tmp / "sites"
    shutil.copytree(SITES, root)
    log = tmp / "requests.log"
    with serve_portals(root=str(root), log_path=str(log)) as portals:
        sources = tmp / "sources.toml"
        portals.write_sources(str(sources))
        first = run_once(sources, tmp / "archive.db")
        first_requests = [json.loads(line) for line in log.read_text().splitlines()]
        second = run_once(sources, tmp / "archive.db")
        all_requests = [json.loads(line) for line in log.read_text().splitlines()]
        urls = {site: portals.url(site) for site in portals.sites}
    conn = sqlite3.connect(tmp / "archive.db")
    conn.row_factory = sqlite3.Row
    yield {"first": first, "second": second, "conn": conn, "urls": urls, "first_requests": first_requests,
           "second_requests": all_requests[len(first_requests):]}
    conn.close()


def url_of(crawl, entry) -> str:
    return f"{crawl['urls'][entry['site']]}/{entry['path'].lstrip('/')}"


def article_at(crawl, url):
    return crawl["conn"].execute(
        "SELECT a.* FROM article_urls u JOIN articles a USING (content_hash) WHERE u.url = ?", (url,)).fetchone()


def test_crawl_exits_zero_and_prints_summary(crawl):
    assert crawl["first"].returncode == 0, crawl["first"].stderr[-3000:]
    assert "archived" in crawl["first"].stdout and "jlcity" in crawl["first"].stdout


RELEVANT = [e for e in EXPECTED if e["relevant"] and not e["disallowed_by_robots"]]


@pytest.mark.parametrize("entry", RELEVANT, ids=[f"{e['site']}:{e['path']}" for e in RELEVANT])
def test_relevant_article_archived_exactly(crawl, entry):
    row = article_at(crawl, url_of(crawl, entry))
    assert row is not None, "not archived"
    assert row["text"] == "\n".join(entry["paragraphs"])
    if entry["syndicated_group"]:
        # one row for the whole group: its metadata is that of whichever copy was archived first
        group = [e for e in EXPECTED if e["syndicated_group"] == entry["syndicated_group"]]
        first = next(e for e in group if url_of(crawl, e) == row["url"])
    else:
        first = entry
        assert row["url"] == url_of(crawl, entry)
    for key in ("title", "published_at", "outlet", "author", "editor"):
        assert row[key] == first[key], key


def test_text_is_clean(crawl):
    rows = crawl["conn"].execute("SELECT content_hash, text, text_original FROM articles").fetchall()
    assert rows
    noise = {n for e in EXPECTED for n in e.get("noise", [])}
    for row in rows:
        assert row["text"] == to_simplified(row["text"]), "Traditional left"
        assert not any(c in row["text"] for c in TONE_PINYIN), "pinyin left"
        for junk in noise | {"反侵权公告", "版权及免责声明", "责任编辑", "总值班", "ICP备", "分享", "延伸阅读"}:
            assert to_simplified(junk) not in row["text"], junk


def test_syndicated_story_stored_once_with_every_url(crawl):
    groups = {e["syndicated_group"] for e in EXPECTED if e["syndicated_group"]}
    assert groups
    for group in groups:
        urls = sorted(url_of(crawl, e) for e in EXPECTED if e["syndicated_group"] == group)
        hashes = {crawl["conn"].execute("SELECT content_hash FROM article_urls WHERE url = ?", (u,)).fetchone()[0]
                  for u in urls}
        assert len(hashes) == 1, group
        stored = [r[0] for r in crawl["conn"].execute(
            "SELECT url FROM article_urls WHERE content_hash = ? ORDER BY url", (hashes.pop(),))]
        assert stored == urls


def test_irrelevant_pages_recorded_not_archived(crawl):
    for entry in EXPECTED:
        if entry["relevant"]:
            continue
        url = url_of(crawl, entry)
        assert article_at(crawl, url) is None
        page = crawl["conn"].execute("SELECT outcome, body FROM pages WHERE url = ?", (url,)).fetchone()
        assert page["outcome"] == "irrelevant" and page["body"]


def test_exact_article_count(crawl):
    groups = {e["syndicated_group"] for e in RELEVANT if e["syndicated_group"]}
    expected = len([e for e in RELEVANT if not e["syndicated_group"]]) + len(groups)
    assert crawl["conn"].execute("SELECT count(*) FROM articles").fetchone()[0] == expected
    orphans = crawl["conn"].execute(
        "SELECT count(*) FROM articles WHERE content_hash NOT IN (SELECT content_hash FROM article_urls)").fetchone()
    assert orphans[0] == 0


def test_robots_disallowed_page_never_fetched(crawl):
    blocked = [e for e in EXPECTED if e["disallowed_by_robots"]]
    assert blocked
    fetched = {(r["site"], r["path"]) for r in crawl["first_requests"] + crawl["second_requests"]}
    for entry in blocked:
        assert (entry["site"], "/" + entry["path"].lstrip("/")) not in fetched
        assert article_at(crawl, url_of(crawl, entry)) is None


def test_big5_and_gbk_decoded_exactly(crawl):
    for site, encoding in (("big5mirror", "big5hkscs"), ("aqnews", "gb18030")):
        pages = crawl["conn"].execute("SELECT encoding FROM pages WHERE source = ?", (site,)).fetchall()
        assert pages and {p["encoding"] for p in pages} == {encoding}
    # a name outside GB2312 (only in GBK) survives decoding
    texts = "".join(r[0] for r in crawl["conn"].execute("SELECT text FROM articles"))
    assert "方喆" in texts


def test_off_site_and_mailto_links_not_followed(crawl):
    hosts = {r["site"] for r in crawl["first_requests"]}
    assert hosts <= set(crawl["urls"])
    assert not crawl["conn"].execute("SELECT 1 FROM pages WHERE url LIKE '%example.com%'").fetchone()


def test_second_crawl_archives_nothing_new_and_refetches_no_article(crawl):
    assert crawl["second"].returncode == 0
    article_paths = {"/" + e["path"].lstrip("/") for e in EXPECTED}
    refetched = [r for r in crawl["second_requests"] if r["path"] in article_paths]
    assert refetched == []
    runs = crawl["conn"].execute("SELECT sum(archived) FROM crawl_runs WHERE trigger = 'once' AND id > "
                                 "(SELECT max(id) FROM crawl_runs) - 6").fetchone()
    assert runs[0] == 0


def test_run_records(crawl):
    rows = crawl["conn"].execute("SELECT * FROM crawl_runs ORDER BY id").fetchall()
    assert len(rows) == 12  # six sources, two runs each
    assert {r["ended"] for r in rows} == {"finished"}
    first = [r for r in rows[:6]]
    assert sum(r["archived"] for r in first) == crawl["conn"].execute("SELECT count(*) FROM articles").fetchone()[0]
