"""The shape sample portals themselves (tests/sample_portals/shapes), spoken to with urllib: not the crawler.

Expected values come from the generator's articles and the shapes described in the issue, never
from crawler output.
"""

from __future__ import annotations

import email.utils
import json
import re
import tomllib
import urllib.error
import urllib.request
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import pytest

from archive.extract import extract_article
from archive.relevance import RelevanceModel
from tests.sample_portals.shapes import (EpaperPortal, HanwebPortal, TrsPortal, UcapPortal, XxgkPortal,
                                         bad_portals, serve_shapes, shape_portals)
from tests.sample_portals.shapes.hanweb import PROXY


def fetch(url, data=None, **headers):
    """(status, headers, body bytes) without raising on 304/404/500; `data` (a dict) makes it a form POST."""
    body = urlencode(data).encode() if isinstance(data, dict) else data
    req = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def text(url, data=None):
    status, _, body = fetch(url, data)
    assert status == 200, (url, status)
    return body.decode("utf-8")


class Anchors(HTMLParser):
    """hrefs of <a>/<area> elements as an HTML parser (not a script) sees them."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "area") and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def anchors(page: str, base: str) -> list[str]:
    parser = Anchors()
    parser.feed(page)
    return [urljoin(base, h) for h in parser.hrefs]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    log = tmp_path_factory.mktemp("shapes") / "requests.jsonl"
    with serve_shapes(shape_portals() + bad_portals(), log_path=log) as portals:
        portals.log_file = log
        yield portals


def test_texts_distinct_and_relevant_across_portals(running):
    articles = [a for p in running.portals for a in p.articles]
    assert len(articles) >= 48 + 100 + 45 + 50 + 48
    texts = ["\n".join(a.paragraphs) for a in articles]
    assert len(set(texts)) == len(texts) and len({a.title for a in articles}) == len(articles)
    assert len({a.paragraphs[0] for a in articles}) == len(articles)  # the leads differ, not only the mixes
    model = RelevanceModel()
    assert all(model.is_relevant(model.score(a.title, "\n".join(a.paragraphs))) for a in articles)
    for p in running.portals:  # newest first
        stamps = [(a.published, a.seq) for a in p.articles]
        assert stamps == sorted(stamps, reverse=True), p.name


@pytest.mark.parametrize("name", ["trs", "hanweb", "xxgk", "ucap", "epaper"])
def test_article_pages_are_real_news_pages(running, name):
    portal = running[name]
    for a in portal.articles[:3]:
        url = portal.article_url(a)
        status, headers, body = fetch(url)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        page = body.decode()
        assert "来源" in page or portal.outlet in page
        ex = extract_article([(body, url)], headers["Content-Type"])
        assert ex.title == a.title and ex.text == "\n".join(a.paragraphs) and ex.relevant
        assert ex.published_at.startswith(a.published.strftime("%Y-%m-%d"))


# ---------------------------------------------------------------------------------------------- TRS
def test_trs_list_pages_and_javascript_pagers(running):
    trs = running["trs"]
    assert trs.list_paths("xwdt") == ["/xwdt/index.html", "/xwdt/index_1.html", "/xwdt/index_2.html"]
    assert trs.list_paths("tzcj") == ["/tzcj/index.shtml", "/tzcj/index_2.shtml", "/tzcj/index_3.shtml"]
    forms = {"xwdt": r'createPageHTML\(3, {i}, "index", "html"\);',
             "zwyw": r"var currentPage = {i};//所在页从0开始[\s\S]*var countPage = 3//共多少页",
             "tzgg": r'var countPage = 3//共多少页\nvar currentPage = {i}//当前页\n'
                     r'createPageHTML\(countPage, currentPage, "index", "html"\);',
             "tzcj": r"createPageHTML\('page_div', 3, {n}, 'index', 'shtml', {total}\);"}
    for col in trs.columns:
        seen = []
        for i, path in enumerate(trs.list_paths(col)):
            page = text(trs.url(path))
            total = len(trs.column_articles(col))
            assert re.search(forms[col].format(i=i, n=i + 1, total=total), page), (col, i)
            links = anchors(page, trs.url(path))
            assert not [u for u in links if re.search(r"/index_\d+\.s?html$", u)], path  # no <a> to page 2
            hrefs = re.findall(r'<li><a href="([^"]+)"', page)
            assert hrefs and all(h.startswith("./20") for h in hrefs)  # relative, as TRS writes them
            shape = r"\./\d{6}/[0-9a-f]{32}\.shtml" if col == "tzcj" else r"\./\d{6}/t\d{8}_\d+\.html"
            assert all(re.fullmatch(shape, h) for h in hrefs), col
            seen += [urljoin(trs.url(path), h) for h in hrefs]
        assert seen == [trs.article_url(a) for a in trs.column_articles(col)]
    assert sorted(u for c in trs.columns for u in [trs.article_url(a) for a in trs.column_articles(c)]) \
        == sorted(trs.expected())
    for missing in ("/xwdt/index_3.html", "/tzcj/index_1.shtml", "/tzcj/index_4.shtml", "/xwdt/index_01.html",
                    "/zwyw/index.shtml", "/xwdt/202211/t20221124_1.html"):
        assert fetch(trs.url(missing))[0] == 404, missing
    assert fetch(trs.url("/xwdt/index.html"), {"page": "2"})[0] == 405  # static pages take no POST


def test_trs_huge_pager_claims_ten_thousand_pages(running):
    huge = running["trs_huge"]
    page = text(huge.url("/xwdt/index.html"))
    assert 'createPageHTML(10000, 0, "index", "html");' in page
    assert [fetch(huge.url(f"/xwdt/index_{i}.html"))[0] for i in (1, 2, 3, 9999)] == [200, 200, 404, 404]
    assert len(huge.expected()) == 15


def test_conditional_get_and_runtime_additions(tmp_path):
    with serve_shapes([TrsPortal(12, per_page=5, columns=("xwdt",))]) as portals:
        trs = portals["trs"]
        url = trs.url("/xwdt/index.html")
        status, first, body = fetch(url)
        assert status == 200 and first["ETag"] and first["Last-Modified"]
        assert fetch(url, **{"If-None-Match": first["ETag"]})[0] == 304
        assert fetch(url, **{"If-Modified-Since": first["Last-Modified"]})[0] == 304
        assert fetch(url, **{"If-Modified-Since": email.utils.formatdate(0, usegmt=True)})[0] == 200
        new = trs.add_articles(2)
        assert len(new) == 2 and new == trs.expected()[:2] and len(trs.expected()) == 14
        status, second, body2 = fetch(url, **{"If-None-Match": first["ETag"]})
        assert status == 200 and second["ETag"] != first["ETag"]
        assert email.utils.parsedate_to_datetime(second["Last-Modified"]) > \
            email.utils.parsedate_to_datetime(first["Last-Modified"])
        assert fetch(url, **{"If-Modified-Since": first["Last-Modified"]})[0] == 200
        hrefs = [urljoin(url, h) for h in re.findall(r'<li><a href="([^"]+)"', body2.decode())]
        assert hrefs[:2] == new and hrefs[2:] == [trs.article_url(a) for a in trs.articles[2:5]]
        assert all(fetch(u)[0] == 200 for u in new)
        assert fetch(trs.url("/xwdt/index_2.html"))[0] == 200  # 14 articles: a third page now
        assert [r["status"] for r in trs.requests][:4] == [200, 304, 304, 200]


# ------------------------------------------------------------------------------------------- Hanweb
def records(xml: str) -> list[str]:
    return re.findall(r'<record><!\[CDATA\[\s*<li><a href="([^"]+)"', xml)


def test_hanweb_column_page_holds_first_group(running):
    hw = running["hanweb"]
    page = text(hw.url(hw.column_path))
    data = re.search(r'<script type="text/xml">(.*?)</script>', page, re.S).group(1)
    assert [hw.url(h) for h in records(data)] == hw.expected()[:45]
    nextgroup = re.search(r"<nextgroup><!\[CDATA\[<a href=\"([^\"]+)\"></a>\]\]></nextgroup>", data).group(1)
    assert nextgroup.startswith(PROXY + "?page=1&appid=1&webid=5&path=/&columnid=1519&unitid=4158341&webname=")
    call = re.search(r"\.jpage\(\{(.*?)\}\);", page, re.S).group(1)
    assert "proxyUrl: '/module/web/jpage/dataproxy.jsp'" in call and "perPage: 15" in call and "totalRecord: 100" in call
    assert ("ajaxParam: {col: 1, appid: 1, webid: 5, path: '/', columnid: 1519, sourceContentType: 1, "
            "unitid: 4158341, webname: '四平市人民政府', permissiontype: 0}") in call
    outside = page.replace(data, "")
    assert not [u for u in anchors(outside, hw.base) if "/art/" in u]


def test_hanweb_dataproxy_groups(running):
    hw = running["hanweb"]
    form = hw.ajax_param()
    second = text(hw.url(f"{PROXY}?startrecord=46&endrecord=90&perpage=15"), form)
    assert second.startswith('<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>100</totalrecord>'
                             '<totalpage>7</totalpage><recordset>')
    assert [hw.url(h) for h in records(second)] == hw.expected()[45:90]
    third = text(hw.url(f"{PROXY}?startrecord=91&endrecord=135&perpage=15"), form)
    assert [hw.url(h) for h in records(third)] == hw.expected()[90:]
    assert records(text(hw.url(f"{PROXY}?startrecord=136&endrecord=180&perpage=15"), form)) == []
    one = text(hw.url(f"{PROXY}?startrecord=45&endrecord=46&perpage=15"), form)
    assert [hw.url(h) for h in records(one)] == hw.expected()[44:46]
    # the fields matter: without or with another columnid / unitid / webid, nothing
    for broken in ({k: v for k, v in form.items() if k != "columnid"}, {**form, "columnid": "1520"},
                   {k: v for k, v in form.items() if k != "unitid"}, {**form, "webid": "1"}, {}):
        xml = text(hw.url(f"{PROXY}?startrecord=46&endrecord=90&perpage=15"), broken)
        assert "<totalrecord>0</totalrecord>" in xml and records(xml) == []
    # the nextgroup GET form: page N of 100 records
    nextgroup = re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"', text(hw.url(hw.column_path))).group(1)
    assert [hw.url(h) for h in records(text(hw.url(nextgroup)))] == hw.expected()
    assert records(text(hw.url(nextgroup.replace("page=1", "page=2")))) == []
    assert records(text(hw.url(nextgroup.replace("columnid=1519", "columnid=7")))) == []
    etag = fetch(hw.url(nextgroup))[1]["ETag"]
    assert fetch(hw.url(nextgroup), **{"If-None-Match": etag})[0] == 304
    assert "ETag" not in fetch(hw.url(f"{PROXY}?startrecord=46&endrecord=90&perpage=15"), form)[1]
    assert fetch(hw.url(f"{PROXY}?startrecord=x&endrecord=90"), form)[0] == 500
    posts = [r for r in hw.requests if r["method"] == "POST"]
    assert posts[0]["query"] == {"startrecord": "46", "endrecord": "90", "perpage": "15"}
    assert posts[0]["form"] == form and posts[0]["kind"] == "proxy" and "columnid=1519" in posts[0]["body"]


def test_hanweb_broken_config(running):
    broken = running["hanweb_broken"]
    page = text(broken.url(broken.column_path))
    call = re.search(r"\.jpage\(\{(.*?)\}\);", page, re.S).group(1)
    assert "proxyUrl" not in call and "columnid" not in call and "unitid" not in call
    assert "<nextgroup><![CDATA[]]></nextgroup>" in page
    assert len(records(page)) == 45 and broken.expected() == [broken.url(h) for h in records(page)]


# --------------------------------------------------------------------------------------------- xxgk
HANDLER = re.compile(r"""(?:window\.open\(|location\.href=|window\.location=|window\.location\.href=)['"]([^'"]+)['"]"""
                     r"""|data-(?:href|url)="([^"]+)\"""")


def test_xxgk_onclick_items_and_pager(running):
    xx = running["xxgk"]
    assert xx.page_count() == 5
    seen, forms = [], set()
    for n in range(1, 6):
        url = xx.url(f"/xxgk/column-index-{n}.shtml")
        page = text(url)
        items = re.findall(r'<div class="li"[^>]*>', page)
        assert len(items) == (10 if n < 5 else 5)
        for item in items:
            m = HANDLER.search(item)
            target = m.group(1) or m.group(2)
            seen.append(urljoin(url, target))
            forms.add(item[:item.index(target)])
        links = anchors(page, url)
        assert not [u for u in links if "content_" in u]
        if n < 5:
            assert xx.url(f"/xxgk/column-index-{n + 1}.shtml") in links
    assert seen == xx.expected()
    assert len(forms) == 6  # window.open, location.href, window.location, …href="", data-href, data-url
    assert any("window.location='tzxm/" in i for i in re.findall(r'<div class="li"[^>]*>', text(xx.url("/xxgk/column-index-1.shtml"))))
    for missing in (0, 6, "01"):
        assert fetch(xx.url(f"/xxgk/column-index-{missing}.shtml"))[0] == 404


# --------------------------------------------------------------------------------------------- ucap
def test_ucap_shell_and_json_pages(running):
    uc = running["ucap"]
    shell = text(uc.url("/tzcj/index.html"))
    assert '<ul class="news-list" id="list"></ul>' in shell and '"/es-search/search/" + channelId' in shell
    assert not [u for u in anchors(shell, uc.base) if "/art_" in u]
    seen, absolute = [], 0
    for page in (1, 2, 3, 4):
        status, headers, body = fetch(uc.api_url() + f"?_pageSize=20&page={page}")
        data = json.loads(body)
        assert status == 200 and headers["Content-Type"].startswith("application/json") and data["total"] == 50
        assert len(data["results"]) == [20, 20, 10, 0][page - 1]
        for r in data["results"]:
            assert set(r) >= {"title", "url", "publishedTimeStr"}
            absolute += r["url"].startswith("http")
            seen.append(urljoin(uc.api_url(), r["url"]))
    assert seen == uc.expected() and 0 < absolute < 50
    post = json.loads(fetch(uc.api_url(), {"_pageSize": "20", "page": "2"})[2])
    assert [urljoin(uc.api_url(), r["url"]) for r in post["results"]] == uc.expected()[20:40]
    assert json.loads(fetch(uc.api_url("999") + "?_pageSize=20&page=1")[2]) == {"total": 0, "results": []}
    assert fetch(uc.api_url() + "?_pageSize=x&page=1")[0] == 400
    first = fetch(uc.api_url() + "?_pageSize=20&page=1")[1]
    assert fetch(uc.api_url() + "?_pageSize=20&page=1", **{"If-None-Match": first["ETag"]})[0] == 304
    assert {r["kind"] for r in uc.requests if r["path"].startswith("/es-search/")} == {"api"}


def test_ucap_bad_channels(running):
    bad = running["ucap_bad"]
    assert bad.expected() == [] and [s["name"] for s in bad.sources()] == ["ucap_bad_html", "ucap_bad_garbage",
                                                                          "ucap_bad_shape"]
    status, headers, body = fetch(bad.api_url("html") + "?_pageSize=20&page=1")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"<html>" in body
    status, headers, body = fetch(bad.api_url("garbage") + "?_pageSize=20&page=1")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        json.loads(body)
    assert not isinstance(json.loads(fetch(bad.api_url("shape") + "?page=1")[2])["results"], list)


# ------------------------------------------------------------------------------------------- epaper
def test_epaper_days_layouts_and_articles(running):
    ep = running["epaper"]
    assert ep.days == [date(2022, 11, 21), date(2022, 11, 22), date(2022, 11, 24), date(2022, 11, 25)]
    assert fetch(ep.url("/html/2022-11/23/node_2.htm"))[0] == 404
    assert fetch(ep.url("/html/2022-11/26/node_2.htm"))[0] == 404
    seen = []
    for day in ep.days:
        folder = f"/html/{day:%Y-%m}/{day:%d}/"
        url = ep.url(folder + "node_2.htm")
        visited = []
        while url not in visited:  # follow 下一版 as a reader does
            visited.append(url)
            page = text(url)
            links = anchors(page, url)
            assert all(folder in u for u in links if "/html/" in u), "a layout page links another day"
            seen += [u for u in dict.fromkeys(links) if "/content_" in u]
            url = urljoin(url, re.search(r"<a id=next href=(node_\d+\.htm)>下一版</a>", page).group(1))
        assert len(visited) == 3
        assert fetch(ep.url(folder + "node_5.htm"))[0] == 404
    assert sorted(seen) == sorted(ep.expected()) and len(seen) == 48
    assert "drawCalendar(" in text(ep.url("/html/2022-11/21/node_2.htm"))


def test_epaper_last_days_and_new_edition():
    today = date(2026, 3, 10)
    ep = EpaperPortal.last_days(14, today=today, days=7, missing_offsets=(1,))
    assert ep.days == [today - timedelta(d) for d in (6, 5, 4, 3, 2, 0)]
    assert ep.sources()[0]["edition_days"] == 7 and "edition_from" not in ep.sources()[0]
    with serve_shapes([ep]) as portals:
        ep = portals["epaper"]
        assert fetch(ep.url("/html/2026-03/09/node_2.htm"))[0] == 404
        new = ep.add_articles(3, day=date(2026, 3, 9))
        assert fetch(ep.url("/html/2026-03/09/node_2.htm"))[0] == 200
        assert set(new) <= set(ep.expected()) and len(ep.expected()) == 17
        assert all("/html/2026-03/09/content_" in u and fetch(u)[0] == 200 for u in new)


# ---------------------------------------------------------------------------------- log and sources
def test_request_log(running):
    status = fetch(running["trs"].url("/robots.txt"))[0]
    assert status == 200
    log = [json.loads(line) for line in running.log_file.read_text().splitlines()]
    assert log == running.requests
    assert set(log[0]) == {"portal", "method", "path", "query", "form", "body", "status", "kind", "if_none_match",
                           "if_modified_since", "user_agent", "time"}
    kinds = {(r["portal"], r["kind"]) for r in log}
    assert {("trs", "list"), ("trs", "article"), ("hanweb", "proxy"), ("ucap", "api"), ("epaper", "edition"),
            ("xxgk", "list")} <= kinds
    assert log[-1]["path"] == "/robots.txt" and log[-1]["kind"] == "other"
    running.clear_log()
    assert running.requests == [] and running.log_file.read_text().count("\n") == len(log)


def test_write_sources(running, tmp_path):
    path = running.write_sources(tmp_path / "sources.toml", extra={"*": {"enabled": True}, "trs": {"delay": 1}})
    tables = {t["name"]: t for t in tomllib.loads(path.read_text("utf-8"))["source"]}
    assert list(tables) == ["trs", "hanweb", "xxgk", "ucap", "epaper", "trs_huge", "hanweb_broken",
                            "ucap_bad_html", "ucap_bad_garbage", "ucap_bad_shape"]
    assert tables["trs"]["delay"] == 1 and all(t["enabled"] for t in tables.values())
    trs, ep, uc = running["trs"], running["epaper"], running["ucap"]
    assert tables["trs"]["start_urls"] == [trs.url("/xwdt/index.html"), trs.url("/zwyw/index.html"),
                                           trs.url("/tzgg/index.html"), trs.url("/tzcj/index.shtml")]
    assert tables["ucap"]["list_api"] == {"url": uc.api_url() + "?_pageSize=20&page={page}", "items": "results",
                                          "link": "url"}
    assert tables["epaper"]["edition_url"] == ep.base + "/html/{date:%Y-%m/%d}/node_2.htm"
    assert (tables["epaper"]["edition_from"], tables["epaper"]["edition_until"]) == ("2022-11-21", "2022-11-25")
    assert all(re.search(tables["epaper"]["next_page_pattern"], ep.url(p)) for p in ep.node_paths())
    assert all(re.search(tables["xxgk"]["next_page_pattern"], running["xxgk"].url(f"/xxgk/column-index-{n}.shtml"))
               for n in range(1, 6))
    lists = {"trs": [trs.url(p) for p in trs.list_paths()], "epaper": [ep.url(p) for p in ep.node_paths()],
             "hanweb": [running["hanweb"].url(running["hanweb"].column_path)]}
    for p in running.portals:
        for t in p.sources():
            pattern = re.compile(tables[t["name"]]["article_pattern"])
            assert all(pattern.search(u) for u in p.expected()), t["name"]
            assert not any(pattern.search(u) for u in lists.get(p.name, [])), t["name"]


def test_portal_names_must_differ():
    with pytest.raises(AssertionError):
        with serve_shapes([XxgkPortal(5), XxgkPortal(5)]):
            pass
    assert [p.name for p in shape_portals(5)] == ["trs", "hanweb", "xxgk", "ucap", "epaper"]
    assert isinstance(shape_portals(5)[1], HanwebPortal) and isinstance(shape_portals(5)[3], UcapPortal)
