"""WeChat reach statistics from the data API (datacube), for one account.

* ``getarticletotaldetail`` (begin = end = one publish day): every article published
  that day with ``detail_list`` — per ``stat_date`` the figures accumulated since it was
  published (up to 30 days). Queried once per day on which the account published.
* ``getusersummary`` / ``getusercumulate`` (at most 7 days per call): new and cancelled
  followers per day and the follower total. Only for days not stored yet (a stored day
  is final; a delayed one was never stored), so a daily run asks for about one day, not
  the whole 30-day range again.

``end_date`` may be yesterday at the latest; data for day D is ready some time after
08:00 on D+1. ``is_delay: true`` means the newest day of the answer is not final: that
day is left out (never stored, never 0) and reported as delayed, so the next run asks
again. 48001 (account not verified / no permission) and credential errors make the
account unavailable for this run: no further calls for it. Sources and limits are in
docs/platform-limits.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from socialbot.config import Settings
from socialbot.platforms.common.calls import CallFailed, Journal
from socialbot.platforms.common.reactions import Reaction
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.platforms.wechat.account import WeChatAccount
from socialbot.platforms.wechat.api import SocialbotWeChatClient
from socialbot.reach import AccountDay, ItemDay, PublishedItem, StatsAnswer

BEIJING = ZoneInfo("Asia/Shanghai")
USER_SPAN_DAYS = 7  # getusersummary / getusercumulate: begin..end at most 7 days
ARTICLE_WINDOW_DAYS = 30  # getarticletotaldetail accumulates up to 30 days after publishing
#: detail_list field → the report's metric name.
ARTICLE_METRICS = {"read_user": "reads", "share_user": "shares", "zaikan_user": "zaikan",
                   "like_user": "likes", "comment_count": "comments"}


class Unavailable(Exception):
    """The platform will not give this account statistics; stop asking in this run."""


class WeChatStats:
    """Reads one account's figures; one instance per run (not thread-safe)."""

    def __init__(self, account: WeChatAccount, settings: Settings, kv: Any, *,
                 retry: RetryPolicy | None = None,
                 timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        self.account = account
        self.settings = settings
        self.kv = kv
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self._client: SocialbotWeChatClient | None = None

    def _call(self, name: str, begin: dt.date, end: dt.date) -> dict[str, Any]:
        if self._client is None:
            self._client = SocialbotWeChatClient(
                self.account, self.settings.secret_for(self.account), self.kv,
                journal=Journal(), policy=self.retry, timeout=self.timeout)
        try:
            return self._client.datacube(name, begin.isoformat(), end.isoformat())
        except CallFailed as exc:
            if exc.reaction in (Reaction.PERMANENT, Reaction.REFRESH_TOKEN):
                raise Unavailable(exc.explain()) from None
            raise

    def collect(self, items: list[PublishedItem], since: dt.date, until: dt.date,
                stored: frozenset[dt.date] = frozenset()) -> StatsAnswer:
        answer = StatsAnswer()
        try:
            self._articles(items, until, answer)
            self._followers(since, until, stored, answer)
        except Unavailable as exc:
            answer.unavailable = str(exc)
        except CallFailed as exc:
            answer.failed = exc.explain()
        return answer

    # -- articles -----------------------------------------------------------------------

    def _articles(self, items: list[PublishedItem], until: dt.date, answer: StatsAnswer) -> None:
        by_day: dict[dt.date, list[PublishedItem]] = defaultdict(list)
        for item in items:
            day = item.sent_at.astimezone(BEIJING).date()
            if day > until:
                answer.delayed.append(f"《{item.title}》{day} 发布，次日 10 点后才有数据")
            elif until - day < dt.timedelta(days=ARTICLE_WINDOW_DAYS + 2):
                by_day[day].append(item)
        for day in sorted(by_day):
            data = self._call("getarticletotaldetail", day, day)
            rows = [r for r in data.get("list") or [] if isinstance(r, dict)]
            delayed_day = _newest_stat_date(rows) if data.get("is_delay") else None
            if delayed_day is not None:
                answer.delayed.append(f"{self.account.id} {day} 发布的文章在 {delayed_day} "
                                      "的数据尚未算完（is_delay），稍后重试")
            for item in by_day[day]:
                row = _match(item, rows, day)
                if row is None:
                    answer.unmatched.append(f"《{item.title}》（{day}）在 getarticletotaldetail "
                                            "的答复中没有找到")
                    continue
                for detail in row.get("detail_list") or []:
                    stat = _date(detail.get("stat_date"))
                    if stat is None or stat > until or stat == delayed_day:
                        continue
                    metrics = {name: int(detail[key]) for key, name in ARTICLE_METRICS.items()
                               if isinstance(detail.get(key), int)}
                    source = (f"微信 datacube/getarticletotaldetail msgid {row.get('msgid', '')}"
                              f"（{day} 发表，累计至 {stat}）")
                    raw = {k: v for k, v in row.items() if k != "detail_list"}
                    answer.items.append(ItemDay(item.delivery, stat, metrics, source,
                                                {**raw, "detail": detail}))

    # -- followers ----------------------------------------------------------------------

    def _followers(self, since: dt.date, until: dt.date, stored: frozenset[dt.date],
                   answer: StatsAnswer) -> None:
        for start, end in _spans(since, until, stored):
            summary = self._call("getusersummary", start, end)
            cumulate = self._call("getusercumulate", start, end)
            moves: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
            for row in summary.get("list") or []:
                day = _date(row.get("ref_date"))
                if day is not None:
                    moves[day].append(row)
            ready = {d: row for row in cumulate.get("list") or []
                     if (d := _date(row.get("ref_date"))) is not None}
            day = start
            while day <= end:
                if day in stored:
                    pass  # asked only because it lies between days that were missing
                elif day not in ready:
                    answer.delayed.append(f"{self.account.id} {day} 的关注人数尚未算出，稍后重试")
                else:
                    rows = moves.get(day, [])
                    metrics = {
                        "followers_gained": sum(int(r.get("new_user") or 0) for r in rows),
                        "followers_lost": sum(int(r.get("cancel_user") or 0) for r in rows),
                        "followers_total": int(ready[day].get("cumulate_user") or 0),
                    }
                    source = f"微信 datacube/getusersummary + getusercumulate（{day}）"
                    answer.days.append(AccountDay(day, metrics, source,
                                                  {"summary": rows, "cumulate": ready[day]}))
                day += dt.timedelta(days=1)


def _spans(since: dt.date, until: dt.date,
           stored: frozenset[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Spans of at most ``USER_SPAN_DAYS`` that cover the days in [since, until] not stored."""
    spans: list[tuple[dt.date, dt.date]] = []
    day = since
    while day <= until:
        if day in stored:
            day += dt.timedelta(days=1)
            continue
        end = min(until, day + dt.timedelta(days=USER_SPAN_DAYS - 1))
        while end > day and end in stored:  # no need to reach into stored days at the end
            end -= dt.timedelta(days=1)
        spans.append((day, end))
        day = end + dt.timedelta(days=1)
    return spans


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _newest_stat_date(rows: list[dict[str, Any]]) -> dt.date | None:
    days = [d for r in rows for detail in r.get("detail_list") or []
            if (d := _date(detail.get("stat_date"))) is not None]
    return max(days) if days else None


def _match(item: PublishedItem, rows: list[dict[str, Any]], day: dt.date) -> dict[str, Any] | None:
    """The answer's row for ``item``: by permalink, else by title on its publish day."""
    if item.url:
        found = [r for r in rows if r.get("content_url") == item.url]
        if len(found) == 1:
            return found[0]
    found = [r for r in rows if r.get("title") == item.title and _date(r.get("ref_date")) == day]
    return found[0] if len(found) == 1 else None
