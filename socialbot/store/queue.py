"""Adding posts to the queue, and reading it back.

``add_entries`` is all or nothing: every entry is checked (accounts, time, duplicates,
quota) inside one transaction, and if any entry has a problem nothing is written and
the caller gets every reason, entry by entry.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, case, func, insert, select

from socialbot.checks.model import Finding
from socialbot.errors import Problem, StoreError
from socialbot.notices import Notice, Value, notice, problem
from socialbot.rendered import RenderedPost, delivery_key
from socialbot.store import audit, quota, slots
from socialbot.store.content import dump_rendered
from socialbot.store.db import Database, inserted_id
from socialbot.store.models import DeliveryRecord, PostRecord, State, dump_warnings
from socialbot.store.policy import AccountPolicy, review_allows
from socialbot.store.recurrence import HORIZON, CronProblem, occurrences
from socialbot.store.rules import StoreRules
from socialbot.store.schema import GLOBAL_SCOPE, deliveries, pauses, posts
from socialbot.store.times import in_past, local


@dataclass
class Entry:
    """One post to queue: what staff asked for, plus its rendering (if it rendered)."""

    label: str  # how reports name this entry: a file name, or a row of a schedule
    source: str
    post_id: str
    targets: tuple[str, ...]
    author: str
    at: dt.datetime | None = None
    cron: str | None = None
    until: dt.datetime | None = None
    rendered: RenderedPost | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)  # content checks: need an override
    queue_id: int | None = None
    first_due: dt.datetime | None = None
    position: int | None = None  # its place in a send that carries several posts
    notes: list[str] = field(default_factory=list)  # what staff should know once queued
    # Accounts this post must reach in a send of its own (a platform's rule about the
    # rendering, e.g. a WeChat 贴图): decided where the entry is rendered, not here.
    alone_on: frozenset[str] = frozenset()


class QueueRefused(StoreError):
    """Nothing was added; each entry carries its own problems."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        problems = [Problem(e.label, str(p)) for e in entries for p in e.problems]
        super().__init__(problems, title=notice("queue.refused").text())


def post_key(post_id: str, occurrence: str) -> str:
    """The post identity inside the delivery key; each occurrence of a series is its own."""
    return f"{post_id}@{occurrence}" if occurrence else post_id


def make_key(post_id: str, account: str, occurrence: str, content_hash: str) -> str:
    return delivery_key(post_key(post_id, occurrence), account, content_hash)


