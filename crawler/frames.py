"""The extraction pool's pipes: a frame is an 8-byte big-endian length, then that many bytes (a
pickle). Shared by the crawl process (``extract_pool``) and its workers (``extract_worker``)."""

import fcntl
import struct

FRAME = struct.Struct(">Q")
PIPE_SIZE = 1 << 20


def widen_pipe(pipe) -> None:
    """Give a pipe a 1 MiB buffer (Linux; 64 KiB by default): a batch of pages goes through in one
    write instead of a dozen, each a wake-up of the crawl's event loop (measured: 0.17 ms of the crawl
    process's CPU a page). Best effort: the pipe works the same without."""
    if pipe is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:
        pass  # above /proc/sys/fs/pipe-max-size, or not a pipe
