"""Chinese full-text search on a real archive: the sample portals crawled into a SQLite file.

The central property: a query finds exactly the articles whose title or text contains it, the
set ``title LIKE '%q%' OR text LIKE '%q%'`` (with the query in Simplified).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.db import Archive, PageRecord
from archive.normalize import content_hash, to_simplified
from archive.schema import MIGRATIONS
from archive.search import QueryError, fts_query, parse_query, tokens
from tests.access_helpers import REPO, crawl_sample

S2T = opencc.OpenCC("s2t")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(path, [(content_hash, title, text)]) of the crawled sample archive."""
    work = tmp_path_factory.mktemp("search")
    db = work / "sample.db"
    crawl_sample(db, work)
    with Archive.open(db, readonly=True) as archive:
        docs = archive.conn.execute("SELECT content_hash, coalesce(title, ''), text FROM articles").fetchall()
    assert len(docs) >= 15
    return db, docs


@pytest.fixture(scope="module")
def reader(sample):
    archive = Archive.open(sample[0], readonly=True)
    yield archive
    archive.close()


def like_set(conn: sqlite3.Connection, term: str) -> set[str]:
    """The reference: articles whose title or text contains ``term`` (LIKE, wildcards escaped)."""
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return {r[0] for r in conn.execute(
        "SELECT content_hash FROM articles WHERE title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\'",
        (pattern, pattern))}


def as_query(term: str) -> str:
    """``term`` as a query string: quoted when it holds spaces or starts with ``-``."""
    if any(c.isspace() for c in term) or term.startswith("-"):
        return f'"{term}"'
    return term


def search_set(archive: Archive, query: str, **kw) -> set[str]:
    return {r["content_hash"] for r in archive.search(query, limit=None, **kw)}


def test_every_one_and_two_character_substring_finds_the_like_set(reader):
    """Exhaustive for the short terms trigram indexes cannot serve: every distinct 1- and 2-gram."""
    grams = set()
    for title, text in reader.conn.execute("SELECT coalesce(title, ''), text FROM articles"):
        for s in (title, text):
            grams.update(s)
            grams.update(s[i:i + 2] for i in range(len(s) - 1))
    grams = {g for g in grams if '"' not in g and g.strip() == g and g}
    assert len(grams) > 1500
    for g in sorted(grams):
        assert search_set(reader, as_query(g)) == like_set(reader.conn, g), g


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_substring_property_with_traditional_queries(sample, reader, data):
    """For random 1-4 character substrings of titles and texts, Simplified or Traditional: exactly LIKE."""
    _, docs = sample
    h, title, text = data.draw(st.sampled_from(docs))
    source = data.draw(st.sampled_from([title, text])) or text
    n = data.draw(st.integers(1, 4))
    start = data.draw(st.integers(0, max(0, len(source) - n)))
    term = source[start:start + n]
    if '"' in term or not term.strip():
        return
    traditional = data.draw(st.booleans())
    query_term = S2T.convert(term) if traditional else term
    expected = like_set(reader.conn, to_simplified(query_term))
    assert h in like_set(reader.conn, term)
    assert search_set(reader, as_query(query_term)) == expected


def test_traditional_query_finds_simplified_text(reader):
    assert search_set(reader, "經濟") == like_set(reader.conn, "经济") != set()
    assert search_set(reader, "項目") == like_set(reader.conn, "项目") != set()
    assert search_set(reader, "港") == like_set(reader.conn, "港") != set()


def test_and_phrase_and_exclusion(reader):
    conn = reader.conn
    both = like_set(conn, "招商") & like_set(conn, "签约")
    assert search_set(reader, "招商 签约") == both and both
    assert search_set(reader, "招商 -签约") == like_set(conn, "招商") - like_set(conn, "签约")
    assert search_set(reader, '"招商引资"') == like_set(conn, "招商引资")
    assert search_set(reader, '招商 -"碳纤维"') == like_set(conn, "招商") - like_set(conn, "碳纤维")
    assert search_set(reader, '"招商 引资"') == like_set(conn, "招商 引资")  # verbatim, space included
    with pytest.raises(QueryError):
        list(reader.search("-招商"))
    with pytest.raises(QueryError):
        list(reader.search("   "))


def test_ranked_with_highlighted_snippets(reader):
    results = list(reader.search("招商", limit=5))
    assert len(results) == 5
    ranks = [r["rank"] for r in results]
    assert ranks == sorted(ranks)
    for r in results:
        for s, e in r["highlights"]:
            assert r["snippet"][s:e] == "招商"
    assert any(r["highlights"] for r in results)
    assert list(reader.search("招商", limit=2, offset=1))[0]["content_hash"] == results[1]["content_hash"]


