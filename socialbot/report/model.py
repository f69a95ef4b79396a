"""The figures a campaign report is built from, as plain data.

The report never asks a platform or the queue anything: it is handed a ``Figures``
value (today read from a JSON file, later filled by the statistics collection). Every
number carries a ``source`` — an opaque reference to the platform answer and day it
came from — so each total in ``report.json`` can be traced back. A figure that was not
collected is absent (``None`` / missing key), never 0. What is counted for each platform
comes with the figures too: the platforms' ``ReportSpec`` values (``platforms``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from socialbot.report.specs import METRICS, registered
from socialbot.report_spec import ReportSpec

__all__ = ["METRICS", "Account", "AccountDay", "Activity", "Campaign", "Figure", "Figures",
           "FollowerSpan", "Item", "ReportSpec"]


@dataclass(frozen=True)
class Figure:
    """One collected number and where it came from (e.g. an API answer and its day)."""

    value: int
    source: str


@dataclass(frozen=True)
class Activity:
    """One of the brief's key activities, worded as the brief words it."""

    number: int
    title: str
    organisers: str


@dataclass(frozen=True)
class Campaign:
    name: str  # e.g. 2022年“世界认可日”宣传活动
    theme: str
    start: date
    end: date
    notice: str  # the notice the summary answers, 《…》
    activities: tuple[Activity, ...]

    def activity(self, number: int) -> Activity | None:
        return next((a for a in self.activities if a.number == number), None)


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    unit: str
    platform: str


@dataclass(frozen=True)
class Item:
    """One thing published on one account (an article, a post: its platform's item)."""

    id: str  # unique per published item (e.g. the platform's article or status id)
    post_id: str  # the campaign post it was rendered from
    title: str
    activity: int | None  # the brief's activity number, None when it belongs to none
    unit: str
    account: str
    platform: str
    published: datetime  # Beijing time
    metrics: dict[str, Figure] = field(default_factory=dict)  # absent = not collected

    def metric(self, name: str) -> Figure | None:
        return self.metrics.get(name)


@dataclass(frozen=True)
class AccountDay:
    """An account's follower movement on one day; None = not collected."""

    account: str
    day: date
    followers_gained: Figure | None = None
    followers_lost: Figure | None = None


@dataclass(frozen=True)
class FollowerSpan:
    """Followers gained by an account whose platform gives only the follower total
    (``Platform.followers_by_reading``): the last stored reading in the campaign window
    minus the first. Such a platform gives no unfollow figure.

    ``gained`` is None when fewer than two readings lie in the window: one reading (or
    none) says nothing about movement, and is never shown as 0.
    """

    account: str
    start: date  # the window the readings were taken from
    end: date
    readings: int  # how many readings lie in the window
    first: date | None = None  # the days of the readings used
    last: date | None = None
    gained: Figure | None = None

    @property
    def id(self) -> str:
        """The report.json id: the account and the days the difference spans."""
        if self.first is not None and self.last is not None and self.gained is not None:
            return f"{self.account}@{self.first.isoformat()}~{self.last.isoformat()}"
        return f"{self.account}@{self.start.isoformat()}~{self.end.isoformat()}"


@dataclass(frozen=True)
class Figures:
    """Everything one report is made from."""

    campaign: Campaign
    reporting_unit: str  # who submits the summary (the city bureau for the whole city)
    units: tuple[str, ...]  # the units the campaign covers, in the order staff list them
    accounts: tuple[Account, ...]
    items: tuple[Item, ...]
    account_days: tuple[AccountDay, ...] = ()
    follower_spans: tuple[FollowerSpan, ...] = ()
    #: What is counted per platform, in registry order (the registered platforms' specs).
    platforms: tuple[ReportSpec, ...] = field(default_factory=registered)

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def spec(self, platform: str) -> ReportSpec | None:
        """What the report counts for ``platform`` (None: not a platform it counts)."""
        return next((s for s in self.platforms if s.platform == platform), None)

    @property
    def headline(self) -> ReportSpec | None:
        """The platform whose reach figure the charts show and the quoted titles are
        ranked by: the first whose spec says ``headline``."""
        return next((s for s in self.platforms if s.headline), None)

    def items_of(self, spec: ReportSpec) -> list[Item]:
        return [i for i in self.items if i.platform == spec.platform]

    def for_unit(self, unit: str) -> Figures:
        """The same figures narrowed to one unit: its accounts, items and account-days."""
        accounts = tuple(a for a in self.accounts if a.unit == unit)
        ids = {a.id for a in accounts}
        return Figures(
            campaign=self.campaign,
            reporting_unit=unit,
            units=(unit,),
            accounts=accounts,
            items=tuple(i for i in self.items if i.unit == unit),
            account_days=tuple(d for d in self.account_days if d.account in ids),
            follower_spans=tuple(s for s in self.follower_spans if s.account in ids),
            platforms=self.platforms,
        )
