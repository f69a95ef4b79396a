"""What every channel keeps: its account, the shared store, timeouts, retries and clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from socialbot.config import Account, Settings
from socialbot.platforms.common.calls import utc_now
from socialbot.platforms.common.retry import PollSchedule, RetryPolicy

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds for every platform call


class ChannelCore:
    """Shared construction of the channels. Not thread-safe: one instance per worker."""

    def __init__(
        self,
        account: Account,
        settings: Settings,
        kv: Any,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        polls: PollSchedule | None = None,
        now: Callable[[], dt.datetime] = utc_now,
    ):
        self.account = account
        self.settings = settings
        self.kv = kv
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.polls = polls or PollSchedule()
        self.now = now
