"""The practice platform's own clock.

Quotas (per day, per month, per hour), token lifetimes and the 24-hour clientmsgid window
all follow this clock, so a test can move to "tomorrow" instead of waiting for it.
Days and months are counted in Asia/Shanghai, like the real platforms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Clock:
    """Real time plus an offset, or a frozen instant.

    ``set()`` keeps time running from the new instant by default, so timeouts and
    "30 s apart" rules still behave; ``frozen=True`` stops it until ``advance()``.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """Current platform time, timezone-aware (Asia/Shanghai)."""
        if self._frozen is not None:
            return self._frozen
        return (datetime.now(UTC) + self._offset).astimezone(SHANGHAI)

    def timestamp(self) -> float:
        return self.now().timestamp()

    def set(self, when: datetime, *, frozen: bool = False) -> None:
        """Jump to ``when``; a naive datetime is read as Asia/Shanghai time."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=SHANGHAI)
        when = when.astimezone(SHANGHAI)
        if frozen:
            self._frozen = when
        else:
            self._frozen = None
            self._offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        step = timedelta(seconds=seconds)
        if self._frozen is not None:
            self._frozen += step
        else:
            self._offset += step

    def reset(self) -> None:
        self._offset = timedelta(0)
        self._frozen = None

    @property
    def is_real(self) -> bool:
        return self._frozen is None and self._offset == timedelta(0)


def local(ts: float) -> datetime:
    """A Unix timestamp as Asia/Shanghai time."""
    return datetime.fromtimestamp(ts, SHANGHAI)


def day_key(ts: float) -> str:
    """The Asia/Shanghai calendar day of ``ts`` (quota bucket)."""
    return local(ts).strftime("%Y-%m-%d")


def month_key(ts: float) -> str:
    """The Asia/Shanghai natural month of ``ts`` (quota bucket)."""
    return local(ts).strftime("%Y-%m")


def iso(ts: float) -> str:
    return local(ts).isoformat(timespec="seconds")


def weibo_time(ts: float) -> str:
    """Weibo's ``created_at`` format, e.g. ``Wed Jun 08 09:00:00 +0800 2022`` (locale-proof)."""
    t = local(ts)
    return (
        f"{_WEEKDAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:02d} {t:%H:%M:%S} +0800 {t.year}"
    )
