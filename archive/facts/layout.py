"""Paragraphs, sentences and clauses of a text, as offsets: what the fact rules look back through."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_SENTENCE_END = "。！？!?"
CLAUSE_BREAK = re.compile(r"[，,；;：:、。！？!?\n]")
PHRASE_BREAK = re.compile(r"[，,；;：:。！？!?\n]")
# a headline or a caption: a line with no sentence end, short, no comma
_HEADLINE_MAX = 60


@dataclass
class Layout:
    text: str
    paragraphs: list[tuple[int, int]]
    sentences: list[tuple[int, int]]   # each inside one paragraph, its end after the 。

    def __post_init__(self):
        self._para_starts = [p[0] for p in self.paragraphs]
        self._sent_starts = [s[0] for s in self.sentences]

    def paragraph(self, pos: int) -> int:
        """Index of the paragraph holding ``pos``."""
        return max(0, bisect.bisect_right(self._para_starts, pos) - 1)

    def sentence(self, pos: int) -> int:
        """Index of the sentence holding ``pos``."""
        return max(0, bisect.bisect_right(self._sent_starts, pos) - 1)

    def _back_to(self, pos: int, breaks: re.Pattern) -> int:
        s = pos
        lo = self.sentences[self.sentence(pos)][0]
        while s > lo and not breaks.match(self.text[s - 1]):
            s -= 1
        return s

    def clause_start(self, pos: int) -> int:
        """Where the clause holding ``pos`` begins (after the last comma, semicolon, colon …)."""
        return self._back_to(pos, CLAUSE_BREAK)

    def phrase_start(self, pos: int) -> int:
        """Like ``clause_start``, but a list comma (、) does not end the phrase."""
        return self._back_to(pos, PHRASE_BREAK)

    def clause_end(self, pos: int) -> int:
        e = pos
        while e < len(self.text) and not CLAUSE_BREAK.match(self.text[e]):
            e += 1
        return e

    def is_headline(self, para: int) -> bool:
        """A line without a sentence end and without commas: a title, a caption."""
        s, e = self.paragraphs[para]
        line = self.text[s:e].strip()
        return bool(line) and len(line) <= _HEADLINE_MAX and not any(c in line for c in _SENTENCE_END + ",，；;")


def layout(text: str) -> Layout:
    """The paragraphs (lines) and sentences of ``text``."""
    paragraphs, sentences = [], []
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        paragraphs.append((s, e))
        start = s
        for i in range(s, e):
            if text[i] in _SENTENCE_END:
                j = i + 1
                while j < e and text[j] in "”’」』)）":
                    j += 1
                if j > start:
                    sentences.append((start, j))
                start = j
        if start < e or start == s:
            sentences.append((start, e))
        pos = e + 1
    sentences.sort()
    return Layout(text, paragraphs, sentences)
