"""Sends that carry several deliveries: which slot (local day) a delivery travels in.

An account whose policy is ``grouped`` (one send carries up to ``message_capacity``
posts) sends once per local calendar day: the deliveries of that day form one send, in
``position`` order (then queue order). A slot is ``YYYY-MM-DD``; a delivery that must
travel alone gets a slot of its own on that day (``YYYY-MM-DD/<delivery key>``). Once a
slot's send has been made (any member claimed with a ``message_key`` and not failed
before the platform acted) the slot is *closed*: a late delivery goes to the next open day.

Plain rules over rows: no platform vocabulary, no rendering. Messages are returned as
data (``Placement``) and worded by the callers that show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from socialbot.store.models import State
from socialbot.store.policy import AccountPolicy
from socialbot.store.schema import deliveries
from socialbot.store.times import in_past

MAX_DAYS = 400
# Members that hold a place in their slot (a failed, missed or cancelled one does not).
HOLDING = (State.QUEUED, State.APPROVED, State.DUE, State.SENDING, State.UNKNOWN,
           State.NEEDS_PERSON, State.SENT, State.DRAFTED)
# Members whose send has been made (or may have been): the slot is closed.
CLOSING = (State.SENDING, State.UNKNOWN, State.NEEDS_PERSON, State.SENT, State.DRAFTED)


@dataclass(frozen=True)
class Placement:
    """Where a delivery goes: its slot and due time; ``moved_from`` the day it asked for."""

    slot: str
    day: dt.date
    due_at: dt.datetime
    moved_from: dt.date | None = None  # the asked-for day's send was already made
    full: dt.date | None = None  # the asked-for day already carries the most posts


def day_of(slot: str) -> dt.date:
    return dt.date.fromisoformat(slot[:10])


def slot_name(day: dt.date, alone_key: str | None = None) -> str:
    return day.isoformat() + (f"/{alone_key}" if alone_key else "")


def slot_time(policy: AccountPolicy, day: dt.date, wanted: dt.datetime,
              tz: ZoneInfo) -> dt.datetime:
    """The send time on ``day``: the account's push time, else the wanted clock time."""
    clock = policy.push_time or wanted.astimezone(tz).time().replace(tzinfo=None)
    return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.UTC)


def members(conn: Connection, account: str, slot: str,
            exclude: tuple[int, ...] = ()) -> int:
    """How many deliveries hold a place in ``account``'s ``slot``."""
    q = select(func.count()).select_from(deliveries).where(
        deliveries.c.account == account, deliveries.c.message_slot == slot,
        deliveries.c.state.in_([str(s) for s in HOLDING]))
    if exclude:
        q = q.where(deliveries.c.id.not_in(exclude))
    return int(conn.execute(q).scalar() or 0)


def place(conn: Connection, policy: AccountPolicy, tz: ZoneInfo, account: str,
          wanted: dt.datetime, now: dt.datetime, *, alone_key: str | None = None,
          exclude: tuple[int, ...] = (), move_when_full: bool = False) -> Placement:
    """The slot for a delivery wanted at ``wanted`` (local day of it, or the next open one).

    A day whose send was made, or whose push time has passed, moves the delivery to the
    next day with room (``moved_from``). A full day is reported (``full``) and, unless
    ``move_when_full``, kept: the caller refuses it. Two queries, however many days
    are full or closed ahead.
    """
    asked = wanted.astimezone(tz).date()
    counts, shut = _ahead(conn, account, slot_name(asked), exclude)
    capacity = 1 if alone_key else policy.message_capacity
    day = asked
    full: dt.date | None = None
    for _ in range(MAX_DAYS):
        slot = slot_name(day, alone_key)
        due = slot_time(policy, day, wanted, tz) if policy.push_time or day != asked else wanted
        is_full = counts.get(slot, 0) >= capacity
        # The same minute's slack as queue add's own past-time check: "--at now" typed a
        # few seconds ago is today's message, not tomorrow's.
        if not is_full and not in_past(due, now) and slot not in shut:
            if day == asked:
                return Placement(slot, day, due)
            if full is not None and not move_when_full:
                return Placement(slot, day, due, None, full)
            return Placement(slot, day, due, asked, full)
        if day == asked and is_full:
            full = asked
        day += dt.timedelta(days=1)
    raise RuntimeError("no open day within the search window")


def _ahead(conn: Connection, account: str, first: str,
           exclude: tuple[int, ...]) -> tuple[dict[str, int], set[str]]:
    """From slot ``first`` on: each slot's holding members, and the closed slots."""
    where = [deliveries.c.account == account, deliveries.c.message_slot >= first]
    if exclude:
        where.append(deliveries.c.id.not_in(exclude))
    counts: dict[str, int] = {}
    slot: Any
    n: Any
    for slot, n in conn.execute(
            select(deliveries.c.message_slot, func.count()).where(
                *where, deliveries.c.state.in_([str(s) for s in HOLDING]))
            .group_by(deliveries.c.message_slot)).all():
        counts[str(slot)] = int(n)
    closed: list[Any] = list(conn.execute(
        select(deliveries.c.message_slot).distinct().where(
            *where, deliveries.c.message_key.is_not(None),
            deliveries.c.state.in_([str(s) for s in CLOSING]))).scalars())
    return counts, {str(c) for c in closed}
