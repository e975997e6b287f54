"""The period a figure covers, as the text states it, and its first and last month.

Forms (Simplified; the year may be written before any of them: ``2023年1-6月``, ``今年前5个月``):
``1-8月份`` / ``1至8月`` / ``1~5月份`` (January to August), ``前10个月``, ``前三季度``, ``上半年`` / ``下半年``,
``一季度`` / ``第二季度``, ``今年以来`` / ``年初以来`` / ``年初至今`` / ``2021年以来`` (January to the
publication month), ``截至10月底`` / ``截至目前`` / ``止5月底`` / ``到9月底`` (cumulative to that month: no
start), a year (``2023年``, ``今年``, ``去年``, ``明年``, ``全年``, ``当年``), a month (``3月份``, ``当月``),
``年计划`` (the year's plan).

Scope, as Chinese reports use it: a period at the head of a sentence (before its first figure)
holds for the rest of the paragraph and carries into the next paragraphs until another one is
stated; one written after a figure of its sentence holds to the sentence's end; ``目前`` holds
for its clause (for its sentence when it heads it: ``目前，在谈项目27个``); a headline's period stays
in the headline; the figures of one event (此次, 本届, 会上, a day's date in their paragraph) inherit
none from the paragraphs before. A period inside the name of a report or an event
(``通报了2022年3月份……情况``, ``一季度……工作开展情况``, ``举行……活动``) is not the period of the
figures, nor is a year compared with (``与去年相比``) or a beginning (``自1993年创办以来``).

Resolution: relative words (今年, 明年, 前N个月 without a year) need the publication date; a
month range past the publication month belongs to the year before (``1-12月`` published in
January). Unresolvable parts are None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from .layout import Layout

_N = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
def _yr(tag: str) -> str:
    return rf"(?:(?P<y{tag}>(?:19|20)\d{{2}})年|(?P<rel{tag}>今年|去年|明年|上年|本年|前年))"


_RANGE = r"(?:-|—|–|~|～|至|到)"
PERIOD_RE = re.compile(
    r"(?P<until>(?:截至|截止到?|截止至|到|至|止)[于到]?(?:"
    rf"{_yr('u')}?(?P<um>{_N})月(?:(?P<ud>\d{{1,2}})日)?(?:底|末|份)?"
    rf"|(?P<uy>(?:19|20)\d{{2}})年(?:底|末)?|(?P<now>目前|现在|今|当前|年底|上月底)))"
    rf"|(?P<by>(?:(?P<bm>{_N})月|年)(?:底|末)前)"
    rf"|(?P<since>(?:{_yr('s')}|年初)(?:以来|至今)|今年来)"
    rf"|(?P<span>{_yr('p')}?(?:"
    rf"(?P<from>1|一)月?份?{_RANGE}(?P<to>{_N})月份?"
    rf"|前(?P<nm>{_N})个?月"
    rf"|(?P<half>上|下)半年"
    rf"|前(?P<nq>[一二三两123])(?:个)?季度?"
    rf"|第?(?P<q>[一二三四1-4])季度|(?P<q1>首)季度?"
    r"))"
    r"|(?P<plan>年计划|年度计划)"
    rf"|(?P<ymonth>{_yr('x')}(?P<ymo>{_N})月份?(?![\d一二三四五六七八九十]*日))"
    rf"|(?P<whole>{_yr('w')}?(?:全年|年内))"
    r"|(?P<recent>近年来|多年来|近[两三四五六七八九十]年(?:来|以来)|“?十(?P<plan5>[一二三四五])五”?(?:以来|期间)?)"
    r"|(?P<current>目前|当月|本月|上月|上个月)"
    rf"|(?P<year>{_yr('')})"
    rf"|(?P<month>(?<![\d一二三四五六七八九十个])(?P<mm>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月(?:份|(?=[，,]))"
    r"(?![\d一二三四五六七八九十]*日|底|末))"
)
# what makes a match something else than a period
_DATE_AFTER = re.compile(r"^\s*(?:\d{1,2}月|[·•.]\d|\d{1,2}[·•.]\d|\d{1,2}日|[一二三四五六七八九十]{1,2}月|第?[一二三四]届|底前)")
# figures about one event (a signing ceremony, a fair) do not inherit a report's period from the
# paragraphs before them
_EVENT = re.compile(r"\d{1,2}月\d{1,2}日|日前|近日|昨日|昨天|今天|此次|本次|本届|这次|活动|仪式|大会|会上|洽谈会|博览会|推介会")
_NOT_YEAR_AFTER = re.compile(r"^(?:[\u4e00-\u9fff]{0,4}(?:会|节|届|期间|展)|相比|同期|以前|之前|前后|创办|成立|设立|建立|"
                             r"开始|启动|开园|建区)")
# a year compared with (与去年相比, 比上年) or a beginning (自1993年创办以来) is no period of the figures
_NOT_YEAR_BEFORE = re.compile(r"(?:与|比|较|同|自|从|于|高于|低于)$")
_NAME_AFTER = re.compile(r"[^，,；;。\d]{0,24}(?:情况|活动|会议|仪式|大会|工作会)$")
_OBJECT_BEFORE = re.compile(r"(?:了|举行|召开|举办|通报|发布|公布|督查|检查|参加|开展|部署|总结)$")


@dataclass
class Period:
    text: str
    start: int   # offsets in the text
    end: int
    first: str | None   # YYYY-MM
    last: str | None
    scope: str          # paragraph, sentence, clause


def _num(s: str | None) -> int | None:
    if not s:
        return None
    try:
        return int(s)
    except ValueError:
        try:
            return int(cn2an.cn2an(s, "smart"))
        except (ValueError, KeyError, TypeError):
            return None


def _ym(y: int | None, m: int | None) -> str | None:
    return f"{y:04d}-{m:02d}" if y is not None and m is not None and 1 <= m <= 12 else None


def _year(m: re.Match, pub: tuple[int, int] | None, tag: str) -> int | None:
    if m.group("y" + tag):
        return int(m.group("y" + tag))
    r = m.group("rel" + tag)
    if r is None:
        return None
    if pub is None:
        return None
    return pub[0] + {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "明年": 1, "前年": -2}[r]


def resolve(m: re.Match, pub: tuple[int, int] | None) -> tuple[str | None, str | None]:
    """First and last month (YYYY-MM) of a matched period, with ``pub`` = (year, month) of publication."""
    py, pm = pub if pub else (None, None)
    if m.group("until"):
        y = _year(m, pub, "u")
        if m.group("um"):
            mo = _num(m.group("um"))
            if y is None and py is not None and mo is not None:
                y = py if mo <= pm else py - 1
            return None, _ym(y, mo)
        if m.group("uy"):
            return None, _ym(int(m.group("uy")), 12)
        if m.group("now"):
            return (None, _ym(py, pm)) if m.group("now") != "年底" else (None, _ym(py, 12))
        return None, None
    if m.group("by"):  # 12月底前, 年底前: a deadline
        mo = _num(m.group("bm")) if m.group("bm") else 12
        y = None if py is None or mo is None else (py if mo >= pm else py + 1)
        return None, _ym(y, mo)
    if m.group("since"):
        y = _year(m, pub, "s")
        if y is None and (m.group("since").startswith(("年初", "今年"))):
            y = py
        return _ym(y, 1), (_ym(py, pm) if py is not None and y is not None and y <= py else None)
    if m.group("span"):
        y = _year(m, pub, "p")
        if m.group("to"):
            a, b = 1, _num(m.group("to"))
        elif m.group("nm"):
            a, b = 1, _num(m.group("nm"))
        elif m.group("half"):
            a, b = (1, 6) if m.group("half") == "上" else (7, 12)
        elif m.group("nq"):
            a, b = 1, 3 * _num(m.group("nq").replace("两", "二"))
        else:
            q = 1 if m.group("q1") else _num(m.group("q"))
            a, b = 3 * q - 2, 3 * q
        if y is None and py is not None and b is not None:
            y = py if b <= pm or (b - pm) <= 1 and a == 1 else py - 1
        return _ym(y, a), _ym(y, b)
    if m.group("plan"):
        return _ym(py, 1), _ym(py, 12)
    if m.group("ymonth"):
        y = _year(m, pub, "x")
        mo = _num(m.group("ymo"))
        return _ym(y, mo), _ym(y, mo)
    if m.group("whole"):
        y = _year(m, pub, "w") if m.group("yw") or m.group("relw") else py
        return _ym(y, 1), _ym(y, 12)
    if m.group("recent"):
        if m.group("plan5"):
            first = 2006 + 5 * (_num(m.group("plan5")) - 1)  # 十一五 2006-2010 … 十四五 2021-2025
            return _ym(first, 1), _ym(first + 4, 12)
        return None, None
    if m.group("current"):
        w = m.group("current")
        if w == "目前":
            return None, _ym(py, pm)
        if w in ("上月", "上个月") and py is not None:
            y, mo = (py, pm - 1) if pm > 1 else (py - 1, 12)
            return _ym(y, mo), _ym(y, mo)
        return _ym(py, pm), _ym(py, pm)
    if m.group("year"):
        y = _year(m, pub, "")
        return _ym(y, 1), _ym(y, 12)
    if m.group("month"):
        mo = _num(m.group("mm"))
        y = None if py is None or mo is None else (py if mo <= pm else py - 1)
        return _ym(y, mo), _ym(y, mo)
    return None, None


def find_periods(lay: Layout, pub: tuple[int, int] | None, figures: list[int]) -> list[Period]:
    """Every period expression of the text with its scope; ``figures``: the start offsets of the facts."""
    text = lay.text
    out = []
    for m in PERIOD_RE.finditer(text):
        after = text[m.end():m.end() + 8]
        if m.group("year") and (_DATE_AFTER.match(after) or _NOT_YEAR_AFTER.match(after)):
            continue
        if (m.group("year") or m.group("ymonth") or m.group("month")) and \
                _NOT_YEAR_BEFORE.search(text[max(0, m.start() - 2):m.start()]):
            continue  # 与去年相比, 自2018年11月……以来: a comparison or a beginning
        if m.group("month") and re.match(r"^\d{1,2}日", after):
            continue
        if _OBJECT_BEFORE.search(text[max(0, m.start() - 4):m.start()]) or \
                _NAME_AFTER.match(text, m.end(), lay.clause_end(m.end())):
            continue  # the name of a report or an event (……情况, ……活动), not the period of a figure
        first, last = resolve(m, pub)
        word = m.group(0)
        si = lay.sentence(m.start())
        ss = lay.sentences[si][0]
        if m.group("current") == "目前":
            # 目前，在谈项目27个: the sentence it heads; 目前正在履约的项目…: its clause
            scope = "sentence" if text[m.end():m.end() + 1] in "，," else "clause"
        elif m.group("plan"):
            scope = "clause"
        elif any(ss <= f < m.start() for f in figures):
            scope = "sentence"
        else:
            scope = "paragraph"
        out.append(Period(word, m.start(), m.end(), first, last, scope))
    return out


def period_of(lay: Layout, periods: list[Period], start: int) -> Period | None:
    """The period that holds at ``start`` (see the module docstring for the scopes)."""
    para = lay.paragraph(start)
    sent = lay.sentence(start)
    clause = lay.clause_start(start)
    best: Period | None = None
    ps = lay.paragraphs[para][0]
    own_event = bool(_EVENT.search(lay.text[ps:start]))
    for p in periods:
        if p.start >= start:
            break
        if p.scope == "clause":
            applies = lay.clause_start(p.start) == clause
        elif p.scope == "sentence":
            applies = lay.sentence(p.start) == sent
        else:
            pp = lay.paragraph(p.start)
            applies = pp == para or not lay.is_headline(pp) and not own_event

        if applies:
            best = p
    return best
