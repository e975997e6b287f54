"""Cleaning of extracted article text: what trafilatura leaves behind.

Plain functions over strings. The order matters and is the order of ``clean_text``:
character-level repairs (pinyin residue of flattened ``<ruby>``, stray commas, ASCII
punctuation inside Chinese), then line-level boilerplate rules loaded from
``rules/boilerplate.toml`` (data, documented there; sources add their own).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text.fold import width_fold

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = f"[{CJK}]"

# --- pinyin residue ------------------------------------------------------------------
# A flattened <ruby> leaves "時(shí)" or "時（shí）". Only a valid pinyin syllable in
# brackets right after a Han character is removed, so "中国(CN)" or "(a)" lists stay.
_INITIALS = ["", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "zh", "ch", "sh", "r", "z", "c", "s", "y", "w"]
_FINALS = ["a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "er",
           "i", "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong", "u", "ua",
           "uo", "uai", "ui", "uan", "un", "uang", "ueng", "v", "ve", "van", "vn", "ue",
           "io", "m", "n", "ng", "hm", "hng"]
_BARE_FINALS = {"m", "n", "ng", "hm", "hng"}  # interjections: never after an initial
PINYIN_SYLLABLES = frozenset(i + f for i in _INITIALS for f in _FINALS if not (i and f in _BARE_FINALS))
_PINYIN_CHARS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_IN_BRACKETS = re.compile(
    rf"(?<={_CJK_RE})\s?[(（]([{_PINYIN_CHARS}]{{1,6}}[1-5]?)[)）]"
)
_TONE_MARKED = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")
# pinyin glued between two Han characters without brackets: only tone-marked syllables
_PINYIN_GLUED = re.compile(rf"(?<={_CJK_RE})([{_PINYIN_CHARS}]{{1,6}})(?={_CJK_RE})")


def pinyin_base(token: str) -> str:
    """Lower-case ``token`` with tone marks and tone digits removed (ü written as v)."""
    token = token.lower().rstrip("12345").replace("ü", "v").replace("ǖ", "v").replace(
        "ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    decomposed = unicodedata.normalize("NFD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("u\u0308", "v")


def is_pinyin(token: str) -> bool:
    """True when ``token`` is one pinyin syllable (with or without tone marks)."""
    return pinyin_base(token) in PINYIN_SYLLABLES


# a tone-marked syllable in brackets is a reading whatever precedes it ("龙?秴^(qū)")
_TONED_IN_BRACKETS = re.compile(rf"[(（]([{_PINYIN_CHARS}]{{1,6}})[)）]")
# mojibake can eat the Han character and the opening bracket: "质量?jī)?yōu)"
_PINYIN_AFTER_QMARK = re.compile(rf"(?<=\?)([{_PINYIN_CHARS}]{{1,6}}[1-5]?)[)）]")


def strip_pinyin(text: str) -> str:
    """Remove pinyin left after Han characters by a flattened ``<ruby>`` annotation."""

    def bracketed(m: re.Match) -> str:
        tok = m.group(1)
        # one bare vowel ("(a)") is more likely a list marker than a reading
        plausible = len(tok) > 1 or _TONE_MARKED.search(tok)
        return "" if plausible and is_pinyin(tok) and not tok.isupper() else m.group(0)

    def glued(m: re.Match) -> str:
        tok = m.group(1)
        return "" if _TONE_MARKED.search(tok) and is_pinyin(tok) else tok

    text = _PINYIN_IN_BRACKETS.sub(bracketed, text)
    text = _TONED_IN_BRACKETS.sub(
        lambda m: "" if _TONE_MARKED.search(m.group(1)) and is_pinyin(m.group(1)) else m.group(0), text)
    text = _PINYIN_AFTER_QMARK.sub(lambda m: "" if is_pinyin(m.group(1)) else m.group(0), text)
    return _PINYIN_GLUED.sub(glued, text)


# --- punctuation ---------------------------------------------------------------------
_CLOSING_PUNCT = "，。、；：！？”’」』）》〉】…—"
# some scrapers put an ASCII comma before every punctuation mark: "当时,。" / "处,,"
_STRAY_COMMA = re.compile(rf",+(?=[{_CLOSING_PUNCT},])")
_FULLWIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！"}
_ASCII_PUNCT_IN_CJK = re.compile(rf"(?<=[{CJK}{_CLOSING_PUNCT}“‘「『（《])([,;:!])|([,;:!])(?=[{CJK}“‘「『（《])")
_ASCII_PARENS = re.compile(rf"\(([^()]*[{CJK}][^()]*)\)")


def fix_punctuation(text: str) -> str:
    """Drop stray commas before punctuation; write ASCII , ; : ! ( ) next to Chinese full-width."""
    text = _STRAY_COMMA.sub("", text)
    text = _ASCII_PUNCT_IN_CJK.sub(lambda m: _FULLWIDTH[m.group(1) or m.group(2)], text)
    return _ASCII_PARENS.sub(r"（\1）", text)


# --- boilerplate rules -----------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # "line" or "tail"
    pattern: re.Pattern
    max_len: int | None = None

    def matches(self, squeezed: str) -> bool:
        if self.max_len is not None and len(squeezed) > self.max_len:
            return False
        return bool(self.pattern.search(squeezed))


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    min_body_lines: int = 1

    def with_extra(self, patterns: tuple[str, ...]) -> "RuleSet":
        """This rule set plus per-source ``line`` rules."""
        extra = tuple(Rule(f"source:{p}", "line", re.compile(p)) for p in patterns)
        return RuleSet(self.rules + extra, self.min_body_lines)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The packaged rules of ``archive/rules/boilerplate.toml``."""
    data = tomllib.loads(resources.files("archive").joinpath("rules/boilerplate.toml").read_text("utf-8"))
    rules = tuple(
        Rule(r["name"], r["kind"], re.compile(r["pattern"]), r.get("max_len")) for r in data["rule"]
    )
    return RuleSet(rules, data.get("min_body_lines", 1))


