"""The text pipeline's mechanisms for sites never seen (issue 16): template learning per source,
one-paragraph articles, titles with markup, garbled bytes, width-insensitive matching, page
structure. Every page here is written for this test (or rendered by the sample portals' frame)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archive import clean, metadata
from archive.db import Archive
from archive.extract import ExtractOptions, extract_article
from archive.pipeline import GARBLED, FetchedPage, process_page
from archive.records import decompress
from archive.text import templates
from archive.text.fold import fold, line_key, width_fold
from archive.text.garbled import is_garbled
from tests.sample_portals.build import render_article
from tests.sample_portals.articles import ARTICLES

CORPUS = Path(__file__).parent / "data" / "eval"

# Twelve short investment news items of one source, each with its own text (written for this test)
TOPICS = [
    ("长春新区签约新能源项目", "长春新区与一家电池企业签约，项目总投资52亿元，建设年产20万套动力电池系统生产线。"),
    ("吉林市举办医药产业招商会", "吉林市在上海举办医药产业招商推介会，现场签约生物医药项目9个，总投资31亿元。"),
    ("延边州引进冷链物流基地", "延边州与物流企业签署协议，建设占地300亩的冷链物流基地，计划明年投入运营。"),
    ("四平市推介装备制造产业园", "四平市赴天津开展招商活动，推介装备制造产业园，与6家企业达成合作意向。"),
    ("辽源市签约袜业智能工厂", "辽源市袜业园区签约智能工厂项目，引进自动化织袜设备800台，年产袜子1.2亿双。"),
    ("白山市矿泉水项目开工", "白山市一个年产50万吨矿泉水项目开工建设，总投资18亿元，预计带动就业600人。"),
    ("松原市风电装备项目落地", "松原市引进风电装备制造项目，建设叶片和塔筒生产线，达产后年产值可达40亿元。"),
    ("通化市医药健康产业签约", "通化市与三家药企签约，共建中药材种植和精深加工基地，总投资26亿元。"),
    ("白城市光伏制氢项目签约", "白城市签约光伏制氢一体化项目，规划建设光伏装机100万千瓦，配套制氢站两座。"),
    ("珲春市海产品加工园招商", "珲春市海产品加工园区新入驻企业11家，今年前三季度园区产值同比增长23%。"),
    ("梅河口市食品产业集聚", "梅河口市食品产业园引进休闲食品项目7个，形成从原料到包装的完整产业链。"),
    ("公主岭市玉米深加工扩能", "公主岭市玉米深加工企业扩能改造项目签约，新增年加工玉米60万吨能力。"),
]
# What the source's CMS adds to every body (no boilerplate rule knows these words)
PROMO = "每日早八点，江城晨读栏目与您相约"
STATEMENT = "本站所登稿件均经授权，欢迎各界人士提供新闻线索。"


def portal_page(n: int, paragraphs: list[str]) -> bytes:
    """An article page of the sample portal ``jlcity`` (its real frame), with our own text."""
    base = next(a for a in ARTICLES if a["site"] == "jlcity")
    title, _ = TOPICS[n % len(TOPICS)]
    return render_article({**base, "title": title, "paragraphs": paragraphs,
                           "path": f"jj/content_{400000 + n}.html", "original_title": None})


def body_of(n: int) -> list[str]:
    title, first = TOPICS[n % len(TOPICS)]
    return [first, f"“{title}”是今年以来当地的重点项目，负责人表示将加快办理前期手续，力争早日投产见效。",
            PROMO, STATEMENT]


def fetched(url: str, body: bytes, source: str = "jlcity") -> FetchedPage:
    return FetchedPage(url=url, source=source, status=200, fetched_at="2024-05-01T08:00:00+08:00",
                       headers={"content-type": "text/html; charset=utf-8"}, body=body)


def crawl(arc: Archive, pages: list[tuple[str, bytes]], source: str = "jlcity") -> list:
    """What the crawler does per page: extract with the source's current template, then write."""
    records = []
    for url, body in pages:
        options = ExtractOptions(outlet="江城日报", template=arc.template(source))
        record, article = process_page(fetched(url, body, source), options, "吉林省吉林市")
        arc.record_page(record, article)
        records.append((record, article))
    return records


@pytest.fixture
def arc(tmp_path):
    a = Archive.open(tmp_path / "archive.db")
    yield a
    a.close()


