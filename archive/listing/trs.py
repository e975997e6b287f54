"""TRS WCM (拓尔思) and TRS 海云 list pagers.

TRS writes a column's list pages as ``index.html``, ``index_1.html`` … ``index_{N-1}.html`` in one
folder, and the pager is only JavaScript, so no ``<a href>`` leads to page 2::

    createPageHTML(12, 0, "index", "html");            // WCM: count, current, name, extension
    var countPage = 12//共多少页  var currentPage = 0   // WCM, the variables form
    createPageHTML('page_div', 12, 1, 'index', 'shtml', 236);   // 海云: div, count, current, name, ext, total

WCM numbers from 0 (``index.html``, ``index_1.html`` …); 海云 from 1 (``list.shtml``, then
``list_2.shtml`` …: there is no ``list_1.shtml``). Which page we are on is read from the page's own
URL, not from the call's current-page argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_COUNT = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT = re.compile(r"\bvar\s+currentPage\s*=\s*['\"]?(\d+)")
_NAME = re.compile(r"^[\w-]{1,40}$")
_EXT = re.compile(r"^\.?([a-z]{2,6})$", re.I)


@dataclass(frozen=True)
class TrsPager:
    """A TRS pager: ``count`` list pages named ``{name}.{ext}``, ``{name}_1.{ext}`` …"""

    count: int
    name: str = "index"
    ext: str = "html"
    first: int = 0  # the number of the first page: 0 (WCM) or 1 (海云)


def _args(call: str) -> list[str]:
    return [a.strip().strip("'\"").strip() for a in call.split(",")]


def _from_call(args: list[str], html: str) -> TrsPager | None:
    first = 0
    if args and not args[0].isdigit() and len(args) >= 5 and args[1].isdigit():
        args, first = args[1:], 1  # 海云: the first argument is the pager's div id
    if len(args) < 4:
        return None
    count = args[0]
    if not count.isdigit():  # createPageHTML(countPage, currentPage, …): the variables hold the numbers
        found = _COUNT.search(html)
        count = found.group(1) if found else ""
    name, ext = args[2], _EXT.match(args[3])
    if not count.isdigit() or not _NAME.match(name) or not ext:
        return None  # also the function's own definition: createPageHTML(_nPageCount, _nCurrIndex, …)
    return TrsPager(int(count), name, ext.group(1).lower(), first)


def trs_pager(html: str, page_url: str) -> TrsPager | None:
    """The TRS pager of a list page, or None when it has none."""
    for call in _CALL.finditer(html):
        pager = _from_call(_args(call.group(1)), html)
        if pager is not None:
            return pager
    count = _COUNT.search(html)
    if count and _CURRENT.search(html):
        name, _, ext = urlsplit(page_url).path.rsplit("/", 1)[-1].partition(".")
        name = re.sub(r"_\d+$", "", name) or "index"
        return TrsPager(int(count.group(1)), name if _NAME.match(name) else "index", ext or "html")
    return None


def page_number(pager: TrsPager, page_url: str) -> int | None:
    """``pager.first`` for ``index.html`` (or the folder itself), N for ``index_N.html``; None for another file."""
    filename = urlsplit(page_url).path.rsplit("/", 1)[-1]
    if filename in ("", f"{pager.name}.{pager.ext}"):
        return pager.first
    found = re.fullmatch(rf"{re.escape(pager.name)}_(\d+)\.{re.escape(pager.ext)}", filename)
    return int(found.group(1)) if found else None


def page_url(pager: TrsPager, list_url: str, number: int) -> str:
    """The URL of list page ``number`` (``pager.first`` is the first) in ``list_url``'s folder."""
    name = pager.name if number == pager.first else f"{pager.name}_{number}"
    return urljoin(list_url, f"{name}.{pager.ext}")


def next_page(pager: TrsPager, list_url: str) -> str | None:
    """The list page after ``list_url``, or None on the last page (or a page the pager does not name)."""
    number = page_number(pager, list_url)
    if number is None or number + 1 - pager.first >= pager.count:
        return None
    return page_url(pager, list_url, number + 1)
