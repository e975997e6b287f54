"""Re-extraction over stored raw pages: a changed cleaning rule moves and merges rows, nothing is lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archive.db import Archive
from archive.extract import EXTRACTOR_VERSION, ExtractOptions
from archive.pipeline import FetchedPage, process_page
from archive.reextract import reextract
from archive.sources import parse_sources
from tests.access_helpers import REPO, build_from_files, sources_of

BODY = [
    "11月17日，吉林市碳纤维及复合材料产业链专场招商推介会在北京举行，来自航空航天、新能源装备、体育器材等领域的80余家企业代表参加活动。",
    "推介会上，我市介绍了碳纤维原丝、碳化和下游制品的产业基础以及招商引资配套政策。目前，全市碳纤维原丝年产能已突破15万吨。",
    "活动现场共签约项目12个，总投资额86.3亿元，涉及风电叶片、压力容器、汽车轻量化部件等方向。",
    "市合作交流办相关负责人表示，下一步将建立签约项目跟踪服务台账，确保项目早落地、早见效。",
]


def page_html(title: str, paragraphs: list[str]) -> bytes:
    ps = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_松花江网</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/jj/">经济</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">2022-11-18 16:20:05 来源：江城日报</div>
<div class="content">{ps}</div></div>
<div class="footer">版权所有 松花江网 吉ICP备05002341号-1</div></body></html>""".encode()


SOURCES = """
[[source]]
name = "citypaper"
outlet = "江城日报"
region = "吉林省吉林市"
start_urls = ["http://city.test/jj/index.html"]
article_pattern = '/jj/content_\\d+\\.html$'
"""
RULE = "\nboilerplate = ['^（本报热线：']\n"


def record(archive: Archive, url: str, paragraphs: list[str], when: str, title: str = "碳纤维产业链专场推介会在京举办"):
    page = FetchedPage(url=url, source="citypaper", status=200, fetched_at=when,
                       headers={"content-type": "text/html; charset=utf-8"}, body=page_html(title, paragraphs),
                       final_url=url)
    rec, art = process_page(page, ExtractOptions(outlet="江城日报"), "吉林省吉林市")
    assert art is not None, rec.reason
    return archive.record_page(rec, art)


def snapshot(archive: Archive) -> dict:
    c = archive.conn
    return {
        "urls": {r[0]: r[1] for r in c.execute("SELECT url, first_seen FROM article_urls")},
        "pages": {r[0]: r[1] for r in c.execute("SELECT url, length(body) FROM pages")},
        "first_seen": c.execute("SELECT min(first_seen) FROM articles").fetchone()[0],
        "articles": c.execute("SELECT count(*) FROM articles").fetchone()[0],
    }


@pytest.fixture
def archive(tmp_path):
    a = Archive.open(tmp_path / "r.db")
    # two papers print the story with different hot-line lines; a third URL repeats the first text
    assert record(a, "http://city.test/jj/content_1.html", BODY + ["（本报热线：0432-62001234）"],
                  "2022-11-18T17:00:00+08:00") == "archived"
    assert record(a, "http://city.test/jj/content_2.html", BODY + ["（本报热线：0432-62009999）"],
                  "2022-11-19T08:00:00+08:00") == "archived"
    assert record(a, "http://city.test/jj/content_3.html", BODY + ["（本报热线：0432-62001234）"],
                  "2022-11-20T08:00:00+08:00") == "duplicate"
    yield a
    a.close()


