"""What each fact is (archive/facts/): status, measure, period and its months, place and its adcode,
part_of; Traditional and scraped input; ``python -m archive facts``; the schema 6 migration.

The sentences are written for these tests in the manner of government investment news."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from archive.facts import analyse

REPO_ARGS = dict(capture_output=True, text=True, timeout=120)


def fact(text: str, figure: str, published: str | None = None, region: str | None = None):
    """The fact whose figure is written ``figure`` (exactly one)."""
    found = [f for f in analyse(text, published, region) if f.text == figure]
    assert len(found) == 1, [(f.text, f.kind) for f in analyse(text, published, region)]
    f = found[0]
    assert text[f.start:f.end] == f.text
    return f


# --- status -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, figure, status", [
    ("1-10月，全县新签约亿元以上项目36个，协议引资218亿元。", "36个", "done"),
    ("截至目前，已签订投资协议的项目共72个。", "72个", "done"),
    ("该项目由某新材料公司投资建设，计划总投资45亿元，已于上月正式签约。", "45亿元", "done"),
    ("全年完成市下达目标任务的112%，实际到位资金86亿元。", "86亿元", "done"),
    ("力争全年新签约亿元以上项目120个。", "120个", "target"),
    ("今年的目标是招商引资到位资金突破600亿元。", "突破600亿元", "target"),
    ("确保全年实际利用外资3.5亿美元。", "3.5亿美元", "target"),
    ("全年计划引进10亿元以上项目20个。", "20个", "target"),
    ("省里下达我市的招商引资任务为到位资金420亿元。", "420亿元", "target"),
    ("明年将新签约亿元以上项目60个。", "60个", "target"),
    ("目前在谈项目43个，意向投资额超过500亿元。", "43个", "pending"),
    ("目前在谈项目43个，意向投资额超过500亿元。", "超过500亿元", "pending"),
    ("储备亿元以上项目210个。", "210个", "pending"),
    ("另有8个项目正在洽谈，拟投资65亿元。", "65亿元", "pending"),
    ("即将签约的项目还有12个。", "12个", "pending"),
    ("会上还发布了重点招商项目500个，总投资超6000亿元。", "500个", "pending"),
    ("在推介活动上现场签约项目12个。", "12个", "done"),
    ("第五届投资贸易洽谈会共签约项目130个。", "130个", "done"),
    # 目标企业 is no aim, 对接长三角 no negotiation of the figure
    ("瞄准500强等目标企业开展精准招商，1-5月新签约项目26个。", "26个", "done"),
    ("该市积极对接长三角，新签约项目40个。", "40个", "done"),
])
def test_status(text, figure, status):
    assert fact(text, figure, "2023-11-20").status == status


def test_achievement_aim_and_negotiation_in_one_sentence():
    text = "前10个月新签约项目185个，总投资额达960亿元；力争明年签约亿元以上项目130个，洽谈推动90个重点项目。"
    got = {f.text: (f.status, f.measure) for f in analyse(text, "2022-11-20")}
    assert got == {"185个": ("done", "signed"), "960亿元": ("done", "signed"), "130个": ("target", "signed"),
                   "90个": ("pending", "other")}


def test_a_task_list_is_a_list_of_aims():
    text = "今年，全市招商引资的主要任务是：实际利用内资650亿元、外资12亿美元。引进亿元以上项目180个，储备项目400个。"
    got = {f.text: f.status for f in analyse(text, "2019-02-10")}
    assert got == {"650亿元": "target", "12亿美元": "target", "180个": "target", "400个": "target"}


# --- measure ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, figure, measure", [
    ("上半年新签约项目52个，总投资318亿元。", "318亿元", "signed"),
    ("上半年新签约项目52个，总投资318亿元。", "52个", "signed"),
    ("本届博览会签约合同外资9.6亿美元。", "9.6亿美元", "signed"),
    ("1-9月新批外资项目7个，合同外资1.2亿美元。", "7个", "signed"),
    ("1-6月招商引资到位资金247亿元。", "247亿元", "actual"),
    ("实际利用外资1.8亿美元，同比增长12%。", "1.8亿美元", "actual"),
    ("截至9月底，重点项目完成投资74亿元。", "74亿元", "actual"),
    ("今年以来新开工项目64个，总投资208亿元。", "64个", "total"),
    ("今年以来新开工项目64个，总投资208亿元。", "208亿元", "total"),
    ("全年引进亿元以上项目41个。", "41个", "total"),
    ("城镇固定资产投资完成92亿元。", "92亿元", "other"),
    ("新设企业注册资本12亿元。", "12亿元", "other"),
    ("1-9月，全县工业投资完成48亿元，民间投资31亿元。", "48亿元", "other"),
])
def test_measure(text, figure, measure):
    assert fact(text, figure, "2023-12-01").measure == measure


def test_money_that_is_no_investment_is_kept_apart():
    facts = analyse("全区实现工业总产值820亿元，财政收入46亿元，新签约项目19个。")
    assert [(f.kind, f.measure) for f in facts] == [("other_money", "other"), ("other_money", "other"),
                                                      ("projects", "signed")]


# --- period -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, figure, published, period, start, end", [
    ("前10个月，全市新签约项目241个。", "241个", "2022-11-24", "前10个月", "2022-01", "2022-10"),
    ("今年前5个月，该区新签约项目11个。", "11个", "2019-06-19", "今年前5个月", "2019-01", "2019-05"),
    ("1-8月份，全省新签约项目3960个。", "3960个", "2021-09-15", "1-8月份", "2021-01", "2021-08"),
    ("1至12月，全市引进项目43个。", "43个", "2016-01-20", "1至12月", "2015-01", "2015-12"),
    ("上半年，我市新签约项目293个。", "293个", "2020-08-17", "上半年", "2020-01", "2020-06"),
    ("一季度全区签约引进项目14个。", "14个", "2019-04-12", "一季度", "2019-01", "2019-03"),
    ("2020年第一季度，全市签约项目29个。", "29个", "2020-04-30", "2020年第一季度", "2020-01", "2020-03"),
    ("前三季度全市签约项目324个。", "324个", "2018-10-25", "前三季度", "2018-01", "2018-09"),
    ("今年以来，全县新签约项目58个。", "58个", "2023-11-03", "今年以来", "2023-01", "2023-11"),
    ("力争明年签约项目150个。", "150个", "2022-11-24", "明年", "2023-01", "2023-12"),
    ("2023年，全市新签约亿元以上项目412个。", "412个", "2024-01-30", "2023年", "2023-01", "2023-12"),
    ("截至10月底，全镇完成投资7.4亿元。", "7.4亿元", "2017-11-02", "截至10月底", None, "2017-10"),
    ("截至2006年底，累计引进外资项目1300个。", "1300个", None, "截至2006年底", None, "2006-12"),
    ("1月至11月，全区新签约项目47个。", "47个", "2024-12-10", "1月至11月", "2024-01", "2024-11"),
    ("3月，全市新签约亿元以上项目22个。", "22个", "2024-04-08", "3月", "2024-03", "2024-03"),
    ("去年全年，全县引进项目31个。", "31个", "2024-02-01", "去年全年", "2023-01", "2023-12"),
    ("力争12月底前再签约亿元以上项目10个。", "10个", "2023-11-15", "12月底前", None, "2023-12"),
    ("今年首季，澳門新簽約投資項目15個。", "15個", "2023-04-20", "今年首季", "2023-01", "2023-03"),
    ("前三季，全市新签约项目75个。", "75个", "2023-10-20", "前三季", "2023-01", "2023-09"),
    ("上月，该市又引进亿元以上项目9个。", "9个", "2023-01-05", "上月", "2022-12", "2022-12"),
    ("“十四五”期间，全市力争引进亿元以上项目500个。", "500个", "2021-03-01", "“十四五”期间", "2021-01", "2025-12"),
])
def test_period(text, figure, published, period, start, end):
    f = fact(text, figure, published)
    assert (f.period, f.period_start, f.period_end) == (period, start, end)


def test_the_period_in_the_name_of_a_report_is_not_the_figures_period():
    text = ("市招商局通报了3月份新签约项目情况及一季度各部门招商工作开展情况。\n"
            "在新签约项目中，工业项目20个，总投资86亿元。")
    assert [f.period for f in analyse(text, "2024-04-02")] == [None, None]


def test_period_without_a_publication_date_stays_unresolved():
    f = fact("前10个月，全市新签约项目241个。", "241个")
    assert (f.period, f.period_start, f.period_end) == ("前10个月", None, None)


def test_period_scope():
    text = ("2024年2月8日，某市召开招商引资工作会议，通报了2023年四季度重点项目情况。\n"
            "会上共签约项目26个，总投资138亿元。\n"
            "1-9月，全市新签约项目312个，其中亿元以上项目95个。\n"
            "分县区看，甲县新签约项目41个。\n"
            "与去年相比，项目规模明显扩大，签约项目平均投资额达4.2亿元。")
    got = {f.text: f.period for f in analyse(text, "2024-10-12")}
    # a date and the name of a report are no period; a period carries on through the paragraphs after it
    assert got == {"26个": None, "138亿元": None, "312个": "1-9月", "95个": "1-9月", "41个": "1-9月",
                   "4.2亿元": "1-9月"}


# --- place ------------------------------------------------------------------------------------
def test_my_city_and_the_whole_district_resolve_with_the_region():
    text = "前10个月，我市新签约招商项目241个。全区实际到位资金38亿元。"
    f = fact(text, "241个", "2022-11-24", "吉林省吉林市")
    assert (f.place, f.adcode, f.province, f.prefecture) == ("吉林市", "220200", "吉林省", "吉林市")
    g = fact(text, "38亿元", "2022-11-24", "吉林省吉林市龙潭区")
    assert (g.place, g.adcode, g.prefecture) == ("龙潭区", "220203", "吉林市")
    assert fact(text, "38亿元", "2022-11-24", "吉林省吉林市").adcode is None  # a city's paper: which 区?
    h = fact(text, "241个", "2022-11-24")
    assert (h.place, h.adcode) == ("我市", None)  # no region given: the word as written


def test_named_places_and_breakdowns():
    text = ("1-6月，德阳市新签约项目57个，总投资272亿元。其中，旌阳区签约项目18个，投资总额96亿元；"
            "什邡市签约项目9个。\n"
            "在成都举行的推介会上，四川省商务厅负责人介绍了全省情况。")
    got = {f.text: (f.place, f.adcode) for f in analyse(text, "2023-07-20", "香港特别行政区")}
    assert got["57个"] == ("德阳市", "510600")
    assert got["18个"] == ("旌阳区", "510603")
    assert got["9个"] == ("什邡市", "510682")


def test_that_district_is_the_last_named_one():
    text = "郑州航空港实验区克服各种不利因素。1-5月份，该区新签约项目11个，总投资723亿元。"
    assert fact(text, "11个", "2019-06-19").place == "郑州航空港实验区"


def test_publisher_region_is_not_the_place_of_a_named_city():
    """A 吉林 story on a Hong Kong mirror: the figures are 吉林市's."""
    text = "吉林市今年前10個月新簽約招商項目60個，總投資額達300億元。"
    f = fact(text, "300億元", "2019-11-22", "香港特别行政区")
    assert (f.place, f.adcode, f.province) == ("吉林市", "220200", "吉林省")


