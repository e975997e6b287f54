"""Exports of the archive, streamed in constant memory: JSONL, CSV, Parquet (articles), WARC (raw pages).

Article exports have the columns ``EXPORT_COLUMNS`` in that order (documented in docs/search.md,
"Exports"); ``urls`` is every URL the article was seen at, first seen first (a JSON array in
JSONL, a list column in Parquet, space-separated in CSV). Rows come in publication order;
``since``/``until`` select ``published_at`` in ``[since, until)``. The WARC export writes one
WARC/1.1 ``response`` record per stored page (``fetched_at`` in ``[since, until)``), after a
``warcinfo`` record.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from itertools import chain
from typing import IO, Iterator

from .records import decompress

FORMATS = ("jsonl", "csv", "parquet", "warc")
EXPORT_COLUMNS = (
    "content_hash", "title", "text", "text_original", "published_at", "outlet", "region", "source", "url",
    "urls", "author", "editor", "original_title", "first_seen", "last_seen", "relevance",
    "suspect_encoding", "extractor_version", "story_id",
)
BATCH = 2000
# headers that describe the transfer, not the stored (already decoded) body
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


def _article_rows(conn: sqlite3.Connection, since: str | None, until: str | None,
                  source: str | None) -> Iterator[tuple]:
    where, params = [], []
    for col, op, val in (("published_at", ">=", since), ("published_at", "<", until), ("source", "=", source)):
        if val is not None:
            where.append(f"a.{col} {op} ?")
            params.append(val)
    cols = ", ".join(
        "(SELECT json_group_array(url) FROM (SELECT url FROM article_urls u WHERE u.content_hash = a.content_hash"
        " ORDER BY u.first_seen, u.url))" if c == "urls" else f"a.{c}" for c in EXPORT_COLUMNS)
    sql = (f"SELECT {cols} FROM articles a" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY a.published_at, a.content_hash")
    cur = conn.execute(sql, params)
    while True:
        rows = cur.fetchmany(BATCH)
        if not rows:
            return
        yield from rows


_URLS = EXPORT_COLUMNS.index("urls")


def write_jsonl(rows: Iterator[tuple], out: IO[str]) -> int:
    n = 0
    dumps = json.dumps
    for row in rows:
        d = dict(zip(EXPORT_COLUMNS, row))
        d["urls"] = json.loads(row[_URLS])
        out.write(dumps(d, ensure_ascii=False))
        out.write("\n")
        n += 1
    return n


def write_csv(rows: Iterator[tuple], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for row in rows:
        row = list(row)
        row[_URLS] = " ".join(json.loads(row[_URLS]))
        writer.writerow(row)
        n += 1
    return n


def parquet_schema():
    import pyarrow as pa

    types = {"urls": pa.list_(pa.string()), "relevance": pa.float64(), "suspect_encoding": pa.int64(),
             "story_id": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in EXPORT_COLUMNS])


def write_parquet(rows: Iterator[tuple], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(pa.PythonFile(out, mode="w"), schema, compression="zstd") as writer:
        batch: list[tuple] = []

        def flush():
            columns = list(zip(*batch))
            columns[_URLS] = [json.loads(u) for u in columns[_URLS]]
            writer.write_batch(pa.record_batch([pa.array(col, type=f.type) for col, f in zip(columns, schema)],
                                               schema=schema))
            batch.clear()

        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    return n


def warc_date(iso: str | None) -> str:
    """An archive time (ISO 8601 with offset) as a WARC-Date (UTC, ``Z``)."""
    if not iso:
        return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    dt = datetime.fromisoformat(iso)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone(timedelta(hours=8)))  # archive times are Beijing time
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_headers(status: int | None, headers_json: str | None, body_len: int):
    """The stored response's status line and headers, for a WARC ``response`` record."""
    from warcio.statusandheaders import StatusAndHeaders

    status = status or 200
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    headers = json.loads(headers_json) if headers_json else {}
    pairs = [(k.title(), str(v)) for k, v in headers.items() if k.lower() not in _TRANSFER_HEADERS]
    pairs.append(("Content-Length", str(body_len)))
    return StatusAndHeaders(f"{status} {phrase}", pairs, protocol="HTTP/1.1")


