"""Whether a figure happened (``status``) and what it counts (``measure``), from the words before it.

Chinese government news puts achievements, aims and negotiations side by side in one sentence
("前10个月新签约项目241个……力争明年签约150个……洽谈推动100个"). Each figure is judged by the
nearest cue before it: first in its own clause, then in the earlier clauses of its sentence, then
in a paragraph that announced a task list ("主要任务是："); with no cue it is an achievement.

status
  - ``target``: an aim — 力争, 争取, 目标, 任务, 确保, 计划 (as an aim, not 计划总投资), 将, 下达, 年计划,
    or the figure is followed by 的目标/目标任务;
  - ``pending``: not (yet) signed or arrived — 在谈, 洽谈, 跟踪, 储备, 对接, 拟, 意向, 预计, 可望, 线索, 即将,
    projects 发布/推介 (on offer); an event named 洽谈会/推介会 is no negotiation, and a verb of what happened
    after such a word in the figure's clause wins (在推介活动上签约项目12个), unless the word governs it
    (即将签约); a negotiating verb in an earlier clause (积极对接长三角，新签约项目40个) does not make a
    figure pending whose own clause says what happened;
  - ``done``: otherwise (新签约, 引进, 到位, 完成, 累计 …); 已 after an aim cue is done again
    (计划新开工项目已开工9个).

measure (for money: the noun nearest the figure first, then the event of the sentence)
  - ``actual``: 到位, 实际利用/使用, 实际到资, 入资, 到账, 完成投资, 利用外资/内资, 用款;
  - ``signed``: 签约, 签订, 签署, 新签, 协议, 合同 — also the 总投资 of projects whose sentence is about signing;
  - ``total``: the 总投资 or the count of projects introduced, landed, started, built, in production, performing
    (引进, 落地, 开工, 在建, 投产, 续建, 竣工, 履约, 入驻, 重点项目);
  - ``other``: pipelines (在谈, 储备, 意向 …: every ``pending`` figure), registered capital, 增资, fixed-asset
    investment statistics, yearly plan figures, and what names no event.
"""

from __future__ import annotations

import re

from .layout import Layout

# --- status cues (Simplified) ---------------------------------------------------------------------
_TARGET = re.compile(
    r"力争|争取|目标(?!企业|客户|市场|区域|产业|城市|国家)|任务|确保|下达|年计划|年度计划"
    r"|计划(?!总?投资|投入|总额|建设|总投)|(?<![即必])将(?!近|其|军)"
    r"|预期|拟定|期望|奋斗|冲刺")
# (洽谈会, 推介会, 发布会 are events, not negotiations)
_PENDING = re.compile(r"在谈|洽谈(?!会)|跟踪|储备|对接(?!会)|(?<![模比])拟|意向|预计|可望|有望|线索|正在商谈|待签|即将|"
                      r"发布(?!会)|推介(?!会)|推出")
# a verb of what happened: after a negotiating word of the same clause it says the figure happened
# (在推介活动上签约项目12个), unless the negotiating word governs it (即将签约, 拟签约)
_EVENT_VERB = re.compile(r"签约|签订|签署|新签|引进|落地|开工|投产|竣工|入驻|开业|建成")
_TASK_LIST = re.compile(r"(?:任务|目标)(?:是|为|有)?[:：]")
_DONE_STRONG = re.compile(r"已经|(?<![而])已(?!有望)|累计|(?:实现|完成)了|签约了|引进了|成功")
# an achievement verb in the figure's own clause, when no aim is stated in it (力争实现 is an aim)
_DONE_WEAK = re.compile(r"完成|实现|达到|突破|共有|共计")
# 完成…目标任务, 超额完成年度任务: the aim reached, not an aim
_REACHED = re.compile(r"(?:完成|实现|超过|超额完成|达到)[^，,；;。]{0,8}$")
_AFTER_TARGET = re.compile(r"^(?:及以上|以上|左右)?的?(?:年度)?(?:目标|任务)")

# --- measure cues ---------------------------------------------------------------------------------
_ACTUAL_NOUN = re.compile(
    r"到位|实际利用|实际使用|实际到|到资|入资|到账|到帐|完成投资|利用外资|利用内资|利用省外|"
    r"用款|实际投资|引进[^，,；;。]{0,4}?(?:内资|外资|资金)|投入")
_SIGNED_NOUN = re.compile(r"签约|签订|签署|新签|协议|合同|签下|簽")
# capital registered or added, investment statistics of a whole economy, yearly plans, pipelines
_OTHER_NOUN = re.compile(r"注册资本|注册资金|增资|固定资产投资|(?:工业|民间|技改|社会|基础设施|房地产开发|制造业)投资"
                         r"|年计划|年度计划|意向|拟投资|储备|在谈|洽谈")
_GENERIC_NOUN = re.compile(r"总投资|投资总额|投资额|投资|总金额|总额|金额|引资|资金|规模")
# 新批 (外资项目): foreign-investment projects approved with their contracts (合同外资)
_EVENT_SIGNED = re.compile(r"签约|签订|签署|新签|协议|合同|签下|签|新批")
_EVENT_TOTAL = re.compile(r"引进|引入|招引|落地|落户|开工|在建|投产|建成|续建|竣工|履约|入驻|实施|推进|入库|"
                          r"重点项目|建设|批准|批复|注册")
_EVENT_ACTUAL = re.compile(r"入资|到资")
_EVENT_OTHER = re.compile(r"洽谈(?!会)|在谈|储备|意向|对接(?!会)|跟踪|谋划|包装|线索|发布(?!会)|推介(?!会)|推出")


def _last(rx: re.Pattern, s: str) -> int:
    """End position of the last match of ``rx`` in ``s`` (-1 when none)."""
    pos = -1
    for m in rx.finditer(s):
        pos = m.end()
    return pos


