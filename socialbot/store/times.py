"""Times as staff type them (in the configured time zone); shown by ``socialbot.times``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from socialbot.errors import Problem
from socialbot.notices import problem
from socialbot.times import show

__all__ = ["FORMATS", "PAST_TOLERANCE", "in_past", "local", "parse_time", "show"]

FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
           "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
PAST_TOLERANCE = dt.timedelta(seconds=60)


def parse_time(text: str, tz: ZoneInfo, where: str = "@time") -> dt.datetime | Problem:
    """``2022-06-09 09:00`` in ``tz`` (or with an explicit offset), or a Problem saying why not.

    ``where`` is the field as staff read it, or a place code (see ``socialbot.notices``).
    """
    value = (text or "").strip()
    if not value:
        return problem(where, "times.missing")
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return problem(where, "times.unreadable", value=value, zone=tz.key)
    if parsed.tzinfo is None:
        if parsed.hour == 0 and parsed.minute == 0 and len(value) <= 10:
            return problem(where, "times.no_clock", value=value)
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def in_past(when: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``when`` is already over (a minute's slack for "right now")."""
    return when < now - PAST_TOLERANCE


def local(when: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``when`` in the staff zone, for a notice (shown in its own offset); a naive time
    from the database is UTC."""
    return (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)).astimezone(tz)
