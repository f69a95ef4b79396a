"""Claiming deliveries with leases, so each one is worked on by exactly one worker.

A claim is one committed transaction that moves a delivery from ``due`` to ``sending``
with this worker's name, a fresh token and a lease. On SQLite the transaction holds the
write lock (``BEGIN IMMEDIATE``) and the UPDATE re-checks ``state = 'due'`` and its row
count; on PostgreSQL the candidate row is locked with ``FOR UPDATE SKIP LOCKED`` first,
so three workers on three machines never pick the same row.

A claim whose lease ran out (its worker died), or whose worker is a dead process on
this machine, is *recovered*: claimed again for ``reconcile`` — the platform is asked
what happened before anything is published again.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from socialbot.notices import notice
from socialbot.rendered import RenderedPost, send_key
from socialbot.store import audit, quota, slots
from socialbot.store.content import parse_rendered
from socialbot.store.db import Database
from socialbot.store.models import EXPIRED_UNREVIEWED_CODE, DeliveryRecord, PostRecord, State
from socialbot.store.policy import (
    REJECTED,
    AccountPolicy,
    may_send,
    review_allows,
)
from socialbot.store.queue import create_deliveries, occurrence_label, paused_scopes
from socialbot.store.recurrence import HORIZON, occurrences
from socialbot.store.rules import StoreRules
from socialbot.store.schema import GLOBAL_SCOPE, attempts, deliveries, posts

PUBLISH = "publish"
RECONCILE = "reconcile"


def worker_identity(name: str | None = None) -> str:
    """``host/pid/random``: unique per process, and tells a same-host peer our pid."""
    base = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"
    return f"{base}/{name}" if name else base


def _local_dead(claimed_by: str | None) -> bool:
    """Whether the claimer was a process on this machine that no longer exists."""
    if not claimed_by:
        return False
    parts = claimed_by.split("/")
    if len(parts) < 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class Claim:
    """One delivery this worker holds, with what it needs to call the platform."""

    kind: str
    delivery: DeliveryRecord
    post: PostRecord
    rendered: RenderedPost
    worker: str
    token: str
    attempt_id: int
    members: tuple[Claim, ...] = ()
    """Every delivery of a send that carries several, in order (the first is this one's
    delivery); empty for a send of one delivery."""
    counts_send: bool = True  # the one delivery of a send that the quota ledger counts
    message_key: str | None = None

    @property
    def id(self) -> int:
        return self.delivery.id

    @property
    def key(self) -> str:
        """The send's key: what the platform's memo and dedupe id derive from."""
        return self.message_key or self.delivery.delivery_key

    def parts(self) -> tuple[Claim, ...]:
        """One claim per delivery in this send (itself, for a send of one)."""
        return self.members or (self,)


def _lease(rules: StoreRules, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=rules.lease_seconds)


def _take(conn: Connection, rules: StoreRules, d: DeliveryRecord, kind: str, worker: str,
          now: dt.datetime, *, token: str | None = None, message_key: str | None = None,
          note: Mapping[str, int] | None = None) -> Claim | None:
    """Move ``d`` (as read) to sending under our name; None if someone else got it first."""
    token = token or secrets.token_hex(8)
    values: dict[str, object] = dict(
        state=str(State.SENDING), claimed_by=worker, claim_token=token,
        lease_until=_lease(rules, now), updated_at=now, b_id=d.id, b_state=str(d.state))
    if d.claim_token is not None:
        values["b_token"] = d.claim_token
    if message_key is not None:
        values["message_key"] = message_key
    statement = _TAKE[(kind == PUBLISH, d.claim_token is not None)]
    if conn.execute(statement, values).rowcount != 1:
        return None
    key = conn.execute(_NEW_ATTEMPT, {"delivery": d.id, "kind": kind, "worker": worker,
                                      "started_at": now}).inserted_primary_key
    assert key is not None
    attempt_id = key[0]
    post_row = conn.execute(_POST, {"b_post": d.post}).one()
    post = PostRecord.from_row(post_row)
    rendered = _rendered(conn, post.id, post.content_hash, post_row._mapping["rendered"])
    audit.record(conn, actor=audit.system_actor(worker), action="claim", post=d.post,
                 account=d.account, content_hash=d.content_hash, at=now,
                 detail=notice(("claims.publish" if kind == PUBLISH else "claims.reconcile")
                               + ("_member" if note else ""),
                               n=d.attempts + (1 if kind == PUBLISH else 0), **(note or {}))
                 .encode())
    return Claim(kind, d, post, rendered, worker, token, int(attempt_id),
                 message_key=message_key or d.message_key)


def _take_statement(publish: bool, held_before: bool) -> Any:
    """The claim's UPDATE, built once: the row as read (its state, and its old token if
    it had one) becomes ours; the values come as parameters named after the columns."""
    cond = [deliveries.c.id == bindparam("b_id"), deliveries.c.state == bindparam("b_state")]
    if held_before:
        cond.append(deliveries.c.claim_token == bindparam("b_token"))
    statement = update(deliveries).where(and_(*cond))
    if publish:
        statement = statement.values(attempts=deliveries.c.attempts + 1)
    return statement


# Claims are many: their statements are built (and keyed for SQLAlchemy's cache) once.
_TAKE = {(publish, held): _take_statement(publish, held)
         for publish in (True, False) for held in (True, False)}
_NEW_ATTEMPT = insert(attempts).values(message="", remote_id="", calls="[]")
_POST = select(posts).where(posts.c.id == bindparam("b_post"))


_RENDERED_CACHE_SIZE = 64
_rendered_cache: OrderedDict[tuple[int, str], RenderedPost] = OrderedDict()
_rendered_lock = threading.Lock()


def _rendered(conn: Connection, post: int, content_hash: str, text: str) -> RenderedPost:
    """A post's rendering, parsed (and its images read) once per content, not per claim.

    A post row's rendering changes only together with its content hash, so the pair
    names one immutable rendering.
    """
    key = (post, content_hash)
    with _rendered_lock:
        if key in _rendered_cache:
            _rendered_cache.move_to_end(key)
            return _rendered_cache[key]
    rendered = parse_rendered(conn, text)
    with _rendered_lock:
        _rendered_cache[key] = rendered
        while len(_rendered_cache) > _RENDERED_CACHE_SIZE:
            _rendered_cache.popitem(last=False)
    return rendered


class _SendBusy(Exception):
    """Another worker holds part of the send being claimed (PostgreSQL): start over."""


SEND_BUSY_TRIES = 5


def claim_next(db: Database, rules: StoreRules, worker: str, now: dt.datetime,
               busy: Collection[str] = ()) -> Claim | None:
    """Claim the earliest due delivery that may go out now, or None.

    ``busy`` accounts are skipped: this worker already has a call in flight for them.
    A send of several deliveries is claimed whole or not at all; when another worker
    holds part of it, the transaction is rolled back (releasing every lock: nobody
    waits, so no deadlock) and tried again.
    """
    found = claim_due(db, rules, worker, now, busy, limit=1)
    return found[0] if found else None


def claim_due(db: Database, rules: StoreRules, worker: str, now: dt.datetime,
              busy: Collection[str] = (), *, limit: int = 1) -> list[Claim]:
    """Claim up to ``limit`` due deliveries, earliest first, at most one per account.

    ``claim_next`` several times over, in one transaction: a burst of thousands of due
    deliveries is claimed with a fraction of the round trips and commits (and each
    claim still commits before its platform call starts).
    """
    for _ in range(SEND_BUSY_TRIES):
        try:
            return _claim_due(db, rules, worker, now, busy, max(1, limit))
        except _SendBusy:
            continue
    return []


def _claim_due(db: Database, rules: StoreRules, worker: str, now: dt.datetime,
               busy: Collection[str], limit: int) -> list[Claim]:
    policies = rules.accounts
    taken: list[Claim] = []
    with db.tx() as conn:
        paused = paused_scopes(conn)
        if GLOBAL_SCOPE in paused:
            return []
        skip_accounts = set(paused) | set(busy)
        while len(taken) < limit:
            try:
                claim = _claim_one(conn, rules, policies, worker, now, paused, skip_accounts)
            except _SendBusy:
                if not taken:
                    raise
                break  # nothing of that send was written yet: keep what is claimed
            if claim is None:
                break
            taken.append(claim)
            skip_accounts.add(claim.delivery.account)  # one call per account in flight
    return taken


def _claim_one(conn: Connection, rules: StoreRules, policies: Mapping[str, AccountPolicy],
               worker: str, now: dt.datetime, paused: Collection[str],
               skip_accounts: set[str]) -> Claim | None:
    """The earliest claimable delivery of an account not in ``skip_accounts``, claimed."""
    refused: set[int] = set()
    query = _candidates(policies, conn.dialect.name == "postgresql")
    for _ in range(CLAIM_TRIES):
        row = conn.execute(query, {"now": now, "skip_accounts": list(skip_accounts),
                                   "refused": list(refused)}).first()
        if row is None:
            return None
        d = DeliveryRecord.from_row(row)
        if not _may_send(row, d, policies.get(d.account), paused, now):
            if d.account not in policies:  # another worker's account: leave it to them
                skip_accounts.add(d.account)
            else:
                refused.add(d.id)
            continue
        policy = policies[d.account]
        later = quota.send_allowed_in(conn, d.account, policy.quota, now)
        if later is not None:
            _requota(conn, rules, d, later, now)
            continue
        if policy.grouped and d.message_slot:
            claim = _take_send(conn, rules, d, policy, worker, now)
        else:
            claim = _take(conn, rules, d, PUBLISH, worker, now)
        if claim is not None:
            return claim
    return None


CLAIM_TRIES = 20
"""Candidates one claim looks at: one normally; more after a quota reschedule or a row
that turned out not to be sendable."""


_candidates_cache: tuple[object, bool, Any] | None = None


def _candidates(policies: Mapping[str, AccountPolicy], postgres: bool) -> Any:
    """The earliest due delivery that may go out, as far as SQL needs to say it.

    ``may_send`` (checked on the row) decides; this query only narrows, and it names no
    more accounts than it must: the paused and busy ones (``skip_accounts``), and the
    shorter of the reviewed and unreviewed accounts. A list of every configured account
    would cost each claim thousands of parameters on a nation-wide rollout (14 ms of
    CPU for 2,000). For configured accounts the condition is ``may_send_filter``'s.
    Built once per policies (claims are many; building and keying a statement is not
    free), with ``now``, ``skip_accounts`` and ``refused`` (delivery ids) as parameters.
    """
    global _candidates_cache
    if (_candidates_cache is not None and _candidates_cache[0] is policies
            and _candidates_cache[1] == postgres):
        return _candidates_cache[2]
    reviewed = [a for a, p in policies.items() if p.requires_review]
    unreviewed = [a for a, p in policies.items() if not p.requires_review]
    needs_no_review = (deliveries.c.account.not_in(reviewed)
                       if len(reviewed) <= len(unreviewed)
                       else deliveries.c.account.in_(unreviewed))
    query = (
        select(deliveries, posts.c.review, posts.c.approved_hash, posts.c.approved_at,
               posts.c.warnings)
        .join(posts, posts.c.id == deliveries.c.post)
        .where(
            deliveries.c.state == str(State.DUE),
            deliveries.c.paused.is_(False),
            deliveries.c.due_at <= bindparam("now", type_=deliveries.c.due_at.type),
            deliveries.c.account.not_in(bindparam("skip_accounts", expanding=True)),
            deliveries.c.id.not_in(bindparam("refused", expanding=True)),
            posts.c.review != REJECTED,
            or_(and_(needs_no_review, posts.c.warnings.is_(None)),
                and_(posts.c.approved_hash == deliveries.c.content_hash,
                     posts.c.approved_at <= deliveries.c.due_at)),
        )
        .order_by(deliveries.c.due_at, deliveries.c.id).limit(1)
    )
    if postgres:
        query = query.with_for_update(of=deliveries, skip_locked=True)
    _candidates_cache = (policies, postgres, query)
    return query


def _may_send(row: Any, d: DeliveryRecord, policy: AccountPolicy | None,
              pauses: Collection[str], now: dt.datetime) -> bool:
    """``may_send`` for a delivery read joined with its post's review columns."""
    m = row._mapping
    return may_send(state=str(d.state), paused=d.paused, due_at=d.due_at, account=d.account,
                    review=m["review"], approved_hash=m["approved_hash"],
                    approved_at=m["approved_at"], content_hash=d.content_hash,
                    has_warnings=bool(m["warnings"]), policy=policy, pauses=pauses, now=now)


