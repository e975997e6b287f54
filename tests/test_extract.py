"""Focused tests of the extraction pipeline (archive/extract.py and its helpers), on small
hand-written pages: dates from meta tags, scripts, JSON-LD and URLs; by-line parsing;
caption removal; outlet cleanup; page repairs; multi-page articles joined by the CLI."""

from __future__ import annotations

import json

import pytest

from archive import clean, metadata
from archive.cli import main as cli_main
from archive.extract import ExtractOptions, extract_article
from archive.htmlpage import parse_html, read_page

PARAS = [
    "今年以来，开发区坚持把招商引资作为经济工作的生命线，围绕主导产业开展精准招商，新签约项目二十六个。",
    "在项目服务方面，开发区推行项目专员全程代办制度，企业从签约到开工的平均用时缩短到四个月以内。",
    "下一步，开发区将继续优化营商环境，加快推进已签约项目落地建设，力争全年引进亿元以上项目四十个。",
]
TITLE = "开发区前三季度新签约项目二十六个"


def page(body_html: str = "", *, head: str = "", title: str = TITLE + "_某某新闻网",
         paras: list[str] = PARAS, after: str = "") -> bytes:
    """A small article page: <title>, h1, a by-line block, the paragraphs, what follows."""
    ps = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/news'>新闻</a></div>"
            f"<h1>{TITLE}</h1>{body_html}<div class='article'>{ps}</div>{after}"
            f"</body></html>").encode("utf-8")


def run(html: bytes, url: str | None = None, **opts):
    return extract_article([(html, url)], "text/html; charset=utf-8", ExtractOptions(**opts))


# --- dates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("head, iso", [
    ('<meta name="PubDate" content="2022-09-11 09:19:53">', "2022-09-11T09:19:53+08:00"),
    ('<meta name="publishdate" content="2022-11-24">', "2022-11-24"),
    ('<meta property="article:published_time" content="2023-03-15T01:30:00Z">', "2023-03-15T09:30:00+08:00"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-09-27T10:05:00+08:00"}'
     '</script>', "2021-09-27T10:05:00+08:00"),
    ('<script>var ct = "1669250112";</script>', "2022-11-24T08:35:12+08:00"),
    # a modification date only when nothing else dates the page
    ('<meta itemprop="dateUpdate" content="2019-10-08 12:00:57">', "2019-10-08T12:00:57+08:00"),
])
def test_dates_from_meta_and_scripts(head, iso):
    assert run(page(head=head)).published_at == iso


@pytest.mark.parametrize("url, iso", [
    ("http://www.example.gov.cn/zw/202209/t20220911_8571234.html", "2022-09-11"),
    ("http://news.example.cn/html/2022-11/24/content_5512347.htm", "2022-11-24"),
    ("http://www.example.cn/system/2021/06/15/036512345.shtml", "2021-06-15"),
    ("http://news.example.cn/20221101/4512378.html", "2022-11-01"),
])
def test_dates_from_urls(url, iso):
    assert run(page(), url).published_at == iso


def test_labelled_date_on_the_next_source_line():
    # "发布时间：" and the date are one visible line although the source breaks it
    html = page('<div class="meta">发布时间：\n\t\t2019-09-26 10:09:11\n</div>')
    assert run(html).published_at == "2019-09-26T10:09:11+08:00"


def test_page_date_beats_modified_date_and_url():
    html = page('<div class="info">2022-06-14 11:02 来源：沧州日报</div>',
                head='<meta name="dateUpdate" content="2023-01-01 00:00:00">')
    assert run(html, "http://x.example.cn/2022-06/10/c_1.htm").published_at == "2022-06-14T11:02:00+08:00"


def test_date_only_line_leaves_the_body_and_dates_the_page():
    # a by-line block that trafilatura keeps with the body: "名字/某某报", then the time
    html = page(paras=["石佳/中国青年报", "2019-09-24 09:10"] + PARAS)
    ex = run(html)
    assert ex.published_at == "2019-09-24T09:10:00+08:00"
    assert ex.author == "石佳"
    assert ex.text.split("\n")[0] == PARAS[0]


