"""What a list page is, for ``python -m archive probe``: its shape, a proposed ``article_pattern``,
its pagination, and for a JavaScript shell the JSON endpoint its script reads.

Article links are told from the rest by the *shape* of their URLs, not by any site's names: links
are grouped by their path with digit runs generalised (``/zw/202211/t20221124_5123456.html`` →
``/zw/\\d{6}/t\\d{8}_\\d+\\.html``); the largest group of links ending in a numbered page wins, known
CMS article shapes (TRS ``t\\d{8}_\\d+``, Hanweb ``art_\\d+_\\d+``, ``content_\\d+``, ``post_\\d+``, dated
folders) counting double.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .page import ListPage

_DIGITS = re.compile(r"\d+")
# digit runs, and hash-like names (TRS 海云 names articles by a 32-digit hex id)
_VARYING = re.compile(r"(?<![0-9a-zA-Z])[0-9a-f]{16,}(?![0-9a-zA-Z])|\d+")
_KNOWN_ARTICLE = re.compile(
    r"(?:^|/)(?:t\d{8}_\d+|art_\d+_\d+|content_\d+|post_\d+|\d{8}/\w*\d+|\d{4}-\d{2}/\d{2}/\w*\d+)[^/]*$")
_PAGE_FILE = re.compile(r"\.(?:s?html?|jhtml|jsp|php|aspx?)$|/[^./]*\d[^./]*$", re.I)
_LIST_LIKE = re.compile(r"(?:index|list|column-index|page)[_-]?\d+\.\w+$|[?&](?:page|pageNo|pageIndex|cur_page|p)=\d+",
                        re.I)
# an e-paper layout page: a date in the path and a node/layout page name
_EDITION = re.compile(r"(?P<date>(?P<y>20\d\d)(?P<s1>[-/]?)(?P<m>[01]\d)(?P<s2>[-/]?)(?P<d>[0-3]\d))/"
                      r"(?P<page>(?:node|layout|page|bm|ban)[_-]?\w*\.\w+)$", re.I)
# string literals and identifiers joined by + in a script (an endpoint built from parts)
_OPERAND = r"""(?:"[^"\n]*"|'[^'\n]*'|\b[A-Za-z_$][\w$.]*)"""
_CONCAT = re.compile(rf"{_OPERAND}(?:\s*\+\s*{_OPERAND})*")
_ASSIGN = re.compile(r"""\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*[:=]\s*(["']?)([\w./-]+)\2\s*[,;\n}]""")
_PAGE_VARS = re.compile(r"^(?:page|pageNo|pageNum|pageIndex|currentPage|curPage|pn|p)$", re.I)
_ENDPOINT_HINT = re.compile(r"search|api|list|query|data|json|getData|channel", re.I)


@dataclass
class ArticleGuess:
    """A proposed ``article_pattern`` and the links of the page it matches, in page order."""

    pattern: str
    links: list[str] = field(default_factory=list)


def _template(path: str) -> tuple[str, list[str]]:
    """The path as a regex with every digit run (or hex id) a ``{}`` slot, and the runs themselves."""
    parts, runs, last = [], [], 0
    for run in _VARYING.finditer(path):
        parts.append(re.escape(path[last:run.start()]))
        parts.append("{}")
        runs.append(run.group(0))
        last = run.end()
    parts.append(re.escape(path[last:]))
    return "".join(parts), runs


def _slot(values: set[str]) -> str:
    """The regex of one slot from the values its links have there.

    One value of three digits or more on every link is a constant of the column (Hanweb's column
    id in ``art_1585_…``) unless it looks like a date, which changes with time (``2022``,
    ``202211``, ``20221124``); one or two digits are a month or a day.
    """
    if len(values) == 1:
        value = next(iter(values))
        dated = value.isdigit() and (len(value) <= 2 or (len(value) in (4, 6, 8) and value[:2] in ("19", "20")))
        if not dated:
            return re.escape(value)
    if not all(v.isdigit() for v in values):
        widths = {len(v) for v in values}
        return rf"[0-9a-f]{{{widths.pop()}}}" if len(widths) == 1 else "[0-9a-f]+"
    widths = {len(v) for v in values}
    width = widths.pop() if len(widths) == 1 else None
    return rf"\d{{{width}}}" if width in (4, 6, 8) else r"\d+"


def guess_article_pattern(links: list[str], page_url: str) -> ArticleGuess | None:
    """The largest group of same-shaped article-like links on ``page_url``'s host, as a regex."""
    host = urlsplit(page_url).netloc.lower()
    own, _ = _template(urlsplit(page_url).path)
    groups: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for link in links:
        parts = urlsplit(link)
        if parts.netloc.lower() != host or parts.query or not _PAGE_FILE.search(parts.path):
            continue
        if _LIST_LIKE.search(parts.path) or not _VARYING.search(parts.path.rsplit("/", 1)[-1] or parts.path):
            continue
        template, runs = _template(parts.path)
        if template == own:
            continue  # another page of this list
        groups[template].append((link, runs))
    best, best_score = None, 0.0
    for template, members in groups.items():
        score = len(members) * (2 if _KNOWN_ARTICLE.search(urlsplit(members[0][0]).path) else 1)
        if score > best_score:
            best, best_score = template, score
    if best is None or best_score < 2:
        return None
    members = groups[best]
    runs = [_slot({values[i] for _, values in members}) for i in range(best.count("{}"))]
    # str.format would trip over regex braces: fill the slots one by one
    pattern = best
    for run in runs:
        pattern = pattern.replace("{}", run, 1)
    return ArticleGuess(pattern + "$", [link for link, _ in members])


