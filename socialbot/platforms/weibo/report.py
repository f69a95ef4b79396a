"""What the campaign report counts for a Weibo account: its posts, their reposts.

The metric names are the ones ``stats.py`` stores; Weibo gives no unfollow figure, and
followers gained come from follower-total readings (``followers_by_reading``).
"""

from __future__ import annotations

from socialbot.report_spec import Metric, ReportSpec

REPORT = ReportSpec(
    platform="weibo",
    label="微博",
    accounts_noun="微博账号",
    noun="微博",
    measure="条",
    item="微博",
    items_key="weibo_posts",
    metrics=(Metric("reposts", "转发"), Metric("comments", "评论", measure="条"),
             Metric("likes", "点赞")),
    reach="reposts",
    reach_label="微博转发",
    reach_tag="转",
    best=1,
    best_key="top_reposted",
)
