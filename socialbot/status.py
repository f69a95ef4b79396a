"""``socialbot status``: what goes out next, what needs a person, what quota is left.

Something needs attention when a delivery failed, has an unknown outcome, was missed,
is past its time without approval, or when an account's token expires soon. The CLI
exits 3 in that case, so cron or monitoring can alert on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from socialbot import status_reads
from socialbot.notices import shown
from socialbot.shown_records import delivery_json
from socialbot.status_reads import STALE_SENDING, key_values
from socialbot.store.models import ATTENTION, DeliveryRecord, Pause, State
from socialbot.times import json_text, show
from socialbot.wording.labels import label

if TYPE_CHECKING:
    from socialbot.config import Settings
    from socialbot.quota_rules import QuotaRule
    from socialbot.store.base import BucketUse, Store

NEXT_LIMIT = 10
DRAFTS_SHOWN = dt.timedelta(days=7)  # drafts left for a person, as long as staff see them
DRAFT_TODO = ("已存入公众号草稿箱，但该账号不能通过接口群发（或配置为只存草稿）。"
              "请登录公众号后台 → 内容与互动 → 草稿箱，找到这条消息手动群发")


class StatusSource(Protocol):
    """What status reads: ``SqlStore`` or, on SQLite, the light ``store.lite`` reader."""

    def live_work(self) -> list[tuple[DeliveryRecord, str]]: ...

    def bucket_use(self, account: str, rule: QuotaRule, when: dt.datetime) -> BucketUse: ...

    def pauses(self) -> list[Pause]: ...

    def kv(self) -> Any: ...

    def last_sent(self) -> dict[str, dt.datetime]: ...

    def first_post_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class Item:
    delivery: DeliveryRecord
    title: str
    reason: str

    def to_json(self, settings: Settings) -> dict[str, Any]:
        d = delivery_json(self.delivery)
        d["title"] = self.title
        d["reason"] = self.reason
        d["due_local"] = show(self.delivery.due_at, settings.tz)  # as staff read it
        return d


@dataclass(frozen=True)
class QuotaLine:
    account: str
    rule: str
    window: str
    used: int
    limit: int

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)


@dataclass
class Status:
    now: dt.datetime
    next_due: list[Item] = field(default_factory=list)
    attention: list[Item] = field(default_factory=list)
    drafts: list[Item] = field(default_factory=list)  # left in the draft box for a person
    quota: list[QuotaLine] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    tokens: dict[str, dt.datetime | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: ``attention.Finding`` values of ``attention.STATUS_KINDS``: token expiring,
    #: statistics unavailable, account silent.
    reminders: list[Any] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention or self.warnings or self.reminders)

    def to_json(self, settings: Settings) -> dict[str, Any]:
        return {
            "now": self.now,
            "needs_attention": self.needs_attention,
            "next_due": [i.to_json(settings) for i in self.next_due],
            "attention": [i.to_json(settings) for i in self.attention],
            "drafts": [i.to_json(settings) for i in self.drafts],
            "quota": [
                {
                    "account": q.account,
                    "rule": q.rule,
                    "window": q.window,
                    "used": q.used,
                    "limit": q.limit,
                    "left": q.left,
                }
                for q in self.quota
            ],
            "paused": [
                {"scope": p.scope, "by": p.by, "reason": p.reason, "at": p.at}
                for p in self.pauses
            ],
            "tokens": dict(self.tokens),
            "warnings": self.warnings,
            "reminders": [f.to_json() for f in self.reminders],
        }

    def dumps(self, settings: Settings) -> str:
        """JSON for scripts and monitoring; times in the configured zone with its offset."""
        return json_text(self.to_json(settings), settings.tz)


def _needs_person(d: DeliveryRecord, now: dt.datetime) -> bool:
    if d.state in ATTENTION or (d.state == State.QUEUED and d.due_at <= now):
        return True
    return d.state == State.SENDING and (
        d.lease_until is None or d.lease_until < now - STALE_SENDING
    )


def _reason(d: DeliveryRecord, now: dt.datetime) -> str:
    if d.state in ATTENTION:
        return shown(d.message) or label(d.state)
    if d.state == State.QUEUED and d.due_at <= now:
        return ("过期未审：已到发布时间，但还没有审核通过（或审核晚于发布时间）；"
                "不会补发，请改期（queue reschedule）")
    if d.state == State.SENDING and _needs_person(d, now):
        return "发送中断（工作进程已退出）：请启动 socialbot run，它会先向平台核实再决定是否重发"
    return shown(d.message)


def collect(settings: Settings, store: StatusSource, now: dt.datetime) -> Status:
    from socialbot.platforms import platform  # the quota rule is the platform's

    status = Status(now=now)
    for d, title in store.live_work():
        item = Item(d, title, _reason(d, now))
        if d.state == State.DRAFTED:
            if now - d.due_at <= DRAFTS_SHOWN:
                status.drafts.append(Item(d, title, DRAFT_TODO))
            continue
        if _needs_person(d, now):
            status.attention.append(item)
        elif len(status.next_due) < NEXT_LIMIT:
            status.next_due.append(item)
    for account in settings.accounts.values():
        rule = platform(account.platform).quota_rule(account)
        if rule is not None:
            use = store.bucket_use(account.id, rule, now)
            used = rule.limit if use.exhausted else min(rule.limit, use.sent + use.planned)
            status.quota.append(QuotaLine(account.id, rule.label, rule.window, used, rule.limit))
    status.pauses = store.pauses()
    kv = key_values(settings, store)
    for account in settings.accounts.values():
        status.tokens[account.id] = status_reads.token_expiry_hook(account, settings, kv)
    status.reminders = _reminders(settings, store, now, status.tokens)
    return status


def _reminders(settings: Settings, store: StatusSource, now: dt.datetime,
               tokens: dict[str, dt.datetime | None]) -> list[Any]:
    """What the alert job would tell an owner about tokens, statistics and silent
    accounts, read from the store: staff who run no daemon see it here."""
    from socialbot import attention  # imports no SQL layer; here to keep status quick

    # for_status reads live_work, kv().get, last_sent and first_post_at: StatusSource.
    return attention.for_status(settings, cast("Store", store), now,
                                token_expiry=lambda account, _s, _kv: tokens.get(account.id))

