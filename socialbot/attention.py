"""What needs a person: findings read from the store, for alerts (and any page that shows them).

:func:`findings` looks at the queue, the quota ledger, the platforms' token records and
the statistics job's reports at one moment and returns every condition a person must act
on, each with a Chinese reason, what to do, and the post, account and unit it concerns.
It reads only; it sends and writes nothing, so the daemon's alert job and a web page can
both call it as often as they like.

Each finding carries a ``key``: two findings with the same key are the same news. Keys
of conditions that last (an account silent, a token about to expire, statistics
unavailable) carry the Beijing date, so the owner hears once a day while it lasts; keys
of events (a delivery failed) carry the delivery and its attempt count, so a retry that
fails again is news again.

Statistics: the statistics job reports an account whose figures it cannot fetch with
:func:`report_stats_unavailable` and clears it with :func:`clear_stats_unavailable` once
figures arrive. The report is kept in the store's key-value table for
``STATS_REPORT_TTL`` (two days), so a job that stops reporting does not leave an alert
standing forever.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from socialbot import status_reads
from socialbot.alerts.model import Alert, AlertKind
from socialbot.config import Account, Settings
from socialbot.notices import shown
from socialbot.quota_rules import PLATFORM_TZ
from socialbot.store.models import DeliveryRecord, State
from socialbot.times import show
from socialbot.wording.labels import label

if TYPE_CHECKING:  # imported for types only: ``status`` imports this module, keep it light
    from socialbot.store.base import Store

TOKEN_WARNING = dt.timedelta(days=7)
STATS_KEY = "attention:stats_unavailable:"
STATS_REPORT_TTL = 2 * 86400.0

TokenExpiry = Callable[[Account, Settings, Any], dt.datetime | None]


@dataclass(frozen=True)
class Finding:
    """One thing a person must act on, with everything needed to tell them."""

    kind: AlertKind
    key: str
    reason: str
    action: str
    account_id: str = ""
    account: str = ""  # the account's name as staff know it
    unit: str = ""  # the unit's name
    post: int | None = None  # queue number
    post_title: str = ""
    delivery: int | None = None

    @property
    def label(self) -> str:
        return self.kind.label

    def alert(self, at: dt.datetime) -> Alert:
        """The finding as an alert for the dispatcher."""
        return Alert(kind=self.kind, reason=self.reason, at=at, account_id=self.account_id,
                     account=self.account, unit=self.unit,
                     post_id="" if self.post is None else str(self.post),
                     post_title=self.post_title, action=self.action, key=self.key)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "label": self.label, "key": self.key,
                "reason": self.reason, "action": self.action, "account": self.account_id,
                "account_name": self.account, "unit": self.unit, "post": self.post,
                "post_title": self.post_title, "delivery": self.delivery}


def findings(settings: Settings, store: Store, now: dt.datetime, *, kv: Any = None,
             token_expiry: TokenExpiry | None = None,
             checking: bool = False) -> list[Finding]:
    """Everything that needs a person at ``now``, most urgent kinds first.

    ``kv`` is where the platforms remember token expiry times (default: the store's own
    key-value table, or Redis when configured, as ``status`` reads it); ``token_expiry``
    replaces the platforms' lookup (tests). ``checking`` adds the deliveries the daemon
    is still settling by itself (an unknown outcome it keeps checking, a send whose
    worker died): a page where people look shows them, the alert job leaves them out
    (they become news when the checks run out).
    """
    found = deliveries(settings, store, now, checking=checking)
    found += quota_exhausted(settings, store, now)
    found += tokens_expiring(settings, store, now, kv=kv, token_expiry=token_expiry)
    found += stats_unavailable(settings, store, now)
    found += silent_accounts(settings, store, now)
    return found


#: What ``socialbot status`` adds of these findings: conditions a person must fix that
#: its own delivery list does not show, so staff who run no daemon still see them.
STATUS_KINDS = (AlertKind.TOKEN_EXPIRING, AlertKind.STATS_UNAVAILABLE, AlertKind.ACCOUNT_SILENT)


def for_status(settings: Settings, store: Store, now: dt.datetime, *,
               token_expiry: TokenExpiry | None = None) -> list[Finding]:
    """The ``STATUS_KINDS`` findings, read from the store only (no platform call)."""
    found = tokens_expiring(settings, store, now, token_expiry=token_expiry)
    found += stats_unavailable(settings, store, now)
    found += silent_accounts(settings, store, now)
    return found


# -- deliveries and reviews ------------------------------------------------------------------

# Deliveries a person must settle: kind, key prefix, reason and action ({message}: what
# the pipeline recorded, {at}: the slot, {n}: the queue number). Kept short: ten of
# them must fit one 4096-byte WeCom message. UNKNOWN is still being checked by the
# daemon itself; it becomes NEEDS_PERSON when the checks run out.
DELIVERY_TEXT: dict[State, tuple[AlertKind, str, str, str]] = {
    State.FAILED: (
        AlertKind.DELIVERY_FAILED, "failed", "{message}（原定 {at} 发布）",
        "按原因修改后 socialbot queue retry {n} 重试，或 queue reschedule {n} --at 新时间 改期"),
    State.NEEDS_PERSON: (
        AlertKind.DELIVERY_UNKNOWN, "unknown",
        "多次向平台核实仍无法确定是否已发出：{message}（原定 {at} 发布）",
        "请勿手工重发。请到平台后台查看：已发出则无需处理；确认没有发出，"
        "再用 socialbot queue retry {n} --force 重发"),
    State.MISSED: (
        AlertKind.DELIVERY_MISSED, "missed", "超过补发时限仍未发出：{message}（原定 {at} 发布）",
        "请确认 socialbot run 在运行，再用 socialbot queue retry {n} 补发，"
        "或 queue reschedule {n} --at 新时间 改期"),
}


# Deliveries the daemon is still settling (``findings(checking=True)`` only).
CHECKING_TEXT: dict[State, tuple[str, str]] = {
    State.UNKNOWN: (
        "发布结果未知，系统正在自动向平台核实：{message}（原定 {at} 发布）",
        "一般无需处理，socialbot run 会继续核实并记录结果；请勿手工重发。若已在平台上看到"
        "这条内容，可标为已发出（socialbot queue mark-sent {n} --account {account}）"),
    State.SENDING: (
        "发送中断（工作进程已退出），不确定是否已发出（原定 {at} 发布）",
        "请启动 socialbot run，它会先向平台核实再决定是否重发；请勿手工重发"),
}


def deliveries(settings: Settings, store: Store, now: dt.datetime, *,
               checking: bool = False) -> list[Finding]:
    """Failed, unresolved and missed deliveries; posts near their time still unreviewed;
    with ``checking``, also those the daemon is still checking by itself."""
    tz = settings.tz
    lead = dt.timedelta(minutes=settings.alerts.approval_lead_minutes)
    found: list[Finding] = []
    reviews: dict[int, tuple[str, str]] = {}
    for d, title in store.live_work():
        where = _where(settings, d.account)
        n = d.post
        if checking and d.state in CHECKING_TEXT and _stalled(d, now):
            reason, action = CHECKING_TEXT[d.state]
            facts = {"message": shown(d.message) or label(d.state),
                     "at": show(d.due_at, tz), "n": n, "account": d.account}
            found.append(Finding(AlertKind.DELIVERY_UNKNOWN, f"checking:{d.id}:{d.attempts}",
                                 reason.format(**facts), action.format(**facts), post=n,
                                 post_title=title, delivery=d.id, **where))
        elif d.state in DELIVERY_TEXT:
            kind, prefix, reason, action = DELIVERY_TEXT[d.state]
            facts = {"message": shown(d.message) or label(d.state),
                     "at": show(d.due_at, tz), "n": n}
            found.append(Finding(kind, f"{prefix}:{d.id}:{d.attempts}", reason.format(**facts),
                                 action.format(**facts), post=n, post_title=title,
                                 delivery=d.id, **where))
        elif d.state == State.QUEUED and d.due_at - now <= lead:
            if n not in reviews:
                post = store.post(n)
                reviews[n] = (post.review, post.review_note)
            review, note = reviews[n]
            found.append(_approval(settings, d.id, n, title, d.due_at, d.content_hash,
                                   review, note, now, where))
    return found


def _stalled(d: DeliveryRecord, now: dt.datetime) -> bool:
    """An unknown outcome always; a send only when its worker's lease ran out."""
    if d.state != State.SENDING:
        return True
    return d.lease_until is None or d.lease_until < now - status_reads.STALE_SENDING


