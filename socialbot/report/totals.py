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
    WECHAT,
    WEIBO,
    AccountDay,
    Activity,
    Figure,
    Figures,
    FollowerSpan,
    Item,
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


def metric(key: str, label: str, items: Iterable[Item], platform: str, name: str) -> Total:
    return summed(key, label, ((i.id, i.metric(name)) for i in items if i.platform == platform))


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
    """What one activity, one unit or one unit × activity cell carried."""

    wechat: Total
    weibo: Total
    reads: Total
    reposts: Total

    @property
    def published(self) -> int:
        return (self.wechat.value or 0) + (self.weibo.value or 0)

    def to_json(self) -> dict[str, Any]:
        return {"wechat_articles": self.wechat.to_json(), "weibo_posts": self.weibo.to_json(),
                "wechat_reads": self.reads.to_json(), "weibo_reposts": self.reposts.to_json()}


def slice_of(prefix: str, items: list[Item]) -> Slice:
    return Slice(
        count(f"{prefix}.wechat_articles", "微信文章（篇）",
              (i.id for i in items if i.platform == WECHAT)),
        count(f"{prefix}.weibo_posts", "微博（条）", (i.id for i in items if i.platform == WEIBO)),
        metric(f"{prefix}.wechat_reads", "微信阅读（次）", items, WECHAT, "reads"),
        metric(f"{prefix}.weibo_reposts", "微博转发（次）", items, WEIBO, "reposts"),
    )


TOTAL_METRICS = (
    ("wechat_reads", "微信文章阅读（次）", WECHAT, "reads"),
    ("wechat_shares", "微信文章分享（次）", WECHAT, "shares"),
    ("wechat_zaikan", "微信文章“在看”（次）", WECHAT, "zaikan"),
    ("wechat_likes", "微信文章点赞（次）", WECHAT, "likes"),
    ("wechat_comments", "微信文章评论（条）", WECHAT, "comments"),
    ("weibo_reposts", "微博转发（次）", WEIBO, "reposts"),
    ("weibo_comments", "微博评论（条）", WEIBO, "comments"),
    ("weibo_likes", "微博点赞（次）", WEIBO, "likes"),
)


@dataclass(frozen=True)
class Digest:
    """The report's figures: totals, per activity, per unit, per cell, best-read items."""

    figures: Figures
    totals: dict[str, Total]
    by_activity: dict[int, Slice]
    by_unit: dict[str, Slice]
    cells: dict[tuple[str, int], Slice]
    top_read: tuple[Item, ...]
    top_reposted: tuple[Item, ...]

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


def digest(figures: Figures, top: int = 3) -> Digest:
    items = list(figures.items)
    publishing = [a.id for a in figures.accounts if any(i.account == a.id for i in items)]
    totals: dict[str, Total] = {
        "wechat_articles": count("wechat_articles", "微信文章（篇）",
                                 (i.id for i in items if i.platform == WECHAT)),
        "weibo_posts": count("weibo_posts", "微博（条）",
                             (i.id for i in items if i.platform == WEIBO)),
        "units_publishing": count("units_publishing", "有发布的单位（家）",
                                  (u for u in figures.units if any(i.unit == u for i in items))),
        "accounts_publishing": count("accounts_publishing", "有发布的账号（个）", publishing),
        "wechat_accounts": count("wechat_accounts", "有发布的微信公众号（个）",
                                 (a for a in publishing if figures.account(a).platform == WECHAT)),  # type: ignore[union-attr]
        "weibo_accounts": count("weibo_accounts", "有发布的微博账号（个）",
                                (a for a in publishing if figures.account(a).platform == WEIBO)),  # type: ignore[union-attr]
        "activities_held": count("activities_held", "有发布的重点活动（项）",
                                 (str(a.number) for a in figures.campaign.activities
                                  if any(i.activity == a.number for i in items))),
        "items_without_activity": count("items_without_activity", "不属于八项活动的发布（篇/条）",
                                        (i.id for i in items if i.activity is None)),
    }
    for key, label, platform, name in TOTAL_METRICS:
        totals[key] = metric(key, label, items, platform, name)
    platform_of = {a.id: a.platform for a in figures.accounts}
    for platform, label in ((WECHAT, "微信公众号新增关注（人）"), (WEIBO, "微博新增关注（人）")):
        totals[f"followers_gained_{platform}"] = _gained(
            f"followers_gained_{platform}", label,
            (d for d in figures.account_days if platform_of.get(d.account) == platform),
            (s for s in figures.follower_spans if platform_of.get(s.account) == platform))
    totals["followers_gained"] = _gained("followers_gained", "新增关注（人）",
                                         figures.account_days, figures.follower_spans)
    totals["followers_lost"] = _follow("followers_lost", "微信公众号取消关注（人）",
                                       figures.account_days, "followers_lost")
    numbers = [a.number for a in figures.campaign.activities]
    return Digest(
        figures=figures,
        totals=totals,
        by_activity={n: slice_of(f"activity{n}", [i for i in items if i.activity == n])
                     for n in numbers},
        by_unit={u: slice_of(f"unit:{u}", [i for i in items if i.unit == u])
                 for u in figures.units},
        cells={(u, n): slice_of(f"unit:{u}/activity{n}",
                                [i for i in items if i.unit == u and i.activity == n])
               for u in figures.units for n in numbers},
        top_read=tuple(_ranked((i for i in items if i.platform == WECHAT), "reads")[:top]),
        top_reposted=tuple(_ranked((i for i in items if i.platform == WEIBO), "reposts")[:1]),
    )
