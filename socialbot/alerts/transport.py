"""What every alert channel shares: the result of a send and bounded retries.

A transport declares its limits as class attributes (how many bytes a message may hold,
how many messages a minute the robot accepts, how long it throttles after too many) and
implements two things: :meth:`Transport.compose` (alerts → messages) and
:meth:`Transport.attempt` (one try at sending one message). :meth:`Transport.deliver`
wraps ``attempt`` with a bounded number of retries for transient trouble; a rate-limit
answer is not retried inline but handed back with the wait the platform asks for.
"""

from __future__ import annotations

import hashlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from socialbot.alerts.model import Alert
from socialbot.redact import redact

log = logging.getLogger("socialbot.alerts")


class Status(StrEnum):
    SENT = "sent"
    RETRY_LATER = "retry_later"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"sent": "已送达", "retry_later": "暂未送达，稍后重试", "failed": "发送失败"}[
            self.value
        ]


@dataclass(frozen=True)
class SendResult:
    """The answer to one message: sent, try again after ``retry_after`` s, or failed.

    ``reason`` is Chinese, for staff, and never holds a secret. ``transient`` marks
    trouble on the way (network, server busy: worth an immediate retry) as opposed to a
    platform that asked us to slow down (wait ``retry_after``, send nothing meanwhile).
    """

    status: Status
    reason: str = ""
    retry_after: float = 0.0
    attempts: int = 1
    transient: bool = False

    @classmethod
    def sent(cls) -> SendResult:
        return cls(Status.SENT)

    @classmethod
    def failed(cls, reason: str) -> SendResult:
        return cls(Status.FAILED, redact(reason))

    @classmethod
    def hiccup(cls, reason: str) -> SendResult:
        """Transient trouble: retried at once (with backoff) a bounded number of times."""
        return cls(Status.RETRY_LATER, redact(reason), transient=True)

    @classmethod
    def throttled(cls, reason: str, wait: float) -> SendResult:
        """The platform asked us to slow down: try again after ``wait`` seconds."""
        return cls(Status.RETRY_LATER, redact(reason), retry_after=wait)

    @property
    def ok(self) -> bool:
        return self.status is Status.SENT


@dataclass(frozen=True)
class Message:
    """One message ready to go and how many of the composed alerts (in order) it carries."""

    payload: Any
    count: int


class Transport(ABC):
    """One alert channel of one owner (a robot or a mailbox)."""

    kind: ClassVar[str]
    label: ClassVar[str]
    rate_per_minute: ClassVar[int] = 20
    throttle_seconds: ClassVar[float] = 60.0  # wait after the platform says "too frequent"
    max_attempts: ClassVar[int] = 3
    backoff_seconds: ClassVar[float] = 2.0  # 2 s, then 4 s …
    later_seconds: ClassVar[float] = 60.0  # when transient trouble outlasts the retries
    timeout_seconds: ClassVar[float] = 10.0

    def __init__(self, *, sleep: Callable[[float], None] | None = None):
        self._sleep = sleep or time.sleep  # tests pass a clock that moves instead

    @property
    @abstractmethod
    def limit_key(self) -> str:
        """Identifies the receiving robot or mailbox for rate limiting (never a secret)."""

    @abstractmethod
    def compose(self, alerts: Sequence[Alert], owner: str) -> list[Message]:
        """The alerts as one or more messages within this channel's size limit."""

    @abstractmethod
    def attempt(self, message: Message) -> SendResult:
        """One try; never raises for platform or network trouble."""

    def deliver(self, message: Message) -> SendResult:
        """Send with bounded retries and backoff for transient trouble."""
        result = SendResult.hiccup("尚未发送")
        for attempt in range(1, self.max_attempts + 1):
            result = self.attempt(message)
            if not result.transient:
                return _with_attempts(result, attempt)
            log.warning("%s第 %d 次发送未成功：%s", self.label, attempt, result.reason)
            if attempt < self.max_attempts:
                self._sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return SendResult(Status.RETRY_LATER, result.reason, self.later_seconds,
                          self.max_attempts, transient=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.limit_key})"


def fingerprint(secret: str) -> str:
    """A short, non-reversible name for a secret-addressed robot (logs, rate limiting)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:10]


def _with_attempts(result: SendResult, attempts: int) -> SendResult:
    return SendResult(result.status, result.reason, result.retry_after, attempts,
                      result.transient)
