"""archive.listing: each CMS list shape read from markup written the way those CMSs write it."""

from __future__ import annotations

from datetime import date

import pytest

from archive.listing import detect, edition, hanweb, jsonlist, trs
from archive.listing.page import read_list_page
from archive.sources import SourcesError, parse_sources

TRS_WCM = """<div class="list"><li><a href="./202211/t20221124_5123456.html">招商签约</a></li></div>
<div class="page"><script>createPageHTML(6, 0, "index", "html");</script></div>"""
TRS_VARS = """<script language="JavaScript">
var countPage = 4//共多少页
var currentPage = 0//当前页
var prevPage = currentPage - 1
</script>"""
TRS_HAIYUN = """<div id="page_div"></div><script>createPageHTML('page_div', 12, 1, 'index', 'shtml', 236);</script>"""
TRS_DEFINITION = """<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}</script>"""

HANWEB = """<div id="4497234"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1585&unitid=4497234&webname=%E7%9C%81&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2022/11/24/art_1585_100.html" target="_blank">签约</a><span>2022-11-24</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/11/23/art_1585_99.html" target="_blank">招商</a><span>2022-11-23</span></li>]]></record>
</recordset></datastore></script></div>
<script language="javascript">
$(document).ready(function() {
  $('#4497234').jpage({
    dataStore: dataStore, containerEl: '#4497234', perPage: 15, totalRecord: 120, groupSize: 3,
    proxyUrl: '/module/web/jpage/dataproxy.jsp', pageNum: 1,
    ajaxParam: { col: 1, appid: 1, webid: 3, path: '/', columnid: 1585, sourceContentType: 1,
                 unitid: 4497234, webname: '某省人民政府', permissiontype: 0 }
  });
});
</script>"""


def test_trs_pager_forms():
    wcm = trs.trs_pager(TRS_WCM, "http://gov.cn/zw/index.html")
    assert wcm == trs.TrsPager(6, "index", "html")
    assert trs.next_page(wcm, "http://gov.cn/zw/index.html") == "http://gov.cn/zw/index_1.html"
    assert trs.next_page(wcm, "http://gov.cn/zw/index_4.html") == "http://gov.cn/zw/index_5.html"
    assert trs.next_page(wcm, "http://gov.cn/zw/index_5.html") is None  # 6 pages: index, index_1 … index_5
    assert trs.next_page(wcm, "http://gov.cn/zw/") == "http://gov.cn/zw/index_1.html"
    variables = trs.trs_pager(TRS_VARS, "http://gov.cn/xw/index.htm")
    assert variables == trs.TrsPager(4, "index", "htm")
    haiyun = trs.trs_pager(TRS_HAIYUN, "http://gov.cn/col/index.shtml")
    assert haiyun == trs.TrsPager(12, "index", "shtml", first=1)  # 海云 counts from 1: index, index_2 …
    assert trs.next_page(haiyun, "http://gov.cn/col/index.shtml") == "http://gov.cn/col/index_2.shtml"
    assert trs.next_page(haiyun, "http://gov.cn/col/index_11.shtml") == "http://gov.cn/col/index_12.shtml"
    assert trs.next_page(haiyun, "http://gov.cn/col/index_12.shtml") is None
    named = trs.trs_pager("<script>createPageHTML('page_div',5, 1,'fg','shtml',89);</script>", "http://gov.cn/c1/fg.shtml")
    assert trs.next_page(named, "http://gov.cn/c1/fg.shtml") == "http://gov.cn/c1/fg_2.shtml"
    assert trs.trs_pager(TRS_DEFINITION, "http://gov.cn/a/index.html") is None
    assert trs.trs_pager("<p>no pager</p>", "http://gov.cn/a/index.html") is None


def test_trs_call_with_variables_reads_the_count_variable():
    html = TRS_VARS + '<script>createPageHTML(countPage, currentPage, "index", "html");</script>'
    assert trs.trs_pager(html, "http://gov.cn/a/index.html") == trs.TrsPager(4, "index", "html")


