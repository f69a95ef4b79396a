"""The key-value data (tokens, upload memos, leases) in the queue database itself.

Served over the store's own engine and transactions (the ``kv`` table belongs to the
versioned migrations), so it shares the queue's pragmas, lock discipline and pool.
Values are plain text with an optional expiry in Unix seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import bindparam, delete, select

from socialbot.store.db import Database
from socialbot.store.schema import kv

Clock = Callable[[], float]


class SqlKeyValueStore:
    """``get/set/delete`` plus the two atomic operations leases need (``add``, ``delete_if``)."""

    def __init__(self, database: Database | str, clock: Clock = time.time):
        self.db = database if isinstance(database, Database) else Database(database)
        self._owns_db = not isinstance(database, Database)
        self._clock = clock
        if self.db.is_postgres:
            from sqlalchemy.dialects import postgresql as dialect
        else:
            from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
        self._insert: Any = dialect.insert
        # Built once: every delivery reads and writes its memo here.
        live = kv.c.expires_at.is_(None) | (kv.c.expires_at > bindparam("b_now"))
        self._get = select(kv.c.value).where(kv.c.key == bindparam("b_key"), live)
        self._get_many = select(kv.c.key, kv.c.value).where(
            kv.c.key.in_(bindparam("b_keys", expanding=True)), live)
        upsert = self._insert(kv)
        self._set_many = upsert.on_conflict_do_update(
            index_elements=[kv.c.key],
            set_={"value": upsert.excluded.value, "expires_at": upsert.excluded.expires_at})
        self.purge_expired()

    @property
    def engine(self) -> Any:
        return self.db.engine

    def close(self) -> None:
        if self._owns_db:
            self.db.dispose()

    def _upsert(self, key: str, value: str, ttl: float | None, *, only_if_expired: bool) -> bool:
        now = self._clock()
        expires_at = now + ttl if ttl else None
        stmt = self._insert(kv).values(key=key, value=value, expires_at=expires_at)
        where = None
        if only_if_expired:
            where = kv.c.expires_at.is_not(None) & (kv.c.expires_at <= now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[kv.c.key],
            set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
            where=where,
        ).returning(kv.c.key)  # a row back = inserted or taken over
        with self.db.tx() as conn:
            return conn.execute(stmt).first() is not None

    def get(self, key: str) -> str | None:
        with self.db.tx(write=False) as conn:
            value = conn.execute(self._get, {"b_key": key, "b_now": self._clock()}
                                 ).scalar_one_or_none()
        return None if value is None else str(value)

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        """The live values of ``keys`` (absent ones left out), in one read."""
        names = list(dict.fromkeys(keys))
        if not names:
            return {}
        params = {"b_keys": names, "b_now": self._clock()}
        with self.db.tx(write=False) as conn:
            return {str(k): str(v) for k, v in conn.execute(self._get_many, params).all()}

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._upsert(key, value, ttl, only_if_expired=False)

    def set_many(self, items: Iterable[tuple[str, str, float | None]]) -> None:
        """Several ``(key, value, ttl)`` writes in one transaction (a delivery's memo)."""
        rows = {key: (value, ttl) for key, value, ttl in items}
        if not rows:
            return
        now = self._clock()
        with self.db.tx() as conn:
            conn.execute(self._set_many,
                         [{"key": k, "value": v, "expires_at": now + t if t else None}
                          for k, (v, t) in rows.items()])

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        """Insert, or take over an expired row, in one atomic statement."""
        return self._upsert(key, value, ttl, only_if_expired=True)

    def delete(self, key: str) -> None:
        self.delete_many([key])

    def delete_many(self, keys: Iterable[str]) -> None:
        """Several keys in one transaction (a finished delivery forgets its markers at once)."""
        names = list(keys)
        if names:
            with self.db.tx() as conn:
                conn.execute(delete(kv).where(kv.c.key.in_(names)))

    def delete_if(self, key: str, value: str) -> bool:
        with self.db.tx() as conn:
            stmt = delete(kv).where(kv.c.key == key, kv.c.value == value)
            return conn.execute(stmt).rowcount == 1

    def purge_expired(self) -> None:
        with self.db.tx() as conn:
            conn.execute(delete(kv).where(kv.c.expires_at <= self._clock()))
