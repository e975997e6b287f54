"""Sub-figures of a total (其中 …, 在117个新签约项目中 …, 分县区看 …): ``part_of`` so sums count them once.

- after 其中 in a sentence, each money or project figure is a part of the nearest figure of the same
  kind and unit before the 其中 (in the sentence, else the sentence before it);
- after a topic "(在)N个…项目中" / "…项目中，", a figure is a part of the figure it names: the one of
  value N, else the count of those projects (新签项目中 → …新签项目71个) in the sentence or the one before;
- a paragraph that opens a breakdown (分县区看, 分产业看, 从资金来源看 …) holds parts of the first figure of the
  same kind and unit in the nearest earlier paragraph with figures.
"""

from __future__ import annotations

import re

from .figures import Fact
from .layout import Layout

_QIZHONG = re.compile(r"其中")
_TOPIC = re.compile(r"(?:在|从)?(?:(?P<n>\d+)个)?[^，,。；;：:\n]{0,12}?项目中[，,：:]?")
_BREAKDOWN = re.compile(r"^\s*(?:分[^，,。]{1,8}看|从[^，,。]{1,10}看|按[^，,。]{1,8}分)")
_COUNTED = ("money", "projects")


def _same(a: Fact, b: Fact) -> bool:
    return a.kind == b.kind and a.unit == b.unit


def mark_parts(lay: Layout, facts: list[Fact]) -> None:
    """Set ``part_of`` (the parent's ``start``) on the facts that are parts of another one."""
    text = lay.text
    counted = [f for f in facts if f.kind in _COUNTED]
    for i, f in enumerate(counted):
        si = lay.sentence(f.start)
        ss, _ = lay.sentences[si]
        before = [p for p in counted[:i] if _same(p, f)]
        # 其中 between a figure and this one
        q = None
        for m in _QIZHONG.finditer(text, ss, f.start):
            q = m.start()
        if q is not None:
            # the total is in this sentence or the one before (也 across a paragraph break: "其中，" can
            # open the paragraph that breaks the total down)
            cands = [p for p in before if p.start < q and lay.sentence(p.start) in (si, si - 1)]
            if cands:
                f.part_of = cands[-1].start
                continue
        # a topic: 在117个新签约项目中, 新签项目中
        topic = None
        for m in _TOPIC.finditer(text, ss, f.start):
            topic = m
        if topic is not None:
            n = topic.group("n")
            cands = [p for p in before if p.end <= topic.start() and p.part_of is None]
            if n:
                named = [p for p in cands if p.kind == "projects" and str(p.value) == n]
                if named:
                    f.part_of = named[0].start
                    continue
            elif f.kind == "projects":
                # the figure the topic names: 新签项目中 → the count of 新签项目, one sentence back at most
                core = re.sub(r"^(?:在|从)|项目中[，,：:]?$", "", topic.group(0))
                near = [p for p in cands if p.measure == f.measure and si - lay.sentence(p.start) <= 1
                        and core and core + "项目" in (p.wording or "")]
                if near:
                    f.part_of = near[-1].start
                    continue
        # a breakdown paragraph
        pi = lay.paragraph(f.start)
        ps, pe = lay.paragraphs[pi]
        if _BREAKDOWN.match(text[ps:pe]):
            earlier = [p for p in counted if lay.paragraph(p.start) < pi]
            if earlier:
                prev_para = lay.paragraph(earlier[-1].start)
                cands = [p for p in earlier if lay.paragraph(p.start) == prev_para and _same(p, f)
                         and p.part_of is None]
                if cands:
                    f.part_of = cands[0].start
