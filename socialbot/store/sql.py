"""``SqlStore``: the storage interface over SQLAlchemy Core (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select

from socialbot.quota_rules import QuotaRule
from socialbot.rendered import RenderedPost
from socialbot.store import audit as audit_log
from socialbot.store import quota
from socialbot.store.base import AttemptRecord, BucketUse, Store
from socialbot.store.content import load_rendered
from socialbot.store.db import Database
from socialbot.store.models import (
    LIVE,
    OPEN_OUTCOME,
    PENDING,
    DeliveryRecord,
    Pause,
    PostRecord,
    State,
)
from socialbot.store.pauses import active_pauses
from socialbot.store.queue import deliveries_of, get_post, list_queue
from socialbot.store.schema import attempts, deliveries, posts


class SqlStore(Database, Store):
    """One engine per database URL (shared in the process), migrated on open."""

    _kv: Any = None

    def kv(self) -> Any:
        if self._kv is None:
            from socialbot.store.kv import SqlKeyValueStore

            self._kv = SqlKeyValueStore(self)
        return self._kv

    def alert_log(self) -> Any:
        from socialbot.store.alert_log import StoreAlertLog

        return StoreAlertLog(self)

    def post(self, queue_id: int) -> PostRecord:
        with self.tx(write=False) as conn:
            return get_post(conn, queue_id)

    def deliveries_of(self, queue_id: int) -> list[DeliveryRecord]:
        with self.tx(write=False) as conn:
            return deliveries_of(conn, queue_id)

    def rendered(self, queue_id: int) -> RenderedPost:
        with self.tx(write=False) as conn:
            return load_rendered(conn, queue_id)

    def attempts_of(self, delivery_ids: Collection[int]) -> list[AttemptRecord]:
        with self.tx(write=False) as conn:
            rows = conn.execute(select(attempts).where(
                attempts.c.delivery.in_(list(delivery_ids))).order_by(attempts.c.id)).all()
        return [AttemptRecord(
            id=m["id"], delivery=m["delivery"], kind=m["kind"], worker=m["worker"],
            started_at=m["started_at"], finished_at=m["finished_at"], outcome=m["outcome"],
            message=m["message"] or "", remote_id=m["remote_id"] or "",
            calls=json.loads(m["calls"] or "[]"),
        ) for m in (r._mapping for r in rows)]

    def list_queue(self, *, include_finished: bool = False, state: str | None = None,
                   offset: int = 0, limit: int | None = None
                   ) -> tuple[list[tuple[PostRecord, list[DeliveryRecord]]], int]:
        return list_queue(self, include_finished=include_finished, state=state,
                          offset=offset, limit=limit)

    def live_work(self) -> list[tuple[DeliveryRecord, str]]:
        with self.tx(write=False) as conn:
            rows = conn.execute(
                select(deliveries, posts.c.title)
                .join(posts, posts.c.id == deliveries.c.post)
                .where(deliveries.c.state.in_([str(s) for s in LIVE]))
                .order_by(deliveries.c.due_at, deliveries.c.id)
            ).all()
        return [(DeliveryRecord.from_row(r), r._mapping["title"]) for r in rows]

    def holding(self, delivery_key: str) -> DeliveryRecord | None:
        open_states = [str(s) for s in (*PENDING, State.SENDING, *OPEN_OUTCOME)]
        with self.tx(write=False) as conn:
            row = conn.execute(select(deliveries).where(
                deliveries.c.delivery_key == delivery_key,
                deliveries.c.state.in_(open_states))).first()
        return None if row is None else DeliveryRecord.from_row(row)

    def state_counts(self) -> dict[str, int]:
        with self.tx(write=False) as conn:
            rows = conn.execute(select(deliveries.c.state, func.count())
                                .group_by(deliveries.c.state)).all()
        return {str(state): int(str(n)) for state, n in rows}

    def next_wake(self, after: dt.datetime) -> dt.datetime | None:
        with self.tx(write=False) as conn:
            times = [
                conn.execute(select(func.min(deliveries.c.due_at)).where(
                    deliveries.c.state.in_([str(State.APPROVED), str(State.DUE)]),
                    deliveries.c.paused.is_(False), deliveries.c.due_at > after)).scalar(),
                conn.execute(select(func.min(deliveries.c.lease_until)).where(
                    deliveries.c.state == str(State.SENDING),
                    deliveries.c.lease_until > after)).scalar(),
                conn.execute(select(func.min(deliveries.c.next_check_at)).where(
                    deliveries.c.state == str(State.UNKNOWN),
                    deliveries.c.next_check_at > after)).scalar(),
            ]
        found = [t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t for t in times if t]
        return min(found) if found else None

    def last_sent(self) -> dict[str, dt.datetime]:
        with self.tx(write=False) as conn:
            rows = conn.execute(select(deliveries.c.account, func.max(deliveries.c.sent_at))
                                .where(deliveries.c.state == str(State.SENT),
                                       deliveries.c.sent_at.is_not(None))
                                .group_by(deliveries.c.account)).all()
        return {str(a): _utc(t) for a, t in rows if t is not None}

    def first_post_at(self) -> dt.datetime | None:
        with self.tx(write=False) as conn:
            first = conn.execute(select(func.min(posts.c.created_at))).scalar()
        return None if first is None else _utc(first)

    def pauses(self) -> list[Pause]:
        return active_pauses(self)

    def bucket_use(self, account: str, rule: QuotaRule, when: dt.datetime) -> BucketUse:
        with self.tx(write=False) as conn:
            return quota.bucket_use(conn, account, rule, when)

    def audit(self, *, actor: str, action: str, post: int | None = None,
              account: str | None = None, content_hash: str | None = None,
              detail: str = "", at: dt.datetime | None = None) -> None:
        with self.tx() as conn:
            audit_log.record(conn, actor=actor, action=action, post=post, account=account,
                             content_hash=content_hash, detail=detail, at=at)


def _utc(value: Any) -> dt.datetime:
    """An aggregate's time: SQLite hands back the stored text or a naive datetime."""
    when: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
