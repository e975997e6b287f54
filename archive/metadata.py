"""Article metadata from what the page says: dates, by-lines, outlet, titles.

Chinese pages state their facts in text ("时间：2022-09-11 09:19:53 来源：吉林日报",
"（记者 马卫东 编辑 孙桂芳）", "责任编辑：赵石乐"), in CMS meta tags (PubDate,
ArticleTitle, ContentSource) and in URLs (t20220911_…, /2022-11/24/). These functions
read them. All times are Beijing time (+08:00); a date without a time stays a date.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .text.fold import fold

BEIJING = timezone(timedelta(hours=8))

# --- dates ----------------------------------------------------------------------------
_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]*(?P<H>\d{1,2})\s*[:：时時]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
DATE_RE = re.compile(_DATE)
_DATE_LABEL = re.compile(
    r"(?:发布时间|發佈時間|發布時間|发布日期|發佈日期|發布日期|发表时间|發表時間|更新时间|更新時間|"
    r"时间|時間|日期|发布|發佈|發布|发表于|發表於)\s*[:：]?\s*" + _DATE
)
_URL_DATES = (
    re.compile(r"/t(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    re.compile(r"/(?P<y>20\d{2})-?(?P<m>\d{2})[/-]?(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/t\d{8}"),
    re.compile(r"[/_](?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})[/_]"),
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),  # /system/2021/06/15/
)
_DATE_META_KEYS = (
    "article:published_time", "pubdate", "publishdate", "publish_date", "publishtime",
    "og:release_date", "datepublished", "dc.date.issued", "dc.date", "date", "firstpublishedtime",
    "publication_date", "article:published", "sailthru.date", "weibo: article:create_at",
)
# modification dates: only when nothing says when the page was published
MODIFIED_META_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dateupdate",
                      "lastmodified", "last-modified")
_WECHAT_CT = re.compile(r"""\bct\s*=\s*["']?(\d{10})["']?""")
_WECHAT_PUBLISH = re.compile(r"""publish_time\s*=\s*["'](\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)["']""")


def _valid(y: int, m: int, d: int, H: int = 0, M: int = 0, S: int = 0) -> bool:
    try:
        datetime(y, m, d, H, M, S)
    except ValueError:
        return False
    return 1990 <= y <= datetime.now(BEIJING).year + 1


def _iso(g: dict) -> str | None:
    y, m, d = int(g["y"]), int(g["m"]), int(g["d"])
    if g.get("H") is None:
        return f"{y:04d}-{m:02d}-{d:02d}" if _valid(y, m, d) else None
    H, M, S = int(g["H"]), int(g["M"]), int(g.get("S") or 0)
    if not _valid(y, m, d, H, M, S):
        return f"{y:04d}-{m:02d}-{d:02d}" if _valid(y, m, d) else None
    return datetime(y, m, d, H, M, S, tzinfo=BEIJING).isoformat()


def parse_date(text: str) -> str | None:
    """The first date (and time) in ``text`` as ISO 8601 (+08:00), or a bare date, or None.

    Reads 2022-11-24 09:19:53, 2022/11/24, 2022.11.24 and 2022年11月24日 08:35 itself:
    htmldate reads a lone "2022年11月24日" as 2022-01-01.
    """
    m = DATE_RE.search(text)
    return _iso(m.groupdict()) if m else None


def iso_from_any(value: str) -> str | None:
    """Normalise a meta-tag date (ISO with offset, Z, or Chinese forms) to ISO +08:00."""
    value = value.strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    if dt.tzinfo is None:
        if len(value) <= 10:
            return dt.date().isoformat()
        dt = dt.replace(tzinfo=BEIJING)
    return dt.astimezone(BEIJING).isoformat()


def labelled_date(lines: list[str]) -> str | None:
    """A date the page labels as its publication time (时间/发布时间/日期: …)."""
    for line in lines:
        m = _DATE_LABEL.search(line)
        if m:
            iso = _iso(m.groupdict())
            if iso:
                return iso
    return None


def meta_date(meta: dict[str, str], keys: tuple[str, ...] = _DATE_META_KEYS) -> str | None:
    """Publication date from the usual meta tags (or from ``keys``)."""
    for key in keys:
        if key in meta:
            iso = iso_from_any(meta[key])
            if iso:
                return iso
    return None


_JSONLD_PUBLISHED = re.compile(r"""["']datePublished["']\s*:\s*["']([^"']{8,40})["']""")


def script_date(html: str) -> str | None:
    """Dates kept in scripts: WeChat's ``var ct = "1669250112"`` / ``publish_time``, and
    JSON-LD ``"datePublished"`` (read with a regex: no JSON parse for one field)."""
    m = _WECHAT_CT.search(html)
    if m:
        return datetime.fromtimestamp(int(m.group(1)), BEIJING).isoformat()
    m = _WECHAT_PUBLISH.search(html)
    if m:
        return parse_date(m.group(1))
    if "datePublished" in html:
        m = _JSONLD_PUBLISHED.search(html)
        if m:
            return iso_from_any(m.group(1))
    return None


def url_date(url: str | None) -> str | None:
    """A date written in the URL: t20220911_…, /2022-11/24/, /202211/24/, /20221124/."""
    if not url:
        return None
    for pattern in _URL_DATES:
        m = pattern.search(url)
        if m:
            g = m.groupdict()
            g.setdefault("d", None)
            if g["d"] is None:
                continue
            iso = _iso(g)
            if iso:
                return iso
    return None


def date_near(lines: list[str], anchor: str | None, window: int = 6) -> str | None:
    """The first date within ``window`` lines after the line holding ``anchor`` (the headline)."""
    if not anchor:
        return None
    for i, line in enumerate(lines):
        if anchor in line:
            for nxt in lines[i: i + window]:
                iso = parse_date(nxt)
                if iso:
                    return iso
            return None
    return None


def more_precise(a: str | None, b: str | None) -> str | None:
    """``a`` unless ``b`` is the same day with a time of day."""
    if a and b and len(a) == 10 and b.startswith(a) and len(b) > 10:
        return b
    return a or b


# --- by-lines ---------------------------------------------------------------------------
# Words that start another by-line field: a name never starts with one of them.
_ROLES = (r"校对|校對|审核|審核|通讯员|通訊員|摄影|攝影|编辑|編輯|记者|記者|责编|責編|责任|責任|实习生|實習生|"
          r"来源|來源|作者|监制|監制|摄|攝|出处|出處|发布|發佈|字号|字號")
_NAME = rf"(?!{_ROLES})[\u4e00-\u9fff·•]{{2,5}}"
_NAME_SEP = r"(?:[ \u3000、,，/]+)"
# what may follow a name: a separator, a bracket, a CMS code ("杨倩_NF4425") or the next field
_STOP = (r"(?=$|[ \u3000）)】【\[\]|｜/_]|通讯员|通訊員|摄影|攝影|摄|攝|编辑|編輯|责编|責編|责任|責任|校对|校對|"
         r"审核|審核|来源|來源|发布|發佈|报道|報道|实习生|實習生|字号|字號)")
_NAMES = rf"(?P<names>{_NAME}{_STOP}(?:{_NAME_SEP}{_NAME}{_STOP})*)"
# a Latin-script name, only right after an explicit separator ("责编：Demi Xia")
_LATIN_NAME = r"(?P<latin>[A-Za-z][A-Za-z.\-]{1,20}(?: [A-Z][A-Za-z.\-]{1,20})?)(?![A-Za-z])"
_FIELD_SEP = r"\s*[:：|｜]\s*"
_EDITOR_RE = re.compile(rf"(?:责任编辑|責任編輯|责编|責編)(?:\s*[:：|｜]?\s*{_NAMES}|{_FIELD_SEP}{_LATIN_NAME})")
_PLAIN_EDITOR_RE = re.compile(rf"(?<![责責任络絡美])(?:编辑|編輯)(?:\s*[:：|｜]?\s*{_NAMES}|{_FIELD_SEP}{_LATIN_NAME})")
_SELECTING_EDITOR_RE = re.compile(rf"(?:选稿|選稿)(?:\s*[:：|｜]?\s*{_NAMES}|{_FIELD_SEP}{_LATIN_NAME})")
# author roles, in the order a by-line lists them; 通讯员 names count as authors (corpus
# convention). "文" and "图" are roles only as "文/" "文|" "文：" "文/图" "图/文" after a
# non-Han character. ("作者最新文章" is a link: 最新文章 is in _NOT_NAMES.)
_AUTHOR_ROLE = (
    r"(?:记者|記者|通讯员|通訊員|撰文|执笔|執筆|采写|採寫|评论员|評論員|作者|"
    r"(?<![\u4e00-\u9fff])(?:文\s*[/／]\s*图|圖\s*[/／]\s*文|图\s*[/／]\s*文|文\s*[/／]\s*圖|文\s*[/／|｜:：])|"
    r"[（(][□■◇◆○●])"
)
_AUTHOR_RE = re.compile(rf"{_AUTHOR_ROLE}(?:\s*[:：|｜]?\s*{_NAMES}|{_FIELD_SEP}{_LATIN_NAME})")
_PHOTO_AFTER = re.compile(r"\s*(?:摄|攝)(?![\u4e00-\u9fff])|\s*(?:摄影|攝影)\s*$")
# "石佳/中国青年报": a name and the outlet it writes for, alone on a line
_NAME_SLASH_ORG = re.compile(rf"^\s*(?P<names>{_NAME})\s*[/／|｜]\s*(?P<org>[\u4e00-\u9fff·]{{2,12}})\s*$")
_PLACEHOLDERS = frozenset("未知 佚名 网络整理 網絡整理 网络 網絡 匿名 admin 管理员 管理員 小编 小編".split())
_NOT_NAMES = frozenset(
    "记者 記者 编辑 編輯 通讯员 通訊員 本报 本報 本网 本網 报道 報道 来源 來源 摄影 攝影 见习 實習 实习 "
    "日前 近日 获悉 獲悉 了解 表示 介绍 介紹 发现 發現 采访 採訪 从市 從市 走进 走進 一行 团队 團隊 "
    "最新文章 最新 文章 更多 简介 簡介 主页 主頁 其他文章 相关 相關 注意到".split()
) | _PLACEHOLDERS
# "松花江网编辑 孙桂芳": an outlet before a role is not a name
_ORG_SUFFIXES = ("网", "網", "报", "報", "社", "台", "站", "部", "局", "中心", "频道", "頻道", "客户端", "新闻", "新聞")
_OUTLET_RE = re.compile(
    r"(?:来源|來源|稿源|出处|出處|信息来源|信息來源|文章来源|文章來源|本文来源|本文來源|新闻来源|新聞來源)"
    r"\s*(?:[:：|｜]|[】\]]\s*[:：]?)\s*"
    r"(?P<outlet>[^\s|｜<>,，。;；:：()（）【】\[\]]{2,30})"
)
_OUTLET_JUNK = re.compile(
    r"(作者|记者|記者|编辑|編輯|责任编辑|責任編輯|发布时间|發佈時間|时间|時間|浏览|瀏覽|点击|點擊|字号|字號|"
    r"字体|字體|阅读|閱讀|人气|人氣|评论|評論|分享).*$"
)
_ORIGINAL_TITLE_RE = re.compile(
    r"[（(]?(?:本文)?(?:原标题|原題為|原题为|原题|原標題)\s*(?:[:：]|为|為)?\s*(?P<t>.+?)[）)]?$"
)
_QUOTED_TITLE = re.compile(r"^《(.+)》$")


def _names(m: re.Match | None) -> str | None:
    if not m:
        return None
    if m.groupdict().get("latin"):
        latin = m.group("latin").strip()
        return None if latin.lower() in _PLACEHOLDERS else latin
    names = [n for n in re.split(_NAME_SEP, m.group("names").strip()) if n]
    if names and names[0] in _PLACEHOLDERS:
        return None  # "作者：未知 …": the page names nobody
    names = [n for n in names if n not in _NOT_NAMES and not n.startswith(("本报", "本報"))
             and not n.endswith(_ORG_SUFFIXES)]
    return " ".join(names) or None


def find_editor(lines: list[str]) -> str | None:
    """责任编辑/责编 names; else 编辑 names (e.g. inside a parenthetical by-line); else the
    editor who selected the story (选稿)."""
    for regex in (_EDITOR_RE, _PLAIN_EDITOR_RE, _SELECTING_EDITOR_RE):
        for line in lines:
            for m in regex.finditer(line):
                found = _names(m)
                if found:
                    return found
    return None


def _line_authors(line: str) -> list[str]:
    """Every author name a line gives, in page order (记者, 通讯员, 作者, 文/ …); names followed
    by 摄 are photographers and left out."""
    found: list[str] = []
    for m in _AUTHOR_RE.finditer(line):
        if _PHOTO_AFTER.match(line, m.end()):
            continue
        names = _names(m)
        if names:
            found.extend(n for n in names.split(" ") if n not in found)
    return found


def find_author(lines: list[str]) -> str | None:
    """Reporter/author names of the first by-line among ``lines`` (all of its roles, in order);
    else a lone "名字/某某报" line."""
    for line in lines:
        found = _line_authors(line)
        if found:
            return " ".join(found)
    for line in lines:
        m = _NAME_SLASH_ORG.match(line)
        if m and m.group("org").endswith(_ORG_SUFFIXES) and m.group("names") not in _NOT_NAMES:
            return m.group("names")
    return None


def find_outlet(lines: list[str]) -> str | None:
    """The outlet a 来源: line names (``来源：X``, ``【来源】X``, ``来源|X``)."""
    for line in lines:
        for m in _OUTLET_RE.finditer(line):
            outlet = _OUTLET_JUNK.sub("", m.group("outlet")).strip(" ·-_")
            if len(outlet) >= 2 and outlet not in _PLACEHOLDERS and not outlet.startswith(("http", "www")):
                return outlet
    return None


def find_original_title(lines: list[str]) -> str | None:
    """The headline an article had where it first ran (原标题: …)."""
    for line in lines:
        m = _ORIGINAL_TITLE_RE.search(line.strip())
        if m:
            title = m.group("t").strip()
            q = _QUOTED_TITLE.match(title)
            return (q.group(1) if q else title).strip()
    return None


# --- titles -----------------------------------------------------------------------------
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|\s[-–—]\s|--|-(?=[^\d]))\s*")
_WS = re.compile(r"\s+")


