"""Exports on a real archive: JSONL, CSV, Parquet (articles) and WARC (every stored raw page)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.db import Archive
from archive.export import EXPORT_COLUMNS, export
from archive.records import decompress
from tests.access_helpers import REPO, build_from_files


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = tmp_path_factory.mktemp("export") / "a.db"
    build_from_files(db).close()
    a = Archive.open(db, readonly=True)
    yield a
    a.close()


def expected_articles(archive: Archive, **filters) -> list[dict]:
    rows = list(archive.articles(**filters))
    for r in rows:
        r["urls"] = archive.urls(r["content_hash"])
    return rows


def test_jsonl_has_every_article_with_stable_columns(archive, tmp_path):
    out = tmp_path / "a.jsonl"
    n = export(archive.conn, "jsonl", str(out))
    lines = out.read_text("utf-8").splitlines()
    assert n == len(lines) == archive.count("articles") > 15
    rows = [json.loads(line) for line in lines]
    assert all(list(r) == list(EXPORT_COLUMNS) for r in rows)
    assert rows == expected_articles(archive)
    assert any(len(r["urls"]) > 1 for r in rows)  # the syndicated story: every URL
    assert "招商" in out.read_text("utf-8")  # UTF-8, not \\u escapes


def test_csv_round_trips(archive, tmp_path):
    out = tmp_path / "a.csv"
    export(archive.conn, "csv", str(out))
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == list(EXPORT_COLUMNS)
        rows = list(reader)
    expected = expected_articles(archive)
    assert len(rows) == len(expected)
    for row, exp in zip(rows, expected):
        d = dict(zip(EXPORT_COLUMNS, row))
        assert d["text"] == exp["text"]  # newlines inside quoted fields survive
        assert d["urls"].split(" ") == exp["urls"]


def test_parquet_schema_and_rows(archive, tmp_path):
    out = tmp_path / "a.parquet"
    export(archive.conn, "parquet", str(out))
    table = pq.read_table(out)
    assert table.schema.names == list(EXPORT_COLUMNS)
    assert str(table.schema.field("urls").type) == "list<element: string>"
    assert table.to_pylist() == expected_articles(archive)


def test_filters(archive, tmp_path):
    out = tmp_path / "f.jsonl"
    n = export(archive.conn, "jsonl", str(out), since="2022-11-01", until="2023-01-01", source="jlcity")
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert n == len(rows) > 0
    assert rows == expected_articles(archive, since="2022-11-01", until="2023-01-01", source="jlcity")


def test_warc_has_every_stored_page(archive, tmp_path):
    out = tmp_path / "pages.warc.gz"
    n = export(archive.conn, "warc", str(out))
    pages = {r[0]: r for r in archive.conn.execute(
        "SELECT url, status, fetched_at, headers, body FROM pages WHERE body IS NOT NULL")}
    assert n == len(pages) > 15
    seen = {}
    with out.open("rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type == "warcinfo":
                continue
            assert record.rec_type == "response"
            assert record.rec_headers.protocol == "WARC/1.1"
            url = record.rec_headers.get_header("WARC-Target-URI")
            seen[url] = (record.http_headers.get_statuscode(), record.http_headers.get_header("Content-Type"),
                         record.rec_headers.get_header("WARC-Date"), record.content_stream().read())
    assert set(seen) == set(pages)
    for url, (status, ctype, date, body) in seen.items():
        _, st, fetched, headers, body_z = pages[url]
        assert body == decompress(body_z)
        assert status == str(st)
        assert ctype == json.loads(headers)["content-type"]
        assert date.endswith("Z") and date[:10] == fetched[:10]


def test_export_command_to_stdout(archive):
    proc = subprocess.run([sys.executable, "-m", "archive", "export", "--db", archive.path, "--format", "jsonl",
                           "--source", "aqnews"], cwd=REPO, capture_output=True, check=True)
    rows = [json.loads(line) for line in io.TextIOWrapper(io.BytesIO(proc.stdout), encoding="utf-8")]
    assert rows and all(r["source"] == "aqnews" for r in rows)
    assert b"exported" in proc.stderr
    warc = subprocess.run([sys.executable, "-m", "archive", "export", "--db", archive.path, "--format", "warc"],
                          cwd=REPO, capture_output=True, check=True).stdout
    assert sum(1 for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response") == \
        archive.conn.execute("SELECT count(*) FROM pages WHERE body IS NOT NULL").fetchone()[0]
