"""Times as staff type them (in the configured time zone); shown by ``socialbot.times``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from socialbot.errors import Problem
from socialbot.times import show

__all__ = ["FORMATS", "PAST_TOLERANCE", "in_past", "parse_time", "show"]

FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
           "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
PAST_TOLERANCE = dt.timedelta(seconds=60)


def parse_time(text: str, tz: ZoneInfo, where: str = "时间") -> dt.datetime | Problem:
    """``2022-06-09 09:00`` in ``tz`` (or with an explicit offset), or a Problem saying why not."""
    value = (text or "").strip()
    if not value:
        return Problem(where, "缺少发布时间，格式如 2022-06-09 09:00")
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return Problem(where, f"无法识别的时间“{value}”，"
                              f"格式应为 2022-06-09 09:00（{tz.key} 时间）")
    if parsed.tzinfo is None:
        if parsed.hour == 0 and parsed.minute == 0 and len(value) <= 10:
            return Problem(where, f"时间“{value}”缺少时刻，格式应为 2022-06-09 09:00")
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def in_past(when: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``when`` is already over (a minute's slack for "right now")."""
    return when < now - PAST_TOLERANCE