# --- by-lines ---------------------------------------------------------------------------------
@pytest.mark.parametrize("line, author", [
    ("文/图 钟慧敏", "钟慧敏"),
    ("作者：记者 刘洋【字号 大 中 小】", "刘洋"),
    ("文 | 宋晨", "宋晨"),
    ("记者 王海波 通讯员 刘晨", "王海波 刘晨"),
    ("湖南日报记者 黄婷 通讯员 周振宇", "黄婷 周振宇"),
    ("发布时间:2010-12-08 09:30 来源:湛江日报 作者:文/图 陈立新", "陈立新"),
    ("发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 0 条评论| 作者魏星", "魏星"),
    ("图为西海岸新区重点项目签约现场。（记者 王海波 摄）", None),  # a photographer, not an author
    ("资料图：市民在寒冷天气中出行。中新社记者 贾天勇 摄", None),
    ("作者：未知 责任编辑：棒棒不是糖", None),  # a placeholder, and 责任 starts the next field
    ("作者最新文章", None),  # a link, not a by-line
    ("记者从市合作交流办获悉，今年以来项目进展顺利。", None),
])
def test_author_lines(line, author):
    assert metadata.find_author([line]) == author


@pytest.mark.parametrize("line, editor", [
    ("责任编辑：杨倩_NF4425", "杨倩"),  # a CMS code glued to the name is dropped
    ("责编|陈梦莹", "陈梦莹"),
    ("责编：Demi Xia", "Demi Xia"),
    ("总值班：周航 顾明 编辑：马晓静", "马晓静"),
    ("编辑：王璐 审核：陈功", "王璐"),
    ("总值班：吴杰", None),
])
def test_editor_lines(line, editor):
    assert metadata.find_editor([line]) == editor


def test_responsible_editor_wins_over_plain_editor():
    lines = ["编辑 刘晓阳 校对 李铭", "本文来源：新京报 责任编辑：姚立伟_NT6056"]
    assert metadata.find_editor(lines) == "姚立伟"


def test_credit_inside_first_paragraph_stays_in_the_body():
    first = "本报讯（记者 李玥）记者从市商务局获悉，今年前三季度全市新签约招商引资项目一百二十个，总投资超过六百亿元。"
    ex = run(page(paras=[first] + PARAS[1:]))
    assert ex.author == "李玥"
    assert ex.text.split("\n")[0] == first


def test_wechat_author_slot_and_account():
    html = page(head='<meta property="og:site_name" content="微信公众平台">'
                     '<meta property="og:article:author" content="某某发布">',
                body_html='<span id="js_author_name">kingname</span><a id="js_name">某某发布</a>'
                          '<script>var nickname = htmlDecode("某某发布");</script>')
    ex = run(html)
    assert (ex.author, ex.outlet) == ("kingname", "某某发布")


def test_account_name_as_author_meta_is_no_author():
    html = page(head='<meta property="og:article:author" content="成都公交">',
                body_html='<a id="js_name">成都公交</a>')
    assert run(html).author is None


# --- outlet ----------------------------------------------------------------------------------
@pytest.mark.parametrize("info, outlet", [
    ('<div class="info"><span>来源：江城日报</span><span>字号：大 中 小</span></div>', "江城日报"),
    ('<div class="info">發佈時間：2022-12-08來源：澳門日報【大 中 小】</div>', "澳门日报"),
    ('<div class="info">【发布日期】2012年9月27日 【来源】包头日报 【作者】记者 刘晓燕</div>', "包头日报"),
    ('<div class="info">来源：辽源市投资促进局【字号 大 中 小】</div>', "辽源市投资促进局"),
])
def test_outlet_line_cleanup(info, outlet):
    assert run(page(info)).outlet == outlet


def test_outlet_fallbacks_title_site_then_source_option():
    assert run(page(title=TITLE + "-兰州新闻网")).outlet == "兰州新闻网"
    assert run(page(title=TITLE), outlet="来源配置").outlet == "来源配置"


def test_title_without_site_suffix():
    assert run(page(title=TITLE + " - 吉林省人民政府")).title == TITLE
    assert run(page(head=f'<meta name="ArticleTitle" content="{TITLE}">', title="首页")).title == TITLE


# --- captions and boilerplate ------------------------------------------------------------------
def test_centred_caption_below_an_image_is_dropped():
    html = page(paras=[])  # paragraphs written below with images
    body = (f"<p>{PARAS[0]}</p><p style='text-align:center'><img src='/a.jpg'></p>"
            "<p style='text-align:center;color:#666'>改造后的某村级工业园区。（资料图）</p>"
            f"<p>{PARAS[1]}</p><p align='center'><img src='/b.jpg'></p>"
            "<p align='center'>图为园区内新建的标准化厂房。（记者 李嘉 摄）</p>"
            f"<p>{PARAS[2]}</p>")
    html = html.replace(b"<div class='article'></div>", f"<div class='article'>{body}</div>".encode())
    ex = run(html)
    assert ex.text == "\n".join(PARAS)
    assert ex.author is None