def test_hanweb_datastore_and_jpage_call():
    store = hanweb.datastore(HANWEB)
    assert store.hrefs == ["/art/2022/11/24/art_1585_100.html", "/art/2022/11/23/art_1585_99.html"]
    assert store.records == 2 and store.total is None and "dataproxy.jsp?page=1" in store.nextgroup[0]
    jp = hanweb.jpage_config(HANWEB)
    assert jp.proxy_url == "/module/web/jpage/dataproxy.jsp" and jp.per_page == 15 and jp.total == 120
    assert jp.form == {"col": "1", "appid": "1", "webid": "3", "path": "/", "columnid": "1585",
                       "sourceContentType": "1", "unitid": "4497234", "webname": "某省人民政府", "permissiontype": "0"}
    url, form = hanweb.group_request(jp, "http://gov.cn/col/col1585/index.html", 46)
    assert url == "http://gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    assert form["columnid"] == "1585"
    answer = "<datastore><totalrecord>120</totalrecord><totalpage>8</totalpage><recordset>" \
             "<record><![CDATA[<li><a href='/art/2022/1/5/art_1585_7.html'>x</a></li>]]></record></recordset></datastore>"
    assert hanweb.datastore(answer).total == 120 and hanweb.datastore(answer).hrefs == ["/art/2022/1/5/art_1585_7.html"]


def test_jpage_call_with_quoted_keys():
    quoted = HANWEB.replace("proxyUrl: '", '"proxyUrl": \'').replace("columnid: 1585", '"columnid": "1585"')
    jp = hanweb.jpage_config(quoted)
    assert jp.proxy_url == "/module/web/jpage/dataproxy.jsp" and jp.form["columnid"] == "1585"


def test_jpage_with_missing_fields_is_an_error_naming_them():
    broken = HANWEB.replace("columnid: 1585,", "").replace("unitid: 4497234,", "")
    with pytest.raises(hanweb.JpageError, match="columnid, unitid"):
        hanweb.jpage_config(broken)
    page = read_list_page(broken, "http://gov.cn/col/col1585/index.html")
    assert page.jpage is None and "columnid" in page.jpage_problem
    assert page.records.hrefs  # the first group's records are still read


def test_first_group_stops_at_total_and_get_form_counts_pages():
    page = read_list_page(HANWEB, "http://gov.cn/col/col1585/index.html")
    url, _ = page.first_hanweb_group()
    assert "startrecord=3&endrecord=47" in url  # after the 2 records the page holds
    small = HANWEB.replace("totalRecord: 120", "totalRecord: 2")
    assert read_list_page(small, "http://gov.cn/col/col1585/index.html").first_hanweb_group() is None
    assert "page=2&" in hanweb.next_get_group("http://gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=5")
    assert hanweb.next_get_group("http://gov.cn/x.jsp?columnid=5") is None


def test_onclick_and_data_href_items_are_links():
    html = """<div class="li" onclick="window.open('/xxgk/2022/content_88.shtml','_blank')">一</div>
    <li onclick="location.href='content_89.shtml'">二</li>
    <tr onclick="javascript:window.location='/xxgk/content_90.shtml';">三</tr>
    <li data-href="/xxgk/content_91.shtml">四</li><span data-url="content_92.shtml">五</span>
    <button onclick="doSearch()">搜索</button><li onclick="openDetail('/xxgk/content_93.shtml', 1)">六</li>
    <a href="javascript:goUrl('content_94.shtml')">七</a><a href="javascript:void(0)" onclick="toggle(this)">更多</a>"""
    links = read_list_page(html, "http://gov.cn/xxgk/column-index-1.shtml").links
    assert links == ["http://gov.cn/xxgk/2022/content_88.shtml", "http://gov.cn/xxgk/content_89.shtml",
                     "http://gov.cn/xxgk/content_90.shtml", "http://gov.cn/xxgk/content_91.shtml",
                     "http://gov.cn/xxgk/content_92.shtml", "http://gov.cn/xxgk/content_93.shtml",
                     "http://gov.cn/xxgk/content_94.shtml"]