def _targets(s: str) -> int:
    """End of the last aim cue of ``s`` that is not an aim reached (完成年度目标任务)."""
    pos = -1
    for m in _TARGET.finditer(s):
        if not _REACHED.search(s[:m.start()]):
            pos = m.end()
    return pos


def _cue(s: str, own: bool = False) -> str | None:
    """The status the last cue of ``s`` gives, or None (``own``: the figure's own clause, where an
    event after a negotiating word is what happened: 在推介会上签约项目12个)."""
    t, p, d = _targets(s), _last(_PENDING, s), _last(_DONE_STRONG, s)
    if own and p >= 0:
        for m in _EVENT_VERB.finditer(s):
            if m.start() > p + 1:
                d = max(d, m.end())
    if own and t < 0 and p < 0 and _DONE_WEAK.search(s):
        return "done"
    best = max(t, p, d)
    if best < 0:
        return None
    if best == d:
        return "done"
    return "pending" if best == p else "target"


def status(lay: Layout, start: int, end: int, head_end: int) -> str:
    """``done``, ``target`` or ``pending`` for the figure at ``start:end`` (``head_end``: the end of the
    noun it counts, e.g. of ``150个亿元以上产业项目``)."""
    text = lay.text
    cs = lay.clause_start(start)
    own = text[cs:head_end].replace(text[start:end], " ")
    ce = lay.clause_end(end)
    if _AFTER_TARGET.match(text[end:ce]):
        return "target"
    ss = lay.sentences[lay.sentence(start)][0]
    ps = lay.paragraphs[lay.paragraph(start)][0]
    if _TASK_LIST.search(text[ps:ss]) and not _DONE_STRONG.search(own):
        return "target"  # 主要任务是：…。引进亿元以上项目250个，储备…500个: every item is an aim
    found = _cue(text[cs:start], own=True) or _cue(own)
    if found:
        return found
    # earlier clauses of the sentence, nearest first; an aim (力争, 确保) governs the clauses after it,
    # but a negotiating verb there (对接长三角, 跟踪服务) is an activity of its own clause, not the
    # status of a figure whose clause names what happened (新签约项目40个)
    happened = bool(_EVENT_SIGNED.search(own) or _EVENT_TOTAL.search(own) or _DONE_WEAK.search(own))
    pos = cs
    while pos > ss:
        prev = lay.clause_start(pos - 1)
        found = _cue(text[prev:pos - 1])
        if found and not (found == "pending" and happened):
            return found
        pos = prev
    return "done"


def _event(s: str, own: bool = False) -> str | None:
    """The measure the last event word of ``s`` names, or None (``own``: the figure's own clause,
    where signing is what defines the projects even beside 落地/重点项目)."""
    found = {name: _last(rx, s) for name, rx in (("signed", _EVENT_SIGNED), ("total", _EVENT_TOTAL),
                                                   ("actual", _EVENT_ACTUAL), ("other", _EVENT_OTHER))}
    name, pos = max(found.items(), key=lambda kv: kv[1])
    if pos < 0:
        return None
    # the phrase (to the last comma) of the last event word: signing defines the projects even
    # beside 落地/重点项目 (已签订投资协议、明确落地的项目), but not with 续建 (续建和新签项目)
    phrase = s[max(s.rfind(c, 0, pos) for c in "，,；;：:。") + 1:] if not own else s
    if "续建" in phrase and (name == "signed" or found["signed"] >= 0):
        return "total"
    if name == "total" and _EVENT_SIGNED.search(phrase):
        return "signed"
    return name


def _sentence_event(lay: Layout, start: int, own: str) -> str | None:
    """The event of the figure: its own clause, then the sentence before it, then the paragraph."""
    text = lay.text
    found = _event(own, own=True)
    if found:
        return found
    ss = lay.sentences[lay.sentence(start)][0]
    found = _event(text[ss:start])
    if found:
        return found
    ps = lay.paragraphs[lay.paragraph(start)][0]
    return _event(text[ps:ss])


def measure(lay: Layout, kind: str, start: int, end: int, head_end: int, status_: str) -> str:
    """``signed``, ``actual``, ``total`` or ``other`` (see the module docstring)."""
    if status_ == "pending" or kind == "other_money":
        return "other"
    text = lay.text
    cs = lay.clause_start(start)
    own = text[cs:head_end].replace(text[start:end], " ")
    if kind != "projects":
        # the noun nearest the figure decides (its own clause, else the clauses before it in the
        # sentence: 实际利用内资840亿元、外资44.08亿美元); generic nouns (总投资, 投资额) defer to the event
        ss = lay.sentences[lay.sentence(start)][0]
        pos, scope = cs, own
        while True:
            nouns = [(m.end(), name) for name, rx in (("actual", _ACTUAL_NOUN), ("signed", _SIGNED_NOUN),
                                                       ("other", _OTHER_NOUN), ("generic", _GENERIC_NOUN))
                     for m in rx.finditer(scope)]
            specific = [n for n in nouns if n[1] != "generic"]
            if specific:
                return max(specific)[1]
            if nouns or pos <= ss:
                break
            prev = lay.clause_start(pos - 1)
            scope, pos = text[prev:pos - 1], prev
        found = _sentence_event(lay, start, own) or _event(text[end:lay.clause_end(lay.clause_end(end) + 1)])
        if found == "actual":
            return "total"
        return found or "total"
    found = _event(text[lay.phrase_start(start):head_end].replace(text[start:end], " "), own=True)
    if found is None:
        found = _sentence_event(lay, start, "") or _event(text[end:lay.clause_end(lay.clause_end(end) + 1)])
    return found or "total"
