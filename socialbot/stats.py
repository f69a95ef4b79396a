"""Reach-statistics collection: ask each account's platform, store what is final.

``collect`` is what ``socialbot stats collect`` and the daemon's daily job run. For each
configured account whose platform has a statistics collector it hands over the
account's sent deliveries and the day range, stores the figures that came back (one
transaction per account) and keeps the account's outcome in a ``CollectRun``.

Hook for alerts: ``CollectRun.unavailable`` lists ``(account id, Chinese reason)`` for
every account the platform refused statistics to (not verified → 48001, token expired,
secret missing); ``collect(on_unavailable=...)`` calls back once per such account per
run. Such an account gets no further calls in that run (no retry loop); the next run
(tomorrow's job) asks once again. Delayed data (``is_delay`` or a day not yet computed)
is not an error: nothing is stored for it and the next run asks again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from socialbot.config import Settings
from socialbot.errors import SocialbotError
from socialbot.store import reach as reach_store
from socialbot.store.db import Database, utcnow

DEFAULT_DAYS = 30  # WeChat accumulates an article's figures for 30 days after publishing
Unavailable = Callable[[str, str], None]


@dataclass
class AccountRun:
    """What one account's collection did."""

    account: str
    name: str
    items: int = 0  # sent deliveries handed to the collector
    stored: int = 0  # rows written
    delayed: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    unavailable: str = ""
    failed: str = ""


@dataclass
class CollectRun:
    since: dt.date
    until: dt.date
    accounts: list[AccountRun] = field(default_factory=list)

    @property
    def unavailable(self) -> list[tuple[str, str]]:
        """(account id, Chinese reason) for each account without statistics access."""
        return [(a.account, a.unavailable) for a in self.accounts if a.unavailable]

    @property
    def failed(self) -> list[tuple[str, str]]:
        return [(a.account, a.failed) for a in self.accounts if a.failed]

    @property
    def delayed(self) -> bool:
        return any(a.delayed for a in self.accounts)

    @property
    def needs_person(self) -> bool:
        return bool(self.unavailable or self.failed)


def default_range(tz: dt.tzinfo, now: dt.datetime | None = None,
                  since: dt.date | None = None,
                  until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """[since, until]: by default the 30 days up to yesterday (data is ready a day late)."""
    today = (now or utcnow()).astimezone(tz).date()
    end = until or today - dt.timedelta(days=1)
    start = since or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    return start, end


def collect(settings: Settings, db: Database, kv: Any, *, since: dt.date, until: dt.date,
            accounts: list[str] | None = None, on_unavailable: Unavailable | None = None,
            options: dict[str, Any] | None = None) -> CollectRun:
    """Collect and store figures for every account (or ``accounts``) over [since, until]."""
    from socialbot.platforms import platform  # the platforms: only when collecting

    run = CollectRun(since, until)
    start = dt.datetime.combine(since, dt.time(), settings.tz)
    for account_id in sorted(accounts or settings.accounts):
        account = settings.accounts[account_id]
        collector = platform(account.platform).stats_collector(
            account, settings, kv, **(options or {}))
        if collector is None:
            continue
        sent = reach_store.sent_deliveries(db, account=account_id, since=start)
        result = AccountRun(account_id, account.name, items=len(sent))
        stored = reach_store.account_days(db, account_id, since, until)
        try:
            answer = collector.collect([s.published_item() for s in sent], since, until,
                                       stored)
        except SocialbotError as exc:  # e.g. the secret is missing: a person must act
            result.unavailable = exc.render()
        else:
            result.stored = reach_store.save(db, account_id, answer.items, answer.days, utcnow())
            result.delayed, result.unmatched = answer.delayed, answer.unmatched
            result.unavailable, result.failed = answer.unavailable, answer.failed
        if result.unavailable and on_unavailable is not None:
            on_unavailable(account_id, result.unavailable)
        run.accounts.append(result)
    return run
