"""Investment facts of a text: each figure, what it is, for which period, for which place.

``analyse(text, published, region)`` is what the crawler, ``stories --rebuild``, ``reextract`` and
``python -m archive facts`` run: it reads the text as given (Traditional or Simplified, with
scraping residue: archive/facts/text.py), finds the figures (figures.py), and says for each
whether it happened (``status``) and what it counts (``measure``: context.py), the period it
covers (periods.py), the place it belongs to (placing.py) and whether it is a part of another
figure (parts.py). Offsets (``start``, ``end``, ``part_of``) are into the text as given.
"""

from __future__ import annotations

import re

from ..places import gazetteer
from .context import measure, status
from .figures import FACTS_VERSION, Fact, extract_facts, number
from .layout import layout
from .parts import mark_parts
from .periods import find_periods, period_of
from .placing import find_places, place_of
from .table import FACT_COLUMNS, create_table, fact_rows
from .text import read

__all__ = ["FACTS_VERSION", "FACT_COLUMNS", "Fact", "analyse", "create_table", "extract_facts", "fact_rows",
           "number", "publication_month"]

_PROJECT_NOUN = re.compile(r"[^，,。；;：:、\n]{0,14}?项目")


def publication_month(published: str | None) -> tuple[int, int] | None:
    """(year, month) of an ISO date or time (``2022-11-24``, ``2022-11-24T09:00:00+08:00``), else None."""
    m = re.match(r"\s*((?:19|20)\d{2})-(\d{1,2})", published or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2))


def analyse(text: str | None, published: str | None = None, region: str | None = None) -> list[Fact]:
    """The facts of ``text`` with every field (status, measure, period, place, part_of), offsets into
    ``text`` as given; ``published`` (ISO date) resolves relative periods, ``region`` (the source's
    region, e.g. 吉林省吉林市) resolves 我市/全区."""
    if not text:
        return []
    r = read(text)
    t = r.text
    facts = extract_facts(t)
    if not facts:
        return facts
    lay = layout(t)
    pub = publication_month(published)
    counted = [f.start for f in facts if f.kind in ("money", "projects")]
    periods = find_periods(lay, pub, counted)
    places = find_places(t, region)
    g = gazetteer()
    for f in facts:
        head_end = f.end
        if f.kind == "projects":
            m = _PROJECT_NOUN.match(t, f.end)
            if m:
                head_end = m.end()
        f.status = status(lay, f.start, f.end, head_end)
        f.measure = measure(lay, f.kind, f.start, f.end, head_end, f.status)
        p = period_of(lay, periods, f.start)
        if p is not None:
            f.period, f.period_start, f.period_end = r.wording(p.start, p.end), p.first, p.last
        if f.status == "done" and pub and f.period_start and f.period_start > f"{pub[0]:04d}-{pub[1]:02d}":
            f.status = "target"  # a period that has not begun (明年) holds no achievement yet
        pl = place_of(lay, places, f.start, counted[0] if counted else f.start)
        if pl is not None:
            f.place = r.wording(pl.start, pl.end) if pl.word == t[pl.start:pl.end] else pl.word
            f.adcode = pl.adcode
            d = g.by_code.get(pl.adcode) if pl.adcode else None
            if d is not None:
                prov = g.by_code.get(d.province)
                f.province = prov.name if prov else None
                pref = d if d.level == "prefecture" else (g.by_code.get(d.prefecture) if d.prefecture else None)
                f.prefecture = pref.name if pref else None
    mark_parts(lay, facts)
    for f in facts:
        f.signed = f.kind in ("money", "projects") and f.status == "done" and f.measure == "signed"
    starts = {f.start: r.span(f.start, f.end)[0] for f in facts}
    for f in facts:
        s, e = r.span(f.start, f.end)
        if f.part_of is not None:
            f.part_of = starts.get(f.part_of, f.part_of)
        f.start, f.end, f.text = s, e, r.given[s:e]
    return facts
