"""Routes alerts to their owners: digests per owner and channel, each key once, rate-limited.

Alerts are collected per (owner, channel) from the moment the first one arrives; when the
digest window has passed, :meth:`Dispatcher.flush` sends them as one message (or as few
parts as the channel's size limit allows). Each robot has a token bucket of its
per-minute limit: a digest that finds the bucket empty waits, and keeps collecting, until
a token is free. Nothing is dropped silently: every alert ends either sent or reported
as failed (logged, and returned by ``flush``).

No thread and no sleeping here: the caller (the daemon's scheduler, or a test with its
own clock) calls ``flush`` at :meth:`Dispatcher.next_due`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from socialbot.alerts.log import AlertLog
from socialbot.alerts.model import Alert
from socialbot.alerts.ratelimit import TokenBucket
from socialbot.alerts.settings import AlertSettings, Owner
from socialbot.alerts.transport import SendResult, Status, Transport
from socialbot.redact import describe_exception

log = logging.getLogger("socialbot.alerts")

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def entry_key(alert: Alert, owner: Owner, transport: Transport) -> str:
    """The dedupe record of one alert for one owner's channel."""
    return f"{alert.dedupe_key}|{owner.id}|{transport.kind}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one message (or one give-up) for one owner's channel."""

    owner: str
    channel: str
    status: Status
    alerts: int
    reason: str = ""

    def describe(self) -> str:
        text = f"{self.owner}（{self.channel}）：{self.alerts} 条提醒{self.status.label}"
        return f"{text}——{self.reason}" if self.reason else text


@dataclass
class _Item:
    alert: Alert
    entry: str
    arrived: dt.datetime


@dataclass
class _Batch:
    owner: Owner
    transport: Transport
    items: list[_Item] = field(default_factory=list)
    not_before: dt.datetime | None = None
    deferrals: int = 0

    @property
    def opened(self) -> dt.datetime:
        """When the oldest alert still owed arrived: the digest window runs from here."""
        return min(i.arrived for i in self.items)


