"""The post queue: SQLite by default, PostgreSQL for several machines.

``base.Store`` is the storage interface (documented method by method); ``open_store``
returns its SQL implementation. This package is the only code that speaks SQL.

Modules, in the order a post meets them (after ``socialbot.intake`` loaded, rendered
and checked it): ``queue`` (add all-or-nothing, read), ``review`` (approve, reject,
edit), ``actions`` (cancel, reschedule, retry), ``pauses`` (kill switch), ``claims``
(leases, due, missed, series), ``outcomes`` (write the transition the pipeline
decided), ``quota`` (the ledger), ``audit`` (append-only), ``policy`` (may this
delivery go out?). Underneath:
``db`` (engine, transactions), ``schema`` + ``migrations`` (versioned), ``kv`` (tokens,
memos, leases), ``content`` (rendered JSON, images once), ``recurrence`` (cron),
``times``, ``models``. Beside them, ``lite``: what ``status`` reads, over ``sqlite3``
without SQLAlchemy (``open_reader``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from socialbot.store.base import Store
from socialbot.store.models import ATTENTION, PENDING, DeliveryRecord, PostRecord, State

if TYPE_CHECKING:
    from socialbot.store.db import Database, utcnow
    from socialbot.store.lite import LiteReader
    from socialbot.store.sql import SqlStore

__all__ = [
    "ATTENTION", "PENDING", "Database", "DeliveryRecord", "PostRecord", "State", "Store",
    "open_reader", "open_store", "store_exists", "utcnow",
]


class Located(Protocol):
    """Anything that names its database (the settings do): the store needs only that."""

    @property
    def database_url(self) -> str: ...


def store_exists(url: str) -> bool:
    """Whether the queue at ``url`` may already exist (a SQLite file that is there, or a
    server database): lets a read-only command skip creating one."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    return bool(parsed.database) and Path(parsed.database or "").is_file()


def __getattr__(name: str) -> Any:
    """``Database`` and ``utcnow`` load SQLAlchemy: only when asked for (not by ``status``)."""
    if name in ("Database", "utcnow"):
        from socialbot.store import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(settings: Located | str) -> SqlStore:
    """The queue at a database URL (or ``settings.database_url``), migrated to the latest schema."""
    from socialbot.store.sql import SqlStore

    url = settings if isinstance(settings, str) else settings.database_url
    return SqlStore(url)


def open_reader(settings: Located) -> LiteReader | SqlStore:
    """What ``status`` reads: the light ``sqlite3`` reader when it can answer, else the store.

    Both answer what ``status.StatusSource`` names alike; call ``dispose()`` when done.
    """
    from socialbot.store.lite import open_lite_reader

    return open_lite_reader(settings.database_url) or open_store(settings)
