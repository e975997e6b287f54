"""Hanweb (大汉) jpage portal: the column page holds the first record group, the rest come by POST.

- ``/col/col{columnid}/index.html``: the first group (``group_pages`` × ``per_page`` = 3 × 15 = 45
  records) inside ``<script type="text/xml"><datastore><nextgroup>…</nextgroup><recordset><record>``;
  ``nextgroup`` points at ``/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=…&path=/&columnid=…``;
  the page's ``$('#unitid').jpage({… proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, groupSize: 3,
  ajaxParam: {col: 1, appid: 1, webid, path: '/', columnid, sourceContentType: 1, unitid, webname,
  permissiontype: 0}})`` call configures the browser.
- ``/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` (the browser POSTs the
  ajaxParam fields urlencoded) → ``<?xml …?><datastore><totalrecord>T</totalrecord><totalpage>P</totalpage>
  <recordset>…</recordset></datastore>`` with records startrecord..endrecord (1-based, inclusive).
- ``dataproxy.jsp?page=N&appid=1&webid=…&columnid=…&unitid=…`` (the nextgroup GET form) → the same XML
  with records of page N of ``get_page_size`` (100, as real Hanweb servers answer this form).
Like the servlet, parameters are read from query and body alike; a request whose ``columnid``,
``unitid`` or ``webid`` is missing or names another column/unit/site gets an empty datastore
(totalrecord 0). GET answers carry an ETag (POST ones do not, as with any POST). Articles ``/art/2022/11/24/art_{columnid}_{id}.html`` (absolute paths).
``broken_config=True`` (bad input): the jpage call has neither proxyUrl nor columnid/unitid and the
nextgroup is empty; only the first group can be found, so only it is expected.
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote

from .corpus import Article
from .server import Portal, Request, Response, article_page, html

PROXY = "/module/web/jpage/dataproxy.jsp"

FRAME = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{page_title}</title>
<meta name="SiteName" content="{site}">
<meta name="SiteDomain" content="www.siping.gov.cn">
<meta name="SiteIDCode" content="2203000001">
{head}
<link rel="stylesheet" href="/images/base.css">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
<div class="head"><div class="wrap"><img src="/images/logo.png" alt="{site}"><div class="search"><form action="/jrobot/search.do" method="get"><input name="q"><input type="submit" value="搜索"></form></div></div></div>
<div class="menu"><div class="wrap"><a href="/">首页</a><a href="/col/col{columnid}/index.html">招商引资</a><a href="javascript:;">政务公开</a><a href="javascript:;">政务服务</a><a href="javascript:;">政民互动</a></div></div>
<div class="wrap">
<div class="position">您当前的位置：<a href="/">首页</a> &gt; {crumb}</div>
{main}
</div>
<div class="foot"><div class="wrap">
<p>主办单位：{site}办公室　承办单位：{site}政务服务和数字化建设管理局</p>
<p>网站标识码：2203000001　吉ICP备06001234号-1　吉公网安备 22030202000123号</p>
<p><script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E"));</script></p>
</div></div>
</body>
</html>
"""

COLUMN = """<div class="column-list">
<h2>招商引资</h2>
<div id="{unitid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script><script language="javascript" src="/module/web/jpage/dataproxy.js"></script>
<script type="text/javascript">
$(document).ready(function(){{
	$('#{unitid}').jpage({{
		totalRecord: {total},
		perPage: {per_page},
		groupSize: {group_pages},
		barPosition: 'bottom',
		themeName: 'default',{proxy}
		ajaxParam: {{{ajax}}}
	}});
}});
</script>
</div>
</div>"""

RECORD = ('<record><![CDATA[\n<li><a href="{path}" target="_blank" title="{title}">{title}</a>'
          '<span class="bt-data-time">{date}</span></li>\n]]></record>')

XML = ('<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{total}</totalrecord>'
       '<totalpage>{pages}</totalpage><recordset>{records}</recordset></datastore>')

ARTICLE = """<div class="main-txt">
<div class="title"><h1>{title}</h1></div>
<div class="info">发布日期：{minute}　　信息来源：{source}　　浏览次数：<span id="hits">--</span>　　字体：[<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>]</div>
<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>
<div class="bj">责任编辑：{editor}</div>
<div class="tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>"""

ARTICLE_HEAD = """<meta name="ColumnName" content="招商引资">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{minute}">
<meta name="ContentSource" content="{source}">
<meta name="Maketime" content="{time}">"""

ARTICLE_RE = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")
COLUMN_RE = re.compile(r"^/col/col(\d+)/(?:index\.html)?$")


