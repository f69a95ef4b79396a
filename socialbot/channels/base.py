"""The one small interface every platform channel implements.

A channel turns a :class:`RenderedPost` into platform API calls for one account:
``plan`` lists the calls (dry run), ``publish`` makes them, ``reconcile`` asks the
platform what happened when an earlier outcome is unknown. Expected platform
failures come back as values (:class:`DeliveryResult`), never as exceptions, so the
queue can record them and the daemon keeps running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from socialbot.config import Account
from socialbot.errors import Problem
from socialbot.rendered import RenderedPost

REDACTED = "***"


@dataclass(frozen=True)
class PlannedCall:
    """One API call publishing would make, with its payload (never a secret or token)."""

    method: str
    endpoint: str
    url: str
    purpose: str
    payload: dict[str, Any] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "method": self.method,
            "endpoint": self.endpoint,
            "url": self.url,
            "purpose": self.purpose,
            "payload": self.payload,
        }
        if self.files:
            d["files"] = self.files
        return d


class Outcome(StrEnum):
    SENT = "sent"  # followers have it (or the platform confirms it was sent already)
    FAILED = "failed"  # a person must act; message says what
    UNKNOWN = "unknown"  # the platform may have acted; reconcile before any retry
    RESCHEDULE = "reschedule"  # platform says not now (quota); try again at retry_at
    RETRY = "retry"  # transient failure after our own retries; safe to try again later


OUTCOME_LABELS: dict[str, str] = {  # what staff read for each outcome
    Outcome.SENT: "已发布",
    Outcome.FAILED: "发布失败，需要人工处理",
    Outcome.UNKNOWN: "结果未知，需先核对，切勿重复发布",
    Outcome.RESCHEDULE: "平台暂不接受（额度已满），已改期",
    Outcome.RETRY: "暂时失败，可稍后重试",
}


@dataclass(frozen=True)
class Attempt:
    """One platform call as it happened: kept in the delivery history."""

    at: dt.datetime
    request: str
    code: str
    message: str
    rid: str = ""
    reaction: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "request": self.request,
            "code": self.code,
            "message": self.message,
            "rid": self.rid,
            "reaction": self.reaction,
        }


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    message: str = ""
    remote_id: str = ""
    url: str = ""
    retry_at: dt.datetime | None = None
    attempts: tuple[Attempt, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class KeyValueStore(Protocol):
    """Shared storage for tokens and upload memos, visible to every bot process."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int | None = None) -> None: ...
    def delete(self, key: str) -> None: ...


class Channel(Protocol):
    platform: ClassVar[str]
    account: Account

    def check(self, rendered: RenderedPost) -> list[Problem]:
        """Platform rules this content breaks for this account (empty = fine)."""
        ...

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        """The calls ``publish`` would make, in order, without touching the network."""
        ...

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        """Make the calls. ``delivery_key`` identifies (post, account, content) for dedupe."""
        ...

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        """Find out from the platform whether an earlier unknown attempt went through."""
        ...