def write_warc(conn: sqlite3.Connection, out: IO[bytes], since: str | None, until: str | None,
               source: str | None, filename: str = "archive.warc.gz") -> int:
    """Every stored raw page as a WARC/1.1 ``response`` record (gzip per record); returns the count."""
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    from . import __version__

    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": f"zhaoshang-archive {__version__} (warcio)",
        "format": "WARC File Format 1.1",
        "description": "raw article pages stored by zhaoshang-archive; bodies as received (transfer "
                       "encodings removed)",
    }))
    where, params = ["body IS NOT NULL"], []
    for col, op, val in (("fetched_at", ">=", since), ("fetched_at", "<", until), ("source", "=", source)):
        if val is not None:
            where.append(f"{col} {op} ?")
            params.append(val)
    cur = conn.execute("SELECT url, final_url, status, fetched_at, headers, body, outcome, source FROM pages WHERE "
                       + " AND ".join(where) + " ORDER BY fetched_at, url", params)
    n = 0
    while True:
        rows = cur.fetchmany(200)
        if not rows:
            break
        for url, final_url, status, fetched_at, headers, body_z, outcome, src in rows:
            body = decompress(body_z)
            warc_headers = {"WARC-Date": warc_date(fetched_at)}
            if final_url and final_url != url:
                warc_headers["WARC-X-Final-URL"] = final_url
            warc_headers["WARC-X-Archive-Outcome"] = outcome or ""
            warc_headers["WARC-X-Archive-Source"] = src or ""
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                               length=len(body), http_headers=http_headers(status, headers, len(body)),
                                               warc_headers_dict=warc_headers)
            writer.write_record(record)
            n += 1
    return n


# --- other tables (``export --table facts|places|stories``), same formats but WARC -------------------
TABLES = ("articles", "facts", "places", "stories")
TABLE_COLUMNS = {
    "facts": ("content_hash", "story_id", "published_at", "region", "outlet", "title", "url", "kind", "text",
              "value", "value_max", "unit", "qualifier", "status", "measure", "period", "period_start", "period_end",
              "place", "adcode", "province", "prefecture", "part_of", "wording", "signed", "sentence", "char_start",
              "char_end"),
    "places": ("content_hash", "story_id", "published_at", "role", "adcode", "name", "level", "province",
               "prefecture", "mentions", "first_start", "candidates"),
    "stories": ("story_id", "title", "published_at", "first_seen", "articles", "outlets", "first_article"),
}
_TABLE_SQL = {
    "facts": ("SELECT f.content_hash, a.story_id, a.published_at, a.region, a.outlet, a.title, a.url, f.kind, f.text,"
              " f.value, f.value_max, f.unit, f.qualifier, f.status, f.measure, f.period, f.period_start,"
              " f.period_end, f.place, f.adcode, f.province, f.prefecture, f.part_of, f.wording, f.signed,"
              " f.sentence, f.char_start, f.char_end"
              " FROM facts f JOIN articles a ON a.content_hash = f.content_hash", "a", "f.id"),
    "places": ("SELECT p.content_hash, a.story_id, a.published_at, p.role, p.adcode, p.name, p.level, p.province,"
               " p.prefecture, p.mentions, p.first_start, p.candidates FROM article_places p"
               " JOIN articles a ON a.content_hash = p.content_hash", "a", "p.rowid"),
    "stories": ("SELECT s.story_id, s.title, s.published_at, s.first_seen, s.articles, s.outlets, s.first_article"
                " FROM stories s JOIN articles a ON a.content_hash = s.first_article", "a", "s.story_id"),
}
_TABLE_TYPES = {"value": "float64", "value_max": "float64", "signed": "int64", "part_of": "int64",
                "char_start": "int64", "char_end": "int64", "story_id": "int64", "mentions": "int64", "first_start": "int64",
                "articles": "int64"}


