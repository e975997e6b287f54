"""What the extraction pool's worker processes run: ``process_page`` over a batch of pages, and
for each archived article its facts and places (``archive.derived.prepare_article``), so the crawl
process does not compute them.

A module of its own so that a worker imports ``archive`` only, not Scrapy and Twisted (spawned
workers import the module of the function they are sent).
"""

from __future__ import annotations

import pickle

from archive.derived import Prepared, prepare_article
from archive.records import PageRecord
from archive.pipeline import process_page


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (it goes back to the crawl process), else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def extract_page(*args) -> tuple[PageRecord, dict | None, Prepared | None]:
    """``process_page(*args)`` and, when it yields an article, its facts and places (the story
    sketch is left to the crawl process: see archive/derived.py)."""
    record, article = process_page(*args)
    return record, article, prepare_article(article, story=False) if article is not None else None


def process_batch(jobs: list[tuple]) -> list[tuple[bool, object]]:
    """``(True, extract_page(*args))`` or ``(False, exception)`` for each job, in order: one bad page
    fails only its own item."""
    out: list[tuple[bool, object]] = []
    for args in jobs:
        try:
            out.append((True, extract_page(*args)))
        except Exception as exc:
            out.append((False, _sendable(exc)))
    return out