class Dispatcher:
    """Takes alerts from anywhere (thread-safe), sends them when :meth:`flush` runs."""

    max_deferrals = 5  # a message still refused after this many waits is reported failed

    def __init__(self, settings: AlertSettings, transports: Mapping[str, Sequence[Transport]],
                 log_: AlertLog, *, clock: Clock = utc_now):
        self._settings = settings
        self._transports = transports
        self._log = log_
        self._clock = clock
        self._window = dt.timedelta(seconds=settings.digest_window_seconds)
        self._batches: dict[tuple[str, str], _Batch] = {}
        self._pending: set[str] = set()
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()  # guards batches, pending and buckets
        self._flushing = threading.Lock()  # one flush at a time

    def submit(self, alert: Alert) -> int:
        """Queue ``alert`` for every owner's channel that has not had it; returns how many."""
        owners = self._settings.owners_for(alert.account_id, alert.unit)
        if not owners:
            log.warning("提醒无人接收：账号“%s”（单位“%s”）没有配置负责人，"
                        "也没有 default_owner：%s %s", alert.account or alert.account_id,
                        alert.unit, alert.kind.label, alert.reason)
            return 0
        queued = 0
        now = self._clock()
        deaf = [o.name for o in owners if not self._transports.get(o.id)]
        if len(deaf) == len(owners):
            log.error("提醒无法送达：负责人 %s 没有可用的提醒渠道（请运行 socialbot alerts test "
                      "查看原因）：%s %s", "、".join(deaf), alert.kind.label, alert.reason)
        with self._lock:
            for owner in owners:
                for transport in self._transports.get(owner.id, ()):
                    entry = entry_key(alert, owner, transport)
                    if entry in self._pending or self._log.seen(entry):
                        continue
                    batch = self._batches.setdefault(
                        (owner.id, transport.kind), _Batch(owner, transport)
                    )
                    batch.items.append(_Item(alert, entry, now))
                    self._pending.add(entry)
                    queued += 1
        return queued

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def next_due(self) -> dt.datetime | None:
        """When :meth:`flush` next has something to send (None: nothing pending)."""
        now = self._clock()
        with self._lock:
            times = [self._ready_at(b, now) for b in self._batches.values() if b.items]
        return min(times) if times else None

    def flush(self, *, force: bool = False) -> list[Outcome]:
        """Send every digest that is due (``force``: ignore the digest window)."""
        outcomes: list[Outcome] = []
        with self._flushing:
            now = self._clock()
            with self._lock:
                due = [
                    (b, list(b.items)) for b in self._batches.values()
                    if b.items and (force or b.opened + self._window <= now)
                    and (b.not_before is None or b.not_before <= now)
                ]
            for batch, items in due:
                try:
                    outcomes += self._send(batch, items)
                except Exception as exc:  # a bug in one channel must not stall the others
                    log.exception("提醒发送出错")
                    with self._lock:
                        owed = [i for i in items if any(i is j for j in batch.items)]
                    reason = f"程序出错：{describe_exception(exc)}"
                    self._settle(batch, owed, "failed", reason)
                    outcomes.append(Outcome(batch.owner.name, batch.transport.label,
                                            Status.FAILED, len(owed), reason))
            with self._lock:
                for key in [k for k, b in self._batches.items() if not b.items]:
                    del self._batches[key]
        for outcome in outcomes:
            if outcome.status is Status.SENT:
                log.info("提醒已送达：%s", outcome.describe())
            elif outcome.status is Status.FAILED:
                log.error("提醒发送失败：%s", outcome.describe())
            elif outcome.status is Status.RETRY_LATER:
                log.warning("提醒暂未送达，稍后重试：%s", outcome.describe())
        return outcomes

    def _send(self, batch: _Batch, items: list[_Item]) -> list[Outcome]:
        transport, owner = batch.transport, batch.owner
        outcomes: list[Outcome] = []
        messages = transport.compose([i.alert for i in items], owner.name)
        offset = 0
        for message in messages:
            with self._lock:
                if not self._bucket(transport).take(self._clock()):
                    break  # the rest waits for a token and keeps collecting new alerts
            result = transport.deliver(message)
            chunk = items[offset:offset + message.count]
            if result.ok:
                self._settle(batch, chunk, "sent")
                outcomes.append(Outcome(owner.name, transport.label, Status.SENT, len(chunk)))
                offset += message.count
                continue
            rest = items[offset:]
            if result.status is Status.RETRY_LATER and batch.deferrals < self.max_deferrals:
                outcomes.append(self._defer(batch, result, len(rest)))
            else:
                reason = result.reason
                if result.status is Status.RETRY_LATER:
                    reason = f"多次重试仍未送达，已放弃：{reason}"
                self._settle(batch, rest, "failed", reason)
                outcomes.append(Outcome(owner.name, transport.label, Status.FAILED, len(rest),
                                        reason))
            break
        return outcomes

    def _defer(self, batch: _Batch, result: SendResult, count: int) -> Outcome:
        now = self._clock()
        until = now + dt.timedelta(seconds=result.retry_after)
        with self._lock:
            batch.deferrals += 1
            batch.not_before = until
            if not result.transient:  # the robot said "too frequent": stop using it
                self._bucket(batch.transport).hold_until(until)
        return Outcome(batch.owner.name, batch.transport.label, Status.RETRY_LATER, count,
                       result.reason)

    def _settle(self, batch: _Batch, items: list[_Item], outcome: str,
                reason: str = "") -> None:
        now = self._clock()
        done = {id(i) for i in items}
        for item in items:
            a = item.alert
            self._log.record(item.entry, now, outcome, key=a.dedupe_key, owner=batch.owner.id,
                             channel=batch.transport.kind, kind=a.kind.value,
                             account=a.account_id, post=a.post_id, reason=reason)
        with self._lock:
            batch.items = [i for i in batch.items if id(i) not in done]
            self._pending.difference_update(i.entry for i in items)
            if outcome == "sent":
                batch.deferrals = 0
                batch.not_before = None

    def _bucket(self, transport: Transport) -> TokenBucket:
        bucket = self._buckets.get(transport.limit_key)
        if bucket is None:
            bucket = self._buckets[transport.limit_key] = TokenBucket(transport.rate_per_minute)
        return bucket

    def _ready_at(self, batch: _Batch, now: dt.datetime) -> dt.datetime:
        times = [batch.opened + self._window, self._bucket(batch.transport).next_free(now)]
        if batch.not_before is not None:
            times.append(batch.not_before)
        return max(times)