def in_order(ds: list[DeliveryRecord]) -> list[DeliveryRecord]:
    """A send's deliveries as staff ordered them: by position, then queue order."""
    return sorted(ds, key=lambda d: (d.position is None, d.position or 0, d.id))


def _take_send(conn: Connection, rules: StoreRules, leader: DeliveryRecord,
               policy: AccountPolicy, worker: str, now: dt.datetime) -> Claim | None:
    """Claim the whole send of ``leader``'s slot: every member that may go now.

    A member still waiting for review (or paused) moves to the next open day's send, so
    the day's send is not lost because one post waited. "Waiting for review" is the
    review chain's rule: the whole chain approved this content, and the approval landed
    by the send's time (the leader's slot, or the member's own if earlier). A member
    approved too late is not sent late with this send; its approval is judged again
    against the slot it moves to.
    """
    query = (select(deliveries, posts.c.review, posts.c.approved_hash, posts.c.approved_at,
                    posts.c.warnings)
             .join(posts, posts.c.id == deliveries.c.post)
             .where(deliveries.c.account == leader.account,
                    deliveries.c.message_slot == leader.message_slot,
                    deliveries.c.state.in_([str(State.QUEUED), str(State.APPROVED),
                                            str(State.DUE)])))
    rows = _lock_all(conn, query)
    going: list[DeliveryRecord] = []
    waiting: list[tuple[DeliveryRecord, Any]] = []
    for row in rows:
        d = DeliveryRecord.from_row(row)
        ok = _review_ok(row, d, policy, min(d.due_at, leader.due_at))
        if ok and not d.paused:
            going.append(d)
        else:
            waiting.append((d, row))
    going = in_order(going)[:policy.message_capacity]
    if leader.id not in {d.id for d in going}:
        return None
    if len(going) == 1:
        claim = _take(conn, rules, leader, PUBLISH, worker, now,
                      message_key=leader.delivery_key)
    else:
        key = send_key([d.delivery_key for d in going])
        token = secrets.token_hex(8)
        taken = []
        for n, d in enumerate(going, 1):
            c = _take(conn, rules, d, PUBLISH, worker, now, token=token, message_key=key,
                      note={"articles": len(going), "position": n})
            if c is None:  # cannot happen: the members are locked (rolls the claim back)
                raise RuntimeError(f"delivery {d.id} changed while its send was claimed")
            taken.append(replace(c, counts_send=n == 1))
        claim = replace(taken[0], members=tuple(taken))
    for d, row in waiting:
        _postpone(conn, rules, d, row, policy, now)
    return claim


