"""Extraction alone, on N cores: ``archive.extract.extract_article`` over saved pages in a process pool.

    python -m bench.extract_alone --jobs N FILE...

The floor the crawl benchmark compares the full crawl with: the same extraction work the crawl's
pool does per article page, with no downloading and no archive. Prints one JSON line: pages,
seconds (pool start to last result) and the pages with text.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time

from archive.extract import ExtractOptions, extract_article

_OPTIONS = ExtractOptions()


def _one(path: str) -> bool:
    with open(path, "rb") as f:
        body = f.read()
    ex = extract_article([(body, "http://127.0.0.1/news/" + path.rsplit("/", 1)[-1])], "text/html; charset=utf-8",
                         _OPTIONS)
    return bool(ex.text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.extract_alone")
    ap.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        texts = sum(pool.imap_unordered(_one, args.files, chunksize=16))
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": len(args.files), "with_text": texts, "seconds": round(seconds, 3), "jobs": args.jobs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
