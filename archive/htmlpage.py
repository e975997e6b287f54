"""HTML processing before extraction: parse, drop ruby annotations, read what the page says.

Plain functions over lxml trees. Nothing here decides what the article is; it collects the
page's visible lines, meta tags, headline candidates and its "next page" link for
``extract`` and ``metadata``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from .text import structure
from .text.fold import fold

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead tr ul "
    "center option".split()
)
INVISIBLE_TAGS = frozenset(["script", "style", "noscript", "template", "head", "title", "iframe", "select"])
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_WS_RUN = re.compile(r"[ \t\r\f\v\xa0\u3000]+")


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse decoded HTML leniently (never raises on junk; an empty page gives an empty tree)."""
    # control characters are not text; lxml refuses them when text is set on an element later
    text = _XML_DECL.sub("", _CONTROL_CHARS.sub("", text))
    if not text.strip():
        text = "<html><body></body></html>"
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        tree = lxml.html.document_fromstring("<html><body></body></html>")
    _adopt_strays(tree)
    return tree


def _adopt_strays(tree: lxml.html.HtmlElement) -> None:
    """Move what a broken page left outside ``<body>`` into it, as browsers do: elements
    beside the body, and the second top-level element libxml2 makes of content after a stray
    ``</html>`` (server-side includes leave one). trafilatura reads the body only."""
    body = tree.find("body")
    if body is None or tree.tag != "html":
        return
    head_pos = 0
    for child in list(tree):
        if child is body or not isinstance(child.tag, str) or child.tag in ("head", "body"):
            continue
        if child.getnext() is not None and body in list(child.itersiblings()):
            body.insert(head_pos, child)  # before <body>: keep document order
            head_pos += 1
        else:
            body.append(child)
    for sib in list(tree.itersiblings()):
        if not isinstance(sib.tag, str):
            continue
        if sib.tag in ("html", "body"):
            for child in list(sib):
                if not isinstance(child.tag, str) or child.tag == "head":
                    continue
                for el in (list(child) if child.tag == "body" else [child]):
                    body.append(el)
        else:
            body.append(sib)


# huge_tree: real pages are sometimes deeply nested; no_network: never fetch DTDs
_PARSER = lxml.html.HTMLParser(huge_tree=True, no_network=True, remove_comments=True)


def strip_ruby(tree: lxml.html.HtmlElement) -> int:
    """Remove ``<rt>``/``<rp>`` ruby annotations in place, keeping the base text. Returns count."""
    removed = 0
    for el in tree.xpath("//rt|//rp"):
        el.drop_tree()  # drop_tree keeps the element's tail text
        removed += 1
    if removed:
        etree.strip_tags(tree, "ruby", "rb")  # base characters merge into the running text
    return removed


def visible_lines(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's visible text as lines (one per block element), whitespace collapsed.

    A newline in the source is whitespace like any other (a "发布时间：" label and the date
    on the next source line are one line); only block elements and ``<br>`` break lines.

    Iterative (an explicit stack), so a pathologically deep page cannot overflow recursion.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if closing:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail.replace("\n", " "))
            continue
        if tag is None or tag in INVISIBLE_TAGS or _hidden(el):
            if el.tail and el is not root:
                parts.append(el.tail.replace("\n", " "))
            continue
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if el.text:
            parts.append(el.text.replace("\n", " "))
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    lines = (_WS_RUN.sub(" ", ln).strip() for ln in "".join(parts).split("\n"))
    return [ln for ln in lines if ln]


_hidden = structure.hidden


def meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """``<meta name|property|itemprop=... content=...>`` as a dict, keys lower-cased (first wins)."""
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv")
        value = el.get("content")
        if key and value and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def title_text(tree: lxml.html.HtmlElement) -> str:
    """Text of the ``<title>`` element."""
    el = tree.find(".//title")
    return _WS_RUN.sub(" ", el.text_content()).strip() if el is not None else ""


HEADLINE_XPATH = (
    "//h1|//h2|//h3|//*[@id='activity-name']|//*[contains(@class,'title') or contains(@class,'Title')"
    " or contains(@id,'title') or contains(@class,'headline') or contains(@class,'biaoti')]"
)


def headline_candidates(tree: lxml.html.HtmlElement, limit: int = 40) -> list[str]:
    """Texts of elements that may hold the headline, in document order."""
    out: list[str] = []
    for el in tree.xpath(HEADLINE_XPATH)[:limit]:
        if el.tag in ("title", "meta", "head", "html", "body"):
            continue
        text = _WS_RUN.sub(" ", " ".join(el.itertext())).strip()
        if 4 <= len(text) <= 120:
            out.append(text)
    return out


