"""A throwaway ``redis-server`` on a free loopback port, for the distributed tests and the bench."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

from tests.access_helpers import free_port


@contextlib.contextmanager
def redis_server(workdir: Path):
    """Start ``redis-server`` (no persistence) and yield its URL; FileNotFoundError when not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
    import redis

    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)