def _sq(s: str) -> str:
    return _WS.sub("", s)


def strip_site_suffix(title: str, site_names: tuple[str, ...] = ()) -> str:
    """``标题_松花江网`` -> ``标题``: the longest part of a ``<title>`` split on _ | - separators."""
    title = title.strip()
    for name in site_names:
        if name and title.endswith(name) and len(title) > len(name) + 4:
            title = title[: -len(name)].rstrip(" _|｜-–—:：")
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) <= 1:
        return title
    return max(parts, key=len)


def site_from_title(page_title: str, headline: str) -> str | None:
    """The site name a ``<title>`` adds to the headline: ``标题_兰州新闻网`` -> 兰州新闻网,
    ``哈尔滨新区管理委员会-标题`` -> 哈尔滨新区管理委员会; with several parts
    (``标题_科技_澎湃新闻-The Paper``) the last one written in Chinese. None when the
    title is the headline alone."""
    if not page_title or not headline:
        return None
    head = _sq(headline)
    parts = [p.strip() for p in _TITLE_SPLIT.split(page_title) if p.strip()]
    rest = [p for p in parts if _sq(p) not in head and head not in _sq(p)]
    if len(rest) == len(parts):
        return None  # the headline is not in the title: no way to tell the site part
    rest = [p for p in rest if re.search(r"[\u4e00-\u9fff]", p) and 2 <= len(p) <= 30]
    return rest[-1] if rest else None


