"""TRS WCM (拓尔思) portal: static list pages whose pager exists only as JavaScript.

Columns (articles are dealt to them in turn, each list newest first, `per_page` a page):
- ``/xwdt/``: WCM ``index.html``, ``index_1.html`` … ``index_{N-1}.html`` (0-based), pager
  ``createPageHTML(countPage, currentPage, "index", "html");`` with the function inline;
- ``/zwyw/``: the same pages, pager written by ``var countPage = 5//共多少页`` /
  ``var currentPage = 0//所在页从0开始`` and ``document.write`` of computed hrefs;
- ``/tzgg/``: the same pages, ``var countPage = 5//共多少页``, ``var currentPage = 0//当前页`` and then
  ``createPageHTML(countPage, currentPage, "index", "html");``;
- ``/tzcj/``: TRS 海云 ``.shtml``: ``index.shtml``, then ``index_2.shtml`` … ``index_N.shtml``
  (1-based, as 海云 numbers them), pager ``createPageHTML('page_div', N, cur, 'index', 'shtml', total)``.
No list page has an ``<a href>`` to another list page. Articles ``./202211/t20221124_5123456.html``
(relative, as TRS writes them); in the 海云 column ``./202211/{32 hex digits}.shtml``, as 海云 names them. ``claimed_pages`` makes every pager claim that many pages (bad input:
only the real ones exist, the rest are 404).
"""

from __future__ import annotations

import hashlib
import re

from .corpus import Article
from .server import Portal, Request, Response, article_page, html

COLUMNS = {  # name: (pager form, extension, column title)
    "xwdt": ("createPageHTML", "html", "新闻动态"),
    "zwyw": ("countPage", "html", "政务要闻"),
    "tzgg": ("variables", "html", "通知公告"),
    "tzcj": ("haiyun", "shtml", "投资促进"),
}

FRAME = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{page_title}</title>
<meta name="SiteName" content="{site}">
<meta name="SiteDomain" content="www.songyuan.gov.cn">
<meta name="SiteIDCode" content="2207000001">
{head}
<link rel="stylesheet" href="/images/style.css">
<script src="/images/jquery.min.js"></script>
</head>
<body>
<div class="top"><div class="w1200"><span>欢迎访问{site}门户网站</span><span class="fr"><a href="javascript:;">无障碍浏览</a> | <a href="javascript:;">长者模式</a></span></div></div>
<div class="header"><div class="w1200"><a href="/"><img src="/images/logo.png" alt="{site}"></a></div></div>
<div class="nav"><div class="w1200"><a href="/">首页</a><a href="/xwdt/">新闻动态</a><a href="/zwyw/">政务要闻</a><a href="/tzgg/">通知公告</a><a href="/tzcj/">投资促进</a><a href="javascript:;">政务公开</a><a href="javascript:;">互动交流</a></div></div>
<div class="w1200 main">
<div class="location">当前位置：<a href="/">首页</a> &gt; {crumb}</div>
{main}
</div>
<div class="footer"><div class="w1200">
<p><a href="javascript:;">网站地图</a> | <a href="javascript:;">联系我们</a> | <a href="javascript:;">网站声明</a></p>
<p>主办：{site}办公室　网站标识码：2207000001　吉ICP备05001122号　吉公网安备 22070202000111号</p>
</div></div>
</body>
</html>
"""

ARTICLE = """<div class="article">
<h1 class="title">{title}</h1>
<div class="info"><span>发布时间：{time}</span>&nbsp;&nbsp;<span>来源：{source}</span>&nbsp;&nbsp;<span>字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span></div>
<div class="content" id="zoom">
<div class="TRS_Editor"><style type="text/css">.TRS_Editor P{{margin-top:0;margin-bottom:12px;line-height:2;font-size:16px;}}</style>
{body}
</div>
</div>
<div class="zrbj">【责任编辑：{editor}】</div>
<div class="print"><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a></div>
</div>"""

ARTICLE_HEAD = """<meta name="ColumnName" content="{column}">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{minute}">
<meta name="ContentSource" content="{source}">"""

LIST = """<div class="list-box">
<h2 class="list-title">{column}</h2>
<ul class="list">
{items}
</ul>
<div class="page" id="page_div">{pager}</div>
</div>"""

ITEM = '<li><a href="./{folder}/{file}" target="_blank" title="{title}">{title}</a><span class="date">{date}</span></li>'

# TRS WCM's pager: the page numbers are computed, no list page's href is written out.
WCM_FUNCTION = r"""<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){ return; }
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0){
		document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;");
	}else{
		var nPreIndex = nCurrIndex - 1;
		var sPreFileExt = nPreIndex == 0 ? "" : ("_" + nPreIndex);
		document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;");
		document.write("<a href=\"" + _sPageName + sPreFileExt + "." + _sPageExt + "\">上一页</a>&nbsp;");
	}
	if(nCurrIndex == (_nPageCount-1)){
		document.write("<span>下一页</span>&nbsp;<span>尾页</span>");
	}else{
		var nNextIndex = nCurrIndex + 1;
		document.write("<a href=\"" + _sPageName + "_" + nNextIndex + "." + _sPageExt + "\">下一页</a>&nbsp;");
		document.write("<a href=\"" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt + "\">尾页</a>");
	}
	document.write("&nbsp;共" + _nPageCount + "页");
}
</script>"""

WCM_CALL = """<script type="text/javascript">
createPageHTML({count}, {cur}, "index", "html");
</script>"""

WCM_VARIABLES = """<script type="text/javascript">
var countPage = {count}//共多少页
var currentPage = {cur}//当前页
createPageHTML(countPage, currentPage, "index", "html");
</script>"""

COUNTPAGE = r"""<script language="JavaScript">
var currentPage = {cur};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
//设置上一页代码
if(countPage>1&&currentPage!=0&&currentPage!=1)
	document.write("<a href=\"index.html\">首页</a>&nbsp;<a href=\"index"+"_" + prevPage + "."+"html\">上一页</a>&nbsp;");
