"""Plain text as scraped → the text the fact rules read, with a map back to the given offsets.

Scraped text carries residue that breaks the rules' patterns: flattened ``<ruby>`` pinyin
(``項(xiàng)目241個(gè)``), stray commas before punctuation (``市委,、市政府``, ``當時,。``) and
Traditional script. ``Reading`` removes the first two and converts to Simplified (opencc ``t2s``),
keeping for every character of the result the offset of the character it came from, so a fact
found in the reading is reported at its place in the text as given.

archive/clean.py removes the same residue from whole pages; it returns no offsets, and the
command-line ``facts`` reads text that never went through it, so the removal is repeated here on
single characters (a pinyin gloss and a comma) where the offsets can be kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize import to_simplified

# a bracketed syllable of pinyin with tone marks right after a Han character: 時(shí)
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[)）]")
# a comma directly before another punctuation mark is residue of a flattened layout
_STRAY_COMMA = re.compile(r"[,，](?=[,，。、；;：:！？!?”」』）)])")


@dataclass
class Reading:
    """``text`` (Simplified, residue removed) and ``offsets[i]``: where ``text[i]`` is in ``given``."""

    given: str
    text: str
    offsets: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the given text that ``text[start:end]`` came from."""
        if start >= len(self.offsets):
            return len(self.given), len(self.given)
        return self.offsets[start], (self.offsets[end - 1] + 1 if end > start else self.offsets[start])


    def wording(self, start: int, end: int) -> str:
        """``text[start:end]`` in the script of the given text, residue left out (前10個(gè)月 → 前10個月)."""
        return "".join(self.given[i] for i in self.offsets[start:end])


def read(given: str) -> Reading:
    """The reading of ``given`` (see the module docstring); Simplified clean text comes back unchanged."""
    drop = set()
    for rx in (_PINYIN, _STRAY_COMMA):
        for m in rx.finditer(given):
            drop.update(range(m.start(), m.end()))
    kept = [i for i in range(len(given)) if i not in drop] if drop else list(range(len(given)))
    stripped = "".join(given[i] for i in kept) if drop else given
    simple = to_simplified(stripped)
    if len(simple) != len(stripped):
        # opencc replaced a phrase by one of another length (rare): convert line by line, and a
        # line that still changes length character by character, so every offset stays exact
        lines = []
        for line in stripped.split("\n"):
            conv = to_simplified(line)
            lines.append(conv if len(conv) == len(line) else "".join(
                (c2 if len(c2 := to_simplified(c)) == 1 else c) for c in line))
        simple = "\n".join(lines)
    return Reading(given, simple, kept)
