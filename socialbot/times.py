"""Times as staff read them: Beijing time (the configured zone) in one written form.

Staff type ``2022-06-09 09:00`` (see ``socialbot.store.times.parse_time``) and every
time they read comes back in that same form, so a time can be copied from ``status``
into ``queue reschedule --at``. Every staff-facing time goes through :func:`show`;
JSON for scripts goes through :func:`iso`, which keeps the zone offset (``+08:00``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
STAFF_FORMAT = "%Y-%m-%d %H:%M"
NONE_SHOWN = "—"


def utcnow() -> dt.datetime:
    """Now, as an aware UTC time (what the store keeps and compares)."""
    return dt.datetime.now(dt.UTC)


def _aware(when: dt.datetime) -> dt.datetime:
    """The store hands out aware UTC times; a naive one is taken as UTC, never local."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def show(when: dt.datetime | None, tz: dt.tzinfo = BEIJING, *, seconds: bool = False) -> str:
    """``2022-06-09 09:00`` in ``tz``; ``seconds`` only where events a second apart are told
    apart (log lines)."""
    if when is None:
        return NONE_SHOWN
    local = _aware(when).astimezone(tz)
    return local.strftime(STAFF_FORMAT + (":%S" if seconds else ""))


def show_text(value: str | None, tz: dt.tzinfo = BEIJING) -> str:
    """A stored ISO time string (from a platform memo) shown like any other time."""
    if not value:
        return NONE_SHOWN
    try:
        return show(dt.datetime.fromisoformat(value), tz)
    except ValueError:
        return value


def iso(when: dt.datetime | None, tz: dt.tzinfo = BEIJING) -> str | None:
    """``2022-06-09T09:00:00+08:00``: ISO 8601 for scripts, in ``tz`` with its offset."""
    if when is None:
        return None
    return _aware(when).astimezone(tz).isoformat(timespec="seconds")


def json_text(data: Any, tz: dt.tzinfo = BEIJING) -> str:
    """``data`` as JSON for scripts: Chinese kept readable, every datetime via :func:`iso`.

    Records hand their times over as datetimes (``to_json``), so this is the one place
    that decides how a time looks in JSON.
    """

    def convert(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return iso(value, tz)
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    return json.dumps(data, ensure_ascii=False, indent=2, default=convert)
