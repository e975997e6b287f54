"""The extraction pool's wire format: a frame is an 8-byte big-endian length, then that many
bytes (a pickle). Shared by the crawl process (``extract_pool``) and its workers (``extract_worker``)."""

import struct

FRAME = struct.Struct(">Q")
