"""Weibo reach statistics for one account: ``statuses/count`` and ``users/show``.

Weibo gives figures as they stand now, not per day: ``2/statuses/count`` answers the
reposts, comments and likes (``attitudes``) of up to 100 status ids, and
``2/users/show`` the follower total. Each run stores them dated the Beijing day they
were read (whatever ``until`` says: they are figures as of now). An expired or revoked
token makes the account unavailable for the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from socialbot.config import Settings
from socialbot.platforms.common.calls import CallFailed, Journal, utc_now
from socialbot.platforms.common.reactions import Reaction
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.platforms.weibo.account import WeiboAccount
from socialbot.platforms.weibo.api import WeiboClient
from socialbot.reach import AccountDay, ItemDay, PublishedItem, StatsAnswer

BEIJING = ZoneInfo("Asia/Shanghai")
IDS_PER_CALL = 100  # statuses/count takes at most 100 ids
COUNT_METRICS = {"reposts": "reposts", "comments": "comments", "attitudes": "likes"}


class WeiboStats:
    """Reads one account's figures; one instance per run."""

    def __init__(self, account: WeiboAccount, settings: Settings, kv: Any, *,
                 retry: RetryPolicy | None = None,
                 timeout: tuple[float, float] = (5.0, 30.0),
                 now: Callable[[], dt.datetime] = utc_now) -> None:
        self.account = account
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.now = now

    def collect(self, items: list[PublishedItem], since: dt.date, until: dt.date,
                stored: frozenset[dt.date] = frozenset()) -> StatsAnswer:
        """Counts and the follower total as of now (a reading each run: ``stored`` unused)."""
        answer = StatsAnswer()
        day = self.now().astimezone(BEIJING).date()
        try:
            client = WeiboClient(self.account, self.settings.secret_for(self.account),
                                 journal=Journal(), policy=self.retry, timeout=self.timeout)
            by_id = {i.remote_id: i for i in items if i.remote_id}
            ids = sorted(by_id)
            for start in range(0, len(ids), IDS_PER_CALL):
                for row in client.counts(ids[start:start + IDS_PER_CALL]):
                    item = by_id.get(str(row.get("id", "")))
                    if item is None:
                        continue
                    metrics = {name: int(row[key]) for key, name in COUNT_METRICS.items()
                               if isinstance(row.get(key), int)}
                    answer.items.append(ItemDay(
                        item.delivery, day, metrics,
                        f"微博 2/statuses/count id {item.remote_id}（{day} 采集）", row))
            found = {i.delivery for i in answer.items}
            answer.unmatched += [f"微博 {i.remote_id}《{i.title}》没有返回数据"
                                 for i in items if i.delivery not in found]
            user = client.user()
            if isinstance(user.get("followers_count"), int):
                answer.days.append(AccountDay(
                    day, {"followers_total": int(user["followers_count"])},
                    f"微博 2/users/show uid {self.account.uid}（{day} 采集）",
                    {"followers_count": user["followers_count"]}))
        except CallFailed as exc:
            if exc.reaction in (Reaction.PERMANENT, Reaction.REFRESH_TOKEN):
                answer.unavailable = exc.explain()
            else:
                answer.failed = exc.explain()
        return answer