def _review_ok(row: Any, d: DeliveryRecord, policy: AccountPolicy, due_at: dt.datetime) -> bool:
    """``review_allows`` for a delivery read joined with its post's review columns."""
    m = row._mapping
    return review_allows(m["review"], m["approved_hash"], d.content_hash, policy,
                         approved_at=m["approved_at"], due_at=due_at,
                         has_warnings=bool(m["warnings"]))


def _lock_all(conn: Connection, query: Any) -> list[Any]:
    """Every row of ``query``, held until commit; _SendBusy if another worker holds one.

    SQLite's write lock already holds them all. On PostgreSQL the rows are locked with
    SKIP LOCKED and counted against the unlocked read: a shortfall means another worker
    is claiming the same send, and waiting for it could deadlock.
    """
    if conn.dialect.name != "postgresql":
        return list(conn.execute(query).all())
    locked = list(conn.execute(query.with_for_update(of=deliveries, skip_locked=True)).all())
    if len(locked) != len(conn.execute(query).all()):
        raise _SendBusy
    return locked


def _postpone(conn: Connection, rules: StoreRules, d: DeliveryRecord, row: Any,
              policy: AccountPolicy, now: dt.datetime) -> None:
    """A member that cannot go with its day's send joins the next open day's send.

    Its state is derived again for the new slot: an approval that came after the old
    slot but before the new one lets it go with the next day's message.
    """
    assert d.message_slot is not None
    alone = d.message_slot.partition("/")[2] or None
    where = slots.place(conn, policy, rules.tz, d.account, d.due_at + dt.timedelta(days=1),
                        now, alone_key=alone, exclude=(d.id,), move_when_full=True)
    message = notice("claims.held_paused" if d.paused else "claims.held_unreviewed",
                     day=f"{slots.day_of(d.message_slot):%Y-%m-%d}", to=f"{where.day:%Y-%m-%d}",
                     at=where.due_at.astimezone(rules.tz)).encode()
    ok = _review_ok(row, d, policy, where.due_at)
    done = conn.execute(update(deliveries).where(and_(
        deliveries.c.id == d.id, deliveries.c.state == str(d.state))).values(
        message_slot=where.slot, due_at=where.due_at, message=message, updated_at=now,
        state=str(State.APPROVED if ok else State.QUEUED)))
    if done.rowcount == 1:
        audit.record(conn, actor=audit.system_actor(), action="hold", post=d.post,
                     account=d.account, content_hash=d.content_hash, at=now, detail=message)


