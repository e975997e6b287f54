"""Traditional -> Simplified (opencc ``t2s``) and the content hash that identifies an article."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import opencc

_WS = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in Simplified Chinese (opencc ``t2s``; Simplified input comes back unchanged)."""
    return _t2s().convert(text) if text else text


def hash_basis(text: str) -> str:
    """What the content hash is computed over: NFKC-normalised text with all whitespace removed."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def content_hash(simplified_text: str) -> str:
    """SHA-256 (hex) of ``hash_basis(simplified_text)``: the article's identity in the archive.

    The same article from a Big5 mirror and a GBK city paper has the same Simplified body,
    so the same hash; layout differences (indents, line breaks, full/half-width forms) vanish.
    """
    return hashlib.sha256(hash_basis(simplified_text).encode("utf-8")).hexdigest()
