"""Send limits as time buckets: pure maths, shared by platforms (which declare them) and
the store (which counts sends against them).

Quota days and months follow Beijing time, whatever the configured zone, because that
is how the platforms count (platform-apis.md 4.2 and 11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PLATFORM_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class QuotaRule:
    limit: int
    period: str  # day | month | hour
    label: str

    def bucket(self, when: dt.datetime) -> tuple[str, dt.datetime, dt.datetime]:
        """The bucket ``when`` falls in: (key, start, end), start inclusive, end exclusive."""
        local = when.astimezone(PLATFORM_TZ)
        if self.period == "hour":
            start = local.replace(minute=0, second=0, microsecond=0)
            end = start + dt.timedelta(hours=1)
            key = f"hour:{start:%Y-%m-%dT%H}"
        elif self.period == "day":
            start = local.replace(hour=0, minute=0, second=0, microsecond=0)
            end = start + dt.timedelta(days=1)  # Asia/Shanghai has no DST
            key = f"day:{start:%Y-%m-%d}"
        else:
            start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            end = (start + dt.timedelta(days=32)).replace(day=1)
            key = f"month:{start:%Y-%m}"
        return key, start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    @property
    def window(self) -> str:
        return {"hour": "本小时", "day": "今天", "month": "本月"}[self.period]

    def next_bucket_same_time(self, when: dt.datetime) -> dt.datetime:
        """The same time of day in the next bucket (a post set for 09:00 moves to 09:00)."""
        return _step(self, when)


def _step(rule: QuotaRule, when: dt.datetime) -> dt.datetime:
    """The same time of day in the next bucket (a post set for 09:00 moves to 09:00)."""
    local = when.astimezone(PLATFORM_TZ)
    if rule.period == "hour":
        return (local.replace(minute=0, second=0, microsecond=0)
                + dt.timedelta(hours=1)).astimezone(dt.UTC)
    if rule.period == "day":
        return (local + dt.timedelta(days=1)).astimezone(dt.UTC)
    first = (local.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first.astimezone(dt.UTC)