def _requota(conn: Connection, rules: StoreRules, d: DeliveryRecord, when: dt.datetime,
             now: dt.datetime) -> None:
    """The ledger says the account's bucket is full: the delivery waits for the next one."""
    conn.execute(update(deliveries).where(deliveries.c.id == d.id).values(
        state=str(State.APPROVED), due_at=when, updated_at=now,
        message=notice("claims.quota_moved", at=when.astimezone(rules.tz)).encode()))
    audit.record(conn, actor=audit.system_actor(), action="quota", post=d.post, account=d.account,
                 content_hash=d.content_hash, at=now,
                 detail=notice("claims.quota_moved_audit", was=d.due_at.astimezone(rules.tz),
                               at=when.astimezone(rules.tz)).encode())


def claim_recovery(db: Database, rules: StoreRules, worker: str, now: dt.datetime,
                   busy: Collection[str] = ()) -> Claim | None:
    """Claim a delivery whose outcome must be checked with the platform, or None.

    That is: ``sending`` with an expired lease or a dead same-host worker, or ``unknown``
    whose next check is due. A send of several deliveries is checked whole.
    """
    for _ in range(SEND_BUSY_TRIES):
        try:
            return _claim_recovery(db, rules, worker, now, busy)
        except _SendBusy:
            continue
    return None