_NEXT_PAGE_TEXT = re.compile(r"^\s*(下一页|下一頁|下页|下頁|后一页|後一頁)\s*[>›»]*\s*$")


def next_page_url(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """URL of the page's "下一页" link when it continues this article (same path stem), else None."""
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        if _NEXT_PAGE_TEXT.match(a.text_content() or ""):
            target = urljoin(url or "", href)
            if url and _same_article(url, target):
                return target
            if not url:
                return target
    return None


def _same_article(url: str, target: str) -> bool:
    """A continuation page shares the article's path stem: content_123.html -> content_123_2.html."""
    stem = url.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    nxt = target.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return bool(stem) and nxt != stem and nxt.startswith(stem.rsplit("_", 1)[0])


@dataclass
class PageView:
    """What the extractor needs to know about one page, read once."""

    tree: lxml.html.HtmlElement
    lines: list[str]
    meta: dict[str, str]
    title: str
    headlines: list[str] = field(default_factory=list)
    ruby_removed: int = 0
    wechat_account: str | None = None  # WeChat's #js_name: the account that published
    wechat_author: str | None = None  # WeChat's #js_author_name
    link_texts: frozenset[str] = frozenset()  # short link texts (folded): menus, channels


def short_link_texts(tree: lxml.html.HtmlElement, max_len: int = 8) -> frozenset[str]:
    """The folded texts of the page's links of at most ``max_len`` characters."""
    found = set()
    for a in tree.iter("a"):
        text = a.text_content()
        if len(text) <= 4 * max_len:  # spaces around a menu entry, not a headline link
            text = fold(text)
            if 0 < len(text) <= max_len:
                found.add(text)
    return frozenset(found)


def read_page(text: str) -> PageView:
    """Parse ``text``, drop ruby annotations, collect lines, meta tags, title and headlines.

    The view's tree is then pruned of share bars, related lists, footers and captions:
    it is the tree handed to trafilatura.
    """
    tree = parse_html(text)
    ruby = strip_ruby(tree)
    view = PageView(tree, visible_lines(tree), meta_tags(tree), title_text(tree),
                    headline_candidates(tree), ruby, _id_text(tree, "js_name"), _id_text(tree, "js_author_name"),
                    short_link_texts(tree))
    prune_boilerplate(tree)
    structure.prune_named_blocks(tree)
    structure.drop_back_links(tree)
    structure.sections_as_paragraphs(tree)
    drop_captions(tree)
    unwrap_layout_tables(tree)
    wrap_loose_text(tree)
    return view


def _id_text(tree: lxml.html.HtmlElement, ident: str) -> str | None:
    """Whitespace-collapsed text of the element with id ``ident`` (None when absent or empty)."""
    found = tree.xpath(f"//*[@id='{ident}']")
    if not found:
        return None
    text = _WS_RUN.sub(" ", found[0].text_content()).strip()
    return text if 0 < len(text) <= 40 else None


def _link_density(el) -> float:
    text = len(el.text_content().strip())
    if not text:
        return 1.0
    return sum(len(a.text_content().strip()) for a in el.iter("a")) / text


def unwrap_layout_tables(tree: lxml.html.HtmlElement, min_cell_text: int = 200) -> int:
    """Turn layout tables (old city papers put whole pages in them) into divs.

    trafilatura renders a <table> as table rows, which mangles an article laid out in table
    cells. A table is a layout table when one of its own cells holds paragraphs, nested
    tables or a long run of text; data tables (short cells) stay tables.
    """
    changed = 0
    for table in reversed(tree.xpath("//table")):  # innermost first
        cells = table.xpath("./tr/td|./tbody/tr/td|./thead/tr/td|./tr/th|./tbody/tr/th")
        layout = any(
            cell.find(".//p") is not None or cell.find(".//div") is not None or cell.find(".//table") is not None
            or len(cell.text_content()) >= min_cell_text
            for cell in cells
        )
        if not layout:
            if _link_density(table) >= 0.5:  # a navigation bar laid out as a table
                table.drop_tree()
                changed += 1
            continue
        for el in [table, *table.xpath("./tbody|./thead|./tfoot|./tr|./tbody/tr|./thead/tr|./tfoot/tr")]:
            el.tag = "div"
        for cell in cells:
            cell.tag = "div"
        changed += 1
    return changed


# Class/id tokens of subtrees that hold no article text on Chinese portals. Whole tokens
# only, so "TRS_Editor" or "header-title" are not caught. (trafilatura's prune_xpath does
# the same job but compiles its XPath on every call: ten times slower than this pass.)
PRUNE_TOKENS = frozenset((
    "share bdsharebuttonbox bdshare jiathis qrcode erweima ewm related xgxw xgwz relate "
    "copyright banquan footer foot print-btn toolbar breadcrumb crumb comment comments "
    "pinglun sidebar side-bar ad ads advert gg recommend tuijian hot-news pic caption img_desc "
    "tips tip post-tips"
).split())
PRUNE_TAGS = frozenset(["figcaption", "nav", "footer", "aside"])


def prune_boilerplate(tree: lxml.html.HtmlElement) -> int:
    """Remove subtrees whose tag, class token, id or ``display:none`` style says they are not
    article text (``visibility:hidden`` stays: WeChat hides its body until scripts run)."""
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in PRUNE_TAGS or _hidden(el):  # display:none holds no article text
            doomed.append(el)
            continue
        cls = el.get("class")
        if (cls and not PRUNE_TOKENS.isdisjoint(cls.lower().split())) or (el.get("id") or "").lower() in PRUNE_TOKENS:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return len(doomed)


# --- loose text --------------------------------------------------------------------------
_CONTAINERS = frozenset(["div", "section", "article", "td", "th", "center", "main"])


def _is_block(el) -> bool:
    return isinstance(el.tag, str) and el.tag in BLOCK_TAGS


def wrap_loose_text(tree: lxml.html.HtmlElement) -> int:
    """Wrap text written straight into a container beside block children in ``<p>``s.

    ``<div>第一段。<br><div class="x"></div>第二段。<div><img></div>第三段。</div>``: the
    text runs are the div's own text and its children's tails. trafilatura reads a
    container's own text only when it has no block children, so the first paragraph of such
    bodies (common on portals whose CMS writes paragraphs separated by ``<br>``) was lost.
    Each run between block elements becomes a ``<p>``; the ``<br>``s between runs go.
    """
    changed = 0
    for el in list(tree.iter(*_CONTAINERS)):
        children = list(el)
        if not any(_is_block(c) and c.tag != "br" for c in children):
            continue
        own = (el.text or "").strip() or any((c.tail or "").strip() for c in children)
        if not own:
            continue
        items: list = []
        run = None
        text = el.text
        el.text = None
        if text and text.strip():
            run = lxml.html.Element("p")
            run.text = text
            items.append(run)
        for c in children:
            tail = c.tail
            c.tail = None
            el.remove(c)
            if not isinstance(c.tag, str):
                pass  # comments and processing instructions
            elif _is_block(c):
                run = None
                if c.tag != "br":
                    items.append(c)
            else:
                if run is None:
                    run = lxml.html.Element("p")
                    items.append(run)
                run.append(c)
            if tail and tail.strip():
                if run is None:
                    run = lxml.html.Element("p")
                    run.text = tail
                    items.append(run)
                elif len(run):
                    run[-1].tail = (run[-1].tail or "") + tail
                else:
                    run.text = (run.text or "") + tail
        for item in items:
            el.append(item)
        changed += 1
    return changed


# --- captions ------------------------------------------------------------------------------
_CENTRED = re.compile(r"text-align\s*:\s*center", re.I)


def _centred(el) -> bool:
    return (el.get("align") or "").lower() == "center" or bool(_CENTRED.search(el.get("style") or ""))


def _image_only(el) -> bool:
    return el is not None and isinstance(el.tag, str) and (
        el.tag == "img" or (el.find(".//img") is not None and not el.text_content().strip()))


def drop_captions(tree: lxml.html.HtmlElement, max_len: int = 80) -> int:
    """Remove image captions written as a centred paragraph right below the image.

    ``<p align="center"><img></p><p style="text-align:center;color:#666">图为…（记者 某某 摄）</p>``:
    a short centred ``<p>`` whose previous sibling holds only an image (or that holds the image
    itself) is a caption, not body text. ``<figcaption>`` and caption classes go in
    ``prune_boilerplate``.
    """
    doomed = []
    for el in tree.iter("p"):
        if not _centred(el):
            continue
        text = el.text_content().strip()
        if not text or len(text) > max_len:
            continue
        prev = el.getprevious()
        if el.find(".//img") is not None or _image_only(prev):
            doomed.append(el)
    for el in doomed:
        el.drop_tree()
    return len(doomed)
