"""One claimed delivery, start to end: ask the platform, then record what it said.

Read ``work_send`` first; everything else here is one of its steps. The claim says which
question to ask: *publish* for a delivery whose time has come, *reconcile* for one whose
last outcome is open (a worker died mid-call, or the platform's answer was lost) — an
open outcome is never resolved by publishing again. Threads, leases and stop handling
live in ``runner.py``, around this function, never inside it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from socialbot.delivery import DeliveryResult, Outcome
from socialbot.errors import SocialbotError
from socialbot.notices import shown
from socialbot.redact import describe_exception
from socialbot.rendered import RenderedPost
from socialbot.store.claims import PUBLISH, Claim
from socialbot.store.models import DeliveryRecord, State
from socialbot.times import show
from socialbot.wording.labels import label

log = logging.getLogger("socialbot.pipeline")



class Channel(Protocol):
    """What the pipeline needs from a platform's channel (each platform provides one).

    A platform whose sends carry several posts (``Platform.message_capacity``) also has
    ``publish_message`` and ``reconcile_message`` taking the posts in order and the send's key.
    """

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult: ...
    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult: ...


ChannelFor = Callable[[str], Channel]
"""An account id → the channel that talks to its platform."""

Record = Callable[[Claim, DeliveryResult], DeliveryRecord]
"""Writes an outcome to the store and returns the delivery as stored."""


@dataclass(frozen=True)
class Report:
    """What happened to one delivery."""

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
        message = shown(self.message)
        return f"{text}（{message}）" if message else text


# Report lines are also handed to ``on_report``; a command that prints them filters these.
PRINTED = {"staff_report": True}


@dataclass(frozen=True)
class PassResult:
    """Where one pass left each delivery it touched (its last report counts)."""

    sent: int = 0
    later: int = 0  # back in the queue: retried or rescheduled automatically
    attention: int = 0  # failed, unknown, missed or not recorded: a person must look

    @classmethod
    def of(cls, reports: list[Report]) -> PassResult:
        final = {r.delivery: r.state for r in reports}
        sent = sum(1 for s in final.values() if s == State.SENT)
        later = sum(1 for s in final.values() if s in (State.DUE, State.APPROVED))
        return cls(sent, later, len(final) - sent - later)

    @property
    def needs_person(self) -> bool:
        """Something failed for good, or nothing that was tried went out."""
        return bool(self.attention or (self.later and not self.sent))

    def line(self) -> str:
        total = self.sent + self.later + self.attention
        if not total:
            return "现在没有到期的稿件。"
        parts = [f"已发送 {self.sent} 项"]
        if self.later:
            parts.append(f"暂未发出、稍后自动重试 {self.later} 项")
        if self.attention:
            parts.append(f"需要人工处理 {self.attention} 项")
        text = f"本次处理 {total} 项：" + "，".join(parts) + "。"
        if self.needs_person:
            text += "请运行 socialbot status 查看原因和处理办法。"
        return text


def work_send(claim: Claim, channel_for: ChannelFor, record: Record) -> list[Report]:
    """Publish (or reconcile) one claimed send, then record its outcome for each delivery.

    A send carrying several deliveries (the day's message) is one platform call sequence;
    each of its deliveries gets the one outcome, recorded on its own. Never raises.
    """
    result = ask_platform(claim, channel_for)
    if claim.kind != PUBLISH:
        result = unverified(result)
    return [recorded(part, result, record) for part in claim.parts()]


def ask_platform(claim: Claim, channel_for: ChannelFor) -> DeliveryResult:
    """The platform call itself; an exception becomes an outcome, never a guess."""
    d = claim.delivery
    try:
        channel = channel_for(d.account)
    except SocialbotError as exc:  # nothing was sent: a config or secret problem
        return DeliveryResult(Outcome.FAILED, exc.render())
    except Exception as exc:
        return DeliveryResult(Outcome.FAILED,
                              f"无法连接账号 {d.account}：{describe_exception(exc)}")
    try:
        if claim.members:
            name = "publish_message" if claim.kind == PUBLISH else "reconcile_message"
            result = getattr(channel, name)([m.rendered for m in claim.members], claim.key)
        else:
            if claim.kind == PUBLISH:
                result = channel.publish(claim.rendered, d.delivery_key)
            else:
                # Checked under the key it was sent with: the last open article of a
                # day's message (its siblings already recorded) asks about that message.
                result = channel.reconcile(claim.rendered, claim.key)
    except Exception as exc:  # the platform may have acted: never assume either way
        log.exception("发送时程序异常（编号 %s → %s）", d.post, d.account)
        return DeliveryResult(Outcome.UNKNOWN, f"程序异常：{describe_exception(exc)}")
    if not isinstance(result, DeliveryResult):
        return DeliveryResult(Outcome.UNKNOWN, f"渠道返回了无法识别的结果：{result!r}")
    return result


def unverified(result: DeliveryResult) -> DeliveryResult:
    """A check that never reached the platform (no secret, bad account) proves nothing.

    Recorded as failed, it would invite ``queue retry`` and a second post of something
    that may already be out; it stays unknown and is checked again once fixed.
    """
    if result.outcome is not Outcome.FAILED or result.attempts:
        return result
    return DeliveryResult(
        Outcome.UNKNOWN,
        f"无法向平台核实上次发送的结果（{result.message}）。上次可能已经发出，"
        "请先解决上述问题，系统会自动再次核实；切勿直接重发",
    )


def recorded(claim: Claim, result: DeliveryResult, record: Record) -> Report:
    """Write the outcome; if even that fails, the lease runs out and reconcile settles it."""
    d = claim.delivery
    try:
        stored = record(claim, result)
    except Exception as exc:
        log.exception("记录发送结果失败（编号 %s → %s）", d.post, d.account)
        return Report(d.id, d.post, d.account, claim.post.title, claim.kind, State.SENDING,
                      f"结果未能写入数据库：{type(exc).__name__}，稍后将向平台核实")
    report = Report(d.id, d.post, d.account, claim.post.title, claim.kind, stored.state,
                    stored.message)
    quiet = stored.state in (State.SENT, State.DUE, State.APPROVED)
    (log.info if quiet else log.warning)(report.line(), extra=PRINTED)
    return report


def missed_report(d: DeliveryRecord, tz: dt.tzinfo) -> Report:
    """A delivery whose time passed beyond the grace while nothing ran."""
    return Report(d.id, d.post, d.account, "", "missed", State.MISSED,
                  f"原定 {show(d.due_at, tz)}")
