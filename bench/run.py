"""``make bench``: every benchmark part, one table, and ``bench/results.json``.

Each part is a module with ``run(results)`` appending ``{"name", "value", "unit", "note"}``
rows. Timings are reported as ratios against a floor measured in the same run wherever the
part has one: these machines are noisy, absolute figures are not comparable across runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

PARTS = [
    ("extract", "bench.bench_extract"),
    ("crawl", "bench.bench_crawl"),
    ("archive", "bench.bench_archive"),
    ("recrawl", "bench.bench_recrawl"),
    ("shapes", "bench.bench_listshapes"),
    ("distributed", "bench.bench_distributed"),
    ("fleet", "bench.bench_fleet"),
    ("access", "bench.bench_access"),
    ("stories", "bench.bench_stories"),
]
OUT = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="run only these parts (repeatable)")
    args = ap.parse_args(argv)
    results: list[dict] = []
    durations: dict[str, float] = {}
    for name, module in PARTS:
        if args.only and name not in args.only:
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                print(f"[{name}] not available ({module} missing)", flush=True)
                continue
            raise
        print(f"[{name}] running ...", flush=True)
        started = time.perf_counter()
        mod.run(results)
        durations[name] = round(time.perf_counter() - started, 1)
        print(f"[{name}] took {durations[name]} s", flush=True)
    width = max((len(r["name"]) for r in results), default=10)
    print()
    for r in results:
        print(f"{r['name']:<{width}}  {r['value']:>12} {r['unit']:<10} {r.get('note', '')}")
    OUT.write_text(json.dumps({
        "cores": os.cpu_count(), "python": platform.python_version(), "machine": platform.machine(),
        "part_seconds": durations, "results": results,
    }, ensure_ascii=False, indent=2), "utf-8")
    print(f"\nwritten to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