def occurrence_label(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


# --- adding -----------------------------------------------------------------------------


def add_entries(db: Database, rules: StoreRules, entries: list[Entry], now: dt.datetime,
                *, actor: str, action: str = "add") -> list[Entry]:
    """Queue every entry or none; raise QueueRefused listing every problem."""
    with db.tx() as conn:
        _lock_quota(conn)
        for entry in entries:
            basic = _check_entry(rules, entry, now)
            entry.problems += basic
            if basic or (entry.at is None and not entry.cron):  # no time: nothing to check
                continue
            times = _times_for(entry, rules.tz, now)
            entry.problems += _check_duplicates(conn, entry)
            entry.problems += _check_slots(conn, rules, entry, times, now)
            entry.problems += _check_quota(conn, rules, entry, times, now)
            if not entry.problems and entry.rendered is not None:
                _insert(conn, rules, entry, times, now, actor, action)
        if any(e.problems for e in entries):
            conn.rollback()
            raise QueueRefused(entries)
    return entries


def _lock_quota(conn: Connection) -> None:
    """Serialise quota checks across machines (SQLite already holds the write lock)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74210094)")


def _check_entry(rules: StoreRules, entry: Entry, now: dt.datetime) -> list[Problem]:
    problems = []
    unknown = [a for a in entry.targets if a not in rules.accounts]
    if unknown:
        problems.append(problem("@account", "queue.unknown_accounts", unknown=tuple(unknown),
                                known=tuple(rules.accounts)))
    if not entry.targets:
        problems.append(problem("@account", "queue.no_accounts"))
    time_unreadable = any(p.where in ("--at", "time") for p in entry.problems)
    if entry.at is None and not entry.cron and not time_unreadable:
        problems.append(problem("@time", "queue.no_time"))
    if entry.at is not None and in_past(entry.at, now) and not entry.cron:
        problems.append(problem("@time", "queue.past", at=local(entry.at, rules.tz),
                                now=local(now, rules.tz)))
    if entry.cron:
        try:
            first = next(occurrences(entry.cron, rules.tz, max(now, entry.at or now),
                                     entry.until), None)
        except CronProblem as exc:
            problems.append(problem("@cron", "cron.refused", why=str(exc)))
        else:
            if first is None:
                problems.append(problem("@cron", "queue.cron_empty"))
    return problems


def _times_for(entry: Entry, tz: ZoneInfo, now: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """(due time, occurrence label) pairs to create now; a series fills the horizon."""
    if not entry.cron:
        assert entry.at is not None
        return [(entry.at, "")]
    times: list[tuple[dt.datetime, str]] = []
    for when in occurrences(entry.cron, tz, max(now, entry.at or now), entry.until):
        if times and when > now + HORIZON:
            break
        times.append((when, occurrence_label(when, tz)))
    return times


def _check_duplicates(conn: Connection, entry: Entry) -> list[Problem]:
    """The same post to the same account twice is almost always a mistake (and a repeat)."""
    # Posts by their id first, then their deliveries: one index lookup each, however long
    # the queue (joined in one query, planners may walk the account's deliveries instead).
    same = {r.id: (r.cron, r.active) for r in conn.execute(
        select(posts.c.id, posts.c.cron, posts.c.active).where(posts.c.post_id == entry.post_id))}
    rows = [] if not same else [
        (r.post, r.account, r.state, r.occurrence, r.content_hash, *same[r.post])
        for r in conn.execute(
            select(deliveries.c.post, deliveries.c.account, deliveries.c.state,
                   deliveries.c.occurrence, deliveries.c.content_hash)
            .where(deliveries.c.post.in_(list(same)), deliveries.c.account.in_(entry.targets))
            .order_by(deliveries.c.post, deliveries.c.id))]
    problems = []
    seen: set[str] = set()
    new_hash = entry.rendered.content_hash if entry.rendered else None
    for queue_id, account, state, occurrence, old_hash, cron, active in (
            tuple(r) for r in rows):
        account, state = str(account), str(state)
        if account in seen or state == State.CANCELLED:
            continue
        live_series = bool(cron) and bool(active)
        if state == State.SENT and not live_series:
            if occurrence or entry.cron or old_hash != new_hash:
                continue  # changed content, or an old series: not a repeat
            seen.add(account)
            problems.append(problem("@account_id", "queue.sent_before", account=account,
                                    post=entry.post_id, id=int(queue_id)))
            continue
        seen.add(account)
        problems.append(problem("@account_id", "queue.duplicate", account=account,
                                post=entry.post_id, id=int(queue_id), state=state))
    return problems


def _placement(conn: Connection, rules: StoreRules, entry: Entry, account_id: str,
               when: dt.datetime, occ: str, now: dt.datetime) -> slots.Placement | None:
    policy = rules.accounts.get(account_id)
    if policy is None or not policy.grouped:
        return None
    alone = post_key(entry.post_id, occ) if account_id in entry.alone_on else None
    return slots.place(conn, policy, rules.tz, account_id, when, now, alone_key=alone)


def _check_slots(conn: Connection, rules: StoreRules, entry: Entry,
                 times: list[tuple[dt.datetime, str]], now: dt.datetime) -> list[Problem]:
    """A day's send carries at most ``message_capacity`` posts: refuse one more."""
    problems = []
    for account_id in entry.targets:
        policy = rules.accounts.get(account_id)
        for when, occ in times[:1] if entry.cron else times:
            where = _placement(conn, rules, entry, account_id, when, occ, now)
            if where is None or where.full is None:
                continue
            assert policy is not None
            problems.append(problem("@account_id", "queue.message_full", account=account_id,
                                    full=f"{where.full:%Y-%m-%d}", day=f"{where.day:%Y-%m-%d}",
                                    capacity=policy.message_capacity))
    return problems


def _send_time(conn: Connection, rules: StoreRules, entry: Entry, account_id: str,
               when: dt.datetime, occ: str, now: dt.datetime) -> dt.datetime | None:
    """When the delivery's send goes (None: it joins a send already planned, no quota)."""
    where = _placement(conn, rules, entry, account_id, when, occ, now)
    if where is None:
        return when
    return None if slots.members(conn, account_id, where.slot) > 0 else where.due_at


def _check_quota(conn: Connection, rules: StoreRules, entry: Entry,
                 times: list[tuple[dt.datetime, str]], now: dt.datetime) -> list[Problem]:
    problems = []
    pending: dict[tuple[str, str], int] = {}
    for account_id in entry.targets:
        rule = rules.accounts[account_id].quota
        if rule is None:
            continue
        for asked, occ in times:
            found = _send_time(conn, rules, entry, account_id, asked, occ, now)
            if found is None:
                continue
            when = found
            usage = quota.usage_in(conn, account_id, rule, when)
            extra = pending.get((account_id, usage.bucket), 0)
            if usage.exhausted or usage.sent + usage.planned + extra >= rule.limit:
                free = quota.next_free_in(conn, account_id, rule, when)
                facts: dict[str, Value] = dict(account=account_id, rule=rule.label, used=usage.used,
                             limit=rule.limit, at=local(when, rules.tz))
                problems.append(
                    problem("@account_id", "queue.quota_full",
                            free=local(free, rules.tz), **facts) if free
                    else problem("@account_id", "queue.quota_full_later", **facts))
            pending[(account_id, usage.bucket)] = extra + 1
    return problems


def paused_scopes(conn: Connection) -> set[str]:
    """The pause switches that are on: account ids, or ``*`` for every account."""
    return set(conn.execute(select(pauses.c.scope)).scalars())


def _insert(conn: Connection, rules: StoreRules, entry: Entry,
            times: list[tuple[dt.datetime, str]], now: dt.datetime, actor: str,
            action: str) -> None:
    rendered = entry.rendered
    assert rendered is not None
    content_hash = rendered.content_hash
    series_next = None
    if entry.cron:
        last = times[-1][0]
        series_next = next(occurrences(entry.cron, rules.tz, last + dt.timedelta(seconds=1),
                                       entry.until), None)
    queue_id = inserted_id(conn, insert(posts).values(
        post_id=entry.post_id, source=entry.source, title=rendered.title, author=entry.author,
        created_at=now, updated_at=now, content_hash=content_hash,
        rendered=dump_rendered(conn, rendered), targets=json.dumps(list(entry.targets)),
        review="pending", review_note="", cron=entry.cron, cron_until=entry.until,
        series_next=series_next, active=True, warnings=dump_warnings(entry.warnings),
    ))
    entry.queue_id = int(queue_id)
    entry.first_due = times[0][0]
    paused = paused_scopes(conn)
    for account_id in entry.targets:
        entry.notes += create_deliveries(
            conn, rules.tz, rules.accounts.get(account_id), entry.queue_id, entry.post_id,
            account_id, content_hash, times, now, paused=bool(paused & {GLOBAL_SCOPE, account_id}),
            has_warnings=bool(entry.warnings), position=entry.position,
            alone=account_id in entry.alone_on)
        audit.record(conn, actor=entry.author, action=action, post=entry.queue_id,
                     account=account_id, content_hash=content_hash, at=now,
                     detail=added_notice(entry, rendered.title, times, actor,
                                         rules.tz).encode())
    if entry.warnings:
        audit.record(conn, actor=entry.author, action="warnings", post=entry.queue_id,
                     content_hash=content_hash, at=now,
                     detail=warnings_notice(entry.warnings).encode())


def added_notice(entry: Entry, title: str, times: list[tuple[dt.datetime, str]], actor: str,
                 tz: ZoneInfo) -> Notice:
    """The audit line of a queued entry: its times, its series, who queued it for whom."""
    code = "queue.added" + ("_series" if entry.cron else "") + (
        "_by" if actor != entry.author else "")
    return notice(code, entry=entry.label, title=title,
                  times=tuple(local(t, tz) for t, _ in times), cron=entry.cron, by=actor)


def warnings_notice(warnings: list[Finding] | tuple[Finding, ...]) -> Notice:
    """The warnings as one audit line: what a reviewer will have to override."""
    return notice("queue.warnings", n=len(warnings),
                  items=tuple(str(Problem(w.where, w.message)) for w in warnings))


def create_deliveries(conn: Connection, tz: ZoneInfo, policy: AccountPolicy | None,
                      queue_id: int, post_id: str, account_id: str, content_hash: str,
                      times: list[tuple[dt.datetime, str]], now: dt.datetime, *, paused: bool,
                      approved_hash: str | None = None, approved_at: dt.datetime | None = None,
                      has_warnings: bool = False, position: int | None = None,
                      alone: bool = False) -> list[str]:
    """Insert the deliveries of one post to one account (``policy``: its rules, None when
    no longer configured); returns notes for staff (a day whose send already went).

    ``alone``: the post travels in a send of its own (see ``Entry.alone_on``).
    """
    notes = []
    for when, occ in times:
        due, slot = when, None
        if policy is not None and policy.grouped:
            where = slots.place(conn, policy, tz, account_id, when, now,
                                alone_key=post_key(post_id, occ) if alone else None,
                                move_when_full=True)
            due, slot = where.due_at, where.slot
            if where.moved_from is not None:
                notes.append(notice("queue.moved_to_next_message", account=account_id,
                                    moved_from=f"{where.moved_from:%Y-%m-%d}",
                                    day=f"{where.day:%Y-%m-%d}",
                                    at=local(due, tz)).text())
        # The approval must land by the slot the delivery actually has (its day's send).
        ok = review_allows("", approved_hash, content_hash, policy, approved_at=approved_at,
                           due_at=due, has_warnings=has_warnings)
        conn.execute(insert(deliveries).values(
            post=queue_id, account=account_id, occurrence=occ, planned_at=when, due_at=due,
            state=str(State.APPROVED if ok else State.QUEUED), paused=paused,
            content_hash=content_hash,
            delivery_key=make_key(post_id, account_id, occ, content_hash),
            attempts=0, remote_id="", url="", message="", updated_at=now,
            message_slot=slot, position=position,
        ))
    return notes


# --- reading ----------------------------------------------------------------------------


def get_post(conn: Connection, queue_id: int) -> PostRecord:
    row = conn.execute(select(posts).where(posts.c.id == queue_id)).first()
    if row is None:
        raise StoreError(problem("", "queue.no_post", id=queue_id))
    return PostRecord.from_row(row)


def deliveries_of(conn: Connection, queue_id: int, *, lock: bool = False) -> list[DeliveryRecord]:
    """The post's deliveries; ``lock`` holds them (PostgreSQL ``FOR UPDATE``) until commit.

    A review that decides from these states must lock them: otherwise, on PostgreSQL, a
    worker can claim one between the read and the write, and a rejection or an edit
    reports success while the old content is already going out. (SQLite's write lock,
    taken by ``BEGIN IMMEDIATE``, already serialises the two.)
    """
    query = (select(deliveries).where(deliveries.c.post == queue_id)
             .order_by(deliveries.c.due_at, deliveries.c.account))
    rows = conn.execute(query.with_for_update() if lock else query).all()
    return [DeliveryRecord.from_row(r) for r in rows]


def list_queue(db: Database, *, include_finished: bool = False, state: str | None = None,
               offset: int = 0, limit: int | None = None
               ) -> tuple[list[tuple[PostRecord, list[DeliveryRecord]]], int]:
    """One page of posts with their deliveries, soonest first, and the number of such posts.

    Finished posts (every delivery sent or cancelled) only when asked; with ``state``,
    the posts having a delivery in that state, showing those deliveries. The page is
    chosen in SQL, so a long queue costs what one page costs.
    """
    finished = [str(State.SENT), str(State.CANCELLED)]
    shown = deliveries.c.state == state if state else None
    per_post = select(deliveries.c.post.label("post"),
                      func.min(deliveries.c.due_at).label("first_due"),
                      func.min(deliveries.c.id).label("first_id"))
    if shown is not None:
        per_post = per_post.where(shown)
    per_post = per_post.group_by(deliveries.c.post)
    if not include_finished and not state:
        open_count = func.sum(case((deliveries.c.state.in_(finished), 0), else_=1))
        per_post = per_post.having(open_count > 0)
    ranked = per_post.subquery()
    with db.tx(write=False) as conn:
        total = int(conn.execute(select(func.count()).select_from(ranked)).scalar() or 0)
        page = (select(ranked.c.post)
                .order_by(ranked.c.first_due, ranked.c.first_id).offset(offset))
        if limit is not None:
            page = page.limit(limit)
        found: list[Any] = list(conn.execute(page).scalars())
        ids = [int(i) for i in found]
        query = select(deliveries).where(deliveries.c.post.in_(ids))
        if shown is not None:
            query = query.where(shown)
        rows = conn.execute(query.order_by(deliveries.c.due_at, deliveries.c.id)).all()
        post_rows = conn.execute(select(posts).where(posts.c.id.in_(ids))).all()
    records = {r._mapping["id"]: PostRecord.from_row(r) for r in post_rows}
    by_post: dict[int, list[DeliveryRecord]] = {queue_id: [] for queue_id in ids}
    for row in rows:
        d = DeliveryRecord.from_row(row)
        by_post[d.post].append(d)
    return [(records[queue_id], by_post[queue_id]) for queue_id in ids], total
