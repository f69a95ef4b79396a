"""Staff actions on queued posts: cancel, reschedule, retry, mark as sent.

What these write (delivery messages, audit details) is a notice (``socialbot.notices``);
refusals and notes are worded from ``socialbot.wording`` by code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select, update

from socialbot.errors import Problem, StoreError
from socialbot.notices import notice, problem
from socialbot.store import audit, quota, slots
from socialbot.store.db import Database
from socialbot.store.models import OPEN_OUTCOME, PENDING, DeliveryRecord, PostRecord, State
from socialbot.store.policy import desired_state
from socialbot.store.queue import deliveries_of, get_post
from socialbot.store.rules import StoreRules
from socialbot.store.schema import attempts, deliveries, posts
from socialbot.store.times import in_past


@dataclass(frozen=True)
class ActionResult:
    queue_id: int
    changed: tuple[DeliveryRecord, ...]
    notes: tuple[str, ...] = ()


def _set(conn: Connection, d: DeliveryRecord, now: dt.datetime, **values: object) -> bool:
    """Update one delivery only if nobody changed its state meanwhile."""
    result = conn.execute(update(deliveries).where(and_(
        deliveries.c.id == d.id, deliveries.c.state == str(d.state)))
        .values(updated_at=now, **values))
    return result.rowcount == 1


def _pick(ds: list[DeliveryRecord], account: str | None) -> list[DeliveryRecord]:
    if account is None:
        return ds
    picked = [d for d in ds if d.account == account]
    if not picked:
        raise StoreError(problem("--account", "actions.no_target", account=account))
    return picked


def cancel(db: Database, queue_id: int, by: str, now: dt.datetime, *,
           account: str | None = None) -> ActionResult:
    """Stop every delivery that has not gone out (a series stops making occurrences)."""
    cancellable = (*PENDING, State.FAILED, State.MISSED, *OPEN_OUTCOME)
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = _pick(deliveries_of(conn, queue_id), account)
        changed = [d for d in ds if d.state in cancellable and _set(
            conn, d, now, state=str(State.CANCELLED),
            message=notice("actions.cancelled", by=by).encode())]
        notes = [notice("actions.cannot_cancel", account=d.account, state=str(d.state)).text()
                 for d in ds if d.state == State.SENDING]
        notes += [notice("actions.untracked", account=d.account).text()
                  for d in changed if d.state in OPEN_OUTCOME]
        stopped_series = bool(post.cron and post.active and account is None)
        if stopped_series:
            conn.execute(update(posts).where(posts.c.id == queue_id).values(
                active=False, updated_at=now))
        if not changed and not stopped_series:
            raise StoreError(problem("", "actions.nothing_to_cancel"))
        for d in changed:
            audit.record(conn, actor=by, action="cancel", post=queue_id, account=d.account,
                         content_hash=d.content_hash, at=now,
                         detail=notice("actions.audit.cancelled", state=str(d.state)).encode())
        if stopped_series:
            audit.record(conn, actor=by, action="cancel", post=queue_id,
                         content_hash=post.content_hash, at=now,
                         detail=notice("actions.audit.series_stopped", cron=post.cron).encode())
    return ActionResult(queue_id, tuple(changed), tuple(notes))


def reschedule(db: Database, rules: StoreRules, queue_id: int, at: dt.datetime, by: str,
               now: dt.datetime, *, account: str | None = None) -> ActionResult:
    """Move pending (or missed) deliveries to ``at``; checked against the quota ledger."""
    if in_past(at, now):
        raise StoreError(problem("--at", "actions.past_time", at=at.astimezone(rules.tz)))
    # "Now" typed to the minute means now: a slot after the review that just finished.
    at = max(at, now)
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        if post.cron:
            raise StoreError(problem("", "actions.series_whole"))
        ds = [d for d in _pick(deliveries_of(conn, queue_id), account)
              if d.state in (*PENDING, State.MISSED)]
        if not ds:
            raise StoreError(problem("", "actions.nothing_to_reschedule"))
        placed = {d.id: _new_place(conn, rules, d, at, now) for d in ds}
        problems = [p for d in ds for p in _slot_problems(rules, d, placed[d.id])]
        problems += _quota_problems(conn, rules, [
            d for d in ds if not _joins(conn, d, placed[d.id])], at)
        if problems:
            raise StoreError(problems, title=notice("actions.title.reschedule").text())
        changed = []
        for d in ds:
            where = placed[d.id]
            due = where.due_at if where else at
            # The approval is checked against the slot the delivery now has.
            state = desired_state(rules.accounts.get(d.account), post, d.content_hash, due)
            moved = dict(message_slot=where.slot) if where else {}
            if _set(conn, d, now, due_at=due, **moved, planned_at=at, state=str(state),
                    message=""):
                changed.append(d)
                audit.record(conn, actor=by, action="reschedule", post=queue_id,
                             account=d.account, content_hash=d.content_hash, at=now,
                             detail=notice("actions.audit.rescheduled",
                                           before=d.due_at.astimezone(rules.tz),
                                           after=at.astimezone(rules.tz)).encode())
    return ActionResult(queue_id, tuple(changed))


def _new_place(conn: Connection, rules: StoreRules, d: DeliveryRecord, at: dt.datetime,
               now: dt.datetime) -> slots.Placement | None:
    """The day's send a rescheduled delivery joins (None: the account sends one by one)."""
    policy = rules.accounts.get(d.account)
    if policy is None or not policy.grouped:
        return None
    alone = (d.message_slot or "").partition("/")[2] or None
    return slots.place(conn, policy, rules.tz, d.account, at, now, alone_key=alone,
                       exclude=(d.id,))


