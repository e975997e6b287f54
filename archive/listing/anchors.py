"""Links of a list page: ``<a href>``, links in ``onclick`` handlers and ``data-href``/``data-url``.

信息公开目录 lists and many 集约化 templates make each item a ``<div onclick="window.open('…')">``
or a ``<li data-href="…">`` with no ``<a>``; a browser follows them all the same.
"""

from __future__ import annotations

import re

import lxml.html

# window.open('…'), location.href='…', window.location='…', location.assign('…'), self.location.replace("…")
_HANDLER = re.compile(
    r"""(?:\bwindow\.open|\blocation(?:\.href)?\s*=|\blocation\.(?:assign|replace))\s*\(?\s*(['"])([^'"]+)\1""")
_DATA_ATTRS = ("data-href", "data-url", "data-link")


def anchor_hrefs(tree: lxml.html.HtmlElement) -> list[str]:
    """``href`` values of ``<a>`` and ``<area>``, in page order."""
    return [a.get("href") for a in tree.iter("a", "area") if a.get("href")]


def handler_hrefs(tree: lxml.html.HtmlElement) -> list[str]:
    """URLs in ``onclick`` handlers and ``data-href``/``data-url``/``data-link`` attributes, in page order."""
    out: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        onclick = el.get("onclick")
        if onclick:
            out.extend(m.group(2) for m in _HANDLER.finditer(onclick))
        for attr in _DATA_ATTRS:
            value = el.get(attr)
            if value:
                out.append(value)
    return out
