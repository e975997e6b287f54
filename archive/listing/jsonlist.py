"""Lists served as JSON (``list_api`` sources): the HTML page is an empty shell its script fills.

ucap / 集约化 portals answer e.g. ``/es-search/search/<channel>?_pageSize=20&page=N`` with
``{"total": …, "results": [{"title", "url", "publishedTimeStr"}]}``. The source names the dotted path
to the array (``items``) and the record field holding the article URL (``link``).
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from ..decode import decode_html

PAGE = "{page}"
# record fields that hold an article URL, most telling first (used by probe to propose `link`)
LINK_FIELDS = ("url", "link", "href", "docpuburl", "docurl", "linkurl", "pageurl", "art_url", "path")


class ListApiError(ValueError):
    """An answer that is not the JSON list the source describes (the message says what it was)."""


def api_page(template: str, page: int) -> str:
    """``template`` with ``{page}`` replaced by ``page``."""
    return template.replace(PAGE, str(page))


def api_form(form: dict[str, str], page: int) -> dict[str, str]:
    """A POST form with ``{page}`` replaced in its values."""
    return {k: api_page(str(v), page) for k, v in form.items()}


def load_json(body: bytes, content_type: str | None = None):
    """The JSON value of an answer; ``ListApiError`` naming what came instead."""
    text = decode_html(body, content_type).text.strip().lstrip("\ufeff")
    if not text:
        raise ListApiError("empty answer where JSON was expected")
    if text.startswith("<"):
        raise ListApiError(f"HTML or XML where JSON was expected: {text[:60]!r}")
    if text.endswith(")") and "(" in text[:80] and not text.startswith(("{", "[")):
        text = text[text.index("(") + 1:-1]  # JSONP: callback({...})
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ListApiError(f"not JSON ({exc.msg} at char {exc.pos}): {text[:60]!r}") from None


def items_at(data, path: str) -> list:
    """The array at the dotted ``path`` (``data.list``; ``""`` for the answer itself)."""
    node = data
    for key in [k for k in path.split(".") if k]:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise ListApiError(f"no key {key!r} on the path {path!r} in the answer")
    if not isinstance(node, list):
        raise ListApiError(f"{path!r} is {type(node).__name__}, not an array of records")
    return node


def record_links(records: list, link: str, api_url: str) -> list[str]:
    """The absolute article URLs in the records' ``link`` field (records without one are skipped)."""
    out: list[str] = []
    for record in records:
        value = record.get(link) if isinstance(record, dict) else None
        if isinstance(value, str) and value.strip():
            out.append(urljoin(api_url, value.strip()))
    return out


def api_links(body: bytes, items: str, link: str, api_url: str, content_type: str | None = None) -> list[str]:
    """Article URLs of one answer of a JSON list endpoint; ``ListApiError`` when it is not one."""
    return record_links(items_at(load_json(body, content_type), items), link, api_url)


def find_record_arrays(data, path: str = "", depth: int = 0) -> list[tuple[str, str, int]]:
    """Candidate (items path, link field, records) in a JSON answer: arrays of objects with a URL field."""
    found: list[tuple[str, str, int]] = []
    if depth > 4:
        return found
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data[:20]):
        keys = {k.lower(): k for r in data[:20] for k, v in r.items() if isinstance(v, str) and _looks_like_url(v)}
        for name in LINK_FIELDS + tuple(sorted(keys)):
            if name in keys:
                found.append((path, keys[name], len(data)))
                break
    elif isinstance(data, dict):
        for key, value in data.items():
            found += find_record_arrays(value, f"{path}.{key}" if path else str(key), depth + 1)
    return found


def _looks_like_url(value: str) -> bool:
    value = value.strip()
    return value.startswith(("http://", "https://", "/", "./", "../")) and " " not in value and len(value) < 500
