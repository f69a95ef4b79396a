"""Key-value storage shared by every bot process: access tokens, upload memos, leases.

Several processes (the daemon, a staff member's ``publish --now``) talk to the same
accounts. They must share one WeChat token and one memo of uploaded images, or they
burn quotas and invalidate each other's tokens. The default store is a ``kv`` table in
the queue database (SQLite in WAL mode or PostgreSQL); Redis is used when configured.

Every store also offers ``add`` (set only if absent or expired) and ``delete_if`` (delete
only if the value still matches). :func:`lease` builds a cross-process lock from them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Column, Float, MetaData, String, Table, Text, create_engine, event, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateTable

from socialbot.errors import ConfigError, Problem

if TYPE_CHECKING:
    from socialbot.config import Settings

Clock = Callable[[], float]

metadata = MetaData()
kv_table = Table(
    "kv",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=True),  # Unix time; NULL = never
)


class LeaseTimeout(TimeoutError):
    """Another process held the lease for longer than we were willing to wait."""


class AtomicStore(Protocol):
    """``channels.base.KeyValueStore`` plus the two atomic operations leases need."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def add(self, key: str, value: str, ttl: float | None = None) -> bool: ...
    def delete_if(self, key: str, value: str) -> bool: ...


class MemoryKeyValueStore:
    """One process only: for tests and dry runs. Honours ttl, unlike wechatpy's MemoryStorage."""

    def __init__(self, clock: Clock = time.time):
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at is not None and expires_at <= self._clock():
            del self._data[key]
            return None
        return value

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, self._clock() + ttl if ttl else None)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._clock() + ttl if ttl else None)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def delete_if(self, key: str, value: str) -> bool:
        with self._lock:
            if self._live(key) != value:
                return False
            del self._data[key]
            return True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and one writer work at once; busy_timeout waits instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """An engine for SQLite (file or memory) or PostgreSQL with sensible defaults."""
    if database_url.startswith("sqlite"):
        memory = database_url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )
        if not memory:
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


class SqlKeyValueStore:
    """The ``kv`` table in the queue database (SQLAlchemy Core; SQLite or PostgreSQL)."""

    def __init__(self, database_url: str | Engine, clock: Clock = time.time):
        self.engine = make_engine(database_url) if isinstance(database_url, str) else database_url
        self._clock = clock
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            problem = f"不支持的数据库类型 {dialect}（请用 SQLite 或 PostgreSQL）"
            raise ConfigError(Problem("database", problem))
        self._insert = insert
        self._create_table()
        self.purge_expired()

    def _create_table(self) -> None:
        """CREATE TABLE IF NOT EXISTS: several processes may start at the same moment."""
        try:
            with self.engine.begin() as conn:
                conn.execute(CreateTable(kv_table, if_not_exists=True))
        except DBAPIError:
            with self.engine.connect() as conn:  # lost a race on PostgreSQL's catalog
                if not self.engine.dialect.has_table(conn, kv_table.name):
                    raise

    def _upsert(self, key: str, value: str, ttl: float | None, *, only_if_expired: bool) -> bool:
        now = self._clock()
        expires_at = now + ttl if ttl else None
        stmt = self._insert(kv_table).values(key=key, value=value, expires_at=expires_at)
        where = None
        if only_if_expired:
            where = kv_table.c.expires_at.is_not(None) & (kv_table.c.expires_at <= now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[kv_table.c.key],
            set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
            where=where,
        )
        stmt = stmt.returning(kv_table.c.key)  # a row back = inserted or taken over
        with self.engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    def get(self, key: str) -> str | None:
        now = self._clock()
        query = select(kv_table.c.value).where(
            kv_table.c.key == key,
            kv_table.c.expires_at.is_(None) | (kv_table.c.expires_at > now),
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none()

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._upsert(key, value, ttl, only_if_expired=False)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        """Insert, or take over an expired row, in one atomic statement."""
        return self._upsert(key, value, ttl, only_if_expired=True)

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sql_delete(kv_table).where(kv_table.c.key == key))

    def delete_if(self, key: str, value: str) -> bool:
        stmt = sql_delete(kv_table).where(kv_table.c.key == key, kv_table.c.value == value)
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def purge_expired(self) -> None:
        stmt = sql_delete(kv_table).where(kv_table.c.expires_at <= self._clock())
        with self.engine.begin() as conn:
            conn.execute(stmt)


_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisKeyValueStore:
    """Redis, for deployments that already run it (``[redis] url`` in config.toml)."""

    def __init__(self, url: str, prefix: str = "socialbot:"):
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self._release = self.redis.register_script(_RELEASE_SCRIPT)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> str | None:
        value = self.redis.get(self._k(key))
        return None if value is None else str(value)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self.redis.set(self._k(key), value, px=int(ttl * 1000) if ttl else None)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        """``SET key value NX PX ttl``: atomic in Redis."""
        px = int(ttl * 1000) if ttl else None
        return bool(self.redis.set(self._k(key), value, nx=True, px=px))

    def delete(self, key: str) -> None:
        self.redis.delete(self._k(key))

    def delete_if(self, key: str, value: str) -> bool:
        return bool(self._release(keys=[self._k(key)], args=[value]))


def open_kv(settings: Settings) -> AtomicStore:
    """Redis when ``[redis] url`` is set, otherwise the ``kv`` table of the queue database."""
    if settings.redis_url:
        return RedisKeyValueStore(settings.redis_url)
    return SqlKeyValueStore(settings.database_url)


_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


@contextmanager
def lease(
    kv: Any,
    name: str,
    *,
    seconds: float = 30.0,
    wait: float = 40.0,
    poll: float = 0.05,
) -> Iterator[None]:
    """Hold ``lock:<name>`` across processes for at most ``seconds`` (it expires if we die).

    Stores without ``add`` (a plain ``channels.base.KeyValueStore``) get a process-local lock.
    """
    if not hasattr(kv, "add"):
        with _local_guard:
            local = _local_locks.setdefault(name, threading.Lock())
        if not local.acquire(timeout=wait):
            raise LeaseTimeout(name)
        try:
            yield
        finally:
            local.release()
        return
    store: AtomicStore = kv  # type: ignore[assignment]
    key, holder = f"lock:{name}", uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not store.add(key, holder, ttl=seconds):
        if time.monotonic() >= deadline:
            raise LeaseTimeout(name)
        time.sleep(poll)
    try:
        yield
    finally:
        store.delete_if(key, holder)
