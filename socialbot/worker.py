"""One pass of the publishing work: claim → publish → record, one delivery at a time.

``publish_due`` is all the daemon does on each wake-up, and all ``socialbot run --once``
does. Deliveries whose outcome is open (``sending`` with a dead claimer, ``unknown``)
are reconciled with the platform before anything new is published. Each delivery is
isolated: an exception in one is recorded on it and the pass goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from socialbot.channels.base import Channel, DeliveryResult, KeyValueStore, Outcome
from socialbot.config import Account, Settings
from socialbot.errors import SocialbotError
from socialbot.redact import describe_exception
from socialbot.store import claims, outcomes
from socialbot.store.claims import PUBLISH, Claim
from socialbot.store.db import Database, utcnow
from socialbot.store.models import State, label

log = logging.getLogger("socialbot.worker")

ChannelFactory = Callable[[Account], Channel]
MAX_PASSES = 50


@dataclass(frozen=True)
class Report:
    """What happened to one delivery in this pass."""

    delivery: int
    post: int
    account: str
    title: str
    kind: str  # publish | reconcile | missed
    state: State
    message: str

    def line(self) -> str:
        verb = {"publish": "发送", "reconcile": "核对", "missed": "错过"}[self.kind]
        text = f"[{verb}] 编号 {self.post} → {self.account}：{label(self.state)}"
        return f"{text}（{self.message}）" if self.message else text


class Channels:
    """Channels built on first use, one per account, shared by every delivery."""

    def __init__(self, settings: Settings, factory: ChannelFactory | None = None,
                 kv: KeyValueStore | None = None):
        self.settings = settings
        self._factory = factory
        self._kv = kv
        self._local = threading.local()  # channel clients are not thread-safe: one per thread
        self._lock = threading.Lock()

    def __call__(self, account_id: str) -> Channel:
        built: dict[str, Channel] = self._local.__dict__.setdefault("built", {})
        if account_id not in built:
            with self._lock:
                built[account_id] = self._make(self.settings.account(account_id))
        return built[account_id]

    def _make(self, account: Account) -> Channel:
        if self._factory is not None:
            return self._factory(account)
        from socialbot.channels import get_channel  # the real platforms, imported when needed

        if self._kv is None:
            from socialbot.kv import open_kv

            self._kv = open_kv(self.settings)
        return get_channel(account, self.settings, self._kv)


ChannelSource = Channels | Mapping[str, Channel] | Callable[[str], Channel]


def default_channels(settings: Settings) -> Channels:
    """The channels the CLI uses: the real platforms (tests swap this function out)."""
    return Channels(settings)


def _resolve(channels: ChannelSource, account_id: str) -> Channel:
    if isinstance(channels, Mapping):
        return channels[account_id]
    return channels(account_id)


def publish_due(settings: Settings, store: Database, channels: ChannelSource,
                now: dt.datetime | None = None, *, worker: str | None = None,
                stop: threading.Event | None = None,
                clock: Callable[[], dt.datetime] | None = None,
                parallel: int = 1) -> list[Report]:
    """Publish everything due at ``now`` (default: the real clock, read as work goes on).

    ``stop`` is checked between deliveries: once set, the call in flight finishes and is
    recorded, and no new delivery is started. ``parallel`` > 1 runs that many
    claim → publish → record loops side by side (each claim is still exclusive), so a
    burst of posts due at 09:00 on many accounts is not served one platform call at a time.
    """
    if clock is None:
        clock = (lambda: now) if now is not None else utcnow
    worker = worker or claims.worker_identity()
    stop = stop or threading.Event()
    reports: list[Report] = []
    for _ in range(MAX_PASSES):
        before = len(reports)
        claims.extend_series(store, settings, clock())
        for d in claims.promote_due(store, settings, clock()):
            reports.append(Report(d.id, d.post, d.account, "", "missed", State.MISSED,
                                  f"原定 {d.due_at.astimezone(settings.tz):%Y-%m-%d %H:%M}"))
            log.warning(reports[-1].line())
        for take in (claims.claim_recovery, claims.claim_next):  # reconcile before publishing
            reports += _drain(take, settings, store, channels, worker, stop, clock, parallel)
        if stop.is_set() or len(reports) == before or now is not None:
            break
    return reports


Take = Callable[[Database, Settings, str, dt.datetime], Claim | None]


def _drain(take: Take, settings: Settings, store: Database, channels: ChannelSource,
           worker: str, stop: threading.Event, clock: Callable[[], dt.datetime],
           parallel: int) -> list[Report]:
    """Claim and work until nothing is left (in ``parallel`` loops)."""

    def loop() -> list[Report]:
        done = []
        while not stop.is_set():
            claim = take(store, settings, worker, clock())
            if claim is None:
                break
            done.append(_work(settings, store, channels, claim, clock))
        return done

    if parallel <= 1:
        return loop()
    with ThreadPoolExecutor(parallel, thread_name_prefix="publish") as pool:
        futures = [pool.submit(loop) for _ in range(parallel)]
        return [r for f in futures for r in f.result()]


def _work(settings: Settings, store: Database, channels: ChannelSource, claim: Claim,
          clock: Callable[[], dt.datetime]) -> Report:
    d = claim.delivery
    result = _unverified(claim, _call(settings, store, channels, claim, clock))
    try:
        stored = outcomes.finish(store, settings, claim, result, clock())
    except Exception as exc:  # keep going; the lease expires and the outcome is reconciled
        log.exception("记录发送结果失败（编号 %s → %s）", d.post, d.account)
        return Report(d.id, d.post, d.account, claim.post.title, claim.kind, State.SENDING,
                      f"结果未能写入数据库：{type(exc).__name__}，稍后将向平台核实")
    report = Report(d.id, d.post, d.account, claim.post.title, claim.kind, stored.state,
                    stored.message)
    (log.info if stored.state in (State.SENT, State.DUE, State.APPROVED) else log.warning)(
        report.line())
    return report


def _unverified(claim: Claim, result: DeliveryResult) -> DeliveryResult:
    """A check that never reached the platform (no secret, bad account) proves nothing.

    Recorded as failed, it would invite ``queue retry`` and a second post of something
    that may already be out; it stays unknown and is checked again once fixed.
    """
    if claim.kind == PUBLISH or result.outcome is not Outcome.FAILED or result.attempts:
        return result
    return DeliveryResult(
        Outcome.UNKNOWN,
        f"无法向平台核实上次发送的结果（{result.message}）。上次可能已经发出，"
        "请先解决上述问题，系统会自动再次核实；切勿直接重发",
    )


def _call(settings: Settings, store: Database, channels: ChannelSource, claim: Claim,
          clock: Callable[[], dt.datetime]) -> DeliveryResult:
    """The platform call itself; never raises (an exception becomes an outcome)."""
    d = claim.delivery
    try:
        channel = _resolve(channels, d.account)
    except SocialbotError as exc:  # nothing was sent: a config or secret problem
        return DeliveryResult(Outcome.FAILED, exc.render())
    except Exception as exc:
        return DeliveryResult(Outcome.FAILED,
                              f"无法连接账号 {d.account}：{describe_exception(exc)}")
    call = channel.publish if claim.kind == PUBLISH else channel.reconcile
    try:
        with _lease_kept(settings, store, claim, clock):
            result = call(claim.rendered, d.delivery_key)
    except Exception as exc:  # the platform may have acted: never assume either way
        log.exception("发送时程序异常（编号 %s → %s）", d.post, d.account)
        return DeliveryResult(Outcome.UNKNOWN, f"程序异常：{describe_exception(exc)}")
    if not isinstance(result, DeliveryResult):
        return DeliveryResult(Outcome.UNKNOWN, f"渠道返回了无法识别的结果：{result!r}")
    return result


@contextmanager
def _lease_kept(settings: Settings, store: Database, claim: Claim,
                clock: Callable[[], dt.datetime]) -> Iterator[None]:
    """Renew the claim's lease while the platform call runs, so no one takes it over."""
    done = threading.Event()
    interval = max(0.5, settings.lease_seconds / 3)

    def keep() -> None:
        while not done.wait(interval):
            try:
                if not claims.renew(store, settings, claim, clock()):
                    log.warning("编号 %s → %s 的租约已被接管", claim.delivery.post,
                                claim.delivery.account)
                    return
            except Exception:
                log.exception("续租失败")

    thread = threading.Thread(target=keep, name=f"lease-{claim.id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def summary(reports: list[Report]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in reports:
        counts[str(r.state)] = counts.get(str(r.state), 0) + 1
    return counts
