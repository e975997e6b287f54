"""Links on list pages (every shape of ``archive.listing``), sitemaps and feeds.

A list page's links are its ``<a href>``s, the URLs in ``onclick`` handlers and ``data-href``
attributes, and the records of a Hanweb (大汉) ``<datastore>``, which a plain link extractor does
not see. Plain functions over decoded text.
"""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.etree as etree
import lxml.html

from .htmlpage import parse_html
from .listing.anchors import anchor_hrefs, handler_hrefs
from .listing.hanweb import datastore

_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "file:", "data:", "ftp:", "#")


def absolute(href: str, base_url: str) -> str | None:
    """``href`` resolved against ``base_url``; None for non-http links (javascript:, mailto:, …)."""
    href = href.strip()
    if not href or href.lower().startswith(_BAD_SCHEMES):
        return None
    try:
        url = urljoin(base_url, href)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


def base_href(tree: lxml.html.HtmlElement, page_url: str) -> str:
    base = tree.find(".//base")
    if base is not None and base.get("href"):
        return urljoin(page_url, base.get("href"))
    return page_url


def extract_links(html: str, page_url: str) -> list[str]:
    """Absolute http(s) URLs linked from a list page, in page order, without repeats."""
    tree = parse_html(html)
    base = base_href(tree, page_url)
    seen: dict[str, None] = {}
    records = datastore(html) if "<record" in html or "<nextgroup" in html else None
    hanweb = records.hrefs + records.nextgroup if records else []
    for href in anchor_hrefs(tree) + handler_hrefs(tree) + hanweb:
        url = absolute(href, base)
        if url:
            seen.setdefault(url.split("#", 1)[0], None)
    return list(seen)


def sitemap_links(xml: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    locs = lambda parent: [  # noqa: E731
        (el.text or "").strip() for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("loc")
        and el.getparent() is not None and isinstance(el.getparent().tag, str) and el.getparent().tag.endswith(parent)
    ]
    return [u for u in locs("url") if u], [u for u in locs("sitemap") if u]


def feed_links(xml: bytes) -> list[str]:
    """Item links of an RSS or Atom feed."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = el.tag.rsplit("}", 1)[-1]
        parent = el.getparent()
        plocal = parent.tag.rsplit("}", 1)[-1] if parent is not None and isinstance(parent.tag, str) else ""
        if local == "link" and plocal in ("item", "entry"):
            href = el.get("href") or (el.text or "").strip()
            if href and (el.get("rel") in (None, "alternate")):
                out.append(href)
    return out
