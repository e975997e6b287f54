"""The single writer of a distributed crawl: drain the workers' Redis list into SQLite.

SQLite keeps one writer, so workers on other machines never open the archive: they push one
JSON message per fetched page (and per run start/end) onto ``zhaoshang:items``, and
``python -m archive ingest --redis URL --db FILE`` applies them, the pages of up to ``BATCH``
waiting messages in one transaction. A message is moved to ``zhaoshang:items:processing`` while
it is applied and removed only after its transaction commits, so a writer killed midway loses nothing (the next writer puts unfinished messages
back first; re-applying a page message is harmless: the URL is the key).
After a page with a final outcome is committed its URL joins ``zhaoshang:done``: the set the
workers check instead of the archive's ``pages`` table.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections import Counter
from dataclasses import asdict

from .db import FINAL_OUTCOMES, Archive, PageRecord
from .derived import Prepared

log = logging.getLogger(__name__)

PREFIX = "zhaoshang"
ITEMS = f"{PREFIX}:items"
PROCESSING = f"{PREFIX}:items:processing"
DONE = f"{PREFIX}:done"
RUN_IDS = f"{PREFIX}:runs"  # worker run key -> crawl_runs.id
BATCH = 64  # messages the writer takes at once: their pages go in one transaction
RUN_COUNTS = f"{PREFIX}:run-outcomes:"  # + run key: outcome tallies made by the writer
COUNT_FIELDS = ("list_pages", "article_pages", "not_modified", "archived", "duplicates", "irrelevant",
                "errors", "bytes")


# --- messages ----------------------------------------------------------------------------------
def page_message(run: str, record: PageRecord, article: dict | None, prepared: Prepared | None = None) -> bytes:
    """One fetched page for the writer; with ``prepared``, the article's facts and places rows as the
    worker computed them (the writer then computes only the story)."""
    rec = asdict(record)
    rec["body_z"] = base64.b64encode(record.body_z).decode("ascii") if record.body_z else None
    msg = {"type": "page", "run": run, "record": rec, "article": article}
    if prepared is not None:
        msg["facts"], msg["places"] = prepared.facts, prepared.places
    return json.dumps(msg, ensure_ascii=False).encode("utf-8")


def run_message(kind: str, run: str, **fields) -> bytes:
    return json.dumps({"type": kind, "run": run, **fields}, ensure_ascii=False).encode("utf-8")


def _record(data: dict) -> PageRecord:
    data = dict(data)
    data["body_z"] = base64.b64decode(data["body_z"]) if data.get("body_z") else None
    return PageRecord(**data)


def _prepared(msg: dict) -> Prepared | None:
    """The facts and places a worker sent (None from a worker that sends none: the writer derives them)."""
    if "facts" not in msg or "places" not in msg:
        return None
    return Prepared([tuple(r) for r in msg["facts"]], [tuple(r) for r in msg["places"]])


# --- the writer ------------------------------------------------------------------------------------
def connect(url: str):
    """A Redis client for ``url`` (redis://host:port/db), checked with a PING."""
    import redis

    client = redis.Redis.from_url(url)
    client.ping()
    return client


def apply(archive: Archive, client, raws: list[bytes]) -> list[str]:
    """Apply messages in order; what each was ("page:<outcome>", "run_start", ...). Consecutive
    page messages are written in one transaction (``Archive.record_pages``)."""
    results: list[str] = []
    pages: list[dict] = []
    for raw in raws:
        msg = json.loads(raw)
        if msg["type"] == "page":
            pages.append(msg)
            continue
        results += _apply_pages(archive, client, pages)
        pages = []
        results.append(_apply_run(archive, client, msg))
    return results + _apply_pages(archive, client, pages)


def _apply_pages(archive: Archive, client, msgs: list[dict]) -> list[str]:
    results, entries, written = [], [], []
    seen: set[tuple[str, str]] = set()
    for msg in msgs:
        record = _record(msg["record"])
        again = archive.conn.execute("SELECT outcome FROM pages WHERE url = ? AND fetched_at = ?",
                                     (record.url, record.fetched_at)).fetchone()
        if again or (record.url, record.fetched_at) in seen:
            # applied before a writer died, not yet removed from the processing list
            results.append(f"page:{again[0] if again else 'queued'}:again")
            continue
        seen.add((record.url, record.fetched_at))
        entries.append((record, msg.get("article"), _prepared(msg)))
        written.append(msg.get("run", ""))
    failed = None
    for run, (record, _, _), outcome in zip(written, entries, archive.record_pages(entries) if entries else []):
        if isinstance(outcome, Exception):
            failed = failed or outcome
            continue
        key = {"duplicate": "duplicates", "error": "errors", "empty": "errors"}.get(outcome, outcome)
        client.hincrby(RUN_COUNTS + run, key, 1)
        if outcome in FINAL_OUTCOMES:
            client.sadd(DONE, record.url)
        results.append(f"page:{outcome}")
    if failed is not None:
        raise failed  # the message stays on the processing list; the others are written and counted
    return results


def _apply_run(archive: Archive, client, msg: dict) -> str:
    run = msg.get("run", "")
    if msg["type"] == "run_start":
        if client.hget(RUN_IDS, run) is None:
            run_id = archive.start_run(msg["source"], msg.get("trigger", "manual"))
            client.hset(RUN_IDS, run, run_id)
        return "run_start"
    if msg["type"] == "run_end":
        run_id = client.hget(RUN_IDS, run)
        if run_id is not None:
            tallies = {k.decode(): int(v) for k, v in client.hgetall(RUN_COUNTS + run).items()}
            counts = Counter({k: int(msg.get("counts", {}).get(k, 0)) for k in
                              ("list_pages", "article_pages", "not_modified", "bytes")})
            counts.update({k: v for k, v in tallies.items() if k in COUNT_FIELDS})
            counts["errors"] += int(msg.get("counts", {}).get("list_errors", 0))
            archive.finish_run(int(run_id), counts, msg.get("ended", "finished"))
        return "run_end"
    raise ValueError(f"unknown message type {msg['type']!r}")


def ingest(redis_url: str, db: str, idle_exit: float | None = None, stop=None) -> Counter:
    """Drain the items list into the archive until ``idle_exit`` seconds pass with nothing (None: forever)."""
    client = connect(redis_url)
    archive = Archive.open(db)
    done: Counter = Counter()
    while client.lmove(PROCESSING, ITEMS, "RIGHT", "LEFT") is not None:
        done["recovered"] += 1  # left by a writer that died while applying them
    idle_since = time.monotonic()
    try:
        while stop is None or not stop.is_set():
            raw = client.blmove(ITEMS, PROCESSING, 1, "LEFT", "RIGHT")
            if raw is None:
                if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                    break
                continue
            batch = [raw]  # and what else is waiting, up to BATCH: one transaction for their pages
            while len(batch) < BATCH and (more := client.lmove(ITEMS, PROCESSING, "LEFT", "RIGHT")) is not None:
                batch.append(more)
            done.update(apply(archive, client, batch))
            pipe = client.pipeline(transaction=True)
            for item in batch:
                pipe.lrem(PROCESSING, 1, item)
            pipe.execute()
            idle_since = time.monotonic()
    finally:
        archive.close()
    return done