def guess_next_page_pattern(page: ListPage) -> str | None:
    """A ``next_page_pattern`` for list pages linked with anchors (``index_2.html``, ``?page=2`` …)."""
    host = urlsplit(page.url).netloc.lower()
    for link in page.links:
        parts = urlsplit(link)
        if parts.netloc.lower() != host or link == page.url:
            continue
        found = _LIST_LIKE.search(parts.path + ("?" + parts.query if parts.query else ""))
        if found:
            folder = parts.path.rsplit("/", 1)[0] + "/"
            tail = _DIGITS.sub(r"\\d+", re.escape(found.group(0)))
            return re.escape(folder) + (".*" if found.group(0)[0] in "?&" else "") + tail + ("" if "?" in tail else "$")
    return None


def edition_template(url: str) -> tuple[str, str] | None:
    """(``edition_url`` template, ``next_page_pattern`` for the day's other layout pages) of an e-paper URL."""
    found = _EDITION.search(urlsplit(url).path)
    if not found:
        return None
    fmt = f"%Y{found['s1']}%m{found['s2']}%d"
    start = url.index(found.group("date"), len(url) - len(urlsplit(url).path) - len(urlsplit(url).query) - 1)
    template = url[:start] + "{date:" + fmt + "}/" + found["page"]
    stem = re.sub(r"\d+", "", found["page"].rsplit(".", 1)[0])
    layout = re.escape(stem) + r"\d+\." + re.escape(found["page"].rsplit(".", 1)[-1]) + "$"
    return template, layout


@dataclass
class Endpoint:
    """A list request a page's script makes: ``{page}`` stands for the page number."""

    url: str
    method: str = "GET"
    form: dict[str, str] | None = None


def _enclosing_object(script: str, pos: int) -> str:
    """The ``{...}`` literal around ``pos`` (a few hundred characters at most)."""
    depth, start = 0, None
    for i in range(pos, max(-1, pos - 400), -1):
        if script[i] == "}":
            depth += 1
        elif script[i] == "{":
            if depth == 0:
                start = i
                break
            depth -= 1
    if start is None:
        return script[pos:pos + 600]
    depth = 0
    for i in range(start, min(len(script), start + 2000)):
        depth += {"{": 1, "}": -1}.get(script[i], 0)
        if depth == 0:
            return script[start:i + 1]
    return script[start:start + 2000]


def _fields(text: str, values: dict[str, str]) -> dict[str, str] | None:
    fields = {}
    for key, single, double, bare in re.findall(r"""["']?(\w+)["']?\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w.$]+))""", text):
        value = _evaluate(f'"{single or double}"' if (single or double or not bare) else bare, values)
        if value is None:
            return None
        fields[key] = value
    return fields


def script_endpoints(html: str) -> list[Endpoint]:
    """The list requests a page's script builds (jQuery ``$.ajax({url, type, data})``, ``$.get(url + page)``…)."""
    values = {name: value for name, _, value in _ASSIGN.findall(html)}
    found: list[Endpoint] = []
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S | re.I):
        for call in re.finditer(rf"\burl\s*:\s*({_OPERAND}(?:\s*\+\s*{_OPERAND})*)", script):
            url = _evaluate(call.group(1), values)
            obj = _enclosing_object(script, call.start())
            data = re.search(r"\bdata\s*:\s*\{([^{}]*)\}", obj)
            fields = _fields(data.group(1), values) if data else {}
            method = re.search(r"\b(?:type|method)\s*:\s*['\"](\w+)", obj)
            if not url or fields is None:
                continue
            if method and method.group(1).upper() == "POST":
                found.append(Endpoint(url, "POST", fields))
            else:
                query = "&".join(f"{k}={v}" for k, v in fields.items())
                found.append(Endpoint(url + ("&" if "?" in url else "?") + query if query else url))
        for expr in _CONCAT.finditer(script):
            url = _evaluate(expr.group(0), values)
            if url:
                found.append(Endpoint(url))
    unique: list[Endpoint] = []
    for ep in found:
        paged = "{page}" in ep.url or any("{page}" in v for v in (ep.form or {}).values())
        if paged and ep.url.startswith(("/", "http://", "https://", "./")) and _ENDPOINT_HINT.search(ep.url) \
                and ep not in unique:
            unique.append(ep)
    return unique


def _evaluate(expr: str, values: dict[str, str]) -> str | None:
    out = []
    for token in re.split(r"\s*\+\s*", expr.strip()):
        if re.fullmatch(r"\d+", token):
            out.append(token)
        elif token[:1] in "\"'":
            out.append(token[1:-1])
        elif _PAGE_VARS.match(token.rsplit(".", 1)[-1]):
            out.append("{page}")
        elif token in values:
            out.append(values[token])
        else:
            return None
    url = "".join(out)
    # a literal page number in the query string is the page too: ?page=1
    if "{page}" not in url:
        url = re.sub(r"([?&](?:page|pageNo|pageNum|pageIndex|curPage|currentPage|p)=)\d+", r"\1{page}", url, count=1)
    return url
