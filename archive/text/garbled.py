"""Garbled text: bytes that decoded without an error into characters that are no language.

A page sent in one charset and read in another usually fails to decode (``decode.py`` notices
and tries the next charset); sometimes every byte pair happens to be a valid character and the
result is a run of rare CJK characters, or one rare character repeated hundreds of times.
Chinese text is made of a few thousand common characters: GB2312's first level (3,755 of them)
covers well over 90 % of any article's Han characters, and no character is more than a few
per cent of a text (的, the most frequent, is about 4 %). Garbled text breaks both.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_HAN = 40  # below this a page says too little to judge
MAX_TOP_SHARE = 0.25  # one character this share of the Han characters: a repeated glyph
MIN_COMMON_SHARE = 0.5  # fewer common characters than this: random CJK


def _level_one() -> frozenset[str]:
    """GB2312's first level: the 3,755 most used characters (rows 0xB0-0xD7)."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # the last row is short
    return frozenset(chars)


COMMON = _level_one()
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def is_garbled(text: str) -> bool:
    """Whether Simplified ``text`` is garbled: one Han character making up more than a quarter
    of them, or fewer than half of them among the common ones. Short texts are never garbled."""
    han = _HAN.findall(text)
    if len(han) < MIN_HAN:
        return False
    counts = Counter(han)
    if counts.most_common(1)[0][1] > MAX_TOP_SHARE * len(han):
        return True
    common = sum(n for c, n in counts.items() if c in COMMON)
    return common < MIN_COMMON_SHARE * len(han)
