"""Places (archive/places.py): the gazetteer, longest names, ambiguity left unresolved, never guessed."""

from __future__ import annotations

import csv

from archive.places import DATA, article_places, gazetteer


def mentioned(title, text, region):
    return [r for r in article_places(title, text, region) if r["role"] == "mentioned"]


def names(rows):
    return [(r["name"], r["adcode"]) for r in rows]


def test_gazetteer_data():
    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    assert len(rows) > 3000
    levels = {r["level"] for r in rows}
    assert levels == {"province", "prefecture", "county"}
    by = {r["adcode"]: r for r in rows}
    assert by["220200"]["name"] == "吉林市" and by["220203"]["prefecture"] == "220200"
    assert sum(r["level"] == "province" for r in rows) == 34


def test_source_region_parsed():
    rows = [r for r in article_places(None, "", "吉林省吉林市") if r["role"] == "source"]
    assert names(rows) == [("吉林省", "220000"), ("吉林市", "220200")]
    assert rows[1]["province"] == "吉林省" and rows[1]["prefecture"] == "吉林市"


def test_longest_name_and_province_short_name():
    rows = mentioned("长春掀起新一轮大招商热潮", "吉林省长春市龙潭区，吉林振兴，吉林市船营区。", None)
    assert names(rows) == [("长春市", "220100"), ("吉林省", "220000"), ("龙潭区", "220203"),
                           ("吉林市", "220200"), ("船营区", "220204")]
    assert rows[0]["mentions"] == 2 and rows[0]["first_start"] == 3  # title and text


def test_ambiguous_name_resolved_by_the_parent_written_before_it():
    rows = mentioned(None, "北京朝阳区和长春市朝阳区", None)
    assert ("朝阳区", "110105") in names(rows) and ("朝阳区", "220104") in names(rows)


def test_ambiguous_name_resolved_by_the_source_province_or_left_unresolved():
    jl = mentioned(None, "朝阳区签约三个项目", "吉林省长春市")
    assert names(jl) == [("朝阳区", "220104")]
    other = mentioned(None, "朝阳区签约三个项目", "江苏省苏州市")
    assert other[0]["adcode"] is None and other[0]["name"] == "朝阳区"
    assert set(eval(other[0]["candidates"])) == {"110105", "220104"}
    # 铁西区: two in 辽宁省 — the province does not decide
    ln = mentioned(None, "铁西区新签约", "辽宁省")
    assert ln[0]["adcode"] is None


def test_weak_names_only_after_a_containing_place():
    assert mentioned(None, "朝阳产业发展迅速，城区和郊区，省市和县三级", None) == []
    assert names(mentioned(None, "辽宁朝阳新签约", None)) == [("辽宁省", "210000"), ("朝阳市", "211300")]
    assert names(mentioned(None, "徐州沛县", None)) == [("徐州市", "320300"), ("沛县", "320322")]
    assert mentioned(None, "镜头掠过白山松水", None) == []


def test_autonomous_short_forms():
    g = gazetteer()
    assert [p["adcode"] for p in g.resolve("延边州和延边，伊通县")] == ["222400", "222400", "220323"]
