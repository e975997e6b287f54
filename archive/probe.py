"""``probe`` and ``check-sources``: a new source from one URL, and a check of the configured ones.

Both fetch a handful of pages with the crawler's manners (``archive.fetching``). What a page *is*
comes from ``archive.listing``, the same code the spider paginates with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from .decode import decode_html
from .fetching import PoliteFetcher, ProbeError
from .listing import detect
from .listing.edition import edition_days, edition_url
from .listing.jsonlist import ListApiError, api_form, api_links, api_page, find_record_arrays, load_json
from .listing.page import read_list_page
from .sources import Source, SourcesFile

# --- probe -----------------------------------------------------------------------------------
@dataclass
class ProbeReport:
    """What ``probe`` found on one URL."""

    url: str
    shape: str
    source: dict
    pagination: str
    article_links: list[str] = field(default_factory=list)
    first_article: dict | None = None
    notes: list[str] = field(default_factory=list)


def _name_for(url: str) -> str:
    host = (urlsplit(url).hostname or "source").removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:40] or "source"


def _site_name(html: str) -> str | None:
    found = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    if not found:
        return None
    parts = [p.strip() for p in re.split(r"[_|\-–—－]+", re.sub(r"<[^>]+>|\s+", " ", found.group(1))) if p.strip()]
    return parts[-1][:40] if parts else None


def _api_source(fetcher: PoliteFetcher, endpoint: detect.Endpoint,
                report_notes: list[str]) -> tuple[dict, list[str]] | None:
    """``list_api`` for an endpoint, read from its first answer; None when it is not a JSON list."""
    url = api_page(endpoint.url, 1)
    try:
        answer = fetcher.fetch(url, api_form(endpoint.form, 1) if endpoint.form is not None else None)
        data = load_json(answer.body, answer.content_type)
    except (ProbeError, ListApiError) as exc:
        report_notes.append(f"endpoint {url}: {exc}")
        return None
    candidates = sorted(find_record_arrays(data), key=lambda c: -c[2])
    if not candidates:
        report_notes.append(f"endpoint {url}: JSON without an array of records holding URLs")
        return None
    items, link, _ = candidates[0]
    links = api_links(answer.body, items, link, url, answer.content_type)
    api = {"url": endpoint.url, "items": items, "link": link}
    if endpoint.method == "POST":
        api.update(method="POST", form=endpoint.form or {})
    return api, links


def probe(url: str, fetcher: PoliteFetcher | None = None, name: str | None = None, outlet: str | None = None,
          region: str | None = None) -> ProbeReport:
    """Fetch one list page (or JSON endpoint) and propose a ``[[source]]`` table for it."""
    fetcher = fetcher or PoliteFetcher()
    answer = fetcher.fetch(url)
    notes: list[str] = []
    base = {"name": name or _name_for(url), "outlet": outlet, "region": region or "全国"}
    if not region:
        notes.append("region: set it to the source's place (e.g. 吉林省吉林市); 全国 is a placeholder")
    text = decode_html(answer.body, answer.content_type).text
    if text.lstrip()[:1] in "{[":  # the URL is a JSON endpoint itself
        template = re.sub(r"([?&](?:page|pageNo|pageNum|pageIndex|curPage|currentPage|p)=)\d+", r"\1{page}", url,
                          count=1)
        found = _api_source(fetcher, detect.Endpoint(template), notes)
        if found is None:
            raise ProbeError(f"{url}: JSON, but no list of records with URLs in it")
        api, links = found
        guess = detect.guess_article_pattern(links, url)
        source = {**base, "outlet": outlet or base["name"], "list_api": api,
                  "article_pattern": guess.pattern if guess else ".*"}
        return _finish(fetcher, ProbeReport(url, "JSON list", source, "{page} = 1, 2, …", links, notes=notes), links)
    page = read_list_page(text, answer.url)
    base["outlet"] = outlet or _site_name(text) or base["name"]
    guess = detect.guess_article_pattern(page.links, answer.url)
    edition = detect.edition_template(answer.url)
    if guess is None:
        for endpoint in detect.script_endpoints(text):
            endpoint.url = urljoin(answer.url, endpoint.url)
            found = _api_source(fetcher, endpoint, notes)
            if found:
                api, links = found
                guess = detect.guess_article_pattern(links, answer.url)
                source = {**base, "list_api": api, "article_pattern": guess.pattern if guess else ".*"}
                return _finish(fetcher, ProbeReport(url, "JSON shell (list filled by script)", source,
                                                    "{page} = 1, 2, …", links, notes=notes), links)
        raise ProbeError(f"{url}: no group of article-like links found (and no JSON endpoint in its script)")
    source = {**base, "start_urls": [answer.url], "article_pattern": guess.pattern}
    next_pattern = detect.guess_next_page_pattern(page)
    if edition:
        template, layout = edition
        source = {**base, "edition_url": template, "article_pattern": guess.pattern, "next_page_pattern": layout}
        shape, pagination = "digital edition", f"the last 7 days each run (edition_days); layout pages {layout}"
    elif page.jpage or page.records:
        shape = "Hanweb (jpage)"
        pagination = (f"record groups POSTed to {page.jpage.proxy_url} ({page.jpage.group_size} a group)"
                      if page.jpage else "the nextgroup GET link" if page.records.nextgroup else "one group only")
        if page.jpage_problem:
            notes.append(page.jpage_problem)
    elif page.trs:
        shape = "TRS"
        pagination = f"JavaScript pager: {page.trs.count} pages {page.trs.name}_N.{page.trs.ext} (no key needed)"
    else:
        onclick = any(link not in _anchor_links(text, answer.url) for link in guess.links)
        shape = "onclick list" if onclick else "plain"
        pagination = next_pattern or "none recognised"
    if next_pattern and not edition and "next_page_pattern" not in source and not (page.trs or page.jpage):
        source["next_page_pattern"] = next_pattern
    return _finish(fetcher, ProbeReport(url, shape, source, pagination, guess.links, notes=notes), guess.links)


def _anchor_links(html: str, url: str) -> set[str]:
    from .htmlpage import parse_html
    from .links import absolute
    from .listing.anchors import anchor_hrefs

    return {u for u in (absolute(h, url) for h in anchor_hrefs(parse_html(html))) if u}


def _finish(fetcher: PoliteFetcher, report: ProbeReport, links: list[str]) -> ProbeReport:
    """Extract the first article link (title, date, first line)."""
    from .extract import extract_article

    for link in links[:3]:
        try:
            answer = fetcher.fetch(link)
        except ProbeError as exc:
            report.notes.append(str(exc))
            continue
        result = extract_article([(answer.body, answer.url)], answer.content_type)
        first_line = next((line for line in (result.text or "").splitlines() if line.strip()), "")
        report.first_article = {"url": link, "title": result.title, "published_at": result.published_at,
                                "first_line": first_line[:120]}
        break
    return report


def source_toml(source: dict) -> str:
    """A ``[[source]]`` table for ``source`` (strings as TOML literal strings where possible)."""
    lines = ["[[source]]"]
    for key, value in source.items():
        if value is not None:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    text = str(value)
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# --- check-sources -------------------------------------------------------------------------------
@dataclass
class SourceCheck:
    """One source's start page as it is today."""

    source: str
    url: str
    links: int = 0
    matched: int = 0
    pagination: str = "none"
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.matched > 0


