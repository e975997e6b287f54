"""数字报 (Founder-style digital edition): one folder per day, layout pages linked by 下一版.

- ``/html/{YYYY-MM}/{DD}/node_2.htm`` is page 1 (版面) of a day, ``node_3.htm`` … the next ones; each
  layout page lists the day's layouts (``第01版：要闻`` …), links 上一版/下一版 (``<a id=next
  href=node_3.htm>下一版</a>``, unquoted as Founder writes them) and its articles
  ``content_{id}.htm`` (same day folder) in an image map and a title list.
- The calendar is a script (``<div id="calendar">`` filled from a JS array of dates): no day
  links to another day. A day without an edition answers 404.
- Articles are dealt to the edition days (newest articles on the latest day), ``articles_per_page``
  a layout page; published at 00:00 of their day.

Days: ``EpaperPortal(n, first=date, last=date, missing={date, …})`` for a fixed range, or
``EpaperPortal.last_days(n, today=date, days=K, missing_offsets={…})`` for the K days up to
`today` (its sources then use ``edition_days`` instead of a from/until range).
`add_articles(k, day=None)` publishes k articles on `day` (default: a new edition the day after the latest).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .corpus import CST, Article, make_article
from .server import Portal, Request, Response, article_page, html

LAYOUT_NAMES = ["要闻", "综合新闻", "经济", "县域", "招商", "专版", "时评", "副刊"]

FRAME = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{page_title}</title>
{head}
<link href="../../../style/css.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="../../../script/prototype.js"></script>
</head>
<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td><img src="../../../image/logo.gif" alt="{paper}" /></td><td class="date">{cn_date} 星期{weekday}</td>
<td><div id="calendar"></div><script type="text/javascript">
var editionDates = [{dates}];
// the calendar is drawn by script; a click loads "../../../html/" + ym + "/" + d + "/node_2.htm"
drawCalendar("calendar", editionDates, "{ymd}");
</script></td></tr>
</table>
{main}
<table width="1000" border="0" align="center" class="foot"><tr><td>{paper}社版权所有　未经授权不得转载　吉ICP备09003456号</td></tr></table>
</body>
</html>
"""

LAYOUT = """<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="520" valign="top" class="layout">
<div class="paper-nav"><a id=prev href={prev}>上一版</a>&nbsp;<a id=next href={next}>下一版</a></div>
<img src="../../../images/{ym}/{dd}/{page}/{ymd}{page}_b.jpg" usemap="#PagePicMap" border="0" />
<map name="PagePicMap">
{areas}
</map>
</td>
<td width="480" valign="top">
<div class="layout-list"><h3>版面导航</h3>
{layouts}
</div>
<div class="title-list"><h3>第{page}版：{layout_name}</h3>
{titles}
</div>
</td>
</tr>
</table>"""

CONTENT = """<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td class="bmdh">第{page}版：{layout_name}　<a href=node_{node}.htm>返回版面</a></td></tr>
<tr><td class="font01" align="center"><founder-title>{title}</founder-title></td></tr>
<tr><td class="font02" align="center"><founder-author>本报记者 {author}</founder-author></td></tr>
<tr><td class="font03" align="center">{paper}　{cn_date}　第{page}版</td></tr>
<tr><td><div id="ozoom"><founder-content>
{body}
</founder-content></div></td></tr>
<tr><td class="editor">责任编辑：{editor}</td></tr>
</table>"""

NODE_RE = re.compile(r"^/html/(\d{4})-(\d{2})/(\d{2})/node_(\d+)\.htm$")
CONTENT_RE = re.compile(r"^/html/(\d{4})-(\d{2})/(\d{2})/content_(\d+)\.htm$")
WEEKDAYS = "一二三四五六日"


