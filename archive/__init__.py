"""zhaoshang-archive: the SQLite archive and the text pipeline (usable without Scrapy).

``from archive import Archive`` opens an archive file; see docs/schema.md for its tables.
"""

__all__ = ["Archive", "ArchiveError"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # imported on first use: a process that only extracts pages (the crawler's workers) need not
    # load the archive's modules (numpy for stories, the gazetteer, cn2an) to import archive.extract
    if name in __all__:
        from . import db

        return getattr(db, name)
    raise AttributeError(f"module 'archive' has no attribute {name!r}")