# --- template learning -----------------------------------------------------------------
def test_template_is_learned_from_a_sources_pages_and_removed(arc):
    pages = [(f"http://jlcity.example/jj/content_{400000 + n}.html", portal_page(n, body_of(n))) for n in range(12)]
    first = crawl(arc, pages)
    # before the source has MIN_PAGES pages nothing is template: the CMS lines are still there
    assert PROMO in first[0][1]["text"] and STATEMENT in first[0][1]["text"]
    learned = arc.template("jlcity")
    assert line_key(PROMO) in learned and line_key(STATEMENT) in learned
    assert line_key(body_of(3)[0]) not in learned  # an article's own sentence is on one page
    # a new page of the same source: the template goes, its text stays
    new = portal_page(20, [TOPICS[5][1], "项目建成后将成为东北地区规模最大的同类生产基地。", PROMO, STATEMENT])
    (record, article), = crawl(arc, [("http://jlcity.example/jj/content_400020.html", new)])
    assert PROMO not in article["text"] and STATEMENT not in article["text"]
    assert article["text"].startswith(TOPICS[5][1]) and "规模最大" in article["text"]


def test_template_matching_ignores_width_spaces_and_numbers(arc):
    pages = [(f"http://jlcity.example/jj/c{n}.html",
              portal_page(n, [*body_of(n)[:2], f"【本期编辑】  王明  第{n}期"])) for n in range(12)]
    crawl(arc, pages)
    variant = "[本期编辑] 王明 第１２３期"  # other brackets, full-width digits, other spacing
    new = portal_page(30, [TOPICS[1][1], "签约项目将于年内全部开工。", variant])
    (_, article), = crawl(arc, [("http://jlcity.example/jj/c30.html", new)])
    assert "王明" not in article["text"] and article["text"].startswith(TOPICS[1][1])


def test_no_template_before_ten_pages(arc):
    crawl(arc, [(f"http://jlcity.example/jj/c{n}.html", portal_page(n, body_of(n))) for n in range(templates.MIN_PAGES - 1)])
    assert arc.template("jlcity") == frozenset()


def test_syndicated_paragraph_is_not_template(arc):
    shared = "据省商务厅通报，全省前三季度新签约亿元以上项目1426个，同比增长18.6%。"
    for source in ("jlcity", "jlgov"):
        crawl(arc, [(f"http://{source}.example/a{n}.html", portal_page(n, [body_of(n)[0], shared, PROMO]))
                    for n in range(12)], source)
    assert line_key(shared) not in arc.template("jlcity")  # both sources carry it: text, not template


def test_template_never_takes_the_only_paragraph(arc):
    crawl(arc, [(f"http://jlcity.example/jj/c{n}.html", portal_page(n, body_of(n))) for n in range(12)])
    # a page whose only paragraph is (folded) a template line: kept, not emptied
    only = portal_page(40, [STATEMENT])
    ex = extract_article([(only, None)], None, ExtractOptions(template=arc.template("jlcity")))
    assert ex.text == STATEMENT


def test_duplicates_and_refetches_do_not_count_twice(arc):
    page = portal_page(1, body_of(1))
    crawl(arc, [("http://jlcity.example/a.html", page), ("http://jlcity.example/b.html", page)])
    crawl(arc, [("http://jlcity.example/a.html", page)])
    assert arc.conn.execute("SELECT pages FROM template_sources WHERE source = 'jlcity'").fetchone()[0] == 1


def test_counts_halve_at_the_window(arc, monkeypatch):
    monkeypatch.setattr(templates, "WINDOW", 8)
    with arc.conn:
        for n in range(8):
            templates.learn(arc.conn, "s", [1, 2] if n % 2 else [1, 3 + n])
    pages = arc.conn.execute("SELECT pages FROM template_sources WHERE source = 's'").fetchone()[0]
    rows = dict(arc.conn.execute("SELECT key, pages FROM template_lines WHERE source = 's'").fetchall())
    assert pages == 4 and rows[1] == 4 and rows[2] == 2 and 3 not in rows  # singles are gone


