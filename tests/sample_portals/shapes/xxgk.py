"""信息公开目录 portal: list items are ``<div>`` rows opened by JavaScript, no ``<a>`` to an article.

- ``/xxgk/column-index-1.shtml``, ``column-index-2.shtml`` …: `per_page` items a page, newest first;
  the pager is plain anchors (首页 / 上一页 / 下一页 / 尾页 to ``column-index-N.shtml``).
- Item handler forms rotate with the article (all seen on real 信息公开 platforms):
  ``onclick="window.open('/xxgk/…/content_N.shtml','_blank')"``, ``onclick="location.href='…'"``,
  ``onclick="window.location='…'"`` (a path relative to the list page),
  ``onclick='window.location.href="…"'``, ``data-href="…"`` and ``data-url="…"`` (opened by a delegated
  jQuery handler in the page's script).
- Articles ``/xxgk/tzxm/{YYYYMM}/content_{id}.shtml``: a 信息公开 page with the 索引号 metadata table.
"""

from __future__ import annotations

import re

from .corpus import Article
from .server import Portal, Request, Response, article_page, html

FRAME = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<title>{page_title}</title>
{head}
<link rel="stylesheet" href="/xxgk/css/xxgk.css">
<script src="/xxgk/js/jquery-1.12.4.min.js"></script>
</head>
<body>
<div class="xxgk-head"><div class="w1200"><h1>{site}信息公开</h1><a href="/xxgk/column-index-1.shtml">信息公开目录</a> | <a href="javascript:;">信息公开指南</a> | <a href="javascript:;">依申请公开</a> | <a href="javascript:;">信息公开年报</a></div></div>
<div class="w1200 xxgk-body">
<div class="xxgk-tree"><h3>主题分类</h3><ul><li class="on">投资项目</li><li>政策文件</li><li>规划计划</li><li>财政信息</li></ul></div>
<div class="xxgk-main">
{main}
</div>
</div>
<div class="xxgk-foot"><p>{site}办公室主办　吉ICP备07004567号　网站标识码：2204000001</p></div>
</body>
</html>
"""

LIST = """<div class="xxgk-list">
<div class="th"><span class="index">索引号</span><span class="title">标题</span><span class="date">发布日期</span></div>
{items}
</div>
<div class="pagination">{pager}</div>
<script type="text/javascript">
$(function(){{
	$(".xxgk-list").on("click", ".li[data-url]", function(){{ window.open($(this).attr("data-url")); }});
}});
function openDetail(el){{ window.open(el.getAttribute("data-href"), "_blank"); }}
</script>"""

ROW = '<span class="index">{index}</span><span class="title" title="{title}">{title}</span><span class="date">{date}</span>'

ARTICLE = """<table class="xxgk-meta">
<tr><th>索引号：</th><td>{index}</td><th>发布机构：</th><td>{source}</td></tr>
<tr><th>主题分类：</th><td>投资项目</td><th>发文日期：</th><td>{cn_date}</td></tr>
<tr><th>名　　称：</th><td colspan="3">{title}</td></tr>
</table>
<div class="xxgk-article">
<h1>{title}</h1>
<div class="info">发布时间：{minute}　来源：{source}</div>
<div class="content" id="content">
{body}
</div>
<div class="xxgk-tools"><a href="javascript:window.print();">打印</a> <a href="javascript:window.close();">关闭</a></div>
</div>"""

LIST_RE = re.compile(r"^/xxgk/column-index-(\d+)\.shtml$")
ARTICLE_RE = re.compile(r"^/xxgk/tzxm/(\d{6})/content_(\d+)\.shtml$")


def handler(form: int, path: str, row: str) -> str:
    """One list item opening `path` in the given handler form."""
    if form == 0:
        return f"""<div class="li" onclick="window.open('{path}','_blank')">{row}</div>"""
    if form == 1:
        return f"""<div class="li" onclick="location.href='{path}'">{row}</div>"""
    if form == 2:  # relative to the list page
        return f"""<div class="li" onclick="window.location='{path.removeprefix('/xxgk/')}'">{row}</div>"""
    if form == 3:
        return f"""<div class="li" onclick='window.location.href="{path}"'>{row}</div>"""
    if form == 4:
        return f"""<div class="li" data-href="{path}" onclick="openDetail(this)">{row}</div>"""
    return f"""<div class="li" data-url="{path}">{row}</div>"""


class XxgkPortal(Portal):
    """A 信息公开目录 site with onclick list items; see the module docstring."""

    name = "xxgk"
    list_re, article_re = LIST_RE, ARTICLE_RE
    outlet = "辽源市人民政府"
    region = "吉林省辽源市"
    FORMS = 6

    def __init__(self, n: int = 45, *, per_page: int = 10, **kw):
        super().__init__(n, **kw)
        self.per_page = per_page

    def article_path(self, a: Article) -> str:
        return f"/xxgk/tzxm/{a.published:%Y%m}/content_{a.id}.shtml"

    @staticmethod
    def list_path(number: int) -> str:
        return f"/xxgk/column-index-{number}.shtml"

    def page_count(self) -> int:
        return max(1, -(-len(self.articles) // self.per_page))

    def index_no(self, a: Article) -> str:
        return f"11220400013781234X/{a.published.year}-{a.seq + 1:05d}"

    def route(self, req: Request) -> Response | None:
        m = LIST_RE.match(req.path)
        if m:
            number = int(m.group(1))
            if m.group(1) != str(number) or not 1 <= number <= self.page_count():
                return None
            return html(self.render_list(number))
        if ARTICLE_RE.match(req.path):
            a = self.article_at(req.path)
            return html(self.render_article(a)) if a else None
        return None

    def render_list(self, number: int) -> str:
        chunk = self.articles[(number - 1) * self.per_page:number * self.per_page]
        items = "\n".join(
            handler(a.seq % self.FORMS, self.article_path(a),
                    ROW.format(index=self.index_no(a), title=a.title, date=f"{a.published:%Y-%m-%d}"))
            for a in chunk)
        last = self.page_count()
        link = lambda n, text: f'<a href="column-index-{n}.shtml">{text}</a>'  # noqa: E731
        pager = " ".join([
            link(1, "首页"), link(number - 1, "上一页") if number > 1 else "<span>上一页</span>",
            link(number + 1, "下一页") if number < last else "<span>下一页</span>", link(last, "尾页"),
            f"<span>第{number}/{last}页</span>"])
        return FRAME.format(page_title=f"信息公开目录_{self.outlet}", site=self.outlet, head="",
                            main=LIST.format(items=items, pager=pager))

    def render_article(self, a: Article) -> str:
        body = "\n".join(f"<p>{p}</p>" for p in a.paragraphs)
        head = f'<meta name="ArticleTitle" content="{a.title}">\n<meta name="PubDate" content="{a.published:%Y-%m-%d %H:%M}">'
        return FRAME.format(page_title=f"{a.title}_{self.outlet}", site=self.outlet, head=head,
                            main=article_page(ARTICLE, a, body=body, index=self.index_no(a)))

    def sources(self) -> list[dict]:
        base = re.escape(self.base)
        return [self.source_table(
            start_urls=[self.url(self.list_path(1))],
            article_pattern=f"^{base}/xxgk/tzxm/\\d{{6}}/content_\\d+\\.shtml$",
            next_page_pattern=f"^{base}/xxgk/column-index-\\d+\\.shtml$")]