@pytest.mark.parametrize("line", [
    "▲生物医药产业园项目效果图",
    "签约仪式现场。（记者 李晶 摄）",
    "图片来源：摄图网",
    "编辑|禤志杰",
    "编辑 刘晓阳 校对 李铭",
    "澎湃新闻记者 贺梨萍",
    "文 | 宋晨",
    "（原题为《是“收割韭菜”还是“回归理性”》）",
    "本文原标题：《定了！邮轮母港即将开通》",
    "（综合整理自澎湃新闻、智东西等）",
    "信息来源于网络",
    "- THE END -",
    "2019-09-24 09:10",
    "昨天",
])
def test_boilerplate_lines(line):
    assert clean.drop_boilerplate(["正文第一段，内容很长。", line]) == ["正文第一段，内容很长。"]


@pytest.mark.parametrize("line", [
    "记者从市合作交流办获悉，今年以来全市共有241个招商项目完成签约。",
    "全市记者节活动丰富多彩",
    "图书馆新馆今年开放，藏书超过两百万册。",
])
def test_body_lines_are_kept(line):
    assert clean.drop_boilerplate(["正文第一段。", line]) == ["正文第一段。", line]


def test_comment_notice_ends_the_body():
    lines = ["正文第一段。", "网友评论仅供其表达个人看法，并不表明网易立场。", "推荐", "娱乐"]
    assert clean.drop_boilerplate(lines) == ["正文第一段。"]


# --- page repairs --------------------------------------------------------------------------------
def test_text_written_straight_into_a_container_is_kept():
    # the first paragraph is the div's own text, the others are tails after <br> and blocks
    html = page(paras=[]).replace(
        b"<div class='article'></div>",
        (f"<div class='news_txt'>{PARAS[0]}<br><div class='contheight'></div>{PARAS[1]}"
         f"<div style='text-align:center'><img src='/x.gif'></div>{PARAS[2]}</div>").encode())
    assert run(html).text == "\n".join(PARAS)


def test_content_after_a_stray_closing_html_tag():
    html = (b"<html><head><meta charset='utf-8'><title>" + TITLE.encode() + b"</title></head><body>"
            b"<div class='header'><a href='/'>\xe9\xa6\x96\xe9\xa1\xb5</a></div></body></html>"
            b"<div class='content'><h1>" + TITLE.encode() + b"</h1>"
            + "".join(f"<p>{p}</p>" for p in PARAS).encode() + b"</div></body></html>")
    tree = parse_html(html.decode())
    assert "新签约项目二十六个" in tree.find("body").text_content()
    assert run(html).text == "\n".join(PARAS)


def test_hidden_subtrees_are_not_body():
    html = page(after="<div style='display:none'><p>微信号 FViewXFG 功能介绍 聚焦手机互联网领域的行业思考和产品体验，"
                      "这是一段隐藏的公众号介绍文字，不属于正文内容。</p></div>")
    assert "FViewXFG" not in run(html).text
    assert read_page(html.decode()).lines  # visible lines still read


# --- multi-page articles ---------------------------------------------------------------------
def test_multipage_article_joined_by_the_cli(tmp_path, capsys):
    p1 = page('<div class="info">2022-12-06 07:45 来源：长江日报</div><div>记者 胡佳 通讯员 龚晓林</div>',
              paras=PARAS[:2], after="<div class='pages'><a href='content_7_2.html'>下一页</a></div>")
    p2 = page(paras=PARAS[2:] + ["开发区还将组织赴长三角、珠三角地区开展专题招商推介活动，重点对接新能源和生物医药产业链企业。"],
              after="<p>责任编辑：方芳</p><div class='pages'><a href='content_7.html'>上一页</a></div>")
    (tmp_path / "content_7.html").write_bytes(p1)
    (tmp_path / "content_7_2.html").write_bytes(p2)
    assert cli_main(["extract", str(tmp_path / "content_7.html"),
                     "--url", "http://news.example.cn/2022-12/06/content_7.html"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pages"] == 2
    assert out["text"].split("\n")[:3] == PARAS
    assert out["text"].endswith("重点对接新能源和生物医药产业链企业。")
    assert (out["author"], out["editor"], out["outlet"]) == ("胡佳 龚晓林", "方芳", "长江日报")
    assert out["published_at"] == "2022-12-06T07:45:00+08:00"


def test_suspect_encoding_flag():
    bad = page(paras=[p.replace("，", "?") for p in PARAS])  # "?" inside Chinese: a lost charset
    assert run(bad).suspect_encoding
    assert not run(page()).suspect_encoding
