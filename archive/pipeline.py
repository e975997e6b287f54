"""From a fetched article page to what the archive stores: outcome, page row, article row.

``process_page`` is pure (bytes and settings in, records out) so the crawler can run it
in a process pool, and ``reextract`` can run it over stored pages. Outcomes:

- ``archived`` / ``duplicate``: relevant text (duplicate is decided by the archive write)
- ``irrelevant``: text, but not about 招商引资 (page kept, article not)
- ``attachment``: PDF, Word, images linked as articles: recorded, never extracted
- ``empty``: nothing that looks like an article body
- ``error``: HTTP error or transport failure (``reason`` says which), or ``garbled text``: bytes
  that decoded into characters that are no language (the raw page is kept for re-extraction)
- ``blocked``: not fetched: robots.txt forbids it, or a redirect left the source's hosts
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import PageRecord, compress
from .extract import ExtractOptions, Extraction, extract_article

ATTACHMENT_TYPES = ("application/pdf", "application/msword", "application/vnd.", "application/zip",
                    "application/x-rar", "image/", "video/", "audio/", "application/octet-stream")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar",
                         ".7z", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".wps", ".mp4", ".mp3")
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!",
          b"7z\xbc\xaf")
GARBLED = "garbled text"  # the reason of an error outcome whose text is no language
_HTMLISH = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


@dataclass
class FetchedPage:
    """An article page as fetched (the first page, plus continuation pages if any)."""

    url: str
    source: str
    status: int | None
    fetched_at: str
    headers: dict[str, str]
    body: bytes
    more_pages: tuple[tuple[bytes, str], ...] = ()
    final_url: str | None = None
    reason: str | None = None  # transport failure, when there is no response
    outcome: str | None = None  # set by the fetcher when there is no response: "error" or "blocked"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "") if self.headers else ""


_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|p)\b", re.I | re.S)


def looks_like_html(body: bytes) -> bool:
    """True when the bytes start like an HTML document, whatever the Content-Type says."""
    return bool(_HTML_START.match(body[:2048].lstrip(b"\xef\xbb\xbf")))


def attachment_kind(url: str, content_type: str, body: bytes) -> str | None:
    """Why this response is an attachment rather than a page ("application/pdf", ".docx", ...), or None.

    The bytes decide first (magic numbers, an HTML start), the Content-Type and the URL's
    extension only when the bytes say nothing: portals send HTML as octet-stream and PNGs as
    text/html.
    """
    ctype = content_type.split(";")[0].strip().lower()
    if any(body.startswith(m) for m in _MAGIC):
        return f"binary content ({ctype or 'no content type'})"
    if looks_like_html(body):
        return None
    if ctype and not ctype.startswith(_HTMLISH) and ctype.startswith(ATTACHMENT_TYPES):
        return ctype
    path = url.split("?", 1)[0].lower()
    if path.endswith(ATTACHMENT_EXTENSIONS) and not ctype.startswith("text/html"):
        return "." + path.rsplit(".", 1)[-1]
    return None


def article_row(ex: Extraction, region: str | None) -> dict:
    """The ``articles`` columns of an extraction (url/source/seen dates are set on write)."""
    return {
        "content_hash": ex.content_hash, "title": ex.title, "text": ex.text, "text_original": ex.text_original,
        "published_at": ex.published_at, "outlet": ex.outlet, "region": region, "author": ex.author,
        "editor": ex.editor, "original_title": ex.original_title, "relevance": ex.relevance,
        "suspect_encoding": int(ex.suspect_encoding), "extractor_version": ex.extractor_version,
    }


def process_page(page: FetchedPage, options: ExtractOptions, region: str | None,
                 keep_body: bool = True) -> tuple[PageRecord, dict | None]:
    """Decide a fetched page's outcome; extract it when it is an HTML page with status 200."""
    record = PageRecord(
        url=page.url, source=page.source, status=page.status, fetched_at=page.fetched_at,
        outcome=page.outcome or "error", reason=page.reason, content_type=page.content_type or None,
        headers=page.headers or None, final_url=page.final_url,
        body_z=compress(page.body) if keep_body and page.body else None,
        body_size=len(page.body) if page.body is not None else None,
    )
    if page.status is None or page.status != 200:
        record.reason = page.reason or f"HTTP {page.status}"
        return record, None
    kind = attachment_kind(page.final_url or page.url, page.content_type, page.body)
    if kind:
        record.outcome, record.reason = "attachment", kind
        return record, None
    if not page.body.strip():
        record.outcome, record.reason = "empty", "empty body"
        return record, None
    ex = extract_article([(page.body, page.final_url or page.url), *page.more_pages], page.content_type, options)
    record.encoding = ex.encoding
    if ex.text and ex.garbled:  # the raw page stays: a better decoder can re-extract it
        record.outcome, record.reason = "error", GARBLED
        return record, None
    record.line_keys = ex.line_keys or None
    if not ex.text:
        record.outcome, record.reason = "empty", "no article text found"
        return record, None
    if not ex.relevant:
        record.outcome, record.reason = "irrelevant", f"relevance {ex.relevance} < {options.relevance.threshold}"
        record.content_hash = ex.content_hash
        return record, None
    record.outcome = "archived"
    if ex.suspect_encoding:
        record.reason = "suspect encoding"
    return record, article_row(ex, region)
