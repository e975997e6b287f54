"""Stages of the text pipeline that grew past one function each: folding text for matching
(``fold``), per-source template learning (``templates``), garbled-text detection (``garbled``)
and the page-structure signals applied before trafilatura (``structure``).

Plain functions over strings, bytes and lxml trees; ``archive.extract`` calls them.
"""
