"""Links of a list page: ``<a href>``, links in ``onclick`` handlers and ``data-href``/``data-url``.

信息公开目录 lists and many 集约化 templates make each item a ``<div onclick="window.open('…')">``
or a ``<li data-href="…">`` with no ``<a>``; a browser follows them all the same.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html

# window.open('…'), location.href='…', window.location='…', location.assign('…'), self.location.replace("…")
_HANDLER = re.compile(
    r"""(?:\bwindow\.open|\blocation(?:\.href)?\s*=|\blocation\.(?:assign|replace))\s*\(?\s*(['"])([^'"]+)\1""")
# any other call with a URL-looking string: openDetail('/xxgk/1.shtml'), goUrl("content_2.html") …
_CALL_URL = re.compile(r"""\b[\w.$]+\s*\(\s*(['"])((?:https?://|/|\./|\.\./)[^'"\s]*|[^'"\s/]+(?:/[^'"\s]+)*"""
                       r"""\.(?:s?html?|jsp|aspx?|php)(?:\?[^'"\s]*)?)\1""")
_DATA_ATTRS = ("data-href", "data-url", "data-link")


def anchor_hrefs(tree: lxml.html.HtmlElement) -> list[str]:
    """``href`` values of ``<a>`` and ``<area>``, in page order."""
    return [a.get("href") for a in tree.iter("a", "area") if a.get("href")]


def script_urls(code: str) -> list[str]:
    """URLs a handler's code opens: ``window.open('…')``, ``location.href='…'``, ``openDetail('/x/1.html')``."""
    found = [m.group(2) for m in _HANDLER.finditer(code)]
    return found or [m.group(2) for m in _CALL_URL.finditer(code)]


def handler_hrefs(tree: lxml.html.HtmlElement) -> list[str]:
    """URLs in ``onclick`` handlers, ``javascript:`` links and ``data-href``/``data-url``/``data-link``
    attributes, in page order."""
    out: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        onclick = el.get("onclick")
        if onclick:
            out.extend(script_urls(onclick))
        href = el.get("href")
        if href and href.lstrip()[:11].lower() == "javascript:":
            out.extend(script_urls(href))
        for attr in _DATA_ATTRS:
            value = el.get(attr)
            if value:
                out.append(value)
    return out


_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def _number(url: str) -> int | None:
    """The last number in the URL's path and query (not its host or port)."""
    parts = urlsplit(url)
    found = _LAST_NUMBER.search(f"{parts.path}?{parts.query}")
    return int(found.group(1)) if found else None


def next_linked_page(candidates: list[str], current: str, current_is_list_page: bool) -> list[str]:
    """The list page to read after ``current`` among the pager links ``candidates``.

    Pagers link many pages at once (1 2 3 … 10 尾页); reading them in order — the lowest page
    number above the current one — lets pagination stop at the first page with nothing new
    instead of fetching every linked page. The start page (``current_is_list_page`` False, e.g.
    ``index.html``) counts as before every numbered page; from it, candidates without a number
    are all returned (nothing to order them by).
    """
    numbered = [(n, url) for url in candidates if (n := _number(url)) is not None and url != current]
    here = _number(current) if current_is_list_page else None
    later = [(n, url) for n, url in numbered if here is None or n > here]
    # an unnumbered pager link from a numbered page is the first page again
    unnumbered = [] if here is not None else [u for u in candidates if _number(u) is None and u != current]
    return unnumbered + ([min(later)[1]] if later else [])
