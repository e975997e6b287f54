"""Bytes to text for Chinese pages: HTTP header, BOM and ``<meta charset>`` honoured.

w3lib (Scrapy's own helper library) parses the header and the meta tag and maps the
legacy names to their supersets (gb2312/gbk -> gb18030, big5 -> big5hkscs); what it
does not do is notice a page that declares one charset and sends another, which
regional portals do often (gb2312 declared, UTF-8 sent). So the declared charset is
tried strictly first and the others only when it fails.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# Tried in this order when nothing is declared or the declaration is wrong.
FALLBACK_ENCODINGS = ("utf-8", "gb18030", "big5hkscs")
_CJK_LEGACY = {"gb18030", "big5hkscs"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec used, as Python names it
    declared: str | None  # what the header or the page said, normalised
    lossy: bool  # some bytes were invalid and replaced by U+FFFD


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)  # applies gb2312->gb18030, big5->big5hkscs
    if not resolved:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _has_multibyte_utf8(body: bytes) -> bool:
    return any(b >= 0x80 for b in body[:65536])


def decode_html(body: bytes, content_type: str | bytes | None = None) -> Decoded:
    """Decode an HTML page's bytes, never raising.

    Order: BOM, then the charset of ``content_type`` (the HTTP header), then the
    page's ``<meta>`` declaration, then UTF-8, GB18030, Big5-HKSCS. A declared legacy
    CJK charset loses to UTF-8 when the bytes are valid UTF-8 with non-ASCII in them
    (GBK text is almost never valid UTF-8, the reverse mistake is common).
    """
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1", "replace")
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        enc = _codec(bom_encoding) or "utf-8"
        return Decoded(body[len(bom):].decode(enc, "replace"), enc, enc, False)

    declared = _codec(http_content_type_encoding(content_type or "")) or _codec(
        html_body_declared_encoding(body[:16384])
    )
    candidates: list[str] = []
    if declared in _CJK_LEGACY and _has_multibyte_utf8(body):
        candidates.append("utf-8")
    if declared:
        candidates.append(declared)
    candidates.extend(e for e in FALLBACK_ENCODINGS if e not in candidates)
    for enc in candidates:
        text = _strict(body, enc)
        if text is not None:
            return Decoded(text, enc, declared, False)
        if enc == declared:
            # a few bad bytes in an otherwise right charset: keep it (lossy) rather than
            # "succeed" in another charset that happens to accept the bytes as mojibake
            lossy = body.decode(enc, "replace")
            if lossy.count("\ufffd") <= max(3, len(lossy) // 1000):
                return Decoded(lossy, enc, declared, True)
    # Nothing decodes cleanly: keep the best guess, mark the loss.
    enc = declared or _best_lossy(body)
    return Decoded(body.decode(enc, "replace"), enc, declared, True)


def _best_lossy(body: bytes) -> str:
    """The fallback encoding that replaces the fewest bytes."""
    return min(FALLBACK_ENCODINGS, key=lambda e: body.decode(e, "replace").count("\ufffd"))