def _approval(settings: Settings, delivery: int, n: int, title: str, due: dt.datetime,
              content_hash: str, review: str, note: str, now: dt.datetime,
              where: Where) -> Finding:
    tz = settings.tz
    deadline = due + dt.timedelta(seconds=settings.misfire_grace_seconds)
    if due > now:
        minutes = max(1, round((due - now).total_seconds() / 60))
        when = f"计划 {show(due, tz)} 发布（还有 {_span(minutes)}），"
    else:
        when = f"计划 {show(due, tz)} 发布的时间已到，"
    if review == "rejected":
        reason = when + f"稿件已被退回（{note or '未写原因'}），还没有修改后重新审核通过"
        action = (f"请作者按退回意见修改（socialbot queue edit {n}），审核人再审核；"
                  f"若来不及，请用 socialbot queue reschedule {n} 改期。")
    elif due > now:
        reason = when + "稿件还没有审核通过"
        action = (f"请审核人在 {show(due, tz)} 之前审核完（socialbot queue approve {n} "
                  "--by 审核人）；发布时间前没有审完的稿件不会补发（过期未审），需要改期。")
    else:
        reason = when + "稿件还没有审核通过（过期未审）"
        action = (f"发布时间前没有审完，审核完成后也不会补发；请改期：socialbot queue "
                  f"reschedule {n} --at 新时间（{show(deadline, tz)} 后标为“已错过”）。")
    return Finding(AlertKind.APPROVAL_EXPIRING, f"approval:{delivery}:{content_hash[:16]}:"
                   f"{due.astimezone(dt.UTC):%Y%m%dT%H%M}", reason, action, post=n,
                   post_title=title, delivery=delivery, **where)


