"""What the extraction pool's worker processes run: ``process_page`` over a batch of pages.

A module of its own so that a worker imports ``archive`` only, not Scrapy and Twisted (spawned
workers import the module of the function they are sent).
"""

from __future__ import annotations

import pickle

from archive.pipeline import process_page


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (it goes back to the crawl process), else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def process_batch(jobs: list[tuple]) -> list[tuple[bool, object]]:
    """``(True, process_page(*args))`` or ``(False, exception)`` for each job, in order: one bad page
    fails only its own item."""
    out: list[tuple[bool, object]] = []
    for args in jobs:
        try:
            out.append((True, process_page(*args)))
        except Exception as exc:
            out.append((False, _sendable(exc)))
    return out
