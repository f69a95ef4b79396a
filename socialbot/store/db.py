"""The database handle: one engine per database, short transactions, schema migrated on open.

Every handle on the same URL in a process shares one engine (counted; the last
``dispose`` closes it), so the queue, the key-value data and a command's own handle
never open competing connection pools with different settings on one file.

SQLite (the default) runs in WAL mode and every writing transaction starts with
``BEGIN IMMEDIATE``, so two workers on one machine never both believe they hold the
same row: the second waits (busy_timeout) instead of failing half-way. PostgreSQL is
for several machines; there the claim uses ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from socialbot.errors import StoreError
from socialbot.explain import DatabaseUnavailable, os_reason
from socialbot.notices import problem
from socialbot.store.errors import database_problem, where
from socialbot.store.migrations import MIGRATIONS, current_version
from socialbot.store.schema import schema_version
from socialbot.times import utcnow

__all__ = ["BUSY_TIMEOUT_MS", "Database", "inserted_id", "utcnow"]

BUSY_TIMEOUT_MS = 30_000


class Database:
    """A SQLAlchemy engine plus the transaction helpers every store module uses."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        try:
            self.engine, self._writer = _ENGINES.acquire(url)
        except (SQLAlchemyError, ImportError) as exc:  # no driver, or an unreadable url
            raise database_problem(exc, url) from None
        self._disposed = False
        self.dialect = self.engine.dialect.name
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.dispose()
                raise

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def tx(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction; committed on success, rolled back on any error.

        ``write=False`` uses a deferred BEGIN on SQLite so readers never queue
        behind writers (WAL lets them read the last committed state). Writers of one
        process take turns on a lock first: SQLite would make them sleep-and-retry on
        its busy handler instead, which costs a burst of threads most of their time.
        """
        turn = self._writer if write and self.dialect == "sqlite" else contextlib.nullcontext()
        try:
            with turn, self.engine.connect() as conn:
                conn.info["sb_immediate"] = write
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise  # a broken rule of ours, not an unusable database
        except DBAPIError as exc:  # locked, disk, permissions, unreachable: worded for staff
            raise database_problem(exc, self.url) from exc

    def migrate(self) -> int:
        """Bring the schema up to date (idempotent; safe with several processes)."""
        for attempt in range(5):
            try:
                with self.tx() as conn:
                    if self.is_postgres:
                        # One migrating process at a time across machines.
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74210093)")
                    version = current_version(conn)
                    for number, _description, step in MIGRATIONS:
                        if number > version:
                            step(conn, self.dialect)
                            conn.execute(schema_version.insert().values(
                                version=number, applied_at=utcnow(), description=_description))
                            version = number
                    return version
            except StoreError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def version(self) -> int:
        with self.tx(write=False) as conn:
            return int(conn.execute(select(schema_version.c.version)
                                    .order_by(schema_version.c.version.desc())).scalar() or 0)

    def dispose(self) -> None:
        """Let go of the shared engine; the last handle on a URL closes its connections."""
        if not self._disposed:
            self._disposed = True
            _ENGINES.release(self.url)


class _Engines:
    """One engine per database URL in this process, shared by every handle on it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engines: dict[str, tuple[Engine, threading.RLock, int]] = {}

    def acquire(self, url: str) -> tuple[Engine, threading.RLock]:
        """The engine for ``url`` and the lock its writers take turns on."""
        with self._lock:
            if url in self._engines:
                engine, writer, users = self._engines[url]
            else:
                engine, writer, users = _make_engine(url), threading.RLock(), 0
            self._engines[url] = (engine, writer, users + 1)
            return engine, writer

    def release(self, url: str) -> None:
        with self._lock:
            engine, writer, users = self._engines[url]
            if users > 1:
                self._engines[url] = (engine, writer, users - 1)
                return
            del self._engines[url]
        engine.dispose()


_ENGINES = _Engines()


def inserted_id(conn: Connection, statement: Any) -> int:
    """Run an INSERT and return the new row's primary key."""
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # Up to DEFAULT_CAP publishing threads each hold a connection for a short transaction.
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 30}
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            place, at = where(url)
            raise DatabaseUnavailable(problem(
                place, "database.no_folder", folder=str(folder), reason=os_reason(exc),
                **at)) from None
    memory = database in ("", ":memory:")
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        poolclass=StaticPool if memory else None,  # one in-memory database, not one per thread
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN IMMEDIATE is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.info.get("sb_immediate", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
