"""``alerts test``: send one test message through each channel and say what happened.

It goes straight to the transports (no digest window, no dedupe record), with the same
retries a real alert gets, so a working answer here means real alerts will arrive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from socialbot.alerts.model import Alert, AlertKind
from socialbot.alerts.settings import Owner
from socialbot.alerts.transport import SendResult, Status
from socialbot.alerts.wiring import OpenedChannel


@dataclass(frozen=True)
class ProbeResult:
    owner: Owner
    channel: str
    result: SendResult

    @property
    def ok(self) -> bool:
        return self.result.ok

    def describe(self) -> str:
        mark = "✓" if self.ok else "✗"
        text = f"{mark} {self.owner.name} · {self.channel}：{self.result.status.label}"
        if not self.ok and self.result.reason:
            text += f"——{self.result.reason}"
        return text


def probe_alert(owner: Owner, channel: str, now: dt.datetime,
                account_names: Mapping[str, str]) -> Alert:
    """A test alert naming the accounts and units this owner will hear about."""
    return Alert(
        kind=AlertKind.TEST,
        reason=f"这是一条 socialbot 测试消息，用于确认发给“{owner.name}”的{channel}提醒可以送达。",
        at=now,
        account="、".join(account_names.get(a, a) for a in owner.accounts),
        unit="、".join(owner.units),
        key=f"test:{owner.id}:{now.isoformat()}",
    )


def probe(channels: list[OpenedChannel], account_names: Mapping[str, str],
          clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> list[ProbeResult]:
    """One test message per channel; every channel is tried even when one fails."""
    results = []
    for opened in channels:
        if opened.transport is None:
            results.append(ProbeResult(opened.owner, opened.label,
                                       SendResult(Status.FAILED, opened.problem)))
            continue
        alert = probe_alert(opened.owner, opened.label, clock(), account_names)
        result = SendResult.sent()
        for message in opened.transport.compose([alert], opened.owner.name):
            result = opened.transport.deliver(message)
            if not result.ok:
                break
        results.append(ProbeResult(opened.owner, opened.label, result))
    return results
