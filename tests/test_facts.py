"""Investment figures (archive/facts/figures.py): amounts, project counts, growth; offsets into the text.

What each figure is (status, measure, period, place, part_of): tests/test_fact_context.py."""

from __future__ import annotations

import pytest

from archive.facts import extract_facts


def one(text: str, kind: str):
    facts = [f for f in extract_facts(text) if f.kind == kind]
    assert len(facts) == 1, facts
    f = facts[0]
    assert text[f.start:f.end] == f.text
    return f


@pytest.mark.parametrize("text, value, unit, qualifier", [
    ("前10个月总投资额达1122.5亿元，", 112250000000, "CNY", None),
    ("实际利用外资44.08亿美元。", 4408000000, "USD", None),
    ("合同引资额88.64亿元。", 8864000000, "CNY", None),
    ("计划总投资三百亿元。", 30000000000, "CNY", None),
    ("协议投资额约520亿元。", 52000000000, "CNY", "约"),
    ("总投资超过500亿元。", 50000000000, "CNY", "超过"),
    ("总投资近980亿元，", 98000000000, "CNY", "近"),
    ("全年完成投资500亿元以上。", 50000000000, "CNY", "以上"),
    ("投资5000万欧元建设研发中心", 50000000, "EUR", None),
    ("投资8亿港元建设物流总部", 800000000, "HKD", None),
    ("城市更新基金总投资1.2万亿元。", 1200000000000, "CNY", None),
    ("总投资１２.５亿元。", 1250000000, "CNY", None),  # full-width digits
])
def test_money(text, value, unit, qualifier):
    f = one(text, "money")
    assert (f.value, f.unit, f.qualifier) == (value, unit, qualifier)


@pytest.mark.parametrize("text, value", [
    ("年销售收入两百多亿元。", 20000000000), ("年纳税1200万元。", 12000000), ("外贸出口9100万美元，", 91000000),
    ("全口径财政收入完成31亿元，", 3100000000), ("社会消费品零售总额完成70.2亿元，", 7020000000),
])
def test_money_that_is_not_investment(text, value):
    """Output, revenue, tax, exports and retail sales are money, but no investment: kind other_money."""
    assert [f for f in extract_facts(text) if f.kind == "money"] == []
    assert one(text, "other_money").value == value


def test_money_range_and_measure():
    f = one("总投资200亿至250亿元。", "money")
    assert (f.value, f.value_max, f.unit) == (20000000000, 25000000000, "CNY")
    assert f.wording == "总投资"
    assert one("计划总投资10-20亿元", "money").value_max == 2000000000


def test_amounts_that_classify_projects_are_not_money():
    text = ("其中包含10亿元及以上项目24个，力争30亿元以上工业项目全覆盖，投资额超过10亿元的项目有5个，"
            "其中5-10亿元(不含10亿元)项目2个，签约项目中，50亿元项目1个、3000万美元外资项目2个。")
    assert [f for f in extract_facts(text) if f.kind == "money"] == []
    assert [f.value for f in extract_facts(text) if f.kind == "projects"] == [24, 5, 2, 1, 2]


def test_not_money():
    for text in ("吉化120万吨乙烯项目", "50万千瓦风电场", "整车年产能达到30万辆", "三个万亿级大产业", "千亿元级产业集群",
                 "突破百亿元大关"):
        assert [f for f in extract_facts(text) if f.kind == "money"] == [], text


def test_bare_amount_only_where_the_clause_is_about_money():
    assert one("项目总投资50亿，建设期三年", "money").value == 5000000000
    assert [f for f in extract_facts("标准机架规模已超过20万架") if f.kind == "money"] == []


@pytest.mark.parametrize("text, value, qualifier, measure", [
    ("前10个月新签约招商项目241个，", 241, None, "前10个月新签约招商项目"),
    ("引进亿元以上项目250个，", 250, None, "引进亿元以上项目"),
    ("我省成功签约重点项目15个、", 15, None, "我省成功签约重点项目"),
    ("储备亿元以上招商引资项目500个以上。", 500, "以上", "储备亿元以上招商引资项目"),
    ("力争明年签约150个亿元以上产业项目，", 150, None, "力争明年签约亿元以上产业项目"),
    ("共有31个项目现场签约", 31, None, None),
    ("已累计引进重大项目180余个，", 180, "余", None),
    ("全年新签约亿元以上项目不少于30个。", 30, "不少于", None),
    ("两个项目总投资35.6亿元", 2, None, None),
])
def test_projects(text, value, qualifier, measure):
    f = one(text, "projects")
    assert (f.value, f.unit, f.qualifier) == (value, "projects", qualifier)
    if measure:
        assert f.wording == measure


def test_not_projects():
    for text in ("前10个月，", "开展20项重点招商活动", "这是今年引进的第三个氢能产业项目", "落户企业超过700家",
                 "走访12家企业", "力争引进世界500强6户"):
        assert [f for f in extract_facts(text) if f.kind == "projects"] == [], text
    f = one("计划引进项目30至40个，", "projects")
    assert (f.value, f.value_max) == (30, 40)


def test_projects_counted_after_their_verb():
    facts = [f for f in extract_facts("16个计划新开工项目已开工11个，签约项目个数为95个。") if f.kind == "projects"]
    assert [f.value for f in facts] == [16, 11, 95]


@pytest.mark.parametrize("text, value, unit, measure", [
    ("实际利用内资840亿元、外资44.08亿美元，同比均增长20%。", 20, "%", None),
    ("全省招商引资签约项目到位资金增长14%。", 14, "%", "全省招商引资签约项目到位资金"),
    ("实际使用外资0.93亿美元，同比下降6.5%；", -6.5, "%", None),
    ("新能源汽车产量同比增长1.2倍。", 120, "%", "新能源汽车产量"),
    ("较去年同期提高4.3个百分点。", 4.3, "pp", "较去年同期"),
    ("地区生产总值增长百分之七点五，", 7.5, "%", "地区生产总值"),
    ("增速高于全市平均水平5.2个百分点。", 5.2, "pp", "增速"),
])
def test_growth(text, value, unit, measure):
    f = one(text, "growth")
    assert (f.value, f.unit) == (value, unit)
    if measure is not None:
        assert f.wording == measure


def test_growth_qualifier_and_shares():
    assert one("到位资金增长30%左右，", "growth").qualifier == "左右"
    for text in ("产业项目在其中占比超过95%", "比重达到45%", "开工率达到83%"):
        assert [f for f in extract_facts(text) if f.kind == "growth"] == [], text


def test_sentence_offsets_and_signed():
    text = "今年以来形势复杂。\n本届大会共签约项目69个，总投资额663.02亿元。实际利用外资3亿美元。"
    facts = extract_facts(text)
    assert [f.kind for f in facts] == ["projects", "money", "money"]
    for f in facts:
        assert text[f.start:f.end] == f.text
    assert facts[1].sentence == "本届大会共签约项目69个，总投资额663.02亿元。"
    assert [f.signed for f in facts] == [True, True, False]


def test_seed_texts(seeds):
    """The labelled figures of the seed texts come out (labels in tests/data/eval/facts/seeds.toml)."""
    from archive.facts import analyse
    from bench.eval_stories import SEEDS

    if not seeds:
        pytest.skip("no seed texts")
    facts = analyse((SEEDS / "001_d3a94d7d4e848981.txt").read_text("utf-8"))
    assert {(f.kind, f.value, f.unit) for f in facts} >= {
        ("money", 84000000000, "CNY"), ("money", 4408000000, "USD"), ("growth", 20, "%"),
        ("projects", 250, "projects"), ("projects", 500, "projects")}