else if(countPage>1&&currentPage!=0&&currentPage==1)
	document.write("<a href=\"index.html\">首页</a>&nbsp;<a href=\"index.html\">上一页</a>&nbsp;");
else
	document.write("首页&nbsp;上一页&nbsp;");
//设置下一页代码
if(countPage>1&&currentPage!=(countPage-1))
	document.write("<a href=\"index"+"_" + nextPage + "."+"html\">下一页</a>&nbsp;<a href=\"index" + "_" + (countPage-1) + "." + "html\">尾页</a>&nbsp;");
else
	document.write("下一页&nbsp;尾页&nbsp;");
document.write("共" + countPage + "页");
</script>"""

# TRS 海云: 1-based, page 1 is name.ext, page k is name_k.ext
HAIYUN_FUNCTION = r"""<script type="text/javascript">
function createPageHTML(elementId, pageCount, currentPage, prefix, suffix, rowCount){
	var el = document.getElementById(elementId);
	if(!el || pageCount <= 1){ return; }
	var href = function(i){ return i == 1 ? prefix + "." + suffix : prefix + "_" + i + "." + suffix; };
	var s = "<span>共" + rowCount + "条</span> ";
	s += currentPage > 1 ? "<a href='" + href(1) + "'>首页</a> <a href='" + href(currentPage - 1) + "'>上一页</a> " : "<span>首页</span> <span>上一页</span> ";
	s += currentPage < pageCount ? "<a href='" + href(currentPage + 1) + "'>下一页</a> <a href='" + href(pageCount) + "'>尾页</a>" : "<span>下一页</span> <span>尾页</span>";
	el.innerHTML = s;
}
</script>"""

HAIYUN_CALL = """<script type="text/javascript">
createPageHTML('page_div', {count}, {cur}, 'index', 'shtml', {total});
</script>"""

LIST_RE = re.compile(r"^/(\w+)/(?:index(?:_(\d+))?\.(html|shtml))?$")
ARTICLE_RE = re.compile(r"^/(\w+)/(\d{6})/(?:t\d{8}_\d+\.html|[0-9a-f]{32}\.shtml)$")


class TrsPortal(Portal):
    """A TRS WCM / 海云 site; see the module docstring."""

    name = "trs"
    list_re, article_re = LIST_RE, ARTICLE_RE
    outlet = "松原市人民政府"
    region = "吉林省松原市"

    def __init__(self, n: int = 48, *, per_page: int = 5, columns=tuple(COLUMNS), claimed_pages: int | None = None,
                 **kw):
        super().__init__(n, **kw)
        self.per_page, self.columns, self.claimed_pages = per_page, tuple(columns), claimed_pages

    def column_of(self, article: Article) -> str:
        return self.columns[article.seq % len(self.columns)]

    def column_articles(self, col: str) -> list[Article]:
        return [a for a in self.articles if self.column_of(a) == col]

    def pages(self, col: str) -> list[list[Article]]:
        items = self.column_articles(col)
        return [items[i:i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    @staticmethod
    def list_path(col: str, index: int) -> str:
        """Path of list page `index` (0 = first) of a column."""
        _, ext, _ = COLUMNS[col]
        if index == 0:
            return f"/{col}/index.{ext}"
        return f"/{col}/index_{index + 1 if ext == 'shtml' else index}.{ext}"

    def list_paths(self, col: str | None = None) -> list[str]:
        """Every real list page, column by column."""
        cols = [col] if col else self.columns
        return [self.list_path(c, i) for c in cols for i in range(len(self.pages(c)))]

    def article_path(self, a: Article) -> str:
        col, p = self.column_of(a), a.published
        if COLUMNS[col][1] == "shtml":  # 海云
            return f"/{col}/{p:%Y%m}/{hashlib.md5(str(a.id).encode()).hexdigest()}.shtml"
        return f"/{col}/{p:%Y%m}/t{p:%Y%m%d}_{a.id}.html"

    def route(self, req: Request) -> Response | None:
        if req.path == "/":
            return html(self.frame("", "首页", "<div class=\"home\"></div>", ""))
        m = LIST_RE.match(req.path)
        if m and m.group(1) in self.columns:
            col, num, ext = m.group(1), m.group(2), m.group(3) or COLUMNS[m.group(1)][1]
            if ext != COLUMNS[col][1]:
                return None
            first = 2 if ext == "shtml" else 1  # the number of the second page: 海云 index_2, WCM index_1
            if num is not None and (num != str(int(num)) or int(num) < first):
                return None
            index = 0 if num is None else int(num) - first + 1
            pages = self.pages(col)
            return html(self.render_list(col, index, pages)) if index < len(pages) else None
        m = ARTICLE_RE.match(req.path)
        if m and m.group(1) in self.columns:
            a = self.article_at(req.path)
            return html(self.render_article(a)) if a else None
        return None

    def frame(self, title: str, crumb: str, main: str, head: str) -> str:
        page_title = f"{title}_{self.outlet}" if title else self.outlet
        return FRAME.format(page_title=page_title, site=self.outlet, crumb=crumb, main=main, head=head)

    def render_list(self, col: str, index: int, pages: list[list[Article]]) -> str:
        form, ext, column = COLUMNS[col]
        count = self.claimed_pages or len(pages)
        items = "\n".join(ITEM.format(folder=f"{a.published:%Y%m}", file=self.article_path(a).rsplit("/", 1)[1],
                                      title=a.title, date=f"{a.published:%Y-%m-%d}") for a in pages[index])
        if form in ("createPageHTML", "variables"):
            call = WCM_CALL if form == "createPageHTML" else WCM_VARIABLES
            pager, head = call.format(count=count, cur=index), WCM_FUNCTION
        elif form == "countPage":
            pager, head = COUNTPAGE.replace("{cur}", str(index)).replace("{count}", str(count)), ""
        else:
            total = len(self.column_articles(col)) if not self.claimed_pages else count * self.per_page
            pager, head = HAIYUN_CALL.format(count=count, cur=index + 1, total=total), HAIYUN_FUNCTION
        main = LIST.format(column=column, items=items, pager=pager)
        return self.frame(column, f'<a href="/{col}/index.{ext}">{column}</a>', main, head)

    def render_article(self, a: Article) -> str:
        col = self.column_of(a)
        column = COLUMNS[col][2]
        body = "\n".join(f"<p>　　{p}</p>" for p in a.paragraphs)
        main = article_page(ARTICLE, a, body=body)
        head = article_page(ARTICLE_HEAD, a, column=column)
        return self.frame(a.title, f'<a href="/{col}/index.{COLUMNS[col][1]}">{column}</a> &gt; 正文', main, head)

    def sources(self) -> list[dict]:
        base = re.escape(self.base)
        wcm = [c for c in self.columns if COLUMNS[c][1] == "html"]
        haiyun = [c for c in self.columns if COLUMNS[c][1] == "shtml"]
        patterns = ([f"/(?:{'|'.join(wcm)})/\\d{{6}}/t\\d{{8}}_\\d+\\.html"] if wcm else []) + \
            ([f"/(?:{'|'.join(haiyun)})/\\d{{6}}/[0-9a-f]{{32}}\\.shtml"] if haiyun else [])
        return [self.source_table(start_urls=[self.url(self.list_path(c, 0)) for c in self.columns],
                                  article_pattern=f"^{base}(?:{'|'.join(patterns)})$")]
