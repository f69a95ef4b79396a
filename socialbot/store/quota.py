"""The quota ledger: how many sends each account may make per day, month or hour.

Each platform declares its rule (``Platform.quota_rule``): e.g. one mass send per
Beijing calendar day, or 30 posts per hour. The ledger receives it as a plain value
(``AccountPolicy.quota``) with the account id; it never looks the platform up.

A bucket's use = sends recorded in the ledger + deliveries still planned in it. ``queue
add`` refuses a schedule that would overfill a bucket and names the next free slot; the
worker checks recorded sends only, and reschedules instead of calling the platform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, and_, cast, func, insert, select

from socialbot.quota_rules import QuotaRule
from socialbot.store.base import BucketUse
from socialbot.store.models import QUOTA_HOLDING
from socialbot.store.schema import deliveries, quota_ledger

MAX_SEARCH = 400


@dataclass(frozen=True)
class Usage:
    rule: QuotaRule
    bucket: str
    sent: int
    planned: int
    exhausted: bool

    @property
    def used(self) -> int:
        return self.rule.limit if self.exhausted else min(self.rule.limit, self.sent + self.planned)


def usage_in(conn: Connection, account: str, rule: QuotaRule, when: dt.datetime,
             exclude: tuple[int, ...] = ()) -> Usage:
    """How full ``account``'s bucket holding ``when`` is under ``rule``."""
    use = bucket_use(conn, account, rule, when, exclude)
    return Usage(rule, use.bucket, use.sent, use.planned, use.exhausted)


def bucket_use(conn: Connection, account: str, rule: QuotaRule, when: dt.datetime,
               exclude: tuple[int, ...] = ()) -> BucketUse:
    """Sends recorded and deliveries planned in ``account``'s bucket holding ``when``."""
    key, start, end = rule.bucket(when)
    rows = conn.execute(
        select(quota_ledger.c.kind, func.count()).where(
            quota_ledger.c.account == account, quota_ledger.c.bucket == key,
        ).group_by(quota_ledger.c.kind)
    ).all()
    counts: dict[str, int] = {}
    for kind, n in rows:
        number: Any = n
        counts[str(kind)] = int(number)
    # Deliveries that travel in one send (one slot) use the bucket once.
    sends = func.coalesce(deliveries.c.message_slot, cast(deliveries.c.id, String))
    planned_q = select(func.count(func.distinct(sends))).select_from(deliveries).where(and_(
        deliveries.c.account == account,
        deliveries.c.state.in_([str(s) for s in QUOTA_HOLDING]),
        deliveries.c.due_at >= start, deliveries.c.due_at < end,
    ))
    if exclude:
        planned_q = planned_q.where(deliveries.c.id.not_in(exclude))
    found: Any = conn.execute(planned_q).scalar()
    planned = int(found or 0)
    return BucketUse(key, int(counts.get("sent", 0)), planned, counts.get("exhausted", 0) > 0)


def next_free_in(conn: Connection, account: str, rule: QuotaRule, after: dt.datetime, *,
                 planned_counts: bool = True, exclude: tuple[int, ...] = ()
                 ) -> dt.datetime | None:
    """The first moment at or after ``after`` whose bucket for ``account`` still has room
    (None: none within the search)."""
    when = after
    for _ in range(MAX_SEARCH):
        u = bucket_use(conn, account, rule, when, exclude)
        taken = u.sent + (u.planned if planned_counts else 0)
        if not u.exhausted and taken < rule.limit:
            return when
        when = rule.next_bucket_same_time(when)
    return None


def send_allowed_in(conn: Connection, account: str, rule: QuotaRule | None,
                    now: dt.datetime) -> dt.datetime | None:
    """None when a send may go out now; else the start of the next bucket with room.

    Only sends already made count here: the delivery being sent is itself "planned".
    """
    if rule is None:
        return None
    u = usage_in(conn, account, rule, now)
    if not u.exhausted and u.sent < rule.limit:
        return None
    free = next_free_in(conn, account, rule, now, planned_counts=False)
    return free or now + dt.timedelta(days=1)


def record_send_in(conn: Connection, account: str, rule: QuotaRule, delivery: int,
                   at: dt.datetime) -> None:
    """One send in the ledger, once per delivery."""
    already = conn.execute(select(quota_ledger.c.id).where(  # the account's rows: indexed
        quota_ledger.c.account == account, quota_ledger.c.delivery == delivery,
        quota_ledger.c.kind == "sent")).first()
    if not already:
        conn.execute(insert(quota_ledger).values(
            account=account, bucket=rule.bucket(at)[0], kind="sent", delivery=delivery, at=at))


def mark_full(conn: Connection, account: str, rule: QuotaRule, at: dt.datetime) -> None:
    """The platform said "no quota" in this bucket (a console send may have used it)."""
    conn.execute(insert(quota_ledger).values(
        account=account, bucket=rule.bucket(at)[0], kind="exhausted", at=at))
