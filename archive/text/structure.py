"""Page-structure signals, applied to the parsed page before trafilatura reads it.

What a page's own markup says about a block holds on sites never seen, where a rule written
for one site's strings does not: a class or id naming what the block is (``share``,
``copyright``, ``article-footer``, ``editor-info``, ``statement``, ``crumb``), a link back to
the home page, a paragraph written as a ``<section>``.
"""

from __future__ import annotations

import re

import lxml.html

# Class/id *parts* (split on - and _) that name a non-article block whatever the site calls the
# rest: "article-share", "news_copyright", "page-footer", "bread-crumb", "left_qrcode",
# "editor-info" (the editor's block). Whole words only: "TRS_Editor" (a body) is the part
# "editor" beside "trs", so "editor" counts only as the first part of a longer name
# ("editor-info", "editor_box"), never alone or last.
# Related-news and comment blocks are not here: they follow the article, and their headings
# ("相关新闻") are what ends the body when trafilatura falls back to the whole page.
NOISE_PARTS = frozenset((
    "share copyright footer foot crumb breadcrumb qrcode erweima statement disclaimer shengming "
    "banquan toolbar sidebar advert subscribe"
).split())
EDITOR_PARTS = frozenset(["editor", "zrbj", "bianji"])
_SPLIT = re.compile(r"[-_\s]+")
# a block that holds this much of the page's text is the article, whatever its class says
MAX_SHARE = 0.4


def noise_name(value: str | None) -> bool:
    """Whether a class or id value names a block that is not article text."""
    if not value:
        return False
    for token in value.lower().split():
        parts = [p for p in _SPLIT.split(token) if p]
        if not NOISE_PARTS.isdisjoint(parts):
            return True
        if len(parts) > 1 and parts[0] in EDITOR_PARTS:
            return True
    return False


_HIDING_RULE = re.compile(r"\.([A-Za-z_][\w-]*)\s*\{[^{}]*?display\s*:\s*none", re.I)


def hidden_classes(tree: lxml.html.HtmlElement) -> frozenset[str]:
    """Classes the page's own ``<style>`` hides (``.x{display:none}``, simple selectors only)."""
    found: set[str] = set()
    for style in tree.iter("style"):
        found.update(m.lower() for m in _HIDING_RULE.findall(style.text or ""))
    return frozenset(found)


def prune_named_blocks(tree: lxml.html.HtmlElement) -> int:
    """Remove blocks whose class or id names them share bars, footers, crumbs, statements,
    editor boxes…, or that a class of the page's ``<style>`` hides, unless the block holds a
    large share of the page's text."""
    body = tree.find("body")
    total = None  # the page's text length, measured when a first candidate needs it
    hiding = hidden_classes(tree)
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        cls = el.get("class")
        if (noise_name(cls) or noise_name(el.get("id"))
                or (hiding and cls and not hiding.isdisjoint(cls.lower().split()))):
            if total is None:
                total = len((body if body is not None else tree).text_content()) or 1
            if len(el.text_content()) < MAX_SHARE * total:
                doomed.append(el)
    n = 0
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
            n += 1
    return n


_BACK_LINK = re.compile(r"^\s*(返回|回到)\S{0,12}\s*$")


def drop_back_links(tree: lxml.html.HtmlElement) -> int:
    """Remove "返回首页" / "返回某某，查看更多" links: navigation, even inside a paragraph."""
    doomed = [a for a in tree.iter("a") if _BACK_LINK.match(a.text_content() or "")]
    for a in doomed:
        a.drop_tree()  # keeps the tail text
    return len(doomed)


_BLOCKS = frozenset("p div section table ul ol li h1 h2 h3 h4 h5 h6 blockquote pre article figure".split())


def sections_as_paragraphs(tree: lxml.html.HtmlElement) -> int:
    """A ``<section>`` holding text and no block is a paragraph (WeChat's editors write them so);
    trafilatura reads ``<p>`` and skips such sections."""
    n = 0
    for el in tree.iter("section"):
        if (el.text or "").strip() and not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in el):
            el.tag = "p"
            n += 1
    return n


def hidden(el) -> bool:
    """Hidden from the reader by its own markup: ``display:none`` or the ``hidden`` attribute
    (``visibility:hidden`` is not: WeChat hides its body until its scripts run)."""
    style = el.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    return el.get("hidden") is not None
