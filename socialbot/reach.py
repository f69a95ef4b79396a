"""Reach statistics as plain data: what a platform's statistics collector is given and returns.

The statistics job hands a platform's collector the account's published deliveries
(``PublishedItem``) and a range of days; the collector answers with figures per
delivery and day (``ItemDay``) and per account and day (``AccountDay``), each keeping
the platform's raw answer and a ``source`` naming the call and day it came from. A day
whose data the platform has not finished computing is listed in ``delayed`` and never
returned as figures, so nothing is stored as 0 that was only "not ready". An account the
platform refuses to answer for (not verified, token expired) comes back with
``unavailable`` set to a Chinese reason and no further calls are made for it in this run.

Metric names are the report's (``reads``, ``shares``, ``zaikan``, ``likes``,
``comments``, ``reposts``; per account-day ``followers_gained``, ``followers_lost``,
``followers_total``). Figures of an item are cumulative up to their day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class PublishedItem:
    """One sent delivery the collector should find figures for."""

    delivery: int
    title: str
    remote_id: str  # the platform's id for the send (status id, msg_id, article_id)
    url: str
    sent_at: dt.datetime  # aware


@dataclass(frozen=True)
class ItemDay:
    """Cumulative figures of one delivery up to the end of ``day``."""

    delivery: int
    day: dt.date
    metrics: dict[str, int]
    source: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountDay:
    """One account's figures for one day (follower movement, follower total)."""

    day: dt.date
    metrics: dict[str, int]
    source: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatsAnswer:
    """What one collector run found for one account."""

    items: list[ItemDay] = field(default_factory=list)
    days: list[AccountDay] = field(default_factory=list)
    delayed: list[str] = field(default_factory=list)  # Chinese: what is not ready yet
    unavailable: str = ""  # Chinese reason the platform gives no statistics (no retry)
    failed: str = ""  # Chinese reason this run failed (transient: the next run retries)
    unmatched: list[str] = field(default_factory=list)  # Chinese: items not found


class StatsCollector(Protocol):
    """A platform's statistics reader for one account (``Platform.stats_collector``)."""

    def collect(self, items: list[PublishedItem], since: dt.date, until: dt.date,
                stored: frozenset[dt.date] = frozenset()) -> StatsAnswer:
        """Figures for ``items`` and the account's days in [since, until] (Beijing days).

        ``stored``: the account's days whose figures are already stored (final): a
        collector whose account figures are per day need not ask for them again.
        """
        ...
