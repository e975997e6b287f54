"""Raw pages as stored: zstd from schema version 5, and the zlib rows of older archives still read."""

from __future__ import annotations

import io
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from archive.db import Archive
from archive.export import export
from archive.records import ZSTD_MAGIC, compress, decompress
from archive.reextract import reextract
from archive.schema import SCHEMA_VERSION
from archive.sources import parse_sources
from tests.access_helpers import build_from_files, sources_of


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=5000))
def test_compress_round_trips_and_writes_zstd(body):
    blob = compress(body)
    assert blob[:4] == ZSTD_MAGIC
    assert decompress(blob) == body


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=5000))
def test_zlib_rows_of_older_archives_still_read(body):
    assert decompress(zlib.compress(body, 3)) == body


def test_an_archive_written_before_zstd_exports_and_reextracts(tmp_path):
    db = tmp_path / "old.db"
    archive = build_from_files(db)
    originals = {url: decompress(body) for url, body in archive.conn.execute("SELECT url, body FROM pages")}
    # what a version-4 program wrote: zlib streams, and the file at version 4
    with archive.conn:
        for url, raw in originals.items():
            archive.conn.execute("UPDATE pages SET body = ? WHERE url = ?", (zlib.compress(raw, 3), url))
        archive.conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    archive.close()

    archive = Archive.open(db)
    assert archive.schema_version() == SCHEMA_VERSION
    stored = dict(archive.conn.execute("SELECT url, body FROM pages"))
    assert all(blob[:1] == b"\x78" for blob in stored.values())  # nothing rewritten by the migration

    out = io.BytesIO()
    export(archive.conn, "warc", out)
    warc = {r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
            for r in ArchiveIterator(io.BytesIO(out.getvalue())) if r.rec_type == "response"}
    assert warc == originals and len(warc) > 15

    before = archive.conn.execute("SELECT content_hash, text FROM articles ORDER BY 1").fetchall()
    summary = reextract(archive.conn, parse_sources(sources_of(archive)), jobs=1)
    assert summary.counts["pages"] > 15 and summary.counts["articles_removed"] == 0
    assert archive.conn.execute("SELECT content_hash, text FROM articles ORDER BY 1").fetchall() == before
    archive.close()
