"""Line-level repairs of an extracted body that no single rule makes: where the article starts,
paragraphs a page repeats, and the guarantee that a real article keeps its one paragraph."""

from __future__ import annotations

import re

from .fold import fold

HEAD_WINDOW = 6  # the headline is looked for among this many first lines
_SENTENCE = re.compile(r"[。！？!?]")
_WS = re.compile(r"\s+")


def drop_through_headline(lines: list[str], headline: str | None) -> list[str]:
    """The lines after the headline when the headline is one of the first lines: what sits above
    it (navigation, channel names, the site's name) is not the article."""
    if not headline:
        return lines
    head = fold(headline)
    if len(head) < 4:
        return lines
    for i, line in enumerate(lines[:HEAD_WINDOW]):
        if fold(line) == head:
            return lines[i + 1:] if i + 1 < len(lines) else lines
    return lines


def repeated(lines: list[str], min_len: int = 12) -> list[bool]:
    """For each line, whether it repeats an earlier line of at least ``min_len`` characters
    (pages that carry their text twice, for two layouts, give trafilatura both copies)."""
    seen: set[str] = set()
    out = []
    for line in lines:
        key = _WS.sub("", line)  # copies are exact: no need to fold width
        out.append(len(key) >= min_len and key in seen)
        seen.add(key)
    return out


def is_sentence(line: str) -> bool:
    """A line that says something: it has a sentence end (a label or a link list has none)."""
    return bool(_SENTENCE.search(line))


def rescue_only_paragraph(lines: list[str], keep: list[bool]) -> list[bool]:
    """When every line was dropped, keep the first one that is a sentence: the only paragraph
    of a short news item is never dropped by a rule (notices and lists come after it)."""
    if any(keep):
        return keep
    sentences = [i for i, line in enumerate(lines) if is_sentence(line)]
    if not sentences:
        return keep
    return [i == sentences[0] for i in range(len(lines))]


# a by-line field in brackets glued to the end (or start) of a paragraph: "……。（原标题：…）"
_FIELDS = r"(?:本文)?(?:原标题|原標題|原题|原題|来源|來源|资料来源|資料來源|稿源|责任编辑|責任編輯|责编|責編)"
_TRAILING_FIELD = re.compile(rf"(?<=[。！？!?”」』])\s*[（(【\[]{_FIELDS}\s*[:：][^（）()【】\[\]]{{1,80}}[）)】\]]\s*$")
_LEADING_FIELD = re.compile(rf"^\s*[（(【\[]{_FIELDS}\s*[:：][^（）()【】\[\]]{{1,80}}[）)】\]]\s*(?=\S)")


def split_glued_fields(line: str) -> tuple[str, str | None]:
    """``(paragraph, field)``: a bracketed 原标题/来源/责任编辑 field glued to a paragraph's end
    (after its last sentence) or start is metadata, not text; ``field`` is None when there is none."""
    for regex in (_TRAILING_FIELD, _LEADING_FIELD):
        m = regex.search(line)
        if m:
            rest = (line[: m.start()] + line[m.end():]).strip()
            if rest:
                return rest, m.group(0).strip()
    return line, None


def link_only(lines: list[str], link_texts: frozenset[str]) -> list[bool]:
    """For each line, whether it is nothing but the text of one of the page's short links (a
    menu entry, a channel name, "首页"): navigation that a whole-page fallback extraction keeps."""
    if not link_texts:
        return [False] * len(lines)
    return [len(line) <= 32 and not is_sentence(line) and fold(line) in link_texts for line in lines]


# a page whose text is mostly its source's "template" is a near-copy of the source's other pages
# (a series of notices, a republished story), not a page with boilerplate: its lines are text
MAX_TEMPLATE_SHARE = 0.6


def template_mask(lines: list[str], in_template: list[bool], kept: list[bool]) -> list[bool]:
    """For each line, whether it goes as the source's template: the lines ``in_template`` flags,
    unless they hold more than ``MAX_TEMPLATE_SHARE`` of the characters of the lines the other
    checks ``kept``."""
    total = sum(len(line) for line, k in zip(lines, kept) if k) or 1
    flagged = sum(len(line) for line, t, k in zip(lines, in_template, kept) if t and k)
    return in_template if flagged <= MAX_TEMPLATE_SHARE * total else [False] * len(lines)
