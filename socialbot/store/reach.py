"""Collected reach figures: what was sent (for the collector) and the figures it found.

Plain functions over the ``Database``; values in and out are ``socialbot.reach`` data
and small row records. Saving is an upsert per (delivery, day) and (account, day): a
later, final answer replaces an earlier one for the same day.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, insert, select, update

from socialbot.reach import AccountDay, ItemDay, PublishedItem
from socialbot.store.db import Database
from socialbot.store.models import State
from socialbot.store.reach_schema import account_figures, delivery_figures
from socialbot.store.schema import deliveries, posts


@dataclass(frozen=True)
class SentDelivery:
    """A sent delivery with what the report needs to name it."""

    delivery: int
    post: int
    post_id: str
    title: str
    account: str
    remote_id: str
    url: str
    sent_at: dt.datetime

    def published_item(self) -> PublishedItem:
        return PublishedItem(self.delivery, self.title, self.remote_id, self.url, self.sent_at)


@dataclass(frozen=True)
class FigureRow:
    """One stored row: figures of a delivery or an account for one day."""

    key: str  # delivery id (as text) or account id
    day: dt.date
    metrics: dict[str, int]
    source: str
    collected_at: dt.datetime


def sent_deliveries(db: Database, *, account: str | None = None,
                    since: dt.datetime | None = None) -> list[SentDelivery]:
    """Sent deliveries (oldest first), optionally of one account and sent at/after ``since``."""
    query = (select(deliveries.c.id, deliveries.c.post, posts.c.post_id, posts.c.title,
                    deliveries.c.account, deliveries.c.remote_id, deliveries.c.url,
                    deliveries.c.sent_at)
             .join(posts, posts.c.id == deliveries.c.post)
             .where(deliveries.c.state == str(State.SENT), deliveries.c.sent_at.is_not(None))
             .order_by(deliveries.c.sent_at, deliveries.c.id))
    if account is not None:
        query = query.where(deliveries.c.account == account)
    if since is not None:
        query = query.where(deliveries.c.sent_at >= since)
    with db.tx(write=False) as conn:
        return [SentDelivery(int(r.id), int(r.post), r.post_id, r.title, r.account,
                             r.remote_id or "", r.url or "", r.sent_at)
                for r in conn.execute(query)]


def _upsert(conn: Connection, table: Table, key: Any, key_value: Any, day: dt.date,
            values: dict[str, Any]) -> None:
    where = and_(key == key_value, table.c.day == day.isoformat())
    done = conn.execute(update(table).where(where).values(**values)).rowcount
    if not done:
        conn.execute(insert(table).values(**{key.name: key_value, "day": day.isoformat(),
                                             **values}))


def save(db: Database, account: str, items: list[ItemDay], days: list[AccountDay],
         now: dt.datetime) -> int:
    """Store a collector's figures in one transaction; returns the rows written."""
    with db.tx() as conn:
        for i in items:
            _upsert(conn, delivery_figures, delivery_figures.c.delivery, i.delivery, i.day,
                    {"metrics": json.dumps(i.metrics), "source": i.source,
                     "raw": json.dumps(i.raw, ensure_ascii=False), "collected_at": now})
        for d in days:
            _upsert(conn, account_figures, account_figures.c.account, account, d.day,
                    {"metrics": json.dumps(d.metrics), "source": d.source,
                     "raw": json.dumps(d.raw, ensure_ascii=False), "collected_at": now})
    return len(items) + len(days)


def _rows(db: Database, table: Table, key: Any) -> list[FigureRow]:
    query = select(key, table.c.day, table.c.metrics, table.c.source,
                   table.c.collected_at).order_by(key, table.c.day)
    with db.tx(write=False) as conn:
        return [FigureRow(str(r[0]), dt.date.fromisoformat(r.day), json.loads(r.metrics),
                          r.source, r.collected_at) for r in conn.execute(query)]


def delivery_rows(db: Database) -> list[FigureRow]:
    """Every stored delivery-day row, by delivery then day."""
    return _rows(db, delivery_figures, delivery_figures.c.delivery)


def account_rows(db: Database) -> list[FigureRow]:
    """Every stored account-day row, by account then day."""
    return _rows(db, account_figures, account_figures.c.account)


def account_days(db: Database, account: str, since: dt.date, until: dt.date) -> frozenset[dt.date]:
    """The days in [since, until] whose figures of ``account`` are stored."""
    query = select(account_figures.c.day).where(
        account_figures.c.account == account,
        account_figures.c.day >= since.isoformat(), account_figures.c.day <= until.isoformat())
    with db.tx(write=False) as conn:
        days = [str(r.day) for r in conn.execute(query)]
    return frozenset(dt.date.fromisoformat(day) for day in days)


def raw_of(db: Database, delivery: int, day: dt.date) -> dict[str, Any] | None:
    """The platform's raw answer kept for one delivery-day row (None: no row)."""
    with db.tx(write=False) as conn:
        raw = conn.execute(select(delivery_figures.c.raw).where(
            delivery_figures.c.delivery == delivery,
            delivery_figures.c.day == day.isoformat())).scalar()
    return None if raw is None else dict(json.loads(raw))
