"""zhaoshang-archive: the SQLite archive and the text pipeline (usable without Scrapy).

``from archive import Archive`` opens an archive file; see docs/schema.md for its tables.
"""

from .db import Archive, ArchiveError

__all__ = ["Archive", "ArchiveError"]
__version__ = "0.1.0"