def test_json_list_answers():
    body = '{"total": 3, "results": [{"title": "一", "url": "/a/1.html"}, {"title": "二", "url": "http://x.cn/a/2.html"},' \
           ' {"title": "无链接"}]}'.encode()
    links = jsonlist.api_links(body, "results", "url", "http://x.cn/es-search/search/9?page=1")
    assert links == ["http://x.cn/a/1.html", "http://x.cn/a/2.html"]
    nested = b'{"data": {"list": [{"link": "/b/3.html"}]}}'
    assert jsonlist.api_links(nested, "data.list", "link", "http://x.cn/api") == ["http://x.cn/b/3.html"]
    assert jsonlist.api_links(b'cb({"results": [{"url": "/c.html"}]})', "results", "url", "http://x.cn/") == \
        ["http://x.cn/c.html"]
    for bad, reason in [(b"<html><body>404</body></html>", "HTML"), (b"\x00\xff garbage {", "not JSON"),
                        (b"", "empty"), (b'{"results": 5}', "not an array"), (b'{"rows": []}', "no key")]:
        with pytest.raises(jsonlist.ListApiError, match=reason):
            jsonlist.api_links(bad, "results", "url", "http://x.cn/")
    assert jsonlist.api_page("http://x.cn/s?_pageSize=20&page={page}", 3) == "http://x.cn/s?_pageSize=20&page=3"
    assert jsonlist.find_record_arrays(nested and __import__("json").loads(nested)) == [("data.list", "link", 1)]


def test_edition_template_and_days():
    template = "http://paper.cn/html/{date:%Y-%m/%d}/node_2.htm"
    assert edition.edition_url(template, date(2022, 11, 4)) == "http://paper.cn/html/2022-11/04/node_2.htm"
    assert edition.template_problem(template) is None
    assert "no {date" in edition.template_problem("http://paper.cn/html/node_2.htm")
    assert "does not change" in edition.template_problem("http://paper.cn/{date:%Y}/node_2.htm")
    assert edition.edition_days(date(2022, 11, 24), 3) == [date(2022, 11, 24), date(2022, 11, 23), date(2022, 11, 22)]
    assert edition.edition_days(date(2030, 1, 1), 7, date(2022, 11, 22), date(2022, 11, 23)) == \
        [date(2022, 11, 23), date(2022, 11, 22)]


def test_detect_proposes_patterns_from_link_shapes():
    links = [f"http://gov.cn/zw/2022{m:02d}/t2022{m:02d}1{d}_{5000000 + d * 37}.html" for m in (10, 11) for d in range(5)]
    links += ["http://gov.cn/zw/index_1.html", "http://gov.cn/about.html", "http://gov.cn/zw/202211/pic_1.jpg"]
    guess = detect.guess_article_pattern(links, "http://gov.cn/zw/index.html")
    assert guess.pattern == r"/zw/\d{6}/t\d{8}_\d+\.html$" and len(guess.links) == 10
    hanweb_links = [f"http://gov.cn/art/2022/11/{d}/art_1585_{100 + d}.html" for d in range(1, 20)]
    assert detect.guess_article_pattern(hanweb_links, "http://gov.cn/col/col1585/index.html").pattern == \
        r"/art/\d{4}/\d+/\d+/art_1585_\d+\.html$"  # the column id is the column's constant
    assert detect.guess_article_pattern(["http://gov.cn/a.html"], "http://gov.cn/") is None
    haiyun = [f"http://gov.cn/tzcj/20221{m}/{h * 32}.shtml" for m, h in ((0, "a"), (1, "3"), (1, "b"))]
    haiyun[1] = haiyun[1].replace("3" * 32, "3f" * 16)
    assert detect.guess_article_pattern(haiyun, "http://gov.cn/tzcj/index.shtml").pattern == \
        r"/tzcj/\d{6}/[0-9a-f]{32}\.shtml$"
    assert detect.edition_template("http://paper.cn/html/2022-11/24/node_2.htm") == \
        ("http://paper.cn/html/{date:%Y-%m/%d}/node_2.htm", r"node_\d+\.htm$")
    shell = """<div id="list"></div><script>var channelId = '6482';
    function load(page) { $.getJSON('/es-search/search/' + channelId + '?_pageSize=20&page=' + page, render); }</script>"""
    assert detect.script_endpoints(shell) == [detect.Endpoint("/es-search/search/6482?_pageSize=20&page={page}")]
    ajax = """<script>var cid = 88; function list(pageNo) { $.ajax({ type: 'post', url: '/api/news/list',
    data: { channelId: cid, pageNo: pageNo, pageSize: 15 }, success: function (d) { show(d.data.rows); } }); }</script>"""
    assert detect.script_endpoints(ajax) == [
        detect.Endpoint("/api/news/list", "POST", {"channelId": "88", "pageNo": "{page}", "pageSize": "15"})]


