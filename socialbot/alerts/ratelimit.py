"""A token bucket per robot: at most N messages in any minute, on an injected clock."""

from __future__ import annotations

import datetime as dt


class TokenBucket:
    """``capacity`` messages at once, refilled at ``capacity`` per ``period``.

    Time comes from the caller (``now``), so tests move it by hand and nothing sleeps.
    ``hold_until`` empties the bucket when the platform itself says "too frequent".
    """

    def __init__(self, capacity: int, period: dt.timedelta = dt.timedelta(minutes=1)):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._rate = capacity / period.total_seconds()  # tokens per second
        self._tokens = float(capacity)
        self._stamp: dt.datetime | None = None
        self._held_until: dt.datetime | None = None

    def _refill(self, now: dt.datetime) -> None:
        if self._held_until is not None:
            if now < self._held_until:
                return
            # The platform's penalty is over: one message may go at once, then the usual rate.
            self._stamp, self._tokens, self._held_until = self._held_until, 1.0, None
        if self._stamp is None:
            self._stamp = now
        elif now > self._stamp:
            elapsed = (now - self._stamp).total_seconds()
            self._tokens = min(self.capacity, self._tokens + elapsed * self._rate)
            self._stamp = now

    def take(self, now: dt.datetime) -> bool:
        """Use one token if there is one."""
        self._refill(now)
        if self._held_until is None and self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def next_free(self, now: dt.datetime) -> dt.datetime:
        """When a token will be available (``now`` if one is)."""
        self._refill(now)
        if self._held_until is not None:
            return self._held_until
        if self._tokens >= 1:
            return now
        return now + dt.timedelta(seconds=(1 - self._tokens) / self._rate)

    def hold_until(self, until: dt.datetime) -> None:
        self._tokens = 0.0
        self._held_until = until
