"""One article out of one (or several, for multi-page articles) HTML pages.

The text pipeline, as plain functions: decode -> parse (ruby annotations dropped, blocks
the page's structure names as boilerplate pruned: ``text/structure.py``) -> trafilatura body
-> repairs -> the body starts below the headline -> boilerplate rules (decided on the
Simplified line), repeated paragraphs, menu entries and the source's learned template
(``text/templates.py``), never the only paragraph (``text/body.py``) -> metadata from
on-page text, meta tags, scripts and the URL -> opencc t2s -> garbled? (``text/garbled.py``)
-> relevance -> content hash. ``extract_article`` is what the crawler, ``reextract`` and
``python -m archive extract`` all call.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field

from . import clean, metadata
from .text import body as body_lines, garbled
from .text.fold import line_key
from .decode import decode_html
from .htmlpage import PageView, next_page_url, read_page
from .normalize import content_hash, to_simplified
from .relevance import RelevanceModel

# Bump when a change to the pipeline can change what is archived (see docs/schema.md).
EXTRACTOR_VERSION = "3"

@dataclass
class Extraction:
    """What the pipeline made of one article page."""

    title: str | None
    text: str  # clean, Simplified, paragraphs joined by "\n"
    text_original: str  # clean, as the page wrote it (Traditional stays Traditional)
    published_at: str | None  # ISO 8601 +08:00, or YYYY-MM-DD when the page gives no time
    outlet: str | None
    author: str | None
    editor: str | None
    original_title: str | None
    relevance: float
    relevant: bool
    content_hash: str | None  # None when there is no text
    suspect_encoding: bool
    encoding: str
    pages: int = 1
    url: str | None = None
    extractor_version: str = EXTRACTOR_VERSION
    garbled: bool = False  # the text decoded into characters that are no language (text/garbled.py)
    removed: list[str] = field(default_factory=list, repr=False)
    line_keys: list[int] = field(default_factory=list, repr=False)  # for template learning

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("removed")
        d.pop("line_keys")
        return d


@dataclass(frozen=True)
class ExtractOptions:
    """Per-source settings of the text pipeline."""

    boilerplate: tuple[str, ...] = ()  # extra line patterns from sources.toml
    template: frozenset[int] = frozenset()  # the source's learned template (text/templates.py)
    outlet: str | None = None  # the source's outlet, used when the page names none
    relevance: RelevanceModel = field(default_factory=RelevanceModel)


@functools.cache
def _trafilatura():
    """trafilatura and our config of it, imported on the first extraction: the crawl process,
    which imports this module but only hands pages over, does not load it (5 MiB)."""
    import trafilatura
    from trafilatura.settings import use_config

    # trafilatura's thresholds count characters; 250 of them is a page of English but two
    # paragraphs of Chinese. Below MIN_EXTRACTED_SIZE it falls back to a baseline that joins
    # every paragraph into one line, so short Chinese articles lose their structure.
    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "80")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal-based timeout in worker threads
    return trafilatura, config


def body_text(view: PageView, url: str | None) -> str:
    """trafilatura's article body of a parsed page ("" when it finds none)."""
    trafilatura, config = _trafilatura()
    doc = trafilatura.bare_extraction(
        view.tree,
        url=url,
        # favor_precision drops most paragraphs of Chinese pages (measured on the eval
        # corpus); the fallback extractors cost most of the time and add boilerplate here
        fast=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,  # it silently drops text seen in earlier calls
        with_metadata=False,  # metadata comes from metadata.py (htmldate misreads 2022年11月24日)
        config=config,
    )
    text = (doc.text if doc is not None else "") or ""
    if not text.strip():
        # trafilatura gives up on short pages; a favor_recall pass keeps them
        doc = trafilatura.bare_extraction(view.tree, url=url, favor_recall=True, fast=True,
                                          include_comments=False, deduplicate=False, config=config)
        text = (doc.text if doc is not None else "") or ""
    return text


def _site_names(view: PageView) -> tuple[str, ...]:
    names = [view.meta.get("og:site_name", ""), view.meta.get("application-name", "")]
    return tuple(n for n in names if n)


def _drop_leading(lines: list[str], heads: tuple[str, ...]) -> list[str]:
    """Remove leading lines that repeat the headline or the account/site name (trafilatura
    sometimes keeps the h1 and the by-line block above the body)."""
    heads_sq = {clean.squeeze(to_simplified(h)) for h in heads if h}
    heads_sq.discard("")
    while lines and clean.squeeze(to_simplified(lines[0])) in heads_sq:
        lines = lines[1:]
    return lines


_WECHAT_NAME = re.compile(r"""var\s+nickname\s*=\s*(?:htmlDecode\()?["']([^"']{2,30})["']""")
# platform names that are no outlet: the account publishing on them is
_PLATFORMS = frozenset(["微信公众平台", "微信", "WeChat", "Weixin Official Accounts Platform"])


def _site_outlet(view: PageView, html: str) -> str | None:
    """The publisher when the page names no 来源: CMS source meta tags, a WeChat account
    (``#js_name`` / ``var nickname``), og:site_name and the like, the ``<title>`` site part."""
    for key in ("contentsource", "source"):
        if view.meta.get(key):
            return view.meta[key]
    m = _WECHAT_NAME.search(html)
    if m:
        return m.group(1).strip()
    if view.wechat_account:
        return view.wechat_account
    for key in ("og:site_name", "author_source", "sitename", "site_name", "application-name"):
        value = view.meta.get(key)
        if value and value not in _PLATFORMS:
            return value
    return None


# OpenGraph's article:author and WeChat's author slot name the writer (plain <meta name=author>
# does not: TRS puts the site there)
_AUTHOR_META = ("article:author", "og:article:author")


