"""Line-level repairs of an extracted body that no single rule makes: where the article starts,
paragraphs a page repeats, and the guarantee that a real article keeps its one paragraph."""

from __future__ import annotations

import re

from .fold import fold

HEAD_WINDOW = 6  # the headline is looked for among this many first lines
_SENTENCE = re.compile(r"[。！？!?]")


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
        key = fold(line)
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
