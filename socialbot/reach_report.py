"""The report's ``Figures`` built from the queue and the collected reach figures.

What was held comes from the queue (sent deliveries: which posts, on which accounts of
which units, when); the activity a post reports comes from the activities data file
(``posts`` per activity); the numbers are the newest stored figures of each delivery
(cumulative) and the stored follower movement per account and day within the
campaign period. A delivery without stored figures has no metrics (shown as not
collected), never 0. Every figure keeps the ``source`` the collector wrote.

Followers gained on an account whose platform gives only the follower total (Weibo's
``users/show``; ``Platform.followers_by_reading``) is the last stored reading minus the
first within the campaign window: from its first day to the day after its last (the
daily job reads the total in the morning, so the next morning's reading is the one that
includes the last day). With fewer than two readings it is not collected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from socialbot.config import Settings
from socialbot.errors import Problem
from socialbot.report.load import ReportError, load_activities, load_campaign_file
from socialbot.report.model import (
    METRICS,
    Account,
    AccountDay,
    Campaign,
    Figure,
    Figures,
    FollowerSpan,
    Item,
)
from socialbot.store import reach as reach_store
from socialbot.store.db import Database


def item_id(delivery: int) -> str:
    """The report's id of the item one delivery published (``report.json`` lists these)."""
    return f"delivery-{delivery}"


def _unit_name(settings: Settings, account_id: str) -> str:
    unit = settings.units.get(settings.unit_of(account_id))
    return unit.name if unit else settings.organisation


def figures_from_store(settings: Settings, db: Database, activities_path: Path) -> Figures:
    """Everything a report needs, read from the database (ReportError when nothing was sent)."""
    notice, activities = load_activities(activities_path)
    extra = load_campaign_file(activities_path)
    post_activity: dict[str, int] = extra["posts"]
    sent = reach_store.sent_deliveries(db)
    if not sent:
        raise ReportError(Problem("发布队列", "还没有已发布的稿件，无法生成总结"))
    latest: dict[str, reach_store.FigureRow] = {}
    for stored in reach_store.delivery_rows(db):  # by delivery, then day: the last one wins
        latest[stored.key] = stored
    accounts = tuple(Account(a.id, a.name, _unit_name(settings, a.id), a.platform)
                     for a in settings.accounts.values() if a.platform in METRICS)
    known = {a.id: a for a in accounts}
    items: list[Item] = []
    for d in sent:
        account = known.get(d.account)
        if account is None:
            continue
        row = latest.get(str(d.delivery))
        metrics = {name: Figure(row.metrics[name], row.source)
                   for name in METRICS[account.platform]
                   if row is not None and isinstance(row.metrics.get(name), int)}
        items.append(Item(item_id(d.delivery), d.post_id, d.title,
                          post_activity.get(d.post_id), account.unit, account.id,
                          account.platform, d.sent_at.astimezone(settings.tz).replace(tzinfo=None),
                          metrics))
    start = min(i.published for i in items).date()
    end = max(i.published for i in items).date()
    days = tuple(
        AccountDay(r.key, r.day, Figure(r.metrics["followers_gained"], r.source),
                   Figure(r.metrics["followers_lost"], r.source)
                   if isinstance(r.metrics.get("followers_lost"), int) else None)
        for r in reach_store.account_rows(db)
        if r.key in known and start <= r.day <= end
        and isinstance(r.metrics.get("followers_gained"), int))
    units = tuple(dict.fromkeys([*(u.name for u in settings.units.values()),
                                 *(a.unit for a in accounts)]))
    campaign = Campaign(extra["name"] or settings.campaign.name,
                        extra["theme"] or settings.campaign.theme, start, end, notice, activities)
    spans = follower_spans(reach_store.account_rows(db), _by_reading(accounts), start,
                           end + dt.timedelta(days=1))
    return Figures(campaign, settings.organisation, units, accounts, tuple(items), days, spans)


def _by_reading(accounts: Iterable[Account]) -> list[str]:
    """Accounts whose platform gives the follower total only (no daily movement)."""
    from socialbot.platforms import platform

    return [a.id for a in accounts if platform(a.platform).followers_by_reading]


def follower_spans(rows: Iterable[reach_store.FigureRow], accounts: Iterable[str],
                   start: dt.date, end: dt.date) -> tuple[FollowerSpan, ...]:
    """Followers gained per account: its last follower total in [start, end] minus its
    first; not collected (``gained`` None) with fewer than two readings."""
    readings: dict[str, list[reach_store.FigureRow]] = {a: [] for a in accounts}
    for row in rows:  # by account, then day
        if (row.key in readings and start <= row.day <= end
                and isinstance(row.metrics.get("followers_total"), int)):
            readings[row.key].append(row)
    spans = []
    for account, found in readings.items():
        if len(found) < 2:
            spans.append(FollowerSpan(account, start, end, len(found)))
            continue
        first, last = found[0], found[-1]
        gained = last.metrics["followers_total"] - first.metrics["followers_total"]
        source = (f"{last.source} 的关注人数 {last.metrics['followers_total']} 减去 "
                  f"{first.source} 的 {first.metrics['followers_total']}")
        spans.append(FollowerSpan(account, start, end, len(found), first.day, last.day,
                                  Figure(gained, source)))
    return tuple(spans)


def unit_named(settings: Settings, figures: Figures, unit: str) -> str:
    """A unit given by name or by its config id, as the figures name it."""
    if unit in figures.units:
        return unit
    found = settings.units.get(unit)
    if found is not None and found.name in figures.units:
        return found.name
    raise ReportError(Problem("--unit", f"没有单位“{unit}”，可选："
                              f"{'、'.join(figures.units)}"))