def test_changed_rule_merges_and_moves_with_nothing_lost(archive):
    before = snapshot(archive)
    assert before["articles"] == 2
    sources = parse_sources(SOURCES.rstrip() + RULE)
    summary = reextract(archive.conn, sources)
    after = snapshot(archive)
    assert after["articles"] == 1  # the two texts now coincide: one article
    assert after["urls"] == before["urls"]  # every URL kept, with its first-seen date
    assert after["pages"] == before["pages"]  # every page and its raw bytes kept
    assert after["first_seen"] == before["first_seen"]
    (h, first, last, url, text) = archive.conn.execute(
        "SELECT content_hash, first_seen, last_seen, url, text FROM articles").fetchone()
    assert "本报热线" not in text
    assert first == "2022-11-18T17:00:00+08:00" and last == "2022-11-20T08:00:00+08:00"
    assert url == "http://city.test/jj/content_1.html"
    assert sorted(archive.urls(h)) == sorted(before["urls"])
    outcomes = dict(archive.conn.execute("SELECT url, outcome FROM pages"))
    assert outcomes == {"http://city.test/jj/content_1.html": "archived",
                        "http://city.test/jj/content_2.html": "duplicate",
                        "http://city.test/jj/content_3.html": "duplicate"}
    assert set(archive.conn.execute("SELECT DISTINCT content_hash FROM pages").fetchall()) == {(h,)}
    c = summary.counts
    assert c["pages"] == 3 and c["urls_moved"] == 3 and c["articles_created"] == 1
    assert c["articles_merged"] == 2 and c["articles_removed"] == 2
    # the search index follows: one entry, the old texts gone
    assert archive.conn.execute("SELECT count(*) FROM articles_search").fetchone()[0] == 1
    assert [r["content_hash"] for r in archive.search("碳纤维", limit=None)] == [h]
    assert list(archive.search("62009999", limit=None)) == []

    again = reextract(archive.conn, sources)  # idempotent
    assert again.counts["unchanged"] == 3 and again.counts["pages"] == 3
    assert sum(v for k, v in again.counts.items() if k not in ("pages", "unchanged")) == 0
    assert snapshot(archive) == after


def test_same_text_updates_columns_and_extractor_version(archive):
    archive.conn.execute("UPDATE articles SET extractor_version = '0', title = '旧标题'")
    archive.conn.commit()
    summary = reextract(archive.conn, parse_sources(SOURCES))
    assert summary.counts["articles_updated"] == 2 and summary.counts["unchanged"] == 1
    rows = archive.conn.execute("SELECT title, extractor_version FROM articles").fetchall()
    assert rows == [("碳纤维产业链专场推介会在京举办", EXTRACTOR_VERSION)] * 2
    assert [r["title"] for r in archive.search("推介会在京", limit=None)] == ["碳纤维产业链专场推介会在京举办"] * 2
    assert list(archive.search("旧标题", limit=None)) == []


def test_split_keeps_the_old_article_for_its_remaining_url(archive, tmp_path):
    # the rule only applies to one URL's source: the merged article splits off one URL
    sources = parse_sources(SOURCES.rstrip() + RULE)
    reextract(archive.conn, sources, since="2022-11-19")  # only content_2 and content_3
    hashes = dict(archive.conn.execute("SELECT url, content_hash FROM article_urls"))
    assert hashes["http://city.test/jj/content_1.html"] != hashes["http://city.test/jj/content_3.html"]
    assert archive.count("articles") == 2  # old text keeps content_1; new text has content_2 and content_3
    assert archive.conn.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 3


def test_sample_archive_reextracts_unchanged(tmp_path):
    archive = build_from_files(tmp_path / "s.db")
    before = snapshot(archive)
    summary = reextract(archive.conn, parse_sources(sources_of(archive)), jobs=2)
    assert summary.counts["pages"] > 20
    assert summary.counts["urls_moved"] == 0 and summary.counts["articles_removed"] == 0
    assert snapshot(archive) == before
    archive.close()


def test_reextract_command(archive, tmp_path):
    path = archive.path
    archive.close()
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.rstrip() + RULE, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "archive", "reextract", "--db", path, "--sources", str(sources),
                          "--jobs", "1"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "URLs moved to a new text hash: 3" in out
    bad = subprocess.run([sys.executable, "-m", "archive", "reextract", "--db", path, "--sources",
                          str(tmp_path / "missing.toml")], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
