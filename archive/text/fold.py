"""Text folded for matching: full/half width, spaces, bracket styles and digits do not count.

``【来源】``, ``[来源]``, ``（来源）`` and ``(来源)`` are one key; so are ``责任编辑：张三`` and
``责任编辑: 张三``. NFKC (the standard library's) maps full-width Latin, digits and punctuation to
ASCII; the brackets NFKC leaves alone (【】〔〕「」《》…) are mapped here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
# every opening bracket style -> "(", every closing one -> ")"
_BRACKETS = str.maketrans({**{c: "(" for c in "【〔［[「『〖〘｛{〈"}, **{c: ")" for c in "】〕］]」』〗〙｝}〉"}})


def fold(text: str) -> str:
    """``text`` NFKC-normalised, whitespace removed, every bracket style written ``(`` ``)``,
    Latin letters lower-cased."""
    if not unicodedata.is_normalized("NFKC", text):  # the check is much cheaper than normalising
        text = unicodedata.normalize("NFKC", text)
    return _WS.sub("", text).translate(_BRACKETS).lower()


# the full-width punctuation Chinese text writes stays as written: the rules spell "：" "（"
# and exclude "。！？" in classes, and NFKC would turn "（c）" into a regex group. It is moved
# to the private use area around NFKC, which leaves that area alone.
_KEEP = "！？，：；（）｜"
_PROTECT = str.maketrans({c: chr(0xE000 + i) for i, c in enumerate(_KEEP)})
_UNPROTECT = str.maketrans({chr(0xE000 + i): c for i, c in enumerate(_KEEP)})


def width_fold(text: str) -> str:
    """``text`` with whitespace removed and full-width letters, digits and symbols made ASCII
    (NFKC), Chinese punctuation kept: what the boilerplate rules match, so ``责任编辑: 张三`` and
    ``责任编辑：张三`` are one line for a ``[:：]`` pattern."""
    return _WS.sub("", unicodedata.normalize("NFKC", text.translate(_PROTECT)).translate(_UNPROTECT))


SHORT_LINE = 40  # characters (folded): by-lines, counters, prompts


def line_key(text: str) -> int:
    """A 63-bit key of a line for template learning: ``fold``, and in a short line every run of
    digits written ``0`` (a by-line's date or a view counter changes from page to page, the
    template does not; a long paragraph whose figures change is news, a monthly report's)."""
    folded = fold(text)
    if len(folded) <= SHORT_LINE:
        folded = _DIGITS.sub("0", folded)
    return int.from_bytes(hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest(), "big") >> 1
