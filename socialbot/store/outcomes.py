"""Recording what the platform said: plain state transitions, committed right after the call.

The store does not interpret a platform's answer. The pipeline's record step
(``socialbot.recording``) turns it into a ``Transition`` — the state, message and times
the delivery moves to — from ``Facts`` the store reads inside the recording transaction
(the delivery, its post, how often it was checked, where the quota has room). The store
then writes the transition, the attempt's history, the quota ledger and the audit
entry, all in that one transaction.

A claim whose lease ran out meanwhile (another worker took the delivery over) keeps
only a platform's "sent": the new holder decides everything else.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from socialbot.store import audit, quota
from socialbot.store.claims import PUBLISH, Claim
from socialbot.store.db import Database
from socialbot.store.models import DeliveryRecord, PostRecord, State
from socialbot.store.policy import AccountPolicy
from socialbot.store.schema import attempts, deliveries


@dataclass(frozen=True)
class CallLog:
    """What one platform call sequence returned, for the attempt history."""

    outcome: str
    message: str = ""
    remote_id: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Facts:
    """What the store knows while recording, read in the recording transaction."""

    delivery: DeliveryRecord  # as it was claimed
    post: PostRecord
    policy: AccountPolicy | None
    checks: int  # reconcile attempts of this delivery so far, this one included
    next_free: Callable[[dt.datetime], dt.datetime | None]
    """The first moment at or after a time whose quota bucket has room for this delivery
    (counting sends only); the time itself when no quota applies."""


@dataclass(frozen=True)
class Transition:
    """Where a delivery goes after a call, as plain values."""

    state: State
    message: str = ""
    audit_detail: str = ""
    due_at: dt.datetime | None = None  # a new due time (retry, reschedule)
    next_check_at: dt.datetime | None = None  # when an open outcome is checked again
    remote_id: str = ""
    url: str = ""
    bucket_full: bool = False  # the platform says the current quota bucket is full
    quota_note: str = ""  # audit line for a quota reschedule
    lost_note: str = ""  # audit line when our lease had run out


Decide = Callable[[Facts], Transition]


def finish(db: Database, claim: Claim, log: CallLog, decide: Decide,
           policy: AccountPolicy | None, now: dt.datetime) -> DeliveryRecord:
    """Record one call: the attempt, the transition ``decide`` picks, quota and audit."""
    d = claim.delivery
    with db.tx() as conn:
        current = DeliveryRecord.from_row(conn.execute(_DELIVERY, {"b_id": claim.id}).one())
        _close_attempt(conn, claim, log, now)
        rule = policy.quota if policy else None

        def next_free(after: dt.datetime) -> dt.datetime | None:
            if rule is None:
                return after
            return quota.next_free_in(conn, d.account, rule, after, planned_counts=False,
                                      exclude=(d.id,))

        facts = Facts(d, claim.post, policy, _reconcile_count(conn, d.id), next_free)
        t = decide(facts)
        actor = audit.system_actor(claim.worker)
        action = "publish" if claim.kind == PUBLISH else "reconcile"
        if current.claim_token != claim.token or current.state != State.SENDING:
            if t.state == State.SENT and current.state != State.SENT:
                _write(conn, claim, t, now, own_claim=False)
                if claim.counts_send:
                    _count_send(conn, d, rule, now)
            audit.record(conn, actor=actor, action=action, post=d.post, account=d.account,
                         content_hash=d.content_hash, detail=t.lost_note, at=now)
        else:
            _write(conn, claim, t, now, own_claim=True)
            if t.state == State.SENT and claim.counts_send:  # a send of several counts once
                _count_send(conn, d, rule, now)
            if t.bucket_full and rule is not None:
                quota.mark_full(conn, d.account, rule, now)
            if t.quota_note:
                audit.record(conn, actor=actor, action="quota", post=d.post, account=d.account,
                             content_hash=d.content_hash, detail=t.quota_note, at=now)
            audit.record(conn, actor=actor, action=action, post=d.post, account=d.account,
                         content_hash=d.content_hash, detail=t.audit_detail, at=now)
        return DeliveryRecord.from_row(conn.execute(_DELIVERY, {"b_id": claim.id}).one())


def _write(conn: Connection, claim: Claim, t: Transition, now: dt.datetime, *,
           own_claim: bool) -> None:
    values: dict[str, object] = dict(
        state=str(t.state), message=t.message, next_check_at=t.next_check_at, updated_at=now,
        claimed_by=None, claim_token=None, lease_until=None)
    if t.state == State.SENT:
        values.update(sent_at=now, remote_id=t.remote_id, url=t.url)
    elif t.remote_id:  # e.g. the draft left for a person to send
        values["remote_id"] = t.remote_id
    if t.due_at is not None:
        values["due_at"] = t.due_at
    values["b_id"] = claim.id
    if own_claim:
        values["b_token"] = claim.token
    conn.execute(_WRITE_OWN if own_claim else _WRITE, values)


def _close_attempt(conn: Connection, claim: Claim, log: CallLog, now: dt.datetime) -> None:
    conn.execute(_CLOSE_ATTEMPT, {
        "b_id": claim.attempt_id, "finished_at": now, "outcome": log.outcome,
        "message": log.message, "remote_id": log.remote_id,
        "calls": json.dumps(log.calls, ensure_ascii=False)})


def _count_send(conn: Connection, d: DeliveryRecord, rule: Any, now: dt.datetime) -> None:
    if rule is not None:
        quota.record_send_in(conn, d.account, rule, d.id, now)


def _reconcile_count(conn: Connection, delivery_id: int) -> int:
    return len(conn.execute(_CHECKS, {"b_id": delivery_id}).all())


# Every delivery is recorded: these statements are built (and keyed for SQLAlchemy's
# cache) once; an UPDATE's values come as parameters named after the columns.
_DELIVERY = select(deliveries).where(deliveries.c.id == bindparam("b_id"))
_WRITE = update(deliveries).where(deliveries.c.id == bindparam("b_id"))
_WRITE_OWN = update(deliveries).where(deliveries.c.id == bindparam("b_id"),
                                      deliveries.c.claim_token == bindparam("b_token"))
_CLOSE_ATTEMPT = update(attempts).where(attempts.c.id == bindparam("b_id"))
_CHECKS = select(attempts.c.id).where(attempts.c.delivery == bindparam("b_id"),
                                      attempts.c.kind != PUBLISH)