# -- accounts ------------------------------------------------------------------------------


def quota_exhausted(settings: Settings, store: Store, now: dt.datetime) -> list[Finding]:
    """Accounts whose current send bucket is full while something still waits in it.

    A bucket used up by the day's own sends is normal (a subscription account sends once
    a day); it is news when the platform refused for lack of quota (a send from the
    platform's console may have used it) or more is planned than the bucket holds.
    """
    from socialbot.store_rules import rules_of  # the SQL layer: not at import time

    found = []
    policies = rules_of(settings).accounts
    for account in settings.accounts.values():
        rule = policies[account.id].quota
        if rule is None:
            continue
        use = store.bucket_use(account.id, rule, now)
        over = use.sent + use.planned > rule.limit
        if not (use.exhausted or over):
            continue
        _key, _start, end = rule.bucket(now)
        if use.exhausted:
            reason = (f"平台答复{rule.window}的发送次数已用完（{rule.label}），"
                      "可能有人在平台后台直接发送过")
        else:
            reason = (f"{rule.window}已发送 {use.sent} 次，还有 {use.planned} 条排在{rule.window}，"
                      f"超过上限（{rule.label}）")
        found.append(Finding(
            AlertKind.QUOTA_EXHAUSTED, f"quota:{account.id}:{use.bucket}", reason,
            f"{rule.window}排着的稿件会自动顺延到下一个可发送的时段"
            f"（{show(end, settings.tz)} 起）；如需当天发出，请在 socialbot queue list 中"
            "调整排期，或合并为一次发送。",
            **_where(settings, account.id)))
    return found


def tokens_expiring(settings: Settings, store: Store, now: dt.datetime, *, kv: Any = None,
                    token_expiry: TokenExpiry | None = None) -> list[Finding]:
    """Accounts whose token or authorisation expires within seven days (or has expired)."""
    lookup = token_expiry or status_reads.token_expiry_hook
    kv = kv if kv is not None else status_reads.key_values(settings, store)
    found = []
    day = _day(now)
    for account in settings.accounts.values():
        expires = lookup(account, settings, kv)
        if expires is None or expires - now >= TOKEN_WARNING:
            continue
        when = show(expires, settings.tz)
        if expires <= now:
            reason = f"授权已于 {when} 过期，这个账号现在无法发布"
        else:
            days = (expires - now).days
            left = f"{days} 天" if days else "不到 1 天"
            reason = f"授权将于 {when} 过期（还剩 {left}），过期后将无法发布"
        found.append(Finding(
            AlertKind.TOKEN_EXPIRING, f"token:{account.id}:{expires:%Y%m%d%H%M}:{day}", reason,
            "请账号管理员登录平台重新授权，并把新的授权码（令牌）写入环境变量或密钥文件"
            f"（{account.secret_name or '见 config.toml 中该账号的 *_env'}），"
            "换上新的授权后，这条提醒即不再发出。",
            **_where(settings, account.id)))
    return found