def _joins(conn: Connection, d: DeliveryRecord, where: slots.Placement | None) -> bool:
    """Whether the delivery joins a send already planned (so it costs no quota)."""
    return where is not None and slots.members(conn, d.account, where.slot, (d.id,)) > 0


def _slot_problems(rules: StoreRules, d: DeliveryRecord,
                   where: slots.Placement | None) -> list[Problem]:
    if where is None or where.full is None:
        return []
    capacity = rules.accounts[d.account].message_capacity
    return [problem(_account(d.account), "actions.message_full", account=d.account,
                    full=where.full.isoformat(), capacity=capacity, day=where.day.isoformat())]


def _account(account: str) -> str:
    """Where a refusal about one account is located, as staff read it."""
    return notice("actions.account", account=account).text()


def set_position(db: Database, queue_id: int, position: int | None, by: str,
                 now: dt.datetime) -> ActionResult:
    """Move a post within its day's send (1 = first); only before that send is made."""
    with db.tx() as conn:
        get_post(conn, queue_id)
        ds = [d for d in deliveries_of(conn, queue_id) if d.message_slot]
        if not ds:
            raise StoreError(problem("--position", "actions.not_grouped"))
        changed = [d for d in ds if d.state in PENDING and _set(conn, d, now, position=position)]
        notes = tuple(notice("actions.position_fixed", account=d.account,
                             state=str(d.state)).text() for d in ds if d.state not in PENDING)
        if not changed:
            raise StoreError(problem("", "actions.nothing_to_position"))
        for d in changed:
            day = slots.day_of(d.message_slot or "").isoformat()
            placed = (notice("actions.audit.position_queue_order", day=day) if position is None
                      else notice("actions.audit.position", day=day, position=position))
            audit.record(conn, actor=by, action="position", post=queue_id, account=d.account,
                         content_hash=d.content_hash, at=now, detail=placed.encode())
    return ActionResult(queue_id, tuple(changed), notes)


def _quota_problems(conn: Connection, rules: StoreRules, ds: list[DeliveryRecord],
                    at: dt.datetime) -> list[Problem]:
    problems = []
    for d in ds:
        policy = rules.accounts.get(d.account)
        if policy is None:
            problems.append(problem(_account(d.account), "actions.account_gone"))
            continue
        if policy.quota is None:
            continue
        usage = quota.usage_in(conn, d.account, policy.quota, at, exclude=(d.id,))
        if usage.exhausted or usage.sent + usage.planned >= usage.rule.limit:
            free = quota.next_free_in(conn, d.account, policy.quota, at, exclude=(d.id,))
            problems.append(
                problem(_account(d.account), "actions.quota_full", rule=usage.rule.label,
                        free=free.astimezone(rules.tz)) if free else
                problem(_account(d.account), "actions.quota_full_later", rule=usage.rule.label))
    return problems