@pytest.mark.parametrize("extra, message", [
    ("list_api = { url = 'http://x.cn/s?page={page}', items = 'results' }", "key 'list_api': missing key 'link'"),
    ("list_api = { url = 'ftp://x.cn/s', items = 'r', link = 'url' }", "key 'url' is not an http(s) URL"),
    ("list_api = { url = 'http://x.cn/s', items = 'r', link = 'url', method = 'PUT' }", "key 'method'"),
    ("list_api = { url = 'http://x.cn/s', items = 'r', link = 'url', form = { a = '1' } }", "needs method"),
    ("list_api = { url = 'http://x.cn/s', items = 'r', link = 'url', pages = 3 }", "unknown key 'pages'"),
    ("edition_url = 'http://x.cn/html/node_2.htm'", "key 'edition_url' has no {date"),
    ("edition_url = 'http://x.cn/{date:%Y-%m/%d}/n.htm'\nedition_from = '2022-13-01'", "key 'edition_from'"),
    ("edition_url = 'http://x.cn/{date:%Y-%m/%d}/n.htm'\nedition_from = 2022-11-25\nedition_until = 2022-11-24",
     "after"),
    ("start_urls = ['http://x.cn/']\nedition_days = 3", "key 'edition_url' is missing"),
])
def test_new_keys_are_validated_in_one_line(extra, message):
    text = f"[[source]]\nname = 'x'\noutlet = 'X'\nregion = '吉林省'\narticle_pattern = 'a'\n{extra}\n"
    with pytest.raises(SourcesError, match="source 'x'") as err:
        parse_sources(text)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_start_urls_needed_only_without_another_start():
    base = "[[source]]\nname = 'x'\noutlet = 'X'\nregion = '吉林省'\narticle_pattern = 'a'\n"
    with pytest.raises(SourcesError, match="'start_urls' is missing"):
        parse_sources(base)
    api = parse_sources(base + "list_api = { url = 'http://x.cn/s?p={page}', items = 'd.list', link = 'url', "
                               "method = 'POST', form = { page = '{page}', size = 20 }, first_page = 0 }\n")
    src = api.sources[0]
    assert src.list_api.method == "POST" and dict(src.list_api.form) == {"page": "{page}", "size": "20"}
    assert src.list_api.first_page == 0 and src.allows("http://x.cn/a.html")
    paper = parse_sources(base + "edition_url = 'http://p.cn/html/{date:%Y-%m/%d}/node_2.htm'\n"
                                 "edition_from = '2022-11-20'\nedition_until = 2022-11-24\n").sources[0]
    assert paper.edition_from == date(2022, 11, 20) and paper.edition_until == date(2022, 11, 24)
    assert paper.allows("http://p.cn/html/2022-11/24/content_1.htm")


def test_linked_pager_pages_are_read_in_order():
    from archive.listing.anchors import next_linked_page

    base = "http://127.0.0.1:45879/xxgk/column-index-"
    pager = [f"{base}2.shtml", f"{base}3.shtml", f"{base}9.shtml"]  # 1 2 3 … 9 尾页
    assert next_linked_page(pager, f"{base}1.shtml", True) == [f"{base}2.shtml"]
    assert next_linked_page(pager, f"{base}3.shtml", True) == [f"{base}9.shtml"]
    assert next_linked_page(pager, f"{base}9.shtml", True) == []
    start = "http://127.0.0.1:45879/jj/index.html"  # the port is no page number
    assert next_linked_page(["http://127.0.0.1:45879/jj/index_2.html", "http://127.0.0.1:45879/jj/index_1.html"],
                            start, True) == ["http://127.0.0.1:45879/jj/index_1.html"]
    assert next_linked_page([start], "http://127.0.0.1:45879/jj/index_1.html", True) == []