def table_rows(conn: sqlite3.Connection, table: str, since: str | None = None, until: str | None = None,
               source: str | None = None) -> Iterator[tuple]:
    """Rows of ``TABLE_COLUMNS[table]`` in publication order (filters on the article's published_at/source)."""
    sql, alias, order = _TABLE_SQL[table]
    where, params = [], []
    for col, op, val in (("published_at", ">=", since), ("published_at", "<", until), ("source", "=", source)):
        if val is not None:
            where.append(f"{alias}.{col} {op} ?")
            params.append(val)
    cur = conn.execute(sql + (" WHERE " + " AND ".join(where) if where else "")
                       + f" ORDER BY {alias}.published_at, {order}", params)
    while True:
        rows = cur.fetchmany(BATCH)
        if not rows:
            return
        yield from rows


def export_table(conn: sqlite3.Connection, table: str, fmt: str, out: str | IO[bytes] = "-", *,
                 since: str | None = None, until: str | None = None, source: str | None = None) -> int:
    """``export`` for the tables of schema version 3 (facts, places, stories): JSONL, CSV or Parquet."""
    if table == "articles":
        return export(conn, fmt, out, since=since, until=until, source=source)
    if fmt not in ("jsonl", "csv", "parquet"):
        raise ValueError(f"--table {table} exports as jsonl, csv or parquet, not {fmt}")
    cols = TABLE_COLUMNS[table]
    rows = table_rows(conn, table, since, until, source)
    n = 0
    with _binary_out(out) as f:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = pa.schema([(c, getattr(pa, _TABLE_TYPES.get(c, "string"))()) for c in cols])
            with pq.ParquetWriter(pa.PythonFile(f, mode="w"), schema, compression="zstd") as writer:
                batch: list[tuple] = []
                for row in chain(rows, [None]):
                    if row is not None:
                        batch.append(row)
                        n += 1
                    if batch and (row is None or len(batch) >= BATCH):
                        columns = list(zip(*batch))
                        writer.write_batch(pa.record_batch(
                            [pa.array([None if v is None else (float(v) if fl.type == pa.float64() else v) for v in col],
                                      type=fl.type) for col, fl in zip(columns, schema)], schema=schema))
                        batch = []
            return n
        text = io.TextIOWrapper(f, encoding="utf-8", newline="" if fmt == "csv" else "\n", write_through=False)
        try:
            writer = csv.writer(text) if fmt == "csv" else None
            if writer:
                writer.writerow(cols)
            for row in rows:
                if writer:
                    writer.writerow(row)
                else:
                    text.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False))
                    text.write("\n")
                n += 1
        finally:
            text.flush()
            text.detach()
    return n


@contextmanager
def _binary_out(target: str | IO[bytes]):
    if target == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    elif isinstance(target, str):
        with open(target, "wb") as f:
            yield f
    else:
        yield target


def export(conn: sqlite3.Connection, fmt: str, out: str | IO[bytes] = "-", *, since: str | None = None,
           until: str | None = None, source: str | None = None) -> int:
    """Write the export ``fmt`` to ``out`` (a path, ``-`` for stdout, or a binary file); returns rows/records."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    with _binary_out(out) as f:
        if fmt == "warc":
            name = out if isinstance(out, str) and out != "-" else "archive.warc.gz"
            return write_warc(conn, f, since, until, source, filename=str(name).rsplit("/", 1)[-1])
        rows = _article_rows(conn, since, until, source)
        if fmt == "parquet":
            return write_parquet(rows, f)
        text = io.TextIOWrapper(f, encoding="utf-8", newline="" if fmt == "csv" else "\n",
                                write_through=False)
        try:
            return (write_jsonl if fmt == "jsonl" else write_csv)(rows, text)
        finally:
            text.flush()
            text.detach()
