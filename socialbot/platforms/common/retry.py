"""Exponential backoff with jitter, and polling schedules.

Sleep and randomness are injected so tests run in milliseconds and can check the delays.
Jitter keeps several bot processes that hit the same busy platform from retrying in step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before trying a call again.

    ``tries`` counts every attempt, the first included (3 = one call + two retries).
    Delays are ``base * factor**(n-1)`` capped at ``cap``, plus up to ``jitter`` of
    themselves at random, and never below the minimum an error asks for (45011: 60 s).
    """

    tries: int = 3
    base: float = 2.0
    factor: float = 2.0
    cap: float = 60.0
    jitter: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    rand: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def delay(self, attempt: int, minimum: float = 0.0) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.cap, self.base * self.factor ** (attempt - 1))
        backoff += backoff * self.jitter * self.rand()
        return max(minimum, backoff)

    def wait(self, attempt: int, minimum: float = 0.0) -> float:
        seconds = self.delay(attempt, minimum)
        self.sleep(seconds)
        return seconds


@dataclass(frozen=True)
class PollSchedule:
    """Waits between status polls (freepublish/get): quick at first, then slower."""

    delays: tuple[float, ...] = (3.0, 5.0, 10.0, 20.0, 30.0, 60.0)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    @property
    def polls(self) -> int:
        return len(self.delays) + 1

