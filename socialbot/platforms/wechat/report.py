"""What the campaign report counts for a WeChat account: its articles, their reads.

The metric names are the ones ``stats.py`` stores (``datacube`` article figures and the
per-day follower movement, which includes unfollows).
"""

from __future__ import annotations

from socialbot.report_spec import Metric, ReportSpec

REPORT = ReportSpec(
    platform="wechat",
    label="微信公众号",
    accounts_noun="微信公众号",
    noun="微信文章",
    measure="篇",
    item="文章",
    items_key="wechat_articles",
    metrics=(Metric("reads", "阅读"), Metric("shares", "分享"),
             Metric("zaikan", "在看", word="“在看”"), Metric("likes", "点赞"),
             Metric("comments", "评论", measure="条")),
    reach="reads",
    reach_label="微信阅读",
    reach_tag="阅",
    best=3,
    best_key="top_read",
    headline=True,
    followers_lost=True,
)
