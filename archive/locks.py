"""One crawl per source at a time, across processes: an advisory file lock per source.

``fcntl.flock`` locks belong to the open file: the OS releases them when the holder exits,
however it exits (SIGKILL and crashes included), so a dead crawler never blocks its source.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class SourceLock:
    """An exclusive, non-blocking lock on ``<db>.locks/<source>.lock``."""

    def __init__(self, db_path: str, source: str):
        self.source = source
        self.path = Path(f"{db_path}.locks") / f"{source}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock; False (at once) when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        try:  # the holder's pid, for people; the lock itself is the flock (a full disk must not stop it)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def held_elsewhere(self) -> bool:
        """True when another process holds the lock right now."""
        if self.acquire():
            self.release()
            return False
        return True
