"""Every figure a report shows, computed once from the model, each with what it sums.

A ``Total`` keeps the ids it counted or summed, the sources of the numbers and the ids
whose figure was not collected; ``value`` is None when nothing was collected, so "not
collected" can never be shown or summed as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from socialbot.report.model import (
    AccountDay,
    Activity,
    Figure,
    Figures,
    FollowerSpan,
    Item,
    ReportSpec,
)


@dataclass(frozen=True)
class Total:
    key: str
    label: str  # Chinese, for tables and report.json readers
    value: int | None  # None: not one figure was collected
    ids: tuple[str, ...]  # what was counted or summed
    sources: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # ids with no collected figure
    summed: bool = False  # a sum of collected figures, not a count of ids

    @property
    def complete(self) -> bool:
        return self.value is not None and not self.missing

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "sums" if self.summed else "counts": list(self.ids),
            "sources": list(self.sources),
            "not_collected": list(self.missing),
        }


def count(key: str, label: str, ids: Iterable[str]) -> Total:
    ids = tuple(dict.fromkeys(ids))
    return Total(key, label, len(ids), ids)


def summed(key: str, label: str, pairs: Iterable[tuple[str, Figure | None]]) -> Total:
    """Sum the collected figures; remember the ids whose figure is missing."""
    ids: list[str] = []
    sources: list[str] = []
    missing: list[str] = []
    value = 0
    for ident, figure in pairs:
        if figure is None:
            missing.append(ident)
            continue
        ids.append(ident)
        sources.append(figure.source)
        value += figure.value
    return Total(key, label, value if ids else None, tuple(ids), tuple(sources), tuple(missing),
                 summed=True)


def metric(key: str, label: str, items: Iterable[Item], spec: ReportSpec, name: str) -> Total:
    return summed(key, label, ((i.id, i.metric(name)) for i in items
                               if i.platform == spec.platform))


def items_count(key: str, spec: ReportSpec, items: Iterable[Item]) -> Total:
    """How many items of ``spec``'s platform: 微信文章（篇）."""
    return count(key, f"{spec.noun}（{spec.measure}）",
                 (i.id for i in items if i.platform == spec.platform))


def _follow(key: str, label: str, days: Iterable[AccountDay], field: str) -> Total:
    return summed(key, label, ((f"{d.account}@{d.day.isoformat()}", getattr(d, field))
                               for d in days))


def _gained(key: str, label: str, days: Iterable[AccountDay],
            spans: Iterable[FollowerSpan]) -> Total:
    """New followers: per-day figures (WeChat) and differences of readings (Weibo)."""
    return summed(key, label, [*((f"{d.account}@{d.day.isoformat()}", d.followers_gained)
                                 for d in days),
                               *((s.id, s.gained) for s in spans)])