def test_reextract_applies_the_learned_template(arc, tmp_path):
    from archive.reextract import reextract
    from archive.sources import parse_sources

    crawl(arc, [(f"http://jlcity.example/jj/c{n}.html", portal_page(n, body_of(n))) for n in range(12)])
    early = arc.conn.execute("SELECT text FROM articles WHERE url = 'http://jlcity.example/jj/c0.html'").fetchone()[0]
    assert PROMO in early  # archived before the template was known
    sources = parse_sources(
        '[[source]]\nname = "jlcity"\noutlet = "江城日报"\nregion = "吉林省吉林市"\n'
        'start_urls = ["http://jlcity.example/"]\narticle_pattern = "/jj/"\n'
        '[settings]\nrelevance_threshold = 0.0\n', "sources.toml")
    reextract(arc.conn, sources)
    text = arc.conn.execute("SELECT a.text FROM articles a JOIN article_urls u USING (content_hash)"
                            " WHERE u.url = 'http://jlcity.example/jj/c0.html'").fetchone()[0]
    assert PROMO not in text and text.startswith(TOPICS[0][1])


# --- a real article is never lost ------------------------------------------------------
KUAIXUN = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>长春新区签约12个项目_长春在线</title></head>
<body><div class="top"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/zt/">专题</a></div>
<div class="main"><h1>长春新区签约12个项目</h1><div class="info">2023-03-02 10:12 来源：长春在线</div>
<div class="content"><p>本报讯 3月1日，长春新区集中签约招商引资项目12个，总投资86亿元。</p></div>
<div class="editor-info">责任编辑: 王明</div></div>
<div class="page-footer">关于我们 | 联系我们 | 版权所有 长春在线</div></body></html>"""


def test_one_short_paragraph_is_an_article():
    ex = extract_article([(KUAIXUN.encode("utf-8"), "http://cc.example/news/1.html")])
    assert ex.text == "本报讯 3月1日，长春新区集中签约招商引资项目12个，总投资86亿元。"
    assert ex.title == "长春新区签约12个项目"
    assert ex.published_at == "2023-03-02T10:12:00+08:00"
    assert ex.editor == "王明" and ex.outlet == "长春在线"


def test_the_only_paragraph_survives_every_rule():
    lines = ["来源：某某网。本网讯，市里今天签约了三个项目。"]  # a source_line rule matches it
    keep = clean.keep_mask(lines)
    assert keep == [False]
    from archive.text.body import rescue_only_paragraph
    assert rescue_only_paragraph(lines, keep) == [True]
    assert rescue_only_paragraph(["责任编辑：王明"], [False]) == [False]  # a label is no paragraph


# --- titles and dates ------------------------------------------------------------------
def test_title_with_literal_ruby_markup_prefers_the_headline():
    page = ("<html><head><meta charset='utf-8'><title>&lt;ruby&gt;長&lt;rt&gt;cháng&lt;/rt&gt;&lt;/ruby&gt;"
            "春新區簽約十二個項目_某某網</title></head><body><h1><ruby>長<rt>cháng</rt></ruby>春新區簽約十二個項目</h1>"
            "<p>2023年3月2日 來源：某某網</p><div class='content'><p>三月一日，長春新區集中簽約十二個項目，"
            "總投資八十六億元，涵蓋新能源汽車零部件和生物醫藥等領域。</p><p>新區將為項目提供全程代辦服務。</p></div></body></html>")
    ex = extract_article([(page.encode("utf-8"), None)])
    assert ex.title == "长春新区签约十二个项目"
    no_h1 = page.replace("<h1><ruby>長<rt>cháng</rt></ruby>春新區簽約十二個項目</h1>", "")
    assert extract_article([(no_h1.encode("utf-8"), None)]).title == "长春新区签约十二个项目"


def test_without_markup():
    assert metadata.without_markup("<ruby>時<rt>shí</rt></ruby>代新篇<b>章</b>") == "時代新篇章"
    assert metadata.without_markup("時(shí)代") == "時代"
    assert metadata.without_markup("5G (Sub-6) 新标准") == "5G (Sub-6) 新标准"


def test_visible_date_wins_over_meta_and_url():
    page = ("<html><head><meta charset='utf-8'><meta name='PubDate' content='2023-01-05 09:00'>"
            "<title>某县招商推介会举行</title></head><body><h1>某县招商推介会举行</h1>"
            "<div>发布时间：2023-01-06 08:30</div><div class='content'><p>某县在省城举行招商推介会，"
            "签约项目八个，总投资二十亿元。</p><p>推介会上发布了园区优惠政策。</p></div></body></html>")
    ex = extract_article([(page.encode("utf-8"), "http://x.example/art/2023/1/5/art_1_1.html")])
    assert ex.published_at == "2023-01-06T08:30:00+08:00"
    bare = page.replace("<div>发布时间：2023-01-06 08:30</div>", "")
    assert extract_article([(bare.encode("utf-8"), None)]).published_at == "2023-01-05T09:00:00+08:00"


# --- garbled text ----------------------------------------------------------------------
def _page(paragraph: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>通知</title></head><body><h1>通知</h1>"
            f"<div class='content'><p>{paragraph}</p><p>{paragraph}</p></div></body></html>").encode("utf-8")


def test_garbled_bytes_are_an_error_and_the_page_is_kept():
    rare = "\u9f98" * 400  # one rare character, hundreds of times: valid UTF-8, no language
    record, article = process_page(fetched("http://x.example/1.html", _page(rare)), ExtractOptions(), None)
    assert (record.outcome, record.reason, article) == ("error", GARBLED, None)
    assert decompress(record.body_z) == _page(rare)  # kept for re-extraction
    rng = random.Random(7)
    noise = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(300))  # random CJK
    record, _ = process_page(fetched("http://x.example/2.html", _page(noise)), ExtractOptions(), None)
    assert record.reason == GARBLED


def test_real_text_is_never_garbled():
    for html in sorted(CORPUS.rglob("*.html")):
        ex = extract_article([(html.read_bytes(), None)])
        assert not is_garbled(ex.text), html
    assert not is_garbled("的" * 10)  # too short to judge


# --- width-insensitive matching ----------------------------------------------------------
def test_fold_and_width_fold():
    assert fold("【来源】 新华社") == fold("[来源]新华社") == fold("（来源）新华社")
    assert width_fold("责任编辑: 王明") == "责任编辑:王明"
    assert width_fold("ＩＣＰ备１２３号") == "ICP备123号"
    assert width_fold("（记者 王明）") == "（记者王明）"  # Chinese punctuation stays as written
    assert line_key("浏览次数：12") == line_key("浏览次数:３４５")


@pytest.mark.parametrize("line", ["责任编辑: 王明", "责任编辑：王明", "责任编辑　:　王明", "編輯/王明",
                                  "ＩＣＰ备12345678号", "２０２３－０３－０２", "选稿：许明"])
def test_rules_match_whatever_the_width_and_spacing(line):
    assert clean.rule_hit(line, clean.default_rules()) is not None


# --- page structure ----------------------------------------------------------------------
def test_named_blocks_back_links_and_sections():
    page = ("<html><head><meta charset='utf-8'><title>某市签约项目</title></head><body><h1>某市签约项目</h1>"
            "<div id='js_content'><section>某市今天集中签约项目十个，总投资五十亿元。</section>"
            "<section>签约项目涵盖装备制造和现代物流等领域。</section>"
            "<p>项目将于年内开工。<a href='/'>返回首页，查看更多</a></p>"
            "<div class='article-share'>微信 微博 QQ空间</div><div class='editor-box'>本文编辑 王明</div>"
            "<div class='news_statement'>本网转载稿件仅为传递更多信息</div></div></body></html>")
    text = extract_article([(page.encode("utf-8"), None)]).text
    assert text.split("\n") == ["某市今天集中签约项目十个，总投资五十亿元。", "签约项目涵盖装备制造和现代物流等领域。",
                                "项目将于年内开工。"]


@pytest.mark.parametrize("line", ["声明称，双方将于下月在长春签署合作协议。", "位置优越、交通便利是园区吸引企业的关键。",
                                  "首页面世的招商地图覆盖全市12个园区。", "该企业下载量过亿的APP将在本地设立研发中心。"])
def test_rules_leave_sentences_that_share_a_prompts_words(line):
    assert clean.rule_hit(line, clean.default_rules()) is None


@pytest.mark.parametrize("line", ["声明：本文仅代表作者观点", "位置：首页 > 国内新闻", "首页 >> 国内 >> 正文",
                                  "某某日报 · 关注 · 设为星标", "下载某某新闻客户端", "主办单位：某某市人民政府办公室",
                                  "作者最新文章"])
def test_rules_drop_the_kinds_of_boilerplate_unseen_sites_leave(line):
    assert clean.rule_hit(line, clean.default_rules()) is not None


def test_text_hidden_by_the_pages_own_css_is_not_body():
    page = ("<html><head><meta charset='utf-8'><title>某区签约项目</title><style>.m-only { color:red; display : none }"
            "</style></head><body><h1>某区签约项目</h1><div class='content'><p>某区今天签约项目五个，总投资十亿元。</p>"
            "<p class='m-only'>打开手机版阅读全文并参与互动讨论。</p><p>项目涵盖现代物流和食品加工。</p>"
            "<p hidden>隐藏的统计代码说明文字不应出现。</p></div></body></html>")
    text = extract_article([(page.encode("utf-8"), None)]).text
    assert text.split("\n") == ["某区今天签约项目五个，总投资十亿元。", "项目涵盖现代物流和食品加工。"]


def test_glued_original_title_and_source_become_metadata():
    page = ("<html><head><meta charset='utf-8'><title>某市外资项目签约</title></head><body><h1>某市外资项目签约</h1>"
            "<div class='content'><p>某市今天与三家外资企业签约，总投资四亿美元。</p>"
            "<p>项目将在明年上半年动工。（原标题：某市外资项目集中签约 总投资四亿美元）</p>"
            "<p>（来源：某某日报）签约企业来自德国、日本和新加坡。</p></div></body></html>")
    ex = extract_article([(page.encode("utf-8"), None)])
    assert ex.text.split("\n") == ["某市今天与三家外资企业签约，总投资四亿美元。", "项目将在明年上半年动工。",
                                   "签约企业来自德国、日本和新加坡。"]
    assert ex.original_title == "某市外资项目集中签约 总投资四亿美元" and ex.outlet == "某某日报"


def test_menu_entries_left_by_a_whole_page_fallback_go():
    page = ("<html><head><meta charset='utf-8'><title>某区签约五个项目</title></head><body>"
            "<div><b>某区签约五个项目</b></div><div><font>某区今天签约项目五个，总投资十亿元。</font></div>"
            "<div><a href='/'>首页</a><a href='/a'>园区动态</a></div></body></html>")
    assert extract_article([(page.encode("utf-8"), None)]).text == "某区今天签约项目五个，总投资十亿元。"


def test_near_copies_of_one_article_keep_their_text(arc):
    # a source publishing a series of near-identical notices: their shared paragraphs recur on
    # every page, but they are the pages' text, not a template around it
    shared = ["全市招商引资工作推进会召开，会议通报了本季度重点项目进展情况。",
              "会议要求各地各部门压实责任，确保签约项目早落地、早投产、早见效。"]
    pages = [(f"http://jlcity.example/jj/n{n}.html", portal_page(n, [f"第{n}号通报：本期新增签约项目{n + 3}个。", *shared]))
             for n in range(15)]
    records = crawl(arc, pages)
    assert line_key(shared[0]) in arc.template("jlcity")  # learned as recurring...
    last = records[-1][1]["text"].split("\n")
    assert last == ["第14号通报：本期新增签约项目17个。", *shared]  # ...but not taken from a near-copy
    assert arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 15


def test_a_long_paragraph_whose_figures_change_is_not_template(arc):
    # a monthly report: the same long sentence each month with other figures (cf. the sample
    # portals' grown jlcity pages); its key keeps the digits, so it never becomes template
    report = "今年前{n}个月，全市新签约招商项目{m}个，总投资额达{a}亿元，其中产业项目所占比重超过九成，到位资金增速连续跑赢全省平均水平。"
    pages = [(f"http://jlcity.example/jj/r{n}.html", portal_page(n, [body_of(n)[0], report.format(n=n % 12 + 1, m=200 + n, a=1100 + n)]))
             for n in range(14)]
    records = crawl(arc, pages)
    assert report.format(n=2, m=213, a=1113) in records[-1][1]["text"]


def test_table_row_breadcrumbs_are_still_dropped():
    assert clean.rule_hit("| 您现在的位置：首页 >> 新闻 >> 正文 |", clean.default_rules()) is not None


def test_selecting_editor_only_when_no_editor_is_named():
    assert metadata.find_editor(["选稿：许明", "编辑：王芳"]) == "王芳"
    assert metadata.find_editor(["选稿：许明"]) == "许明"