def stats_unavailable(settings: Settings, store: Store, now: dt.datetime) -> list[Finding]:
    """Accounts the statistics job reported it cannot fetch figures for."""
    kv = store.kv()
    found = []
    day = _day(now)
    for account in settings.accounts.values():
        raw = kv.get(STATS_KEY + account.id)
        if not raw:
            continue
        try:
            report = json.loads(raw)
            reason = str(report["reason"])
            since = dt.datetime.fromisoformat(report["at"])
        except (ValueError, KeyError, TypeError):
            continue
        found.append(Finding(
            AlertKind.STATS_UNAVAILABLE, f"stats:{account.id}:{day}",
            f"自 {show(since, settings.tz)} 起无法获取阅读、转发等统计数据：{reason}",
            AlertKind.STATS_UNAVAILABLE.default_action,
            **_where(settings, account.id)))
    return found


def silent_accounts(settings: Settings, store: Store, now: dt.datetime) -> list[Finding]:
    """Accounts with no post through socialbot for ``[alerts] silent_days`` days or more.

    Silence is counted from the account's last successful send; an account that never
    sent counts from the queue's first post (so a fresh installation does not alarm at
    once). Posts made in a platform's own console are not seen here.
    """
    days = settings.alerts.silent_days
    last = store.last_sent()
    first = store.first_post_at()
    found = []
    for account in settings.accounts.values():
        since = last.get(account.id)
        start = since or first
        if start is None or now - start < dt.timedelta(days=days):
            continue
        quiet = (now - start).days
        alert = Alert.silent_account(account_id=account.id, account=account.name,
                                     unit=_unit(settings, account.id), days=quiet,
                                     last_post=since, at=now)
        reason = alert.reason if since else (
            f"已连续 {quiet} 天没有发布新内容"
            f"（自 {show(start, settings.tz)} 启用以来尚无发布记录）")
        found.append(Finding(
            AlertKind.ACCOUNT_SILENT, alert.key, reason,
            f"请尽快安排发布。检查指标：监测时间点前 2 周内无更新即一票否决"
            f"（本提醒在连续 {days} 天无更新时发出）。",
            **_where(settings, account.id)))
    return found


# -- the statistics job's reports --------------------------------------------------------------


def report_stats_unavailable(store: Store, account_id: str, reason: str,
                             at: dt.datetime) -> None:
    """Statistics for ``account_id`` cannot be fetched (``reason``: Chinese, for staff).

    Called by the statistics job on every run that fails for the account; the first
    report's time is kept, so the alert says since when.
    """
    kv = store.kv()
    key = STATS_KEY + account_id
    since = at
    raw = kv.get(key)
    if raw:
        try:
            since = dt.datetime.fromisoformat(json.loads(raw)["at"])
        except (ValueError, KeyError, TypeError):
            since = at
    kv.set(key, json.dumps({"reason": reason, "at": since.isoformat()}, ensure_ascii=False),
           ttl=STATS_REPORT_TTL)


def clear_stats_unavailable(store: Store, account_id: str) -> None:
    """Figures arrived again for ``account_id``: the condition is over."""
    store.kv().delete(STATS_KEY + account_id)


# -- helpers -------------------------------------------------------------------------------


def _unit(settings: Settings, account_id: str) -> str:
    unit = settings.units.get(settings.unit_of(account_id))
    return unit.name if unit else ""


class Where(TypedDict):
    account_id: str
    account: str
    unit: str


def _where(settings: Settings, account_id: str) -> Where:
    account = settings.accounts.get(account_id)
    return {"account_id": account_id, "account": account.name if account else account_id,
            "unit": _unit(settings, account_id)}


def _day(now: dt.datetime) -> str:
    """The Beijing date: conditions that last are told once a day."""
    return now.astimezone(PLATFORM_TZ).date().isoformat()


def _span(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} 分钟"
    return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")