def _claim_recovery(db: Database, rules: StoreRules, worker: str, now: dt.datetime,
                    busy: Collection[str]) -> Claim | None:
    with db.tx() as conn:
        # Accounts this worker does not serve are skipped as found (another worker's
        # configuration may hold them): no list of every account in each query.
        skip = set(busy)
        for _ in range(CLAIM_TRIES):
            query = select(deliveries).where(
                deliveries.c.account.not_in(list(skip)),
                or_(and_(deliveries.c.state == str(State.SENDING),
                         deliveries.c.lease_until < now),
                    and_(deliveries.c.state == str(State.UNKNOWN),
                         deliveries.c.next_check_at <= now)),
            ).order_by(deliveries.c.due_at, deliveries.c.id).limit(1)
            if db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            row: Any = conn.execute(query).first()
            if row is None:
                row = _dead_local_claim(conn, rules, skip)
            if row is None:
                return None
            d = DeliveryRecord.from_row(row)
            if d.account not in rules.accounts:
                skip.add(d.account)
                continue
            if d.message_key and d.message_key != d.delivery_key:
                return _take_open_send(conn, rules, d, worker, now)
            return _take(conn, rules, d, RECONCILE, worker, now)
        return None


def _take_open_send(conn: Connection, rules: StoreRules, found: DeliveryRecord, worker: str,
                    now: dt.datetime) -> Claim | None:
    """Every delivery of ``found``'s send whose outcome is open, claimed to be checked."""
    query = select(deliveries).where(
        deliveries.c.message_key == found.message_key,
        deliveries.c.account == found.account,
        deliveries.c.state.in_([str(State.SENDING), str(State.UNKNOWN)]))
    rows = _lock_all(conn, query)
    # A worker stopped between recording one article and the next: the send is already
    # in the quota ledger through the article recorded sent, so it is not counted again.
    counted = conn.execute(select(deliveries.c.id).where(
        deliveries.c.message_key == found.message_key, deliveries.c.account == found.account,
        deliveries.c.state == str(State.SENT)).limit(1)).first() is not None
    token = secrets.token_hex(8)
    taken = []
    for n, d in enumerate(in_order([DeliveryRecord.from_row(r) for r in rows]), 1):
        c = _take(conn, rules, d, RECONCILE, worker, now, token=token)
        if c is None:
            raise RuntimeError(f"delivery {d.id} changed while its send was claimed")
        taken.append(replace(c, counts_send=n == 1 and not counted))
    if len(taken) == 1:
        return taken[0]
    return replace(taken[0], members=tuple(taken))