def test_filters(reader):
    conn = reader.conn
    region = conn.execute("SELECT region FROM articles GROUP BY region ORDER BY count(*) DESC").fetchone()[0]
    expected = like_set(conn, "项目") & {r[0] for r in conn.execute(
        "SELECT content_hash FROM articles WHERE region = ?", (region,))}
    assert search_set(reader, "项目", region=region) == expected
    dated = {r[0] for r in conn.execute(
        "SELECT content_hash FROM articles WHERE published_at >= '2022-11-01' AND published_at < '2023-01-01'")}
    assert search_set(reader, "项目", since="2022-11-01", until="2023-01-01") == like_set(conn, "项目") & dated
    source = conn.execute("SELECT source FROM articles LIMIT 1").fetchone()[0]
    assert all(r["source"] == source for r in reader.search("项目", source=source, limit=None))


def test_query_parsing():
    q = parse_query('招商 "产业 链" -港 -"香港"')
    assert q.include == ["招商", "产业 链"] and q.exclude == ["港", "香港"]
    assert parse_query("經濟").include == ["经济"]
    assert fts_query("a").endswith("*")
    assert tokens("ab") == tokens("AB")  # ASCII case folds, as LIKE does
    assert tokens("ÄB") != tokens("äb")  # and nothing else, as LIKE


def _page(url: str, when: str) -> PageRecord:
    return PageRecord(url=url, source="t", status=200, fetched_at=when, outcome="archived")


def _article(text: str, title: str) -> dict:
    return {"content_hash": content_hash(text), "title": title, "text": text, "text_original": text,
            "published_at": "2024-05-01", "outlet": "测试日报", "region": "测试市", "relevance": 5.0,
            "suspect_encoding": 0, "extractor_version": "1"}


def test_index_is_written_in_the_articles_transaction(tmp_path):
    archive = Archive.open(tmp_path / "a.db")
    archive.record_page(_page("http://t.test/1", "2024-05-01T08:00:00+08:00"),
                        _article("港口物流园区签约三个招商项目。", "港口招商"))
    assert search_set(archive, "港口") == {content_hash("港口物流园区签约三个招商项目。")}
    bad = _page("http://t.test/2", "2024-05-01T09:00:00+08:00")
    bad.status = object()  # the page row cannot be written: the whole transaction rolls back
    with pytest.raises(sqlite3.Error):
        archive.record_page(bad, _article("冷链物流项目落户临港。", "冷链"))
    assert search_set(archive, "冷链") == set()
    assert archive.count("articles") == 1
    assert archive.conn.execute("SELECT count(*) FROM articles_search").fetchone()[0] == 1
    # a duplicate adds a URL, not a second index entry
    archive.record_page(_page("http://t.test/3", "2024-05-02T08:00:00+08:00"),
                        _article("港口物流园区签约三个招商项目。", "港口招商"))
    assert archive.conn.execute("SELECT count(*) FROM articles_search").fetchone()[0] == 1
    archive.close()


def test_migrating_a_version_1_archive_builds_the_index(tmp_path):
    import sqlite_utils

    path = tmp_path / "v1.db"
    db = sqlite_utils.Database(path)
    MIGRATIONS[1](db)
    db["meta"].insert({"key": "schema_version", "value": "1"})
    row = _article("新能源汽车零部件项目集中开工。", "开工")
    row.update(source="t", url="http://t.test/x", first_seen="2024-01-01", last_seen="2024-01-01")
    db["articles"].insert(row)
    db.conn.close()
    with Archive.open(path) as archive:
        assert archive.schema_version() >= 2
        assert search_set(archive, "零部件") == {row["content_hash"]}
        assert search_set(archive, "件") == {row["content_hash"]}


def test_search_command(sample):
    db, _ = sample
    out = subprocess.run([sys.executable, "-m", "archive", "search", "签约", "--db", str(db), "--json",
                          "--limit", "3"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    results = json.loads(out)
    assert 1 <= len(results) <= 3 and all("签约" in (r["title"] + r["snippet"]) for r in results)
    plain = subprocess.run([sys.executable, "-m", "archive", "search", "簽約", "--db", str(db)], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout
    assert "«签约»" in plain
    bad = subprocess.run([sys.executable, "-m", "archive", "search", "--db", str(db), "--", "-签约"], cwd=REPO,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