_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]*>")
_RUBY_TEXT = re.compile(r"<(rt|rp)\b[^>]*>.*?</\1\s*>", re.I | re.S)
# a syllable in brackets after a Han character: what a flattened ruby leaves ("時(shí)")
_BRACKETED_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\s?[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[1-5]?[)）]")


_TITLE_NOISE = re.compile(r"[\s\-–—_|｜·•:：]+")


def _title_key(text: str) -> str:
    """A headline folded for comparison with ``<title>``: width, brackets, spaces and dashes
    ("——" in the headline is often "-" in ``<title>``) do not count."""
    return _TITLE_NOISE.sub("", fold(text))


def without_markup(title: str) -> str:
    """A title as a reader sees it: literal tags a CMS escaped into ``<title>`` or a meta tag
    removed, a ruby annotation's reading (``<rt>``/``<rp>``) with them, and bracketed pinyin."""
    if "<" in title:
        title = _MARKUP.sub("", _RUBY_TEXT.sub("", title))
    return _WS.sub(" ", _BRACKETED_PINYIN.sub("", title)).strip()


def choose_title(
    page_title: str, headlines: list[str], meta: dict[str, str], site_names: tuple[str, ...] = ()
) -> str | None:
    """The headline: a meta ArticleTitle, else the headline element that the ``<title>``
    (or og:title) contains, else the ``<title>`` without its site-name suffix. Literal markup
    and pinyin in ``<title>`` or a meta tag are removed first (``without_markup``)."""
    for key in ("articletitle", "article_title"):
        if meta.get(key):
            return without_markup(meta[key])
    meta = {k: without_markup(meta[k]) for k in ("og:title", "twitter:title") if meta.get(k)}
    page_title = without_markup(page_title or "")
    references = [t for t in (page_title, meta.get("og:title", ""), meta.get("twitter:title", "")) if t]
    best = None
    refs = [_title_key(ref) for ref in references]
    for cand in headlines:
        sq = _title_key(cand)
        if len(sq) < 4:
            continue
        if any(sq in ref for ref in refs) and (best is None or len(sq) > len(_title_key(best))):
            best = cand
    if best:
        return best.strip()
    if meta.get("og:title"):
        return strip_site_suffix(meta["og:title"], site_names)
    if page_title:
        return strip_site_suffix(page_title, site_names)
    return headlines[0] if headlines else None
