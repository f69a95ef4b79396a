"""Delivery states and the plain records the store hands out."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from socialbot.checks.model import Finding


class State(StrEnum):
    """Where one (post, account) delivery is. Written before and after every platform call."""

    QUEUED = "queued"          # waiting for review
    APPROVED = "approved"      # reviewed (or no review needed); waiting for its time
    DUE = "due"                # its time has come; a worker may claim it
    SENDING = "sending"        # claimed; a platform call may be in flight
    SENT = "sent"
    FAILED = "failed"          # a person must act
    UNKNOWN = "unknown"        # the platform may have acted; reconcile before anything else
    CANCELLED = "cancelled"
    MISSED = "missed"          # its time passed beyond the misfire grace
    NEEDS_PERSON = "needs_person"  # unknown after every scheduled check: a person must look
    DRAFTED = "drafted"        # left in the platform's draft box: a person sends it there


PENDING = (State.QUEUED, State.APPROVED, State.DUE)
ATTENTION = (State.FAILED, State.UNKNOWN, State.MISSED, State.NEEDS_PERSON)
IN_FLIGHT = (State.SENDING,)
# The platform may have acted: never publish again without a check or a person's word.
OPEN_OUTCOME = (State.UNKNOWN, State.NEEDS_PERSON)
# States that still count against a platform quota bucket.
QUOTA_HOLDING = (State.QUEUED, State.APPROVED, State.DUE, State.SENDING, *OPEN_OUTCOME)
# Deliveries not finished: what ``status`` lists (pending, sending, needing a person, or
# left as a draft for a person to send).
LIVE = (*PENDING, State.SENDING, *ATTENTION, State.DRAFTED)

# The missed message of a delivery whose slot came before its review chain finished
# (it waits, never sent late on a late approval, until someone reschedules it).
EXPIRED_UNREVIEWED_CODE = "claims.expired_unreviewed"


@dataclass(frozen=True)
class PostRecord:
    id: int
    post_id: str
    source: str
    title: str
    author: str
    created_at: dt.datetime
    content_hash: str
    targets: tuple[str, ...]
    review: str
    approved_hash: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    review_note: str
    cron: str | None
    cron_until: dt.datetime | None
    active: bool
    warnings: tuple[Finding, ...] = ()  # content-check warnings of the current content

    @property
    def approved(self) -> bool:
        return self.review == "approved" and self.approved_hash == self.content_hash

    @classmethod
    def from_row(cls, row: Any) -> PostRecord:
        m = row._mapping
        return cls(
            id=m["id"], post_id=m["post_id"], source=m["source"], title=m["title"],
            author=m["author"], created_at=m["created_at"], content_hash=m["content_hash"],
            targets=tuple(json.loads(m["targets"])), review=m["review"],
            approved_hash=m["approved_hash"], approved_by=m["approved_by"],
            approved_at=m["approved_at"], review_note=m["review_note"] or "",
            cron=m["cron"], cron_until=m["cron_until"], active=bool(m["active"]),
            warnings=load_warnings(m.get("warnings")),
        )

    def to_json(self) -> dict[str, Any]:
        """Plain values for JSON; times stay datetimes for ``socialbot.times.json_text``."""
        return {
            "id": self.id, "post_id": self.post_id, "source": self.source, "title": self.title,
            "author": self.author, "created_at": self.created_at,
            "content_hash": self.content_hash, "targets": list(self.targets),
            "review": self.review, "approved": self.approved, "approved_by": self.approved_by,
            "approved_at": self.approved_at, "review_note": self.review_note,
            "cron": self.cron, "cron_until": self.cron_until, "active": self.active,
            "warnings": [w.to_json() for w in self.warnings],
        }


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    post: int
    account: str
    occurrence: str
    planned_at: dt.datetime
    due_at: dt.datetime
    state: State
    paused: bool
    content_hash: str
    delivery_key: str
    claimed_by: str | None
    claim_token: str | None
    lease_until: dt.datetime | None
    attempts: int
    next_check_at: dt.datetime | None
    remote_id: str
    url: str
    message: str
    sent_at: dt.datetime | None
    message_slot: str | None = None  # the send it travels in, with others (migration 8)
    position: int | None = None  # its place in that send (None: by queue order)
    message_key: str | None = None  # the send's key, once claimed

    @classmethod
    def from_row(cls, row: Any) -> DeliveryRecord:
        m = row._mapping
        return cls(
            id=m["id"], post=m["post"], account=m["account"], occurrence=m["occurrence"],
            planned_at=m["planned_at"], due_at=m["due_at"], state=State(m["state"]),
            paused=bool(m["paused"]), content_hash=m["content_hash"],
            delivery_key=m["delivery_key"], claimed_by=m["claimed_by"],
            claim_token=m["claim_token"], lease_until=m["lease_until"],
            attempts=m["attempts"], next_check_at=m["next_check_at"],
            remote_id=m["remote_id"] or "", url=m["url"] or "", message=m["message"] or "",
            sent_at=m["sent_at"], message_slot=m.get("message_slot"),
            position=m.get("position"), message_key=m.get("message_key"),
        )

    def expired_unreviewed(self, now: dt.datetime) -> bool:
        """Its slot passed while it still waited for review (过期未审)."""
        if self.state == State.QUEUED:
            return self.due_at <= now
        return self.state == State.MISSED and expired_unreviewed_message(self.message)

    def to_json(self) -> dict[str, Any]:
        """Plain values for JSON; times stay datetimes for ``socialbot.times.json_text``."""
        return {
            "id": self.id, "post": self.post, "account": self.account,
            "occurrence": self.occurrence, "planned_at": self.planned_at,
            "due_at": self.due_at, "state": str(self.state),
            "paused": self.paused, "content_hash": self.content_hash,
            "delivery_key": self.delivery_key, "claimed_by": self.claimed_by,
            "lease_until": self.lease_until, "attempts": self.attempts,
            "remote_id": self.remote_id, "url": self.url, "message": self.message,
            "sent_at": self.sent_at, "message_slot": self.message_slot,
            "position": self.position, "message_key": self.message_key,
        }


def dump_warnings(warnings: list[Finding] | tuple[Finding, ...]) -> str | None:
    """The ``posts.warnings`` value: JSON, or NULL when there is nothing to override."""
    if not warnings:
        return None
    return json.dumps([w.to_json() for w in warnings], ensure_ascii=False)


def load_warnings(text: str | None) -> tuple[Finding, ...]:
    if not text:
        return ()
    return tuple(Finding.from_json(d) for d in json.loads(text))


@dataclass(frozen=True)
class Pause:
    scope: str
    by: str
    reason: str
    at: dt.datetime


def expired_unreviewed_message(message: str) -> bool:
    """Whether a missed delivery's message says its review came too late.

    New rows keep the notice ``EXPIRED_UNREVIEWED_CODE``; rows written before notices
    keep the worded text, which the wording recognises.
    """
    from socialbot.notices import decode

    found = decode(message)
    if found is not None:
        return found.code == EXPIRED_UNREVIEWED_CODE
    from socialbot.wording.labels import EXPIRED_UNREVIEWED

    return message.startswith(EXPIRED_UNREVIEWED)
