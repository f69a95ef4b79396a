"""Reads for the console's calendar and its watch pages: deliveries by time, sends by account.

One query each, joined with the post's few columns a calendar cell shows (title, post
id, author), so a month of 2,000 deliveries costs one round trip, not one per post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from socialbot.store.db import Database
from socialbot.store.models import DeliveryRecord, State
from socialbot.store.schema import deliveries, posts


@dataclass(frozen=True)
class AgendaItem:
    """One delivery with what a calendar cell says about its post."""

    delivery: DeliveryRecord
    title: str
    post_id: str
    author: str
    cron: str | None


def between(db: Database, start: dt.datetime, end: dt.datetime, *,
            accounts: Collection[str] | None = None, states: Collection[str] | None = None,
            post_ids: Collection[str] | None = None) -> list[AgendaItem]:
    """Deliveries due in [start, end), soonest first; ``None`` filters mean "any"."""
    query = (select(deliveries, posts.c.title, posts.c.post_id.label("post_name"),
                    posts.c.author, posts.c.cron)
             .join(posts, posts.c.id == deliveries.c.post)
             .where(deliveries.c.due_at >= start, deliveries.c.due_at < end))
    if accounts is not None:
        query = query.where(deliveries.c.account.in_(sorted(accounts)))
    if states is not None:
        query = query.where(deliveries.c.state.in_(sorted(states)))
    if post_ids is not None:
        query = query.where(posts.c.post_id.in_(sorted(post_ids)))
    with db.tx(write=False) as conn:
        rows = conn.execute(query.order_by(deliveries.c.due_at, deliveries.c.id)).all()
    return [_item(r) for r in rows]


def one(db: Database, delivery_id: int) -> AgendaItem | None:
    """One delivery with its post's columns, or None when there is no such delivery."""
    query = (select(deliveries, posts.c.title, posts.c.post_id.label("post_name"),
                    posts.c.author, posts.c.cron)
             .join(posts, posts.c.id == deliveries.c.post)
             .where(deliveries.c.id == delivery_id))
    with db.tx(write=False) as conn:
        row = conn.execute(query).first()
    return None if row is None else _item(row)


def sent(db: Database, account: str, *, limit: int = 20) -> list[AgendaItem]:
    """What followers of ``account`` received: its sent deliveries, latest first."""
    query = (select(deliveries, posts.c.title, posts.c.post_id.label("post_name"),
                    posts.c.author, posts.c.cron)
             .join(posts, posts.c.id == deliveries.c.post)
             .where(deliveries.c.account == account,
                    deliveries.c.state == str(State.SENT))
             .order_by(deliveries.c.sent_at.desc(), deliveries.c.id.desc())
             .limit(limit))
    with db.tx(write=False) as conn:
        rows = conn.execute(query).all()
    return [_item(r) for r in rows]


def _item(row: object) -> AgendaItem:
    m = row._mapping  # type: ignore[attr-defined]
    return AgendaItem(DeliveryRecord.from_row(row), str(m["title"]), str(m["post_name"]),
                      str(m["author"]), m["cron"])