def retry(db: Database, rules: StoreRules, queue_id: int, by: str, now: dt.datetime, *,
          account: str | None = None, force: bool = False) -> ActionResult:
    """Failed or missed: try again now. Unknown: ask the platform again (``force``: resend)."""
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = _pick(deliveries_of(conn, queue_id), account)
        again = [d for d in ds if d.state in (State.FAILED, State.MISSED)]
        unknown = [d for d in ds if d.state in OPEN_OUTCOME]
        if not again and not unknown:
            raise StoreError(problem("", "actions.nothing_to_retry"))
        problems = _quota_problems(conn, rules, again + (unknown if force else []), now)
        if problems:
            raise StoreError(problems, title=notice("actions.title.retry").text())
        changed, notes = [], []
        for d in again + (unknown if force else []):
            if _resend(conn, rules, post, d, now):
                changed.append(d)
                audit.record(conn, actor=by, action="retry", post=queue_id, account=d.account,
                             content_hash=d.content_hash, at=now,
                             detail=(notice("actions.audit.resend") if d.state in OPEN_OUTCOME
                                     else notice("actions.audit.retry", state=str(d.state))
                                     ).encode())
        if not force:
            for d in unknown:
                if _set(conn, d, now, state=str(State.UNKNOWN), next_check_at=now):
                    changed.append(d)
                    audit.record(conn, actor=by, action="retry", post=queue_id,
                                 account=d.account, content_hash=d.content_hash, at=now,
                                 detail=notice("actions.audit.recheck").encode())
            if unknown:
                notes.append(notice("actions.recheck_first").text())
    return ActionResult(queue_id, tuple(changed), tuple(notes))


def _resend(conn: Connection, rules: StoreRules, post: PostRecord, d: DeliveryRecord,
            now: dt.datetime) -> bool:
    state = desired_state(rules.accounts.get(d.account), post, d.content_hash, now)
    # Due now: a retry is a person's decision, so the misfire grace starts again.
    target = State.DUE if state == State.APPROVED else state
    return _set(conn, d, now, due_at=now, state=str(target), message="", next_check_at=None,
                claimed_by=None, claim_token=None, lease_until=None)


def mark_sent(db: Database, rules: StoreRules, delivery_id: int, by: str, now: dt.datetime,
              *, url: str = "") -> ActionResult:
    """An open outcome a person found published on the platform: record it as sent.

    Reconciling stops, the send counts in the quota bucket of its last publish attempt
    (when the platform acted), and the audit names the person who checked.
    """
    with db.tx() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)
                           .with_for_update()).first()
        if row is None:
            raise StoreError(problem("@actions.number", "actions.no_delivery", id=delivery_id))
        d = DeliveryRecord.from_row(row)
        if d.state not in OPEN_OUTCOME:
            raise StoreError(problem(_account(d.account), "actions.not_open",
                                     state=str(d.state)))
        started = conn.execute(select(attempts.c.started_at).where(
            attempts.c.delivery == d.id, attempts.c.kind == "publish")
            .order_by(attempts.c.id.desc())).first()
        sent_at = started[0] if started else now
        link = url.strip()
        if not _set(conn, d, now, state=str(State.SENT), sent_at=sent_at, url=link,
                    next_check_at=None, message=notice("actions.marked_sent", by=by).encode()):
            raise StoreError(problem("", "actions.changed_meanwhile"))
        policy = rules.accounts.get(d.account)
        if policy is not None and policy.quota is not None:
            quota.record_send_in(conn, d.account, policy.quota, d.id, sent_at)
        audit.record(conn, actor=by, action="mark_sent", post=d.post, account=d.account,
                     content_hash=d.content_hash, at=now,
                     detail=(notice("actions.audit.marked_sent_link", state=str(d.state),
                                    url=link) if link else
                             notice("actions.audit.marked_sent", state=str(d.state))).encode())
    return ActionResult(d.post, (d,))
