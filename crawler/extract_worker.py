"""What the extraction pool's worker processes run: ``process_page`` over a batch of pages, and
for each archived article its facts and places (``archive.derived.prepare_article``),
so the crawl process does not compute them.

Run as ``python -m crawler.extract_worker`` by ``crawler.extract_pool``: batches arrive on stdin
and results leave on stdout, each a frame (``crawler.frames``: a length, then a pickle). A module of
its own so that a worker imports ``archive`` only, not Scrapy and Twisted.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import BinaryIO

from archive.derived import Prepared, prepare_article
from archive.pipeline import process_page
from archive.records import PageRecord

from .frames import FRAME, widen_pipe


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


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None at the end of the stream (the crawl process closed it or died)."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    size, = FRAME.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload


def serve(requests: BinaryIO, results: BinaryIO) -> None:
    """Answer each batch frame on ``requests`` with a frame of its results, until the stream ends."""
    while (payload := read_frame(requests)) is not None:
        answer = pickle.dumps(process_batch(pickle.loads(payload)), protocol=pickle.HIGHEST_PROTOCOL)
        results.write(FRAME.pack(len(answer)))
        results.write(answer)
        results.flush()


def main() -> None:
    # Ctrl-C reaches the whole process group: the crawl process decides when the pool stops (it
    # closes our stdin once the pages in flight are done), so a worker does not die under it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = os.fdopen(0, "rb")
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to stderr, not into the results stream
    widen_pipe(results)
    serve(requests, results)


if __name__ == "__main__":
    main()
