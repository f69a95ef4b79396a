"""Times as staff type them (in the configured time zone) and as the queue shows them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from socialbot.errors import Problem

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


def show(when: dt.datetime | None, tz: ZoneInfo) -> str:
    """A time for staff: local, to the minute (seconds only when they matter)."""
    if when is None:
        return "—"
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")