class HanwebPortal(Portal):
    """A Hanweb jpage site with one column; see the module docstring."""

    name = "hanweb"
    list_re, article_re, post_paths = COLUMN_RE, ARTICLE_RE, (re.escape(PROXY) + "$",)
    outlet = "四平市人民政府"
    region = "吉林省四平市"
    webname = "四平市人民政府"

    def __init__(self, n: int = 100, *, columnid: int = 1519, unitid: int = 4158341, webid: int = 5,
                 per_page: int = 15, group_pages: int = 3, get_page_size: int = 100, broken_config: bool = False,
                 **kw):
        super().__init__(n, **kw)
        self.columnid, self.unitid, self.webid = columnid, unitid, webid
        self.per_page, self.group_pages, self.get_page_size = per_page, group_pages, get_page_size
        self.broken_config = broken_config

    @property
    def group_size(self) -> int:
        return self.per_page * self.group_pages

    @property
    def column_path(self) -> str:
        return f"/col/col{self.columnid}/index.html"

    def ajax_param(self) -> dict[str, str]:
        """The form fields the browser POSTs (the jpage call's ajaxParam)."""
        return {"col": "1", "appid": "1", "webid": str(self.webid), "path": "/", "columnid": str(self.columnid),
                "sourceContentType": "1", "unitid": str(self.unitid), "webname": self.webname,
                "permissiontype": "0"}

    def nextgroup_href(self) -> str:
        return (f"{PROXY}?page=1&appid=1&webid={self.webid}&path=/&columnid={self.columnid}"
                f"&unitid={self.unitid}&webname={quote(self.webname)}&permissiontype=0")

    def article_path(self, a: Article) -> str:
        p = a.published
        return f"/art/{p.year}/{p.month}/{p.day}/art_{self.columnid}_{a.id}.html"

    def expected(self) -> list[str]:
        urls = super().expected()
        return urls[:self.group_size] if self.broken_config else urls

    def kind(self, path: str) -> str:
        return "proxy" if path == PROXY else super().kind(path)

    def route(self, req: Request) -> Response | None:
        if req.path == PROXY:
            return self.dataproxy(req)  # GET and POST, as the servlet
        if req.path == "/":
            return html(FRAME.format(page_title=self.outlet, site=self.outlet, head="", crumb="",
                                     main="", columnid=self.columnid))
        m = COLUMN_RE.match(req.path)
        if m and int(m.group(1)) == self.columnid:
            return html(self.render_column())
        if ARTICLE_RE.match(req.path):
            a = self.article_at(req.path)
            return html(self.render_article(a)) if a else None
        return None

    def records(self, articles: list[Article]) -> str:
        return "\n".join(RECORD.format(path=self.article_path(a), title=a.title, date=f"{a.published:%Y-%m-%d}")
                         for a in articles)

    def render_column(self) -> str:
        if self.broken_config:
            proxy, ajax, nextgroup = "", "col: 1, appid: 1, path: '/', sourceContentType: 1, permissiontype: 0", ""
        else:
            proxy = f"\n\t\tproxyUrl: '{PROXY}',"
            ajax = ", ".join(f"{k}: {v if v.isdigit() else repr(v)}" for k, v in self.ajax_param().items())
            nextgroup = f'<a href="{self.nextgroup_href()}"></a>'
        main = COLUMN.format(unitid=self.unitid, nextgroup=nextgroup, records=self.records(self.articles[:self.group_size]),
                             total=len(self.articles), per_page=self.per_page, group_pages=self.group_pages,
                             proxy=proxy, ajax=ajax)
        return FRAME.format(page_title=f"招商引资_{self.outlet}", site=self.outlet, head="", crumb="招商引资",
                            main=main, columnid=self.columnid)

    def render_article(self, a: Article) -> str:
        body = "\n".join(f'<p style="text-indent:2em;">{p}</p>' for p in a.paragraphs)
        return FRAME.format(page_title=f"{a.title} {self.outlet}", site=self.outlet,
                            head=article_page(ARTICLE_HEAD, a), crumb="招商引资 &gt; 正文",
                            main=article_page(ARTICLE, a, body=body), columnid=self.columnid)

    def dataproxy(self, req: Request) -> Response:
        """The jpage data proxy (POST startrecord/endrecord form and GET page form)."""
        params = req.params
        total = len(self.articles)
        mine = (params.get("columnid") == str(self.columnid) and params.get("unitid") == str(self.unitid)
                and params.get("webid") == str(self.webid))
        try:
            if "startrecord" in params or "endrecord" in params:
                start, end = int(params["startrecord"]), int(params["endrecord"])
                per_page = int(params.get("perpage") or self.per_page)
            else:
                page = int(params.get("page") or 1)
                per_page = self.get_page_size
                start, end = (page - 1) * per_page + 1, page * per_page
        except (KeyError, ValueError):
            return Response(500, b"<html><body><h1>HTTP Status 500 - java.lang.NumberFormatException</h1></body></html>")
        if not mine or per_page < 1:
            return self.xml(0, 0, [])
        chosen = self.articles[max(start, 1) - 1:max(end, 0)]
        return self.xml(total, math.ceil(total / per_page), chosen, cacheable=req.method == "GET")

    def xml(self, total: int, pages: int, articles: list[Article], cacheable: bool = False) -> Response:
        body = XML.format(total=total, pages=pages, records=self.records(articles))
        return Response(200, body.encode("utf-8"), "text/xml;charset=UTF-8", cacheable=cacheable)

    def sources(self) -> list[dict]:
        return [self.source_table(
            start_urls=[self.url(self.column_path)],
            article_pattern=f"^{re.escape(self.base)}/art/\\d{{4}}/\\d{{1,2}}/\\d{{1,2}}/art_{self.columnid}_\\d+\\.html$")]