# --- parts ------------------------------------------------------------------------------------
def test_parts_of_a_total():
    text = ("全市新引进亿元以上项目43个，总投资226亿元，其中10亿元以上项目8个，工业项目31个。\n"
            "在117个新签约项目中，投资总额在5亿元以上的项目69个。")
    facts = {f.text: f for f in analyse(text)}
    total = facts["43个"]
    assert facts["8个"].part_of == total.start and facts["31个"].part_of == total.start
    assert facts["226亿元"].part_of is None and total.part_of is None
    assert facts["69个"].part_of is None or facts["69个"].part_of != total.start


def test_a_paragraph_that_opens_with_qizhong_breaks_down_the_one_before():
    text = ("9月26日，某省招商大会开幕，大会共签约项目98个，总投资1580亿元。\n"
            "其中，合肥市签约项目21个，协议投资468亿元；芜湖市签约项目15个，协议投资230亿元。")
    facts = {f.text: f for f in analyse(text, "2023-09-27", "安徽省")}
    assert facts["21个"].part_of == facts["15个"].part_of == facts["98个"].start
    assert facts["468亿元"].part_of == facts["230亿元"].part_of == facts["1580亿元"].start
    assert (facts["21个"].place, facts["15个"].place) == ("合肥市", "芜湖市")
    assert facts["98个"].place is None  # an event of several cities: no single place