def check_source(src: Source, sources: SourcesFile, fetcher: PoliteFetcher | None = None) -> SourceCheck:
    """Fetch ``src``'s first start page and count the links its ``article_pattern`` matches."""
    fetcher = fetcher or PoliteFetcher()
    if src.start_urls:
        url, form, kind = src.start_urls[0], None, "list"
    elif src.list_api:
        api = src.list_api
        url, kind = api_page(api.url, api.first_page), "api"
        form = api_form(dict(api.form), api.first_page) if api.method == "POST" else None
    elif src.edition_url:
        today = datetime.now(ZoneInfo(sources.settings.timezone)).date()
        day: date = edition_days(today, 1, None, src.edition_until)[0]
        url, form, kind = edition_url(src.edition_url, day), None, "edition"
    else:
        url, form, kind = (src.sitemap_urls or src.feed_urls)[0], None, "other"
    check = SourceCheck(src.name, url)
    try:
        answer = fetcher.fetch(url, form)
    except ProbeError as exc:
        check.problem = str(exc)
        return check
    if kind == "api":
        try:
            links = api_links(answer.body, src.list_api.items, src.list_api.link, answer.url, answer.content_type)
        except ListApiError as exc:
            check.problem = str(exc)
            return check
        check.pagination = "list_api {page}"
    elif kind == "other":
        from .links import feed_links, sitemap_links

        links = sitemap_links(answer.body)[0] or feed_links(answer.body)
        check.pagination = "sitemap/feed"
    else:
        page = read_list_page(decode_html(answer.body, answer.content_type).text, answer.url)
        links = page.links
        found = []
        if src.next_page_re and any(src.next_page_re.search(u) and not src.article_re.search(u) for u in links):
            found.append("next_page_pattern")
        if page.trs:
            found.append(f"TRS pager ({page.trs.count} pages)")
        if page.jpage:
            found.append("Hanweb jpage groups")
        elif page.records is not None:
            found.append("Hanweb nextgroup")
        if page.jpage_problem:
            found.append(page.jpage_problem)
        check.pagination = ", ".join(found) or "none"
    check.links = len(links)
    check.matched = sum(1 for u in links if src.allows(u) and src.article_re.search(u))
    if check.matched == 0:
        check.problem = f"article_pattern matches none of the {len(links)} links"
    return check
