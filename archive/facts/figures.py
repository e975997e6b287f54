"""The figures of a Simplified text: money amounts, project counts, growth percentages.

``extract_facts(text)`` returns ``Fact`` objects with character offsets into ``text``, so
``text[f.start:f.end] == f.text``; ``archive.facts.analyse`` then says what each one is. Kinds:

- ``money``: an amount with a currency (``1122.5亿元`` → 112250000000 ``CNY``, ``44.08亿美元`` → ``USD``,
  ``三百亿元``, ``200多亿元``), or with 亿/万 and no currency when the clause speaks of investment
  (``总投资50亿``). Qualifiers (``超过``, ``近``, ``约``, ``以上``, ``多``, ``余``, …) are kept in
  ``qualifier``; a range (``10亿至20亿元``) has ``value`` and ``value_max``. An amount that only
  classifies projects (``10亿元以上项目``, ``亿元以上工业项目``) is not a money fact: it belongs to the
  project count that follows.
- ``projects``: a count of projects (``新签约招商项目241个``, ``引进亿元以上项目250个``,
  ``签约150个亿元以上产业项目``); unit ``projects``.
- ``other_money``: an amount of money that is no investment — output value, revenue, profit, tax,
  exports, retail sales, trade deals (产值, 收入, 税收, 出口, 成交额 … before it in its clause).
- ``growth``: a change after a growth word (``同比增长20%``, ``下降3.5%`` → -3.5, ``增长1.5倍`` → 150,
  ``提高2个百分点`` → unit ``pp``); unit ``%`` or ``pp``.

``wording`` is what the figure measures in the clause's words: the words of the clause before the
figure (``总投资额``, ``新签约招商项目``, ``全省招商引资签约项目到位资金``), else null. ``signed`` here is
only a first guess (the sentence speaks of signing); ``analyse`` sets it from status and measure.
Chinese numerals are read by cn2an.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

FACTS_VERSION = "2"  # 2: status, measure, period, place, part_of; other_money

CURRENCIES = {
    "元": "CNY", "元人民币": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD",
    "日元": "JPY", "英镑": "GBP", "澳元": "AUD", "韩元": "KRW", "新加坡元": "SGD", "澳门元": "MOP",
}
MULTIPLIERS = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "十亿": 10**9, "亿": 10**8, "千万": 10**7,
               "百万": 10**6, "十万": 10**5, "万": 10**4, "千": 10**3, "": 1}

# full-width digits and signs read as ASCII (one character for one, so offsets stay valid)
_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "％": "%"})

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHINESE = r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:点[零〇一二三四五六七八九]+)?"
_NUM = rf"(?:{_ARABIC}|{_CHINESE})"
# "约" after 签/合/节… is part of a word (签约150个), "近" after 最/附/接 too
_PRE = r"(?P<pre>超过|(?<![赶])超|逾|(?<![最附接将])近|将近|接近|(?<![签合节制公条预协契盟])约|大约|不足|不到|不少于|至少|突破)?"
_MULT = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)"
_RANGE_SEP = r"(?:-|—|–|~|～|至|到)"
_CUR = "|".join(sorted(CURRENCIES, key=len, reverse=True))

MONEY_RE = re.compile(
    rf"{_PRE}(?P<num>{_NUM})(?P<mult1>{_MULT})?"
    rf"(?:{_RANGE_SEP}(?P<num2>{_NUM}))?"
    rf"(?P<mid>多|余)?(?P<mult>{_MULT})?(?P<mid2>多|余)?(?P<cur>{_CUR})"
    r"(?P<post>及以上|以上|左右|上下|以内|以下)?"
)
# an amount with 亿/万 but no currency: only where the clause is about money
BARE_MONEY_RE = re.compile(
    rf"{_PRE}(?P<num>{_ARABIC}|{_CHINESE})(?P<mid>多|余)?(?P<mult>万亿|亿|万)(?P<mid2>多|余)?"
    r"(?P<post>及以上|以上|左右|以内)?"
)
_MONEY_WORDS = re.compile(r"投资|引资|资金|融资|金额|总额|营收|营业收入|产值|税收|销售额|交易额|成交额|到位")
_NOT_MONEY_NEXT = re.compile(r"[吨瓦人亩米户个辆台件套头只次场株册份张家名笔元千平立标伏]|平方|公里|美元|欧元|港")
# what follows an amount that only classifies projects: "10亿元以上(的)(工业)项目"
_PROJECT_CLASS = re.compile(r"(?:[(（][^)）]{0,12}[)）])?的?(?:[\u4e00-\u9fff]{0,6})?项目")
# "80亿元项目1个", "6000万美元韩资项目1个": an amount naming the size of the projects counted after it
_PROJECT_SIZE = re.compile(r"[\u4e00-\u9fff]{0,4}项目(?:\d|[一二两三四五六七八九十]+个)")

PROJECTS_AFTER_RE = re.compile(  # "…项目241个", "…项目数达500个以上", "项目30至40个"
    rf"项目(?:数量?|个数)?(?:共计|总计|合计|累计|达到|共有|还有|共|达|为|计|有)?{_PRE}(?P<num>{_NUM})"
    rf"(?:{_RANGE_SEP}(?P<num2>{_NUM}))?(?P<mid>多|余)?"
    r"(?P<cls>个|项)(?P<post>以上|左右)?"
)
PROJECTS_BEFORE_RE = re.compile(  # "签约150个亿元以上产业项目"
    rf"{_PRE}(?P<num>{_NUM})(?P<mid>多|余)?(?P<cls>个|项)(?!月|百分点|工作日|小时|季度|年|星期|批次)(?P<post>以上|左右)?"
    r"(?P<between>[^\d零〇一二两三四五六七八九十个项，。；：、,;:！？!?\s（）()“”\"]{0,12}?)项目"
)
# "17个新开工项目已开工9个": a count of the projects just named, after the verb
PROJECTS_VERB_RE = re.compile(
    rf"项目[^，。；,;：:\n]{{0,6}}?(?:已经|已)(?:开工|签约|落地|投产|竣工|建成|开建|入驻|履约|开业|完工)了?"
    rf"{_PRE}(?P<num>{_NUM})(?P<mid>多|余)?(?P<cls>个|项)(?!月|百分点|工作日|小时|季度|年|星期|批次)(?P<post>以上|左右)?")
_GROWTH_WORDS = r"同比增长|环比增长|同比增加|同比下降|环比下降|同比减少|增长|增加|提高|提升|上升|上涨|下降|减少|下滑|回落|降低|增速|增幅|降幅"
GROWTH_RE = re.compile(
    rf"(?P<verb>{_GROWTH_WORDS})(?:了|为|达|达到|均|分别)*"
    rf"(?P<pre>超过|近|约|逾)?(?:(?P<num>{_ARABIC}|{_CHINESE})(?P<unit>%|个百分点|倍)|百分之(?P<pnum>{_ARABIC}|{_CHINESE}))"
    r"(?P<post>以上|左右|多)?"
)
# "增速高于全省平均水平5.2个百分点": a growth rate compared, in percentage points
GAP_RE = re.compile(
    rf"(?P<verb>高于|低于|快于|慢于|高出|低出)(?P<what>[^，。；、,;\n]{{0,14}}?)(?P<pre>超过|近|约)?"
    rf"(?P<num>{_ARABIC}|{_CHINESE})(?P<unit>个百分点)"
)
_NEGATIVE = ("下降", "减少", "下滑", "回落", "降低", "降幅")
_CLAUSE_BREAK = re.compile(r"[，。；：、！？,;:!?\n（）()“”\"]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_SIGNED = re.compile(r"签约|签订|签署|合同|协议")
# an amount that is an output, revenue or tax figure is not signed investment, even beside 签约
# a cumulative total (累计, 成立以来, 近年来) is not what a signing brought
_CUMULATIVE = re.compile(r"累计|(?:成立|建区|设立|开园|开发|建设|运营)以来|近年来|多年来|近\d+年|近[两三四五六七八九十]年")
_NOT_INVESTMENT = re.compile(r"产值|收入|营收|税收|纳税|销售|利润|增加值|出口|进口|零售|生产总值|GDP|交易额|成交额|"
                             r"货值|创汇|消费|贸易额|营业额|外经|外贸|物流额|货物|工资")
# words at the end of a measure that only link it to the figure
_LINK_TAIL = re.compile(r"(?:共计|总计|合计|累计|达到|共|达|为|是|均|分别|同比|环比|实现|完成)+$")


@dataclass
class Fact:
    kind: str            # money, projects, growth
    text: str            # the figure as written (qualifiers included)
    value: float         # normalised: yuan (or the currency's unit), projects, percent
    unit: str            # CNY, USD, …; projects; % or pp
    start: int           # offsets into the article text
    end: int
    sentence: str
    qualifier: str | None = None
    value_max: float | None = None
    wording: str | None = None  # the clause's words before the figure (总投资额, 新签约招商项目)
    signed: bool = False
    # what the figure is (archive/facts/context.py, periods.py, placing.py, parts.py)
    status: str | None = None      # done, target, pending
    measure: str | None = None     # signed, actual, total, other
    period: str | None = None      # as the text states it: 1-8月份, 上半年, 2023年 …
    period_start: str | None = None  # YYYY-MM
    period_end: str | None = None
    place: str | None = None       # as the text names or implies it: 肃州区, 全区, 我市
    adcode: str | None = None
    province: str | None = None
    prefecture: str | None = None
    part_of: int | None = None     # ``start`` of the fact this one is a part of (其中 …)

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=4096)
def number(s: str) -> float | None:
    """An Arabic or Chinese numeral as a number (cn2an for Chinese), None when it is not one."""
    s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        pass
    try:
        import cn2an

        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _exact(v: float) -> float | int:
    r = round(v, 6)
    return int(r) if r == int(r) else r


def _sentence(text: str, start: int, end: int) -> str:
    s = start
    while s > 0 and not _SENTENCE_END.match(text[s - 1]):
        s -= 1
    e = end
    while e < len(text) and not _SENTENCE_END.match(text[e]):
        e += 1
    if e < len(text) and text[e] in "。！？!?":
        e += 1
    return text[s:e].strip()


def _clause_before(text: str, pos: int) -> str:
    s = pos
    while s > 0 and not _CLAUSE_BREAK.match(text[s - 1]) and pos - s < 40:
        s -= 1
    return text[s:pos]


def _measure(text: str, pos: int) -> str | None:
    m = _LINK_TAIL.sub("", _clause_before(text, pos).strip())
    m = re.sub(r"^(?:其中|此外|同时|另外|以及|并且|而|和|及)", "", m)
    return m or None


def _qualifier(*parts: str | None) -> str | None:
    q = "".join(p for p in parts if p)
    return q or None


def _money(text: str, t: str, out: list[Fact], taken: list[tuple[int, int]]) -> None:
    for m in MONEY_RE.finditer(t):
        if m.start("num") > 0 and re.match(r"[\d.零〇一二两三四五六七八九十百千万亿]", t[m.start("num") - 1]):
            continue  # the middle of a longer numeral
        mult = MULTIPLIERS[m["mult"] or ""]
        v1 = number(m["num"])
        if v1 is None:
            continue
        v2 = number(m["num2"]) if m["num2"] else None
        if m["num2"] and v2 is None:
            continue
        mult1 = MULTIPLIERS[m["mult1"]] if m["mult1"] else mult
        after = t[m.end():m.end() + 16]
        if (m["post"] or m["pre"] in ("超过", "超", "逾", "过") or m["num2"] or after[:1] in ")）") \
                and _PROJECT_CLASS.match(after.lstrip(")）")) or _PROJECT_SIZE.match(after):
            continue  # "10亿元以上项目", "5-10亿元(不含10亿元)项目": classifies the projects that follow
        low = v1 * mult1
        high = v2 * mult if v2 is not None else None
        out.append(_fact("money", text, m, low, CURRENCIES[m["cur"]], _qualifier(m["pre"], m["mid"], m["mid2"], m["post"]),
                         high))
        taken.append((m.start(), m.end()))
    for m in BARE_MONEY_RE.finditer(t):
        s, e = m.start(), m.end()
        if any(a < e and s < b for a, b in taken):
            continue
        if m.start("num") > 0 and re.match(r"[\d.零〇一二两三四五六七八九十百千万亿]", t[m.start("num") - 1]):
            continue
        nxt = t[e:e + 3]
        if not nxt or _NOT_MONEY_NEXT.match(nxt) or re.match(r"[\d零〇一二两三四五六七八九十百千]", nxt):
            continue
        if _PROJECT_CLASS.match(nxt + t[e + 3:e + 12]) and m["post"]:
            continue
        if not _MONEY_WORDS.search(_clause_before(t, m.start())):
            continue
        v = number(m["num"])
        if v is None:
            continue
        out.append(_fact("money", text, m, v * MULTIPLIERS[m["mult"]], "CNY",
                         _qualifier(m["pre"], m["mid"], m["mid2"], m["post"])))
        taken.append((s, e))


def _fact(kind: str, text: str, m: re.Match, value: float, unit: str, qualifier: str | None,
          value_max: float | None = None, start: int | None = None) -> Fact:
    s = m.start() if start is None else start
    e = m.end()
    sentence = _sentence(text, s, e)
    return Fact(kind=kind, text=text[s:e], value=_exact(value), unit=unit, start=s, end=e, sentence=sentence,
                qualifier=qualifier, value_max=_exact(value_max) if value_max is not None else None,
                wording=_measure(text, s), signed=bool(_SIGNED.search(sentence)))


def _projects(text: str, t: str, out: list[Fact], taken: list[tuple[int, int]]) -> None:
    found: list[Fact] = []
    for m in PROJECTS_AFTER_RE.finditer(t):
        v = number(m["num"])
        if v is None:
            continue
        start = m.start("pre") if m["pre"] else m.start("num")
        v2 = number(m["num2"]) if m["num2"] else None
        f = _fact("projects", text, m, v, "projects", _qualifier(m["pre"], m["mid"], m["post"]), v2, start=start)
        f.wording = _measure(text, m.start()) and (_measure(text, m.start()) + "项目")
        if f.wording is None:
            f.wording = "项目"
        found.append(f)
    for m in PROJECTS_BEFORE_RE.finditer(t):
        if m.start("num") > 0 and re.match(r"[\d.第]", t[m.start("num") - 1]):
            continue  # the middle of a number, or an ordinal (第三个项目)
        v = number(m["num"])
        if v is None or any(f.start <= m.start("num") < f.end for f in found):
            continue
        end = m.end("post") if m["post"] else m.end("cls")
        s = m.start("pre") if m["pre"] else m.start("num")
        sentence = _sentence(text, s, end)
        before = _measure(text, s) or ""
        found.append(Fact(kind="projects", text=text[s:end], value=_exact(v), unit="projects", start=s, end=end,
                          sentence=sentence, qualifier=_qualifier(m["pre"], m["mid"], m["post"]),
                          wording=(before + m["between"] + "项目"), signed=bool(_SIGNED.search(sentence))))
    for m in PROJECTS_VERB_RE.finditer(t):
        v = number(m["num"])
        s = m.start("pre") if m["pre"] else m.start("num")
        if v is None or any(f.start <= s < f.end for f in found):
            continue
        e = m.end()
        found.append(Fact(kind="projects", text=text[s:e], value=_exact(v), unit="projects", start=s, end=e,
                          sentence=_sentence(text, s, e), qualifier=_qualifier(m["pre"], m["mid"], m["post"]),
                          wording=_measure(text, s), signed=False))
    for f in found:
        if not any(a < f.end and f.start < b for a, b in taken):
            out.append(f)
            taken.append((f.start, f.end))


def _growth(text: str, t: str, out: list[Fact], taken: list[tuple[int, int]]) -> None:
    for m in GROWTH_RE.finditer(t):
        raw = m["num"] or m["pnum"]
        v = number(raw)
        if v is None:
            continue
        unit = m["unit"] or "%"
        if unit == "倍":
            v, unit = v * 100, "%"
        elif unit == "个百分点":
            unit = "pp"
        if m["verb"].endswith(_NEGATIVE) or m["verb"] in _NEGATIVE:
            v = -v
        s = m.start("pre") if m["pre"] else (m.start("num") if m["num"] else m.start("pnum") - 3)
        e = m.end()
        if any(a < e and s < b for a, b in taken):
            continue
        sentence = _sentence(text, s, e)
        measure = _measure(text, m.start("verb"))
        out.append(Fact(kind="growth", text=text[s:e], value=_exact(v), unit=unit, start=s, end=e, sentence=sentence,
                        qualifier=_qualifier(m["pre"], m["post"]), wording=measure,
                        signed=bool(_SIGNED.search(sentence))))
        taken.append((s, e))


def _gaps(text: str, t: str, out: list[Fact], taken: list[tuple[int, int]]) -> None:
    for m in GAP_RE.finditer(t):
        v = number(m["num"])
        s, e = (m.start("pre") if m["pre"] else m.start("num")), m.end()
        if v is None or any(a < e and s < b for a, b in taken):
            continue
        if m["verb"] in ("低于", "慢于", "低出"):
            v = -v
        sentence = _sentence(text, s, e)
        out.append(Fact(kind="growth", text=text[s:e], value=_exact(v), unit="pp", start=s, end=e, sentence=sentence,
                        qualifier=m["pre"], wording=_measure(text, m.start("verb")),
                        signed=bool(_SIGNED.search(sentence))))
        taken.append((s, e))


def extract_facts(text: str | None) -> list[Fact]:
    """Every money amount, project count and growth figure in ``text``, in text order."""
    if not text:
        return []
    t = text.translate(_WIDTH)
    out: list[Fact] = []
    taken: list[tuple[int, int]] = []
    _growth(text, t, out, taken)
    _gaps(text, t, out, taken)
    _money(text, t, out, taken)
    _projects(text, t, out, taken)
    for f in out:
        if f.kind == "money" and _NOT_INVESTMENT.search(f.wording or ""):
            f.kind = "other_money"  # output, revenue, tax, exports, trade: money, not investment
        if f.kind == "other_money" or f.kind == "money" and f.signed and _CUMULATIVE.search(
                f.sentence.split(f.text, 1)[0]):
            f.signed = False
    out.sort(key=lambda f: (f.start, f.kind))
    return out
