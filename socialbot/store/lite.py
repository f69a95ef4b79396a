"""A read-only view of a SQLite queue over the standard library's ``sqlite3``.

``socialbot status`` asks a few things (the live work, each account's quota bucket, the
last send per account, the first post, the pauses, remembered key-value data) and is run
by cron and monitoring every few minutes.
Importing SQLAlchemy alone costs that command more than ten times the start of Python,
so on SQLite it reads through this module instead: the same rows, the same SQL shape,
the same records (``store.models``), in one read transaction and without migrating.

It answers only a database that is already at the schema this code knows; anything
else (no file yet, an older schema that ``open_store`` would migrate, a URL with options,
PostgreSQL) gets ``None`` from :func:`open_lite_reader`, and the caller opens the full
store. Its results equal ``SqlStore``'s: ``tests/test_status_read.py`` compares both on
one database.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path
from typing import Any

from socialbot.quota_rules import QuotaRule
from socialbot.store.base import BucketUse
from socialbot.store.models import LIVE, QUOTA_HOLDING, DeliveryRecord, Pause, State

# The last migration this reader was checked against (tests keep it equal to the last
# entry of ``migrations.MIGRATIONS``; importing that module would load SQLAlchemy).
SCHEMA_VERSION = 10  # 10 adds the review chain tables, which status does not read
BUSY_TIMEOUT_S = 30.0
_PREFIX = "sqlite:///"
_LIVE = tuple(str(s) for s in LIVE)
_HOLDING = tuple(str(s) for s in QUOTA_HOLDING)


def sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///<path>`` URL; None for anything else."""
    if not url.startswith(_PREFIX) or any(c in url for c in "?#%"):
        return None
    path = url[len(_PREFIX):]
    if path in ("", ":memory:") or path.startswith("file:"):
        return None
    return Path(path)


def open_lite_reader(url: str) -> LiteReader | None:
    """A reader on ``url`` when it is an existing SQLite file at the known schema."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                               timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error:
        return None
    reader = LiteReader(conn)
    try:
        conn.execute("PRAGMA query_only=1")
        conn.execute("BEGIN")  # one snapshot for every answer (WAL: writers go on)
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    except sqlite3.Error:  # not a queue database (yet): the full store says what is wrong
        reader.dispose()
        return None
    if not isinstance(version, int) or version < SCHEMA_VERSION:
        reader.dispose()
        return None
    return reader


def stored_time(value: dt.datetime) -> str:
    """A time as SQLAlchemy stores ``UTCDateTime`` on SQLite (naive UTC, microseconds)."""
    v = value.astimezone(dt.UTC)
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}")


def _time(text: Any) -> dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.fromisoformat(str(text)).replace(tzinfo=dt.UTC)


class _Row:
    """What ``DeliveryRecord.from_row`` reads: a mapping under ``_mapping``."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]):
        self._mapping = mapping


_DELIVERY_TIMES = ("planned_at", "due_at", "lease_until", "next_check_at", "sent_at",
                   "updated_at")


class LiteReader:
    """What ``status`` reads of ``SqlStore`` (``live_work``, ``bucket_use``, ``last_sent``,
    ``first_post_at``, ``pauses``, ``kv().get``), read-only."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def dispose(self) -> None:
        """End the read transaction and close the file."""
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        finally:
            self._conn.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cur = self._conn.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def live_work(self) -> list[tuple[DeliveryRecord, str]]:
        marks = ", ".join("?" * len(_LIVE))
        rows = self._rows(
            f"SELECT deliveries.*, posts.title AS title FROM deliveries "
            f"JOIN posts ON posts.id = deliveries.post WHERE deliveries.state IN ({marks}) "
            f"ORDER BY deliveries.due_at, deliveries.id", _LIVE)
        found = []
        for m in rows:
            for name in _DELIVERY_TIMES:
                m[name] = _time(m[name])
            found.append((DeliveryRecord.from_row(_Row(m)), m["title"]))
        return found

    def bucket_use(self, account: str, rule: QuotaRule, when: dt.datetime) -> BucketUse:
        key, start, end = rule.bucket(when)
        counts = {str(kind): int(n) for kind, n in self._conn.execute(
            "SELECT kind, count(*) FROM quota_ledger WHERE account = ? AND bucket = ? "
            "GROUP BY kind", (account, key))}
        marks = ", ".join("?" * len(_HOLDING))
        # Deliveries that travel in one send (one message slot) use the bucket once.
        planned = self._conn.execute(
            f"SELECT count(DISTINCT coalesce(message_slot, CAST(id AS VARCHAR))) "
            f"FROM deliveries WHERE account = ? AND state IN ({marks}) "
            f"AND due_at >= ? AND due_at < ?",
            (account, *_HOLDING, stored_time(start), stored_time(end))).fetchone()[0]
        return BucketUse(key, counts.get("sent", 0), int(planned or 0),
                         counts.get("exhausted", 0) > 0)

    def last_sent(self) -> dict[str, dt.datetime]:
        rows = self._conn.execute(
            "SELECT account, max(sent_at) FROM deliveries WHERE state = ? "
            "AND sent_at IS NOT NULL GROUP BY account", (str(State.SENT),)).fetchall()
        return {str(account): _required(at) for account, at in rows if at is not None}

    def first_post_at(self) -> dt.datetime | None:
        return _time(self._conn.execute("SELECT min(created_at) FROM posts").fetchone()[0])

    def pauses(self) -> list[Pause]:
        return [Pause(scope=m["scope"], by=m["by"], reason=m["reason"], at=_required(m["at"]))
                for m in self._rows('SELECT scope, "by", reason, at FROM pauses')]

    def kv(self) -> LiteKeyValues:
        return LiteKeyValues(self._conn)


def _required(text: Any) -> dt.datetime:
    value = _time(text)
    assert value is not None, "a NOT NULL time column held NULL"
    return value


class LiteKeyValues:
    """``get`` of the store's key-value data (expired values read as absent)."""

    def __init__(self, conn: sqlite3.Connection, clock: Any = time.time):
        self._conn = conn
        self._clock = clock

    def get(self, key: str) -> str | None:
        row = self._conn.execute(
            "SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
            (key, self._clock())).fetchone()
        return None if row is None else str(row[0])
