"""The alert log table, in its own MetaData so migration 1 never creates it; migration 7
does (see ``socialbot.store.alert_log`` for reading and writing it).

Apart from ``alert_log`` so that ``migrations`` can create the table without importing
the code that needs a ``Database``: imports then run one way (db -> migrations -> here).
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Index, MetaData, String, Table, Text

from socialbot.store.schema import UTCDateTime

# Its own metadata (as the people tables have): migration 1 creates the queue tables from
# ``schema.metadata`` and must not create this one ahead of its own migration.
alert_log_metadata = MetaData()

alert_log = Table(
    "alert_log", alert_log_metadata,
    Column("entry", String(255), primary_key=True),  # dedupe key | owner | channel
    Column("dedupe_key", String(200), nullable=False, default=""),
    Column("owner", String(40), nullable=False, default=""),
    Column("channel", String(16), nullable=False, default=""),
    Column("kind", String(32), nullable=False, default=""),
    Column("account", String(40), nullable=False, default=""),
    Column("post", String(40), nullable=False, default=""),
    Column("at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # sent | failed
    Column("reason", Text, nullable=False, default=""),
)
ix_alert_log_at = Index("ix_alert_log_at", alert_log.c.at)


def create(conn: Connection) -> None:
    """The table and its index, if missing (migration 7)."""
    alert_log.create(conn, checkfirst=True)
    ix_alert_log_at.create(conn, checkfirst=True)