class EpaperPortal(Portal):
    """A digital edition over a range of days; see the module docstring."""

    name = "epaper"
    article_re = CONTENT_RE
    outlet = "白城日报"
    region = "吉林省白城市"

    def __init__(self, n: int = 48, *, first: date = date(2022, 11, 21), last: date = date(2022, 11, 25),
                 missing=(date(2022, 11, 23),), pages_per_day: int = 3, edition_days: int | None = None,
                 seed: int = 7, **kw):
        self.days = [first + timedelta(d) for d in range((last - first).days + 1)]
        self.days = [d for d in self.days if d not in set(missing)]
        assert self.days, "no day with an edition"
        self.first, self.last, self.pages_per_day, self.edition_days = first, last, pages_per_day, edition_days
        self.seed = seed
        super().__init__(0, seed=seed, **kw)
        self.articles = self.deal(n, self.days)[::-1]

    @classmethod
    def last_days(cls, n: int = 48, *, today: date | None = None, days: int = 7, missing_offsets=(1,), **kw):
        """Editions on the `days` days up to `today` (default: today in China) but `today - offset`."""
        today = today or datetime.now(CST).date()
        first = today - timedelta(days - 1)
        missing = [today - timedelta(o) for o in missing_offsets]
        return cls(n, first=first, last=today, missing=missing, edition_days=days, **kw)

    def deal(self, n: int, days: list[date]) -> list[Article]:
        """n articles over `days` (oldest first), spread evenly, numbered on from the factory."""
        out = []
        for i, day in enumerate(days):
            k = n // len(days) + (1 if i >= len(days) - n % len(days) else 0)
            for _ in range(k):
                out.append(make_article(self.factory.next_seq(), datetime(day.year, day.month, day.day, tzinfo=CST), self.seed))
        return out

    def add_articles(self, k: int, day: date | None = None) -> list[str]:
        """Publish k articles on `day` (default: a new edition the day after the latest one; a day
        without an edition gets one, and the range grows to hold it); their URLs, newest first."""
        with self.lock:
            day = day or self.days[-1] + timedelta(1)
            self.days = sorted({*self.days, day})
            self.first, self.last = min(self.first, day), max(self.last, day)
            new = self.deal(k, [day])[::-1]
            self.articles = sorted(new + self.articles, key=lambda a: (a.published, a.seq), reverse=True)
            self.touch()
            return [self.article_url(a) for a in new]

    # -- layout of a day ---------------------------------------------------------------------
    def day_articles(self, day: date) -> list[Article]:
        return [a for a in reversed(self.articles) if a.published.date() == day]

    def layout(self, day: date) -> list[list[Article]]:
        """The day's layout pages (node_2 first), each with its articles."""
        items = self.day_articles(day)
        per = max(1, -(-len(items) // self.pages_per_day))
        return [items[i:i + per] for i in range(0, len(items), per)] or [[]]

    def page_of(self, a: Article) -> int:
        return next(i for i, chunk in enumerate(self.layout(a.published.date())) if a in chunk)

    @staticmethod
    def folder(day: date) -> str:
        return f"/html/{day:%Y-%m}/{day:%d}"

    def node_path(self, day: date, index: int = 0) -> str:
        return f"{self.folder(day)}/node_{index + 2}.htm"

    def node_paths(self) -> list[str]:
        """Every layout page of every edition day."""
        return [self.node_path(d, i) for d in self.days for i in range(len(self.layout(d)))]

    def article_path(self, a: Article) -> str:
        return f"{self.folder(a.published.date())}/content_{a.id}.htm"

    def kind(self, path: str) -> str:
        return "edition" if NODE_RE.match(path) else super().kind(path)

    def route(self, req: Request) -> Response | None:
        m = NODE_RE.match(req.path) or CONTENT_RE.match(req.path)
        if not m:
            return None
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        if day not in self.days:
            return None
        if NODE_RE.match(req.path):
            pages = self.layout(day)
            index = int(m.group(4)) - 2
            return html(self.render_layout(day, index, pages)) if 0 <= index < len(pages) else None
        a = self.article_at(req.path)
        return html(self.render_content(a)) if a else None

    def frame(self, day: date, title: str, main: str, head: str = "") -> str:
        dates = ", ".join(f'"{d:%Y-%m-%d}"' for d in self.days)
        return FRAME.format(page_title=title, head=head, paper=self.outlet, cn_date=f"{day.year}年{day.month:02d}月{day.day:02d}日",
                            weekday=WEEKDAYS[day.weekday()], dates=dates, ymd=f"{day:%Y%m%d}", main=main)

    def render_layout(self, day: date, index: int, pages: list[list[Article]]) -> str:
        number = f"{index + 1:02d}"
        areas = "\n".join(f'<area shape="polygon" coords="{20 + i * 5},{40 + i * 90},500,{40 + i * 90},500,{120 + i * 90},'
                          f'{20 + i * 5},{120 + i * 90}" href="content_{a.id}.htm">' for i, a in enumerate(pages[index]))
        titles = "\n".join(f'<div class="title"><a href=content_{a.id}.htm><div style="display:inline" id=mp{a.id}>'
                           f'{a.title}</div></a></div>' for a in pages[index])
        layouts = "\n".join(f'<div><a id=pageLink href=node_{i + 2}.htm>第{i + 1:02d}版：{LAYOUT_NAMES[i % 8]}</a></div>'
                            for i in range(len(pages)))
        main = LAYOUT.format(prev=f"node_{index + 1 if index else 2}.htm", next=f"node_{min(index + 1, len(pages) - 1) + 2}.htm",
                             ym=f"{day:%Y-%m}", dd=f"{day:%d}", page=number, ymd=f"{day:%Y%m%d}", areas=areas,
                             layouts=layouts, layout_name=LAYOUT_NAMES[index % 8], titles=titles)
        return self.frame(day, f"{self.outlet}-{day:%Y年%m月%d日}-第{number}版：{LAYOUT_NAMES[index % 8]}", main)

    def render_content(self, a: Article) -> str:
        index = self.page_of(a)
        body = "\n".join(f"<P>{p}</P>" for p in a.paragraphs)
        main = article_page(CONTENT, a, body=body, page=f"{index + 1:02d}", layout_name=LAYOUT_NAMES[index % 8],
                            node=index + 2, paper=self.outlet)
        head = f'<meta name="description" content="{a.paragraphs[0][:60]}" />'
        return self.frame(a.published.date(), f"{a.title}-{self.outlet}", main, head)

    def sources(self) -> list[dict]:
        base = re.escape(self.base)
        keys = {"edition_url": self.base + "/html/{date:%Y-%m/%d}/node_2.htm"}
        if self.edition_days:
            keys["edition_days"] = self.edition_days
        else:
            keys.update(edition_from=f"{self.first:%Y-%m-%d}", edition_until=f"{self.last:%Y-%m-%d}")
        return [self.source_table(**keys,
                                  article_pattern=f"^{base}/html/\\d{{4}}-\\d{{2}}/\\d{{2}}/content_\\d+\\.htm$",
                                  next_page_pattern=f"^{base}/html/\\d{{4}}-\\d{{2}}/\\d{{2}}/node_\\d+\\.htm$")]
