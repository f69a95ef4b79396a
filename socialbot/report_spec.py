"""What the campaign report counts for one platform, declared by the platform itself.

A platform whose published items the report counts sets ``Platform.report`` to a
:class:`ReportSpec`: the words staff read for its items and accounts, the figures a
figures file may give per item, the one reach figure the coverage table shows, and the
``report.json`` keys. ``socialbot.report`` goes over the registered platforms' specs in
registry order and never names a platform itself, so a new platform appears in the
report by declaring its spec. Plain data, in the bottom layer: the platforms and the
report both import it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One figure collected per published item (names as in ``socialbot.reach``)."""

    name: str  # key in figures files, the statistics store and report.json: "reads"
    label: str  # what staff call it: "阅读"
    measure: str = "次"  # its counting word in the summary: 阅读12次, 评论3条
    word: str = ""  # how running text writes it, when not as the label: "“在看”"

    @property
    def said(self) -> str:
        """The figure as the summary and the tables write it."""
        return self.word or self.label


@dataclass(frozen=True)
class ReportSpec:
    """What the report counts for one platform, and the words it counts them in."""

    platform: str  # the platform's registry name
    label: str  # the platform before a figure: 微信公众号新增关注, 依托政务微信公众号
    accounts_noun: str  # one of its accounts, counted: 有发布的微博账号（个）
    noun: str  # its items, counted: 微信文章12篇
    measure: str  # the counting word of its items: 篇, 条
    item: str  # one item in running text: 阅读量最高的文章, 1篇文章
    items_key: str  # report.json key of its item count: "wechat_articles"
    metrics: tuple[Metric, ...]  # in the order tables and the summary list them
    reach: str  # the metric the coverage table and the per-activity figures show
    reach_label: str  # that figure's column: 微信阅读（次）
    reach_tag: str  # its one-character mark in a coverage cell: 阅
    #: How many of its best items (by reach) the summary may name: 1 names the single
    #: best (转发最多的微博为…); more give a ranking (阅读量居前3位的文章为…) that the
    #: summary shortens when it must be shorter.
    best: int
    best_key: str  # report.json key of that list: "top_read"
    #: Its reach figure is the report's headline: charted by activity and by unit, and
    #: ranking the titles the summary quotes (the first such platform in registry order).
    headline: bool = False
    followers_lost: bool = False  # its accounts' daily figures include unfollows

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

    @property
    def reach_metric(self) -> Metric:
        return self.metric(self.reach)

    def key(self, metric: str) -> str:
        """report.json key of the platform's total of one metric: "wechat_reads"."""
        return f"{self.platform}_{metric}"

    @property
    def accounts_key(self) -> str:
        return f"{self.platform}_accounts"

    @property
    def followers_key(self) -> str:
        return f"followers_gained_{self.platform}"