@dataclass(frozen=True)
class Slice:
    """What one activity, one unit or one unit × activity cell carried: per platform (in
    the report's order) how many items, and the sum of their reach figure."""

    platforms: tuple[ReportSpec, ...]
    counts: dict[str, Total]  # platform → its items
    reaches: dict[str, Total]  # platform → its reach figure (spec.reach), summed

    def count(self, spec: ReportSpec) -> Total:
        return self.counts[spec.platform]

    def reach(self, spec: ReportSpec) -> Total:
        return self.reaches[spec.platform]

    @property
    def published(self) -> int:
        return sum(total.value or 0 for total in self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {**{s.items_key: self.count(s).to_json() for s in self.platforms},
                **{s.key(s.reach): self.reach(s).to_json() for s in self.platforms}}


def slice_of(prefix: str, items: list[Item], platforms: tuple[ReportSpec, ...]) -> Slice:
    return Slice(
        platforms,
        {s.platform: items_count(f"{prefix}.{s.items_key}", s, items) for s in platforms},
        {s.platform: metric(f"{prefix}.{s.key(s.reach)}",
                            f"{s.reach_label}（{s.reach_metric.measure}）", items, s, s.reach)
         for s in platforms},
    )


def metric_totals(spec: ReportSpec) -> list[tuple[str, str, str]]:
    """(report.json key, label, metric) of every figure summed over the platform's items."""
    return [(spec.key(m.name), f"{spec.noun}{m.said}（{m.measure}）", m.name)
            for m in spec.metrics]


@dataclass(frozen=True)
class Digest:
    """The report's figures: totals, per activity, per unit, per cell, best-read items."""

    figures: Figures
    totals: dict[str, Total]
    by_activity: dict[int, Slice]
    by_unit: dict[str, Slice]
    cells: dict[tuple[str, int], Slice]
    best: dict[str, tuple[Item, ...]]  # platform → its best items by reach, best first

    @property
    def platforms(self) -> tuple[ReportSpec, ...]:
        return self.figures.platforms

    @property
    def held(self) -> list[Activity]:
        """The brief's activities that at least one published item belongs to."""
        return [a for a in self.figures.campaign.activities
                if self.by_activity[a.number].published]

    @property
    def not_held(self) -> list[Activity]:
        return [a for a in self.figures.campaign.activities
                if not self.by_activity[a.number].published]

    def items_of_activity(self, number: int) -> list[Item]:
        return [i for i in self.figures.items if i.activity == number]


def _ranked(items: Iterable[Item], name: str) -> list[Item]:
    with_figure = [i for i in items if i.metric(name) is not None]
    # Ties: earlier published first, then id, so the same input gives the same text.
    return sorted(with_figure, key=lambda i: (-i.metric(name).value, i.published, i.id))  # type: ignore[union-attr]


def digest(figures: Figures) -> Digest:
    items = list(figures.items)
    platforms = figures.platforms
    publishing = [a.id for a in figures.accounts if any(i.account == a.id for i in items)]
    platform_of = {a.id: a.platform for a in figures.accounts}
    totals: dict[str, Total] = {s.items_key: items_count(s.items_key, s, items)
                                for s in platforms}
    totals["units_publishing"] = count(
        "units_publishing", "有发布的单位（家）",
        (u for u in figures.units if any(i.unit == u for i in items)))
    totals["accounts_publishing"] = count("accounts_publishing", "有发布的账号（个）", publishing)
    for s in platforms:
        totals[s.accounts_key] = count(s.accounts_key, f"有发布的{s.accounts_noun}（个）",
                                       (a for a in publishing if platform_of[a] == s.platform))
    totals["activities_held"] = count(
        "activities_held", "有发布的重点活动（项）",
        (str(a.number) for a in figures.campaign.activities
         if any(i.activity == a.number for i in items)))
    measures = "/".join(dict.fromkeys(s.measure for s in platforms))
    totals["items_without_activity"] = count(
        "items_without_activity", f"不属于八项活动的发布（{measures}）",
        (i.id for i in items if i.activity is None))
    for s in platforms:
        for key, label, name in metric_totals(s):
            totals[key] = metric(key, label, items, s, name)
    for s in platforms:
        totals[s.followers_key] = _gained(
            s.followers_key, f"{s.label}新增关注（人）",
            (d for d in figures.account_days if platform_of.get(d.account) == s.platform),
            (f for f in figures.follower_spans if platform_of.get(f.account) == s.platform))
    totals["followers_gained"] = _gained("followers_gained", "新增关注（人）",
                                         figures.account_days, figures.follower_spans)
    unfollows = "、".join(s.label for s in platforms if s.followers_lost)
    totals["followers_lost"] = _follow("followers_lost", f"{unfollows}取消关注（人）",
                                       figures.account_days, "followers_lost")
    numbers = [a.number for a in figures.campaign.activities]
    return Digest(
        figures=figures,
        totals=totals,
        by_activity={n: slice_of(f"activity{n}", [i for i in items if i.activity == n],
                                 platforms)
                     for n in numbers},
        by_unit={u: slice_of(f"unit:{u}", [i for i in items if i.unit == u], platforms)
                 for u in figures.units},
        cells={(u, n): slice_of(f"unit:{u}/activity{n}",
                                [i for i in items if i.unit == u and i.activity == n], platforms)
               for u in figures.units for n in numbers},
        best={s.platform: tuple(_ranked(figures.items_of(s), s.reach)[:s.best])
              for s in platforms},
    )
