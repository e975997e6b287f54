"""The place a figure belongs to: as the text names it, or implies it (我市, 全区 → the source's region).

The place of a figure is the nearest place word before it in its sentence; without one, the
place of the sentences before it in the paragraph, then of the paragraphs before (the article's
subject carries on). Place words are

- names of the gazetteer (archive/places.py: 肃州区, 开封市, 南阳, 吉林省), resolved to an adcode the
  way article places are (a shared name by a containing place written before it, else by the
  source's province);
- words that point at the publisher's own unit: 我市/全市/本市, 我区/全区/本区, 我县/全县, 我省/全省/本省,
  我州/全州 — resolved with the source's ``region`` to the unit of that level (全区 in a district's
  paper is that district; in 广西's, the region);
- 该市/该区/该县/该镇: the last named place of that kind (its name and adcode);
- zones and towns the gazetteer does not list (``高新区``, ``鄭州航空港实验区``, ``经开区``, ``庆城镇``,
  ``四大园区``, ``市本级``): kept by name, adcode of the nearest gazetteer place before them in the
  same phrase, else none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..places import Division, gazetteer
from .layout import Layout

_OWN = re.compile(r"(?:我|全|本)(?P<lvl>市|区|县|省|州|旗|镇)(?![长委级内外])")
_THAT = re.compile(r"该(?P<lvl>市|区|县|镇|省|州)(?![长委])")
_NAME_CHAR = r"(?:(?![的和与及在对向将把被从各该全我本其等围绕为是了中])[\u4e00-\u9fff])"
_ZONE = re.compile(rf"{_NAME_CHAR}{{2,8}}?(?:经济技术开发区|高新技术产业开发区|开发区|高新区|经开区|新区|实验区|经济区|"
                   r"工业园区|园区|产业园|示范区|保税区|工区)"
                   r"|经开区|高新区|开发区|市本级|[一二三四五六七八九十两]大园区"
                   rf"|{_NAME_CHAR}{{2,3}}(?<![全我本该各])镇(?![长委])")
# what may stand between the start of a phrase and its subject place: 据, 其中, a period …
_LEAD = re.compile(r"^(?:据|据了解|据统计|其中|另外|此外|同时|而|今年|目前|截至目前|全年|"
                   r"[^，,；;：:。]{0,10}?(?:以来|月份?|月底|季度|半年|年底?|个月|至今))?$")
_NOT_OWNER_AFTER = "、等"  # one of a list: 北京、重庆、广东……位列
@dataclass
class Place:
    word: str
    start: int
    end: int
    adcode: str | None
    subject: bool = False   # at the head of its phrase: what the phrase is about
    own: bool = False       # 我市, 全区 …: the publisher's unit


def _own_unit(divisions: list[Division], lvl: str) -> Division | None:
    """The unit of the source's region that 我/全 + ``lvl`` points at."""
    for d in reversed(divisions):  # the lowest level first
        if lvl in ("市",) and d.level == "prefecture" or lvl == "市" and d.level == "county" and d.name.endswith("市"):
            return d
        if lvl == "区" and (d.level == "county" and d.name.endswith("区") or
                           d.level == "province" and d.name.endswith("自治区")):
            return d
        if lvl in ("县", "旗") and d.level == "county" and d.name.endswith(lvl):
            return d
        if lvl == "省" and d.level == "province" and d.name.endswith("省"):
            return d
        if lvl == "州" and d.level == "prefecture" and d.name.endswith("州"):
            return d
    return None


def _inside_brackets(text: str, pos: int) -> bool:
    """Inside (…) or （…）: an aside, e.g. 经开区(飞地园区)."""
    opened = max(text.rfind("(", 0, pos), text.rfind("（", 0, pos))
    closed = max(text.rfind(")", 0, pos), text.rfind("）", 0, pos))
    return opened > closed and pos - opened < 20


def find_places(text: str, region: str | None) -> list[Place]:
    """Every place word of ``text`` with its adcode where it resolves, in text order."""
    g = gazetteer()
    source = g.region(region)
    province = source[0].province if source else None
    out: list[Place] = []
    for p in g.resolve(text, province):
        out.append(Place(text[p["start"]:p["end"]], p["start"], p["end"], p["adcode"]))
    taken = [(p.start, p.end) for p in out]
    for m in _ZONE.finditer(text):
        word = m.group(0)
        s = m.start()
        if any(a <= s and m.end() <= b for a, b in taken):
            continue
        inner = [p for p in out if s <= p.start < m.end() and p.adcode]
        out.append(Place(word, s, m.end(), inner[-1].adcode if inner else None))
    for m in _OWN.finditer(text):
        out.append(Place(m.group(0), m.start(), m.end(), None, own=True))
    out.sort(key=lambda p: (p.start, -p.end))
    kept: list[Place] = []
    for p in out:  # nested words (成都 in 成都经济区): keep the outermost
        if kept and p.start < kept[-1].end:
            continue
        if _inside_brackets(text, p.start):
            continue
        kept.append(p)
    out = []
    for p in kept:
        if p.own:
            _resolve_own(p, source, out)
        out.append(p)
    # 该区 …: the last named place of that kind
    for m in _THAT.finditer(text):
        before = [p for p in out if p.end <= m.start() and not p.own and (
            p.word.endswith(m["lvl"]) or m["lvl"] == "区" and p.word.endswith(("实验区", "开发区", "高新区", "新区")))]
        # none named: the word itself, unresolved (better than the place of another sentence)
        out.append(Place(before[-1].word, m.start(), m.end(), before[-1].adcode) if before
                   else Place(m.group(0), m.start(), m.end(), None))
    out.sort(key=lambda p: (p.start, -p.end))
    for p in out:
        lo = p.start
        while lo > 0 and text[lo - 1] not in "，,；;：:。！？!?\n":
            lo -= 1
        p.subject = bool(_LEAD.match(text[lo:p.start])) and text[p.end:p.end + 1] not in _NOT_OWNER_AFTER
    return out


def _resolve_own(p: Place, source: list[Division], before: list[Place]) -> None:
    """我市/全区: the source's unit of that level, else the first place of that level the text named
    before it (涪陵区 … 全区), else the word alone."""
    lvl = p.word[-1]
    d = _own_unit(source, lvl)
    if d is not None:
        p.word, p.adcode = d.name, d.adcode
        return
    named = [q for q in before if not q.own and q.word.endswith(lvl) and len(q.word) > 2]
    if named:
        p.word, p.adcode = named[0].word, named[0].adcode


def place_of(lay: Layout, places: list[Place], start: int, first_figure: int) -> Place | None:
    """The place that holds at ``start``: the nearest subject place before it in its sentence, else
    in its paragraph, else the article's topic — the first subject place written before its first
    figure (a title or lead naming what the article is about)."""
    si, pi = lay.sentence(start), lay.paragraph(start)
    in_sentence = in_paragraph = topic = None
    for p in places:
        if p.start >= start:
            break
        if not p.subject:
            continue
        if topic is None and p.start < first_figure:
            topic = p
        if lay.sentence(p.start) == si:
            in_sentence = p
        elif lay.paragraph(p.start) == pi:
            in_paragraph = p
    return in_sentence or in_paragraph or topic
