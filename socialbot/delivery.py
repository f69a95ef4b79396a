"""What one publishing operation produced, in the words every layer shares.

A platform's channel returns a :class:`DeliveryResult`; the pipeline records it; the
store keeps its state and data; the staff interfaces show it. Plain data only, so every
layer may import it without pulling in a platform or the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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
    DRAFTED = "drafted"  # left as a draft: the account may not send; a person sends it


OUTCOME_LABELS: dict[str, str] = {  # what staff read for each outcome
    Outcome.SENT: "已发布",
    Outcome.FAILED: "发布失败，需要人工处理",
    Outcome.UNKNOWN: "结果未知，需先核对，切勿重复发布",
    Outcome.RESCHEDULE: "平台暂不接受（额度已满），已改期",
    Outcome.RETRY: "暂时失败，可稍后重试",
    Outcome.DRAFTED: "已存草稿，待人工群发",
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