def test_a_topic_names_its_total():
    text = ("1-6月，全区新签项目71个，续建项目108个。\n新签项目中，市内项目60个，市外项目11个。\n"
            "上月，该区又引进项目9个。新落地项目中，10亿元以上项目3个。")
    facts = {f.text: f for f in analyse(text, "2023-07-20")}
    assert facts["60个"].part_of == facts["11个"].part_of == facts["71个"].start
    assert facts["3个"].part_of is None  # no count of 新落地项目 was given


def test_parts_are_left_out_of_a_sum():
    text = "本届大会共签约项目69个，总投资额663亿元，其中包含10亿元及以上项目24个。"
    projects = [f for f in analyse(text) if f.kind == "projects"]
    assert sum(f.value for f in projects if f.part_of is None) == 69


# --- input as scraped ---------------------------------------------------------------------------
def test_traditional_with_pinyin_residue_and_stray_commas():
    text = ("葛主任介紹說(shuō),前10個(gè)月新簽約招商項(xiàng)目241個(gè),總投資額達(dá)1122.5億元,,"
            "力爭(zhēng)明年簽約150個(gè)億元以上產(chǎn)業(yè)項(xiàng)目,。")
    facts = analyse(text, "2022-11-24", "吉林省吉林市")
    assert [(f.kind, f.value) for f in facts] == [("projects", 241), ("money", 112250000000), ("projects", 150)]
    assert [text[f.start:f.start + 3] for f in facts] == ["241", "112", "150"]
    assert facts[0].period == "前10個月"  # as the text states it, residue left out
    assert [f.status for f in facts] == ["done", "done", "target"]
    assert facts[2].period_start == "2023-01"


