"""Crontab(5) expressions for APScheduler 3.x.

``CronTrigger.from_crontab`` reads the day-of-week field APScheduler's way (0 = Monday),
where crontab(5) means 0 (and 7) = Sunday. ``crontab_to_apscheduler`` rewrites numeric
weekdays, ranges and steps of that field as day names, so ``schedule = "0 8 * * 0"``
runs on Sundays as an operator expects.
"""

from __future__ import annotations

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _expand_dow_item(item: str) -> list[int] | str:
    """Numeric weekday days of one comma item of the field, or the item itself if it has names."""
    base, _, step_s = item.partition("/")
    step = int(step_s) if step_s else 1
    if step < 1:
        raise ValueError(f"bad step in day-of-week {item!r}")
    if base == "*":
        lo, hi = 0, 6
    elif "-" in base:
        lo_s, hi_s = base.split("-", 1)
        if not (lo_s.isdigit() and hi_s.isdigit()):
            return item
        lo, hi = int(lo_s), int(hi_s)
    elif base.isdigit():
        lo = hi = int(base)
        if step_s:
            hi = 6
    else:
        return item
    if not (0 <= lo <= 7 and 0 <= hi <= 7) or lo > hi:
        raise ValueError(f"day-of-week out of range in {item!r} (0-7, 0 and 7 are Sunday)")
    return list(range(lo, hi + 1, step))


def translate_day_of_week(field: str) -> str:
    """Rewrite a crontab day-of-week field with names (``0`` -> ``sun``, ``1-5`` -> ``mon,...,fri``)."""
    if field == "*":
        return field
    out: list[str] = []
    for item in field.split(","):
        expanded = _expand_dow_item(item.strip().lower())
        if isinstance(expanded, str):
            out.append(expanded)
        else:
            out.extend(_DAY_NAMES[d] for d in expanded)
    return ",".join(dict.fromkeys(out))


def crontab_to_apscheduler(expr: str) -> str:
    """A 5-field crontab expression with its weekday field translated; ValueError if not 5 fields."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    fields[4] = translate_day_of_week(fields[4])
    return " ".join(fields)


def cron_trigger(expr: str, timezone: str):
    """An APScheduler ``CronTrigger`` meaning what ``expr`` means in crontab(5)."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(crontab_to_apscheduler(expr), timezone=timezone)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(str(exc)) from None
