"""Recurring posts: standard cron expressions turned into occurrence times.

APScheduler 3.x counts weekdays from Monday = 0, while crontab uses Sunday = 0 (see its
``CronTrigger.from_crontab`` warning). Staff write crontab, so the weekday field is
translated to names first: ``0 9 * * 1`` really means Monday 09:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from socialbot.notices import notice

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger


DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
HORIZON = dt.timedelta(days=8)  # occurrences materialised this far ahead


class CronProblem(ValueError):
    """An expression staff cannot use; its text is worded by a ``cron.*`` code."""


def _day_number(token: str) -> int:
    token = token.strip().lower()
    if token in DAY_NAMES:
        return DAY_NAMES.index(token)
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    raise CronProblem(notice("cron.bad_weekday", token=token).text())


def _weekdays(field: str) -> str:
    """Crontab day-of-week (Sunday = 0 or 7) as APScheduler day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise CronProblem(notice("cron.bad_step", step=step_text).text())
            step = int(step_text)
        if part == "*":
            first, last = 0, 6
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _day_number(a), _day_number(b)
            if b.strip() == "7":
                last = 7
            if last < first:
                raise CronProblem(notice("cron.reversed", part=part).text())
        else:
            first = last = _day_number(part)
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def parse_cron(expr: str, tz: ZoneInfo) -> CronTrigger:
    """A trigger for a 5-field crontab expression in ``tz``; CronProblem if invalid."""
    from apscheduler.triggers.cron import CronTrigger  # only a series needs it

    fields = (expr or "").split()
    if len(fields) != 5:
        raise CronProblem(notice("cron.fields", expr=expr).text())
    minute, hour, day, month, dow = fields
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=_weekdays(dow), timezone=tz)
    except CronProblem:
        raise
    except ValueError:
        # APScheduler's own text is English; staff get the ranges instead.
        raise CronProblem(notice("cron.invalid", expr=expr).text()) from None


def occurrences(expr: str, tz: ZoneInfo, start: dt.datetime,
                until: dt.datetime | None = None) -> Iterator[dt.datetime]:
    """Fire times at or after ``start`` (and not after ``until``), in UTC."""
    trigger = parse_cron(expr, tz)
    cursor = start.astimezone(tz) - dt.timedelta(microseconds=1)  # start itself may fire
    while True:
        fire = trigger.get_next_fire_time(None, cursor)
        if fire is None or (until is not None and fire > until):
            return
        yield fire.astimezone(dt.UTC)
        cursor = fire + dt.timedelta(microseconds=1)