# --- the command --------------------------------------------------------------------------------
def run_facts(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "archive", "facts", *args], input=stdin, **REPO_ARGS)


def test_command_prints_every_field(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("前10個月，我市新簽約招商項目241個，其中工業項目198個；力爭明年簽約150個項目。", "utf-8")
    run = run_facts(str(path), "--published", "2022-11-24", "--region", "吉林省吉林市", "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert list(rows[0]) == ["kind", "text", "char_start", "value", "unit", "qualifier", "status", "measure", "period",
                             "period_start", "period_end", "place", "adcode", "part_of"]
    assert [(r["text"], r["status"], r["period"], r["adcode"]) for r in rows] == [
        ("241個", "done", "前10個月", "220200"), ("198個", "done", "前10個月", "220200"),
        ("150個", "target", "明年", "220200")]
    assert rows[1]["part_of"] == rows[0]["char_start"]
    table = run_facts("-", "--published", "2022-11-24", stdin=path.read_text("utf-8"))
    assert table.returncode == 0 and "241個" in table.stdout and "period_start" in table.stdout.splitlines()[0]


@pytest.mark.parametrize("args, stdin, message", [
    (["--published", "2022-13-45"], "", "--published"),
    (["--region", "火星省"], "", "--region"),
    (["/no/such/file.txt"], None, "no such file"),
])
def test_command_bad_input(args, stdin, message):
    run = run_facts(*args, stdin=stdin)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_command_rejects_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("新签约项目12个".encode("gbk"))
    run = run_facts(str(path))
    assert run.returncode == 2 and "not UTF-8" in run.stderr


# --- the migration ------------------------------------------------------------------------------
def test_version_5_file_gets_the_new_columns(tmp_path):
    from archive.db import Archive, PageRecord
    from archive.normalize import content_hash

    db = tmp_path / "a.db"
    text = "前10个月，我市新签约招商项目241个，总投资额达1122.5亿元；力争明年签约项目150个。"
    with Archive.open(db) as archive:
        archive.record_page(PageRecord(url="http://s.test/1", source="s", status=200,
                                       fetched_at="2022-11-24T08:00:00+08:00", outcome="archived"),
                            {"content_hash": content_hash(text), "title": "t", "text": text, "region": "吉林省吉林市",
                             "outlet": "江城日报", "published_at": "2022-11-24"})
    # the facts table as versions 3-5 wrote it
    conn = sqlite3.connect(db)
    conn.executescript("""
        DROP TABLE facts;
        CREATE TABLE facts (id INTEGER PRIMARY KEY, content_hash TEXT NOT NULL REFERENCES articles(content_hash),
            kind TEXT NOT NULL, text TEXT NOT NULL, value NUMERIC, value_max NUMERIC, unit TEXT, qualifier TEXT,
            measure TEXT, signed INTEGER NOT NULL DEFAULT 0, sentence TEXT, char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL);
        CREATE INDEX facts_content_hash ON facts (content_hash);
        UPDATE meta SET value = '5' WHERE key = 'schema_version';""")
    conn.execute("INSERT INTO facts (content_hash, kind, text, value, unit, measure, signed, char_start, char_end)"
                 " VALUES (?, 'projects', '241个', 241, 'projects', '新签约招商项目', 1, 12, 16)", (content_hash(text),))
    conn.commit()
    conn.close()
    with Archive.open(db) as archive:
        assert archive.schema_version() == 7
        rows = archive.conn.execute("SELECT text, status, measure, period, period_start, period_end, place, adcode,"
                                    " wording, signed FROM facts ORDER BY char_start").fetchall()
    assert rows == [
        ("241个", "done", "signed", "前10个月", "2022-01", "2022-10", "吉林市", "220200", "我市新签约招商项目", 1),
        ("1122.5亿元", "done", "signed", "前10个月", "2022-01", "2022-10", "吉林市", "220200", "总投资额", 1),
        ("150个", "target", "signed", "明年", "2023-01", "2023-12", "吉林市", "220200", "力争明年签约项目", 0)]