@lru_cache(maxsize=64)
def rules_for(extra_patterns: tuple[str, ...] = ()) -> RuleSet:
    """Default rules plus a source's extra patterns (cached per tuple)."""
    return default_rules().with_extra(extra_patterns) if extra_patterns else default_rules()


_WS = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """``text`` with all whitespace (including U+3000 and nbsp) removed."""
    return _WS.sub("", text)


def rule_hit(line: str, rules: RuleSet) -> Rule | None:
    """The first rule matching ``line`` (whitespace, full/half width ignored: ``text.fold``), or None."""
    squeezed = width_fold(line).strip("|｜")  # trafilatura writes table rows as "| cell |"
    for rule in rules.rules:
        if rule.matches(squeezed):
            return rule
    return None


def keep_mask(lines: list[str], rules: RuleSet | None = None) -> list[bool]:
    """For each line, whether it survives: ``line`` rules drop a line, ``tail`` rules the rest."""
    rules = rules or default_rules()
    mask: list[bool] = []
    kept = 0
    for i, line in enumerate(lines):
        rule = rule_hit(line, rules)
        if rule is None:
            mask.append(True)
            kept += 1
        elif rule.kind == "tail" and kept >= rules.min_body_lines:
            return mask + [False] * (len(lines) - i)
        else:
            mask.append(False)
    return mask


def drop_boilerplate(lines: list[str], rules: RuleSet | None = None) -> list[str]:
    """``lines`` without the boilerplate lines (see ``keep_mask``)."""
    return [ln for ln, keep in zip(lines, keep_mask(lines, rules)) if keep]


def split_lines(text: str) -> list[str]:
    """Non-empty lines of ``text``, stripped (U+3000 indents included)."""
    return [ln.strip(" \t\u3000\xa0\r") for ln in text.split("\n") if ln.strip(" \t\u3000\xa0\r")]


_GARBAGE_CHARS = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")


def repair_line(line: str) -> str:
    """Character-level repairs of one line: undecodable and control characters, pinyin, punctuation.

    U+FFFD (bytes the charset could not decode) is dropped from the text; the page keeps its
    ``suspect_encoding`` flag, so an archivist can find it and re-extract it from the raw bytes.
    """
    return fix_punctuation(strip_pinyin(_GARBAGE_CHARS.sub("", line)))


def clean_text(text: str, rules: RuleSet | None = None) -> str:
    """Clean an extracted body: repairs, then boilerplate rules; paragraphs joined by ``\\n``."""
    lines = [repair_line(ln) for ln in split_lines(text)]
    return "\n".join(drop_boilerplate(lines, rules))


# --- mojibake ----------------------------------------------------------------------------
# Characters that UTF-8 read as GBK (or as Latin-1) produces far more often than Chinese
# text does: a handful of them is a strong sign the page was decoded with the wrong charset.
_MOJIBAKE_CHARS = set("锟斤拷銆锛鈥鍙鏂鐨鍦鎴浠璇瑙鍚鏃闂鍒鍏鍐绗寮浜涓娴绋缁鏈鐢鍥閲鎬")
_LATIN1_MOJIBAKE = re.compile("[ÃÂâåæçèéäïð][\x80-\xbf¡-¿]")
_QMARK_IN_CJK = re.compile(rf"{_CJK_RE}\?{_CJK_RE}|\?[。，、]")


def suspect_encoding(text: str) -> bool:
    """True when ``text`` still looks like mojibake (U+FFFD, ``?`` inside Chinese, GBK-as-UTF-8)."""
    if "\ufffd" in text or _QMARK_IN_CJK.search(text) or _LATIN1_MOJIBAKE.search(text):
        return True
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    if han < 20:
        return False
    odd = sum(1 for c in text if c in _MOJIBAKE_CHARS)
    return odd / han > 0.04
