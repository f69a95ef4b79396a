"""Recording what the platform said, committed right after the call returns.

Publish outcomes: sent, failed (a person acts), unknown (reconcile first), reschedule
(quota: back to approved at a later time, never failed), retry (transient: later, with
back-off, until the attempt limit). Reconcile outcomes: sent, failed, unknown, or
"not there" (retry/reschedule), which makes the delivery due again with the same key.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, and_, select, update

from socialbot.config import Settings
from socialbot.delivery import OUTCOME_LABELS, DeliveryResult, Outcome
from socialbot.store import audit, quota
from socialbot.store.claims import PUBLISH, Claim
from socialbot.store.db import Database
from socialbot.store.models import DeliveryRecord, State, label
from socialbot.store.queue import desired_state
from socialbot.store.schema import attempts, deliveries, quota_ledger
from socialbot.store.times import show

MAX_PUBLISH_ATTEMPTS = 5
RETRY_BASE = dt.timedelta(seconds=30)
CHECK_BASE = dt.timedelta(seconds=60)
CHECK_MAX = dt.timedelta(hours=1)
RECONCILE_LIMIT = 10
"""Checks of one open outcome before a person must look: 1, 2, 4 … 32 min, then hourly,
about 5 h in all, and at most 10 calls against a platform's daily budget (Weibo ~100)."""


def _backoff(base: dt.timedelta, n: int, cap: dt.timedelta | None = None) -> dt.timedelta:
    delay: dt.timedelta = base * (2 ** max(0, min(n - 1, 10)))
    return min(delay, cap) if cap else delay


def finish(db: Database, settings: Settings, claim: Claim, result: DeliveryResult,
           now: dt.datetime) -> DeliveryRecord:
    """Write the outcome of one platform call; returns the delivery as stored."""
    with db.tx() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.id == claim.id)).one()
        current = DeliveryRecord.from_row(row)
        _close_attempt(conn, claim, result, now)
        if current.claim_token != claim.token or current.state != State.SENDING:
            _lost_claim(conn, settings, claim, current, result, now)
        else:
            values = _next_values(conn, settings, claim, result, now)
            conn.execute(update(deliveries).where(and_(
                deliveries.c.id == claim.id, deliveries.c.claim_token == claim.token))
                .values(updated_at=now, claimed_by=None, claim_token=None, lease_until=None,
                        **values))
            state = State(str(values["state"]))
            if state == State.SENT:
                _record_send(conn, settings, claim.delivery, now)
            detail = f"{label(state)}：{values.get('message') or result.message}".rstrip("：")
            audit.record(conn, actor=audit.system_actor(claim.worker),
                         action="publish" if claim.kind == PUBLISH else "reconcile",
                         post=claim.delivery.post, account=claim.delivery.account,
                         content_hash=claim.delivery.content_hash, detail=detail, at=now)
        return DeliveryRecord.from_row(
            conn.execute(select(deliveries).where(deliveries.c.id == claim.id)).one())


def _close_attempt(conn: Connection, claim: Claim, result: DeliveryResult,
                   now: dt.datetime) -> None:
    conn.execute(update(attempts).where(attempts.c.id == claim.attempt_id).values(
        finished_at=now, outcome=str(result.outcome), message=result.message,
        remote_id=result.remote_id,
        calls=json.dumps([a.to_json() for a in result.attempts], ensure_ascii=False)))


def _record_send(conn: Connection, settings: Settings, d: DeliveryRecord, now: dt.datetime) -> None:
    already = conn.execute(select(quota_ledger.c.id).where(
        quota_ledger.c.delivery == d.id, quota_ledger.c.kind == "sent")).first()
    account = settings.accounts.get(d.account)
    if account is not None and not already:
        quota.record_send(conn, account, d.id, now)


