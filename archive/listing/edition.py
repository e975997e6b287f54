"""Digital editions (数字报): one layout page per day, e.g. ``/html/2022-11/24/node_2.htm``.

The calendar that links one day to another is JavaScript, so a source names the URL template
(``edition_url = "http://…/html/{date:%Y-%m/%d}/node_2.htm"``) and each run covers a range of days.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_DATE = re.compile(r"\{date(?::([^{}]*))?\}")


def template_problem(template: str) -> str | None:
    """Why ``template`` cannot name a day's page (None when it can)."""
    if not _DATE.search(template):
        return "has no {date:…} placeholder (e.g. {date:%Y-%m/%d})"
    for found in _DATE.finditer(template):
        fmt = found.group(1) or "%Y-%m-%d"
        if date(2000, 1, 2).strftime(fmt) == date(2000, 1, 3).strftime(fmt):
            return f"placeholder {found.group(0)} does not change from day to day"
    return None


def edition_url(template: str, day: date) -> str:
    """The layout page of ``day``: every ``{date:FORMAT}`` replaced (``{date}`` is ``%Y-%m-%d``)."""
    return _DATE.sub(lambda m: day.strftime(m.group(1) or "%Y-%m-%d"), template)


def edition_days(today: date, days: int = 7, start: date | None = None, until: date | None = None) -> list[date]:
    """Days to crawl, newest first: ``start``…``until`` when given (backfill), else the last ``days`` to today."""
    last = until or today
    first = start or (last - timedelta(days=days - 1))
    if first > last:
        return []
    return [last - timedelta(days=n) for n in range((last - first).days + 1)]
