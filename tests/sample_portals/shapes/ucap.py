"""JSON-list portal (ucap-style): the HTML list page is an empty shell filled by script.

- ``/tzcj/index.html``: ``<ul id="list"></ul>`` and a script that calls the endpoint; no article link.
- ``GET /es-search/search/{channel}?_pageSize=20&page=N`` → ``{"total": T, "results": [{"title",
  "url", "publishedTimeStr", "source"}]}`` (``page`` 1-based, ``_pageSize`` default 10, at most 100;
  a page past the end has ``results: []``; an unknown channel ``total: 0``). ``url`` is a site-absolute
  path for even-numbered articles and a full ``http://…`` URL for odd ones. JSON answers carry an ETag.
- ``POST /es-search/search/{channel}`` with the form fields ``_pageSize`` and ``page``: the same JSON.
- Articles ``/tzcj/2022/11/24/art_{id}.html``.

`bad=True` (bad input) turns the endpoint into three broken channels: ``html`` answers a 200 HTML
page, ``garbage`` bytes that are not JSON, ``shape`` JSON whose ``results`` is not a list. The
shell's article list is then empty, so no article is expected.
"""

from __future__ import annotations

import json
import re

from .corpus import Article
from .server import Portal, Request, Response, article_page, html

FRAME = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title}</title>
{head}
<link rel="stylesheet" href="/static/css/main.css">
<script src="/static/js/jquery.min.js"></script>
</head>
<body>
<div class="header"><div class="container"><a class="logo" href="/">{site}</a>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/tzcj/index.html">投资促进</a></li><li><a href="javascript:;">营商环境</a></li><li><a href="javascript:;">园区平台</a></li></ul></div></div>
<div class="container">
{main}
</div>
<div class="footer"><p>{site} 版权所有　吉ICP备08005678号　网站标识码：2205000012</p></div>
</body>
</html>
"""

SHELL = """<div class="list-wrap">
<h2>投资促进</h2>
<ul class="news-list" id="list"></ul>
<div class="pager" id="pager"></div>
</div>
<script type="text/javascript">
var channelId = "{channel}";
function loadPage(page){{
	$.ajax({{
		url: "/es-search/search/" + channelId,
		type: "{method}",
		data: {{_pageSize: {page_size}, page: page}},
		dataType: "json",
		success: function(data){{
			var html = "";
			$.each(data.results, function(i, item){{
				html += '<li><a href="' + item.url + '" target="_blank">' + item.title + '</a><span>' + item.publishedTimeStr + '</span></li>';
			}});
			$("#list").html(html);
			var pages = Math.ceil(data.total / {page_size});
			$("#pager").html(page < pages ? '<a href="javascript:loadPage(' + (page + 1) + ')">下一页</a>' : '');
		}}
	}});
}}
loadPage(1);
</script>"""

ARTICLE = """<div class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info"><span>发布时间：{time}</span> <span>来源：{source}</span> <span>作者：{author}</span></div>
<div class="article-content">
{body}
</div>
<div class="article-editor">责任编辑：{editor}</div>
</div>"""

SHELL_RE = re.compile(r"^/tzcj/(?:index\.html)?$")
API_RE = re.compile(r"^/es-search/search/(\w+)$")
ARTICLE_RE = re.compile(r"^/tzcj/\d{4}/\d{2}/\d{2}/art_(\d+)\.html$")
BAD_CHANNELS = ("html", "garbage", "shape")


class UcapPortal(Portal):
    """A site whose list comes from a JSON search endpoint; see the module docstring."""

    name = "ucap"
    list_re, article_re, post_paths = SHELL_RE, ARTICLE_RE, (API_RE.pattern,)
    outlet = "通化市投资促进局"
    region = "吉林省通化市"

    def __init__(self, n: int = 50, *, channel: str = "123", page_size: int = 20, method: str = "GET",
                 bad: bool = False, **kw):
        super().__init__(n, **kw)
        self.channel, self.page_size, self.method, self.bad = channel, page_size, method, bad

    def article_path(self, a: Article) -> str:
        return f"/tzcj/{a.published:%Y/%m/%d}/art_{a.id}.html"

    def api_url(self, channel: str | None = None) -> str:
        return self.url(f"/es-search/search/{channel or self.channel}")

    def expected(self) -> list[str]:
        return [] if self.bad else super().expected()

    def kind(self, path: str) -> str:
        return "api" if API_RE.match(path) else super().kind(path)

    def route(self, req: Request) -> Response | None:
        m = API_RE.match(req.path)
        if m:
            return self.api(req, m.group(1))
        if SHELL_RE.match(req.path):
            shell = SHELL.format(channel=self.channel, method=self.method, page_size=self.page_size)
            return html(FRAME.format(page_title=f"投资促进_{self.outlet}", site=self.outlet, head="", main=shell))
        if ARTICLE_RE.match(req.path):
            a = self.article_at(req.path)
            if a:
                body = "\n".join(f"<p>{p}</p>" for p in a.paragraphs)
                head = f'<meta name="publishdate" content="{a.published:%Y-%m-%d %H:%M:%S}">'
                return html(FRAME.format(page_title=f"{a.title}-{self.outlet}", site=self.outlet, head=head,
                                         main=article_page(ARTICLE, a, body=body)))
        return None

    def api(self, req: Request, channel: str) -> Response:
        if self.bad:
            return self.broken(channel)
        params = req.query if req.method == "GET" else (req.form or {})
        try:
            size = min(int(params.get("_pageSize") or 10), 100)
            page = int(params.get("page") or 1)
        except ValueError:
            return self.json({"error": "参数错误", "total": 0, "results": []}, status=400)
        if channel != self.channel or size < 1 or page < 1:
            return self.json({"total": 0, "results": []})
        chosen = self.articles[(page - 1) * size:page * size]
        return self.json({"total": len(self.articles), "results": [self.record(a) for a in chosen]},
                         cacheable=req.method == "GET")

    def record(self, a: Article) -> dict:
        path = self.article_path(a)
        return {"title": a.title, "url": path if a.seq % 2 == 0 else self.url(path),
                "publishedTimeStr": f"{a.published:%Y-%m-%d %H:%M:%S}", "source": a.source}

    @staticmethod
    def json(data: dict, status: int = 200, cacheable: bool = False) -> Response:
        return Response(status, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                        "application/json;charset=UTF-8", cacheable=cacheable)

    def broken(self, channel: str) -> Response:
        if channel == "html":
            return html("<html><head><title>系统维护</title></head><body><p>系统维护中，请稍后访问。</p></body></html>",
                        cacheable=False)
        if channel == "garbage":
            return Response(200, b'\x00\xff\xfe{"total": 3, "resu\x8b\x08garbage', "application/json;charset=UTF-8")
        if channel == "shape":
            return self.json({"total": 3, "results": {"title": "不是列表", "url": "/tzcj/x.html"}})
        return self.json({"total": 0, "results": []})

    def list_api(self, channel: str | None = None) -> dict:
        """The `list_api` key crawling one channel."""
        if self.method == "POST":
            return {"url": self.api_url(channel), "method": "POST",
                    "form": {"_pageSize": str(self.page_size), "page": "{page}"}, "items": "results", "link": "url"}
        return {"url": f"{self.api_url(channel)}?_pageSize={self.page_size}&page={{page}}",
                "items": "results", "link": "url"}

    def sources(self) -> list[dict]:
        pattern = f"^{re.escape(self.base)}/tzcj/\\d{{4}}/\\d{{2}}/\\d{{2}}/art_\\d+\\.html$"
        if self.bad:
            return [self.source_table(name=f"{self.name}_{c}", list_api=self.list_api(c), article_pattern=pattern)
                    for c in BAD_CHANNELS]
        return [self.source_table(list_api=self.list_api(), article_pattern=pattern)]