def _meta_author(view: PageView, *sites: str | None) -> str | None:
    """The writer a WeChat author slot or an article:author meta names; not when it is only
    (part of) the account or site name again, as WeChat and many portals write there."""
    sites_ = [s for s in (*sites, view.wechat_account, view.meta.get("og:site_name")) if s]
    for value in (view.wechat_author, *(view.meta.get(k, "").strip() for k in _AUTHOR_META)):
        if (value and not any(value in s for s in sites_) and not value.startswith(("http", "www"))
                and len(value) <= 30):
            return value
    return None


def extract_article(
    pages: list[tuple[bytes, str | None]],
    content_type: str | None = None,
    options: ExtractOptions | None = None,
) -> Extraction:
    """Extract one article from its pages ``[(body bytes, url), ...]`` (page 1 first).

    Never raises on bad input: undecodable bytes, junk HTML or an empty page give an
    Extraction with empty ``text`` (and ``content_hash`` None).
    """
    options = options or ExtractOptions()
    first_body, url = pages[0]
    decoded = decode_html(first_body, content_type)
    view = read_page(decoded.text)
    views = [view]
    raw_bodies = [body_text(view, url)]
    lossy = decoded.lossy
    for body, page_url in pages[1:]:
        more = decode_html(body, None)
        lossy = lossy or more.lossy
        views.append(read_page(more.text))
        raw_bodies.append(body_text(views[-1], page_url))

    rules = clean.rules_for(options.boilerplate)
    title_raw = metadata.choose_title(view.title, view.headlines, view.meta, _site_names(view))
    site_outlet = _site_outlet(view, decoded.text)
    title_site = metadata.site_from_title(view.title, title_raw) if title_raw else None
    # the by-line zone of every page (the editor line is often on the last page only)
    page_lines_s = [
        s for v in views
        for s in to_simplified("\n".join(clean.repair_line(ln) for ln in v.lines)).split("\n")
    ]

    kept_orig: list[str] = []
    kept_simp: list[str] = []
    removed: list[str] = []
    keys: dict[int, None] = {}
    for raw in raw_bodies:
        lines = _drop_leading([clean.repair_line(ln) for ln in clean.split_lines(raw)],
                              (title_raw or "", site_outlet or ""))
        lines = body_lines.drop_through_headline(lines, title_raw)
        for i, line in enumerate(lines):
            lines[i], glued = body_lines.split_glued_fields(line)
            if glued:
                removed.append(glued)  # metadata reads it from there
        simp = to_simplified("\n".join(lines)).split("\n") if lines else []
        line_keys = [line_key(ln) for ln in simp]
        keys.update(dict.fromkeys(line_keys))
        keep = clean.keep_mask(simp, rules)
        again = body_lines.repeated(simp)
        links = body_lines.link_only(lines, view.link_texts)
        keep = [k and not a and not n for k, a, n in zip(keep, again, links)]
        template = body_lines.template_mask(simp, [lk in options.template for lk in line_keys], keep)
        keep = [k and not t for k, t in zip(keep, template)]
        keep = body_lines.rescue_only_paragraph(simp, keep)
        for orig, s, k in zip(lines, simp, keep):
            (kept_orig if k else removed).append(orig)
            if k:
                kept_simp.append(s)

    text = "\n".join(kept_simp)
    removed_s = to_simplified("\n".join(removed)).split("\n") if removed else []
    body_set = {clean.squeeze(s) for s in kept_simp}
    around = [ln for ln in page_lines_s if clean.squeeze(ln) not in body_set]
    meta_lines = removed_s + around + kept_simp  # by-lines are looked for outside the body first

    title = to_simplified(title_raw).strip() if title_raw else None
    published = _published_at(view, decoded.text, around, page_lines_s, title, url)
    outlet = metadata.find_outlet(meta_lines) or site_outlet or title_site or options.outlet
    author = metadata.find_author(meta_lines) or _meta_author(view, site_outlet, title_site)
    score = options.relevance.score(title or "", text)
    return Extraction(
        title=title,
        text=text,
        text_original="\n".join(kept_orig),
        published_at=published,
        outlet=to_simplified(outlet).strip() if outlet else None,
        author=to_simplified(author) if author else None,
        editor=metadata.find_editor(meta_lines),
        original_title=metadata.find_original_title(meta_lines),
        relevance=score,
        relevant=options.relevance.is_relevant(score),
        content_hash=content_hash(text) if text else None,
        suspect_encoding=lossy or clean.suspect_encoding(text),
        encoding=decoded.encoding,
        pages=len(pages),
        url=url,
        garbled=garbled.is_garbled(text),
        removed=removed,
        line_keys=list(keys),
    )


def _published_at(view: PageView, html: str, around: list[str], page_lines: list[str], title: str | None,
                  url: str | None) -> str | None:
    """The publication date: what the page shows (a labelled date, else the first date under the
    headline) wins over meta tags, scripts (JSON-LD, WeChat) and the URL, which only add a time
    of day to the same date or stand in when the page shows none."""
    candidates = [
        metadata.labelled_date(around),
        metadata.date_near(page_lines, title),
        metadata.meta_date(view.meta),
        metadata.script_date(html),
        metadata.url_date(url),
        metadata.meta_date(view.meta, metadata.MODIFIED_META_KEYS),  # last resort: last update
    ]
    found = [c for c in candidates if c]
    if not found:
        return None
    best = found[0]
    for other in found[1:]:
        best = metadata.more_precise(best, other)
    return best


def next_page(body: bytes, url: str | None, content_type: str | None = None) -> str | None:
    """The URL of the next page of a multi-page article, or None."""
    view = read_page(decode_html(body, content_type).text)
    return next_page_url(view.tree, url)
