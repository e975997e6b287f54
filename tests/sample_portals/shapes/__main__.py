"""CLI: `python -m tests.sample_portals.shapes [--n 40] [--bad] [--base-port P] [--sources-out F] [--log F]`.

Serves the shape portals until SIGTERM/SIGINT and prints one line per portal (name, URL, articles).
"""

import argparse
import signal
import sys
import threading

from . import bad_portals, serve_shapes, shape_portals


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.sample_portals.shapes", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=None, help="articles per portal (default: each portal's own)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bad", action="store_true", help="also serve the bad-input portals")
    ap.add_argument("--base-port", type=int, default=0, help="port of the first portal (default: ephemeral)")
    ap.add_argument("--sources-out", help="write a sources.toml for the running portals")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    args = ap.parse_args(argv)
    portals = shape_portals(args.n, args.seed) + (bad_portals() if args.bad else [])
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with serve_shapes(portals, base_port=args.base_port, log_path=args.log) as running:
        if args.sources_out:
            running.write_sources(args.sources_out)
        for p in running.portals:
            print(p.name, p.base, len(p.expected()), flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