def _next_values(conn: Connection, settings: Settings, claim: Claim, result: DeliveryResult,
                 now: dt.datetime) -> dict[str, object]:
    d = claim.delivery
    outcome = result.outcome
    message = result.message
    if outcome == Outcome.SENT:
        return dict(state=str(State.SENT), sent_at=now, remote_id=result.remote_id,
                    url=result.url, message=message, next_check_at=None)
    if outcome == Outcome.FAILED:
        return dict(state=str(State.FAILED), message=message or "平台拒绝，需要人工处理")
    if outcome == Outcome.UNKNOWN:
        checks = _reconcile_count(conn, d.id)
        if claim.kind != PUBLISH and checks >= RECONCILE_LIMIT:
            why = message or "平台没有给出明确结果"
            return dict(state=str(State.NEEDS_PERSON), next_check_at=None, message=(
                f"已向平台核实 {checks} 次仍无法确认是否已发出（{why}）。"
                f"请到平台后台查看：已发出则无需处理；确认没有发出，可用 queue retry "
                f"{d.post} --force 重发；要再核实一次，用 queue retry {d.post}"))
        return dict(state=str(State.UNKNOWN), message=message or "平台没有给出明确结果",
                    next_check_at=now + _backoff(CHECK_BASE, checks, CHECK_MAX))
    if claim.kind != PUBLISH:
        # Reconcile says it is not on the platform: publish again (same delivery key).
        late = (now - d.due_at).total_seconds() > settings.misfire_grace_seconds
        if late:
            planned = show(d.due_at, settings.tz)
            return dict(state=str(State.MISSED),
                        message=f"平台确认未发出，且已超过补发时限（原定 {planned}）")
        return dict(state=str(State.DUE), message="平台确认未发出，将重新发送", next_check_at=None)
    want = desired_state(settings, claim.post, d.account, d.content_hash)
    if outcome == Outcome.RESCHEDULE:
        account = settings.accounts[d.account]
        rule = quota.rule_for(account)
        # "No quota until the next bucket" teaches the ledger that this bucket is full (a
        # console send may have used it); a shorter wait (a daily API cap) does not.
        if rule and (result.retry_at is None or result.retry_at >= rule.bucket(now)[2]):
            quota.mark_exhausted(conn, account, now)
        when = result.retry_at or quota.next_free(conn, account, now, planned_counts=False,
                                                  exclude=(d.id,))
        when = max(when or now + dt.timedelta(hours=1), now + dt.timedelta(seconds=1))
        audit.record(conn, actor=audit.system_actor(claim.worker), action="quota", post=d.post,
                     account=d.account, content_hash=d.content_hash, at=now,
                     detail=f"平台暂不允许发送（{message}），改到 {show(when, settings.tz)}")
        return dict(state=str(want), due_at=when,
                    message=f"平台暂不允许发送：{message}；已改到 {show(when, settings.tz)}")
    # Outcome.RETRY: safe to try again later, up to the limit.
    if d.attempts + 1 >= MAX_PUBLISH_ATTEMPTS:
        return dict(state=str(State.FAILED),
                    message=f"已尝试 {d.attempts + 1} 次仍未成功：{message}")
    when = result.retry_at or now + _backoff(RETRY_BASE, d.attempts + 1)
    return dict(state=str(want), due_at=when,
                message=f"暂时失败（{message}），{show(when, settings.tz)} 自动重试")


def _reconcile_count(conn: Connection, delivery_id: int) -> int:
    rows = conn.execute(select(attempts.c.id).where(
        attempts.c.delivery == delivery_id, attempts.c.kind != PUBLISH)).all()
    return len(rows)


def _lost_claim(conn: Connection, settings: Settings, claim: Claim, current: DeliveryRecord,
                result: DeliveryResult, now: dt.datetime) -> None:
    """Our lease ran out mid-call and someone else took over; keep the platform's word."""
    note = f"租约已失效，结果仍记录：{OUTCOME_LABELS[result.outcome]} {result.message}".strip()
    if result.outcome == Outcome.SENT and current.state != State.SENT:
        conn.execute(update(deliveries).where(deliveries.c.id == claim.id).values(
            state=str(State.SENT), sent_at=now, remote_id=result.remote_id, url=result.url,
            message=result.message, claimed_by=None, claim_token=None, lease_until=None,
            updated_at=now))
        _record_send(conn, settings, claim.delivery, now)
    audit.record(conn, actor=audit.system_actor(claim.worker),
                 action="publish" if claim.kind == PUBLISH else "reconcile",
                 post=claim.delivery.post, account=claim.delivery.account,
                 content_hash=claim.delivery.content_hash, detail=note, at=now)