def _dead_local_claim(conn: Connection, rules: StoreRules,
                      skip: Collection[str]) -> object | None:
    """A ``sending`` delivery whose claimer was a process on this machine that is gone."""
    prefix = socket.gethostname() + "/"
    rows = conn.execute(select(deliveries).where(
        deliveries.c.state == str(State.SENDING),
        deliveries.c.account.not_in(list(skip)),
        deliveries.c.claimed_by.startswith(prefix, autoescape=True),
    ).limit(200)).all()
    for row in rows:
        m = row._mapping
        if m["account"] in rules.accounts and _local_dead(m["claimed_by"]):
            return row
    return None


def renew(db: Database, rules: StoreRules, claim: Claim, now: dt.datetime) -> bool:
    """Extend our lease while a platform call is still running; False if it was lost."""
    return not renew_all(db, rules, [claim], now)


def renew_all(db: Database, rules: StoreRules, held: Collection[Claim],
              now: dt.datetime) -> list[Claim]:
    """Extend the leases of every claim in ``held`` in one transaction; returns those lost."""
    lost = []
    with db.tx() as conn:
        for claim in held:
            for part in claim.parts():
                result = conn.execute(update(deliveries).where(and_(
                    deliveries.c.id == part.id, deliveries.c.claim_token == part.token,
                    deliveries.c.state == str(State.SENDING))).values(
                    lease_until=_lease(rules, now)))
                if result.rowcount != 1 and claim not in lost:
                    lost.append(claim)
    return lost


def promote_due(db: Database, rules: StoreRules, now: dt.datetime) -> list[DeliveryRecord]:
    """approved → due when their time comes; missed when beyond the misfire grace.

    Returns deliveries newly marked missed (to report). Unapproved deliveries stay
    queued until their grace runs out, then they are missed too. The common move,
    approved → due, is one UPDATE for the whole burst (a 09:00 campaign makes thousands
    due at once); the rare ones (missed, back to queued, account gone) are audited one
    by one.
    """
    grace = dt.timedelta(seconds=rules.misfire_grace_seconds)
    policies = rules.accounts
    missed: list[DeliveryRecord] = []
    with db.tx() as conn:
        rows = conn.execute(_PROMOTE_CANDIDATES, {"b_now": now}).all()
        now_due: list[int] = []
        for row in rows:
            m = row._mapping
            late = now - m["due_at"] > grace
            policy = policies.get(m["account"])
            ok = policy is not None and review_allows(
                m["review"], m["approved_hash"], m["content_hash"], policy,
                approved_at=m["approved_at"], due_at=m["due_at"],
                has_warnings=bool(m["warnings"]))
            state = m["state"]
            if ok and not late:
                if state == State.APPROVED:
                    now_due.append(m["id"])
                continue  # due already: nothing to change
            if not ok and not late and state == State.QUEUED and policy is not None:
                continue  # waits for its review
            full = conn.execute(_DELIVERY_AS_READ, {"b_id": m["id"], "b_state": state}).first()
            if full is None:
                continue  # changed since read (a worker claimed it): not ours to move
            d = DeliveryRecord.from_row(full)
            if policy is None:
                _move(conn, d, State.FAILED, now,
                      notice("claims.account_gone", account=d.account).encode())
            elif late:
                planned = d.due_at.astimezone(rules.tz)
                why = (notice(EXPIRED_UNREVIEWED_CODE, planned=planned) if not ok else
                       notice("claims.missed", planned=planned,
                              grace=int(rules.misfire_grace_seconds))).encode()
                if _move(conn, d, State.MISSED, now, why):
                    missed.append(d)
            else:  # not ok, approved or due: back to waiting for review
                _move(conn, d, State.QUEUED, now, notice("claims.unreviewed").encode())
        for start in range(0, len(now_due), PROMOTE_BATCH):
            _make_due(conn, now_due[start:start + PROMOTE_BATCH], now)
    return missed


def _make_due(conn: Connection, ids: list[int], now: dt.datetime) -> None:
    """approved → due for ``ids`` still approved. On PostgreSQL the rows are locked in id
    order first, so workers promoting the same burst queue up instead of deadlocking."""
    still = and_(deliveries.c.id.in_(ids), deliveries.c.state == str(State.APPROVED))
    if conn.dialect.name == "postgresql":
        ids = list(conn.execute(select(deliveries.c.id).where(still)
                                .order_by(deliveries.c.id).with_for_update()).scalars())
        if not ids:
            return
        still = and_(deliveries.c.id.in_(ids), deliveries.c.state == str(State.APPROVED))
    conn.execute(update(deliveries).where(still).values(
        state=str(State.DUE), message="", updated_at=now))


