"""The Python API downstream tools use, beside a writing process; ``stats``; exit 2 on a bad --db."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from archive import Archive, ArchiveError
from tests.access_helpers import REPO, build_from_files

WRITER = textwrap.dedent("""
    import sys, time
    from archive.db import Archive, PageRecord
    from archive.normalize import content_hash
    archive = Archive.open(sys.argv[1])
    n = int(sys.argv[2])
    print("ready", flush=True)
    for i in range(n):
        text = f"第{i}号招商项目签约落地，总投资{i + 1}亿元，涉及新能源汽车零部件。\\n项目编号Z{i:05d}。"
        archive.record_page(
            PageRecord(url=f"http://w.test/{i}.html", source="writer", status=200,
                       fetched_at=f"2024-06-01T10:{i // 60 % 60:02d}:{i % 60:02d}+08:00", outcome="archived"),
            {"content_hash": content_hash(text), "title": f"招商项目{i}", "text": text, "text_original": text,
             "published_at": "2024-06-01", "outlet": "写入日报", "region": "测试市", "relevance": 6.0,
             "suspect_encoding": 0, "extractor_version": "1"})
        time.sleep(0.002)
    archive.close()
""")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("api") / "a.db"
    build_from_files(db).close()
    return db


def test_read_api(sample_db):
    with Archive.open(sample_db, readonly=True) as archive:
        articles = list(archive.articles(region="吉林市"))
        assert articles and all(a["region"] == "吉林市" for a in articles)
        dates = [a["published_at"] for a in archive.articles(since="2022-01-01", until="2023-01-01")]
        assert dates == sorted(dates) and all("2022" <= d < "2023" for d in dates)
        hit = next(archive.search("碳纤维"))
        assert archive.get(hit["content_hash"])["title"] == hit["title"]
        assert hit["url"] in archive.urls(hit["content_hash"])
        assert all(p["body"] for p in archive.pages(outcomes=("archived",)))
        with pytest.raises(Exception):
            archive.conn.execute("DELETE FROM articles")  # read-only really is read-only


def test_reader_iterates_while_a_writer_inserts(tmp_path):
    db = tmp_path / "live.db"
    Archive.open(db).close()
    n = 400
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(n)], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    assert writer.stdout.readline().strip() == "ready"
    counts, found, rounds = [], [], 0
    with Archive.open(db, readonly=True) as reader:
        while True:
            done = writer.poll() is not None
            articles = list(reader.articles(source="writer"))
            hits = list(reader.search("招商项目", limit=None))
            counts.append(len(articles))
            found.append(len(hits))
            assert {h["content_hash"] for h in hits} <= {a["content_hash"] for a in reader.articles()}
            rounds += 1
            if done:
                break
            time.sleep(0.01)
        final = [a["content_hash"] for a in reader.articles(source="writer")]
    writer.stdout.close()
    assert writer.returncode == 0
    assert counts == sorted(counts) and found == sorted(found)  # each read sees a consistent, growing archive
    assert rounds > 3 and counts[0] < n  # reads ran while the writer was writing
    assert len(final) == n == counts[-1]
    with Archive.open(db, readonly=True) as reader:
        assert sum(1 for _ in reader.search("Z00399", limit=None)) == 1


def run(*args):
    return subprocess.run([sys.executable, "-m", "archive", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("command", [["search", "招商"], ["export", "--format", "jsonl"], ["stats"],
                                     ["reextract", "--sources", "sources.toml"], ["serve", "--port", "0"]])
def test_every_command_exits_2_on_an_unusable_db(tmp_path, command):
    missing = tmp_path / "missing.db"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not SQLite" * 100)
    for db in (missing, junk, tmp_path):
        proc = run(*command, "--db", str(db))
        assert proc.returncode == 2, (command, db, proc.stderr)
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert not missing.exists()


def test_stats(sample_db):
    with Archive.open(sample_db, readonly=True) as archive:
        stats = archive.stats()
    assert set(stats) == {"source", "outlet", "region"}
    total = archive_total = sum(r["articles"] for r in stats["source"])
    assert total == sum(r["articles"] for r in stats["region"]) == sum(r["articles"] for r in stats["outlet"])
    jl = next(r for r in stats["source"] if r["source"] == "jlcity")
    assert jl["first_published"] <= jl["last_published"] and jl["pages"] >= jl["articles"]
    assert jl["error_rate"] == 0
    proc = run("stats", "--db", str(sample_db), "--json")
    assert json.loads(proc.stdout) == json.loads(json.dumps(stats))
    plain = run("stats", "--db", str(sample_db)).stdout  # piped: plain text
    assert "per region" in plain and "吉林市" in plain and "\x1b[" not in plain
    assert archive_total > 15


def test_stats_error_rate(tmp_path):
    from archive.db import PageRecord

    with Archive.open(tmp_path / "e.db") as archive:
        for i, outcome in enumerate(["error", "error", "irrelevant", "empty"]):
            archive.record_page(PageRecord(url=f"http://e.test/{i}", source="e", status=500 if outcome == "error"
                                           else 200, fetched_at="2024-01-01T00:00:00+08:00", outcome=outcome))
        stats = archive.stats()
    assert stats["source"] == [{"source": "e", "articles": 0, "first_published": None, "last_published": None,
                                "last_crawl": None, "pages": 4, "errors": 2, "error_rate": 0.5}]


def test_open_errors(tmp_path):
    with pytest.raises(ArchiveError):
        Archive.open(tmp_path / "nope.db", readonly=True)


def test_record_pages_writes_together_and_a_bad_page_fails_alone(tmp_path):
    from archive.db import PageRecord
    from archive.normalize import content_hash

    def entry(i, article=True):
        text = f"第{i}号招商项目签约，总投资{i + 1}亿元。"
        page = PageRecord(url=f"http://g.test/{i}", source="g", status=200,
                          fetched_at="2024-01-01T00:00:00+08:00", outcome="archived")
        return page, ({"content_hash": content_hash(text), "title": f"项目{i}", "text": text} if article else None), None

    with Archive.open(tmp_path / "g.db") as archive:
        bad = entry(1)
        bad[1]["text"] = 42  # not a text: derivation fails on it
        out = archive.record_pages([entry(0), bad, entry(2), entry(0)])
        assert out[0] == "archived" and isinstance(out[1], Exception) and out[2:] == ["archived", "duplicate"]
        assert [r[0] for r in archive.conn.execute("SELECT url FROM pages ORDER BY url")] == \
            ["http://g.test/0", "http://g.test/2"]
        assert archive.count("articles") == 2 and archive.count("facts") == 2
        assert archive.conn.execute("SELECT count(*) FROM articles_search").fetchone()[0] == 2
