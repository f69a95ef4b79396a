"""The post queue: SQLite by default, PostgreSQL for several machines.

Modules, in the order a post meets them: ``intake`` (load, render, platform checks),
``queue`` (add all-or-nothing, read), ``review`` (approve, reject, edit), ``actions``
(cancel, reschedule, retry), ``pauses`` (kill switch), ``claims`` (leases, due, missed,
series), ``outcomes`` (record results), ``quota`` (the ledger), ``audit`` (append-only).
Underneath: ``db`` (engine, transactions), ``schema`` + ``migrations`` (versioned),
``content`` (rendered JSON, images once), ``recurrence`` (cron), ``times``, ``models``.
"""

from __future__ import annotations

from socialbot.config import Settings
from socialbot.store.db import Database, utcnow
from socialbot.store.models import ATTENTION, PENDING, DeliveryRecord, PostRecord, State

__all__ = [
    "ATTENTION", "PENDING", "Database", "DeliveryRecord", "PostRecord", "State", "open_store",
    "utcnow",
]


def open_store(settings: Settings | str) -> Database:
    """The queue named by ``settings.database_url`` (or a URL), migrated to the latest schema."""
    url = settings if isinstance(settings, str) else settings.database_url
    return Database(url)
