"""Hanweb (大汉) jpage lists.

A Hanweb column page carries its first group of records (usually 3 pages × 15) inside
``<script type="text/xml"><datastore><nextgroup>…</nextgroup><recordset><record><![CDATA[<li><a href=…>]]>``,
and a call ``$('#unit').jpage({... proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15,
ajaxParam: {col, appid, webid, path, columnid, sourceContentType, unitid, webname, permissiontype}})``.
The browser loads every later group with
``POST dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` and those form fields; the answer is the
same XML with a ``<totalrecord>``. Without the call, ``nextgroup`` links a GET form
``dataproxy.jsp?page=1&appid=…&columnid=…`` of the next group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
_JPAGE = re.compile(r"\.jpage\s*\(\s*\{")
_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w./-]+))""")
_AJAX = re.compile(r"ajaxParam\s*:\s*\{([^{}]*)\}", re.S)
# the fields without which dataproxy.jsp cannot tell which column is meant
REQUIRED_FORM = ("appid", "webid", "columnid", "unitid")
MAX_RECORDS = 10_000  # a group asks for at most this many records, whatever the page claims


class JpageError(ValueError):
    """A jpage call the crawler cannot use (the message names what is missing)."""


@dataclass(frozen=True)
class Jpage:
    """What a page's ``jpage({...})`` call tells: where and how to fetch further groups."""

    proxy_url: str
    per_page: int = 15
    group_pages: int = 3
    total: int | None = None
    form: dict[str, str] = field(default_factory=dict)

    @property
    def group_size(self) -> int:
        return self.per_page * self.group_pages


@dataclass(frozen=True)
class Datastore:
    """Records of a column page or a dataproxy answer."""

    hrefs: list[str]
    records: int
    total: int | None
    nextgroup: list[str]


def datastore(text: str) -> Datastore:
    """The record links, the record count, ``<totalrecord>`` and the ``nextgroup`` links of ``text``."""
    records = _RECORD.findall(text)
    hrefs = [h for chunk in records for h in _HREF.findall(chunk)]
    nextgroup = [h for chunk in _NEXTGROUP.findall(text) for h in _HREF.findall(chunk)]
    total = _TOTAL.search(text)
    return Datastore(hrefs, len(records), int(total.group(1)) if total else None, nextgroup)


def _call_body(html: str, start: int) -> str:
    depth = 0
    for i in range(start, min(len(html), start + 20_000)):
        if html[i] == "{":
            depth += 1
        elif html[i] == "}":
            depth -= 1
            if depth == 0:
                return html[start:i + 1]
    return html[start:start + 20_000]


def _pairs(text: str) -> dict[str, str]:
    return {key: single or double or bare for key, single, double, bare in _PAIR.findall(text)}


def _int(value: str | None, default: int | None) -> int | None:
    return int(value) if value and value.isdigit() else default


def jpage_config(html: str) -> Jpage | None:
    """The page's jpage call; None without one, ``JpageError`` when one is there but unusable."""
    found = _JPAGE.search(html)
    if not found:
        return None
    body = _call_body(html, found.end() - 1)
    ajax = _AJAX.search(body)
    top = _pairs(_AJAX.sub("", body))
    form = _pairs(ajax.group(1)) if ajax else {}
    missing = [k for k in REQUIRED_FORM if not form.get(k)]
    if not top.get("proxyUrl"):
        missing.insert(0, "proxyUrl")
    if missing:
        raise JpageError(f"jpage call without {', '.join(missing)}")
    return Jpage(proxy_url=top["proxyUrl"], per_page=max(1, _int(top.get("perPage"), 15)),
                 group_pages=max(1, _int(top.get("groupSize"), 3)), total=_int(top.get("totalRecord"), None),
                 form=form)


def group_request(jpage: Jpage, page_url: str, start: int) -> tuple[str, dict[str, str]]:
    """(URL, form) of the POST that fetches the group beginning at record ``start`` (1-based)."""
    end = start + min(jpage.group_size, MAX_RECORDS) - 1
    url = urljoin(page_url, jpage.proxy_url)
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": jpage.per_page})
    return f"{url}{'&' if '?' in url else '?'}{query}", dict(jpage.form)


def next_get_group(url: str) -> str | None:
    """The GET form's following group: ``page=N`` becomes ``page=N+1`` (None without a page number)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k == "page" and v.isdigit() for k, v in query):
        return None
    query = [(k, str(int(v) + 1) if k == "page" and v.isdigit() else v) for k, v in query]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))
