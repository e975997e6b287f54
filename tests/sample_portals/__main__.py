"""CLI: `python -m tests.sample_portals serve [--base-port 18700] [--sources-out FILE] [--log FILE]`."""

import argparse
import signal
import sys
import threading

from .server import serve_portals


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.sample_portals")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every portal until SIGTERM/SIGINT")
    serve.add_argument("--base-port", type=int, default=18700, help="port of the first site (default 18700)")
    serve.add_argument("--sources-out", help="write a sources.toml for the running portals")
    serve.add_argument("--log", help="append one JSON line per request to this file")
    serve.add_argument("--root", help="folder holding one sub-folder per site (default: the packaged sites/)")
    commands.add_parser("build", help="regenerate sites/ and expected.json from articles.py")
    args = parser.parse_args(argv)
    if args.command == "build":
        from .build import build
        build()
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with serve_portals(root=args.root, base_port=args.base_port, log_path=args.log) as portals:
        if args.sources_out:
            portals.write_sources(args.sources_out)
        for site in portals.sites:
            print(site, portals.url(site), flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