# What promotion decides on, without the rest of each row: a backlog of thousands of
# due deliveries is read on every promotion, and only the rare change needs the row.
_PROMOTE_CANDIDATES = (
    select(deliveries.c.id, deliveries.c.account, deliveries.c.state, deliveries.c.due_at,
           deliveries.c.content_hash, posts.c.review, posts.c.approved_hash,
           posts.c.approved_at, posts.c.warnings)
    .join(posts, posts.c.id == deliveries.c.post)
    .where(deliveries.c.state.in_([str(State.QUEUED), str(State.APPROVED), str(State.DUE)]),
           deliveries.c.paused.is_(False),
           deliveries.c.due_at <= bindparam("b_now", type_=deliveries.c.due_at.type))
)
_DELIVERY_AS_READ = select(deliveries).where(deliveries.c.id == bindparam("b_id"),
                                             deliveries.c.state == bindparam("b_state"))
PROMOTE_BATCH = 500  # ids per UPDATE: well inside every driver's parameter limit


def next_promotion(db: Database, after: dt.datetime) -> dt.datetime | None:
    """When the next waiting delivery falls due (``promote_due`` has work again), or None."""
    with db.tx(write=False) as conn:
        found: Any = conn.execute(select(func.min(deliveries.c.due_at)).where(
            deliveries.c.state.in_([str(State.QUEUED), str(State.APPROVED)]),
            deliveries.c.paused.is_(False), deliveries.c.due_at > after)).scalar()
    if not isinstance(found, dt.datetime):
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)


def _move(conn: Connection, d: DeliveryRecord, state: State, now: dt.datetime, message: str,
          *, audit_it: bool = True) -> bool:
    result = conn.execute(update(deliveries).where(and_(
        deliveries.c.id == d.id, deliveries.c.state == str(d.state))).values(
        state=str(state), message=message, updated_at=now))
    if result.rowcount != 1:
        return False
    if audit_it:
        action = {"missed": "missed", "queued": "hold"}.get(str(state), "publish")
        audit.record(conn, actor=audit.system_actor(), action=action, post=d.post,
                     account=d.account, content_hash=d.content_hash, detail=message, at=now)
    return True


def extend_series(db: Database, rules: StoreRules, now: dt.datetime) -> int:
    """Turn the next occurrences of active recurring posts into deliveries."""
    horizon = now + HORIZON
    created = 0
    with db.tx() as conn:
        rows = conn.execute(select(posts).where(
            posts.c.cron.is_not(None), posts.c.active.is_(True),
            posts.c.series_next.is_not(None), posts.c.series_next <= horizon)).all()
        for row in rows:
            post = PostRecord.from_row(row)
            start = row._mapping["series_next"]
            assert post.cron is not None
            times, following = [], None
            for when in occurrences(post.cron, rules.tz, start, post.cron_until):
                if when > horizon:
                    following = when
                    break
                times.append(when)
            claimed = conn.execute(update(posts).where(
                posts.c.id == post.id, posts.c.series_next == start).values(
                series_next=following, updated_at=now))
            if claimed.rowcount != 1 or not times:
                continue
            labelled = [(t, occurrence_label(t, rules.tz)) for t in times]
            approved = post.approved_hash if post.review != "rejected" else None
            approved_at = post.approved_at if approved else None
            flags = paused_scopes(conn)
            for account_id in post.targets:
                create_deliveries(conn, rules.tz, rules.accounts.get(account_id),
                                  post.id, post.post_id, account_id, post.content_hash,
                                  labelled, now,
                                  paused=bool(flags & {GLOBAL_SCOPE, account_id}),
                                  approved_hash=approved, approved_at=approved_at,
                                  has_warnings=bool(post.warnings))
                created += len(labelled)
    return created


def delivery(db: Database, delivery_id: int) -> DeliveryRecord:
    with db.tx(write=False) as conn:
        return DeliveryRecord.from_row(
            conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).one())


__all__ = [
    "PUBLISH", "RECONCILE", "Claim", "claim_due", "claim_next", "claim_recovery", "delivery",
    "extend_series", "promote_due", "renew", "renew_all", "worker_identity",
]
