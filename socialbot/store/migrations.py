"""Ordered schema migrations, recorded in ``schema_version``.

Each step is a function ``(conn, dialect)`` run inside the opening transaction. Steps are
written to be idempotent (create-if-missing, add-column-if-missing): migration 1 creates
the tables from the current definitions, so a later step that adds a column must check
for it first. Append a new step; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, Integer, String, Text, inspect, select
from sqlalchemy.schema import CreateColumn

from socialbot.store.people_schema import people_metadata
from socialbot.store.reach_schema import reach_metadata
from socialbot.store.review_schema import approvals, comments
from socialbot.store.schema import (
    ix_deliveries_key,
    ix_deliveries_message,
    ix_deliveries_post,
    ix_deliveries_slot,
    ix_posts_post_id,
    kv,
    metadata,
    schema_version,
)
from socialbot.store.versions_schema import create_tables as create_version_tables

Step = Callable[[Connection, str], None]

APPEND_ONLY = "audit log is append-only"


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(schema_version.name):
        return 0
    value = conn.execute(select(schema_version.c.version)
                         .order_by(schema_version.c.version.desc()).limit(1)).scalar()
    return int(value or 0)


def add_column_if_missing(conn: Connection, table: str, column: Column[object]) -> None:
    """For later migrations: ALTER TABLE ... ADD COLUMN unless it is already there."""
    names = {c["name"] for c in inspect(conn).get_columns(table)}
    if column.name not in names:
        ddl = CreateColumn(column).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {ddl}")


def _m1_initial(conn: Connection, dialect: str) -> None:
    metadata.create_all(conn, checkfirst=True)
    _audit_append_only(conn, dialect)


def _audit_append_only(conn: Connection, dialect: str) -> None:
    """Refuse UPDATE and DELETE on the audit table inside the database itself."""
    if dialect == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION socialbot_audit_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_append_only ON audit")
        conn.exec_driver_sql(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION socialbot_audit_append_only()"
        )
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        conn.exec_driver_sql(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION socialbot_audit_append_only()"
        )


def _m2_post_warnings(conn: Connection, dialect: str) -> None:
    add_column_if_missing(conn, "posts", Column("warnings", Text))


def _m3_kv(conn: Connection, dialect: str) -> None:
    """The key-value table, until now created on first use outside the migrations."""
    kv.create(conn, checkfirst=True)


def _m4_lookup_indexes(conn: Connection, dialect: str) -> None:
    for index in (ix_posts_post_id, ix_deliveries_post, ix_deliveries_key):
        index.create(conn, checkfirst=True)


def _m5_people(conn: Connection, dialect: str) -> None:
    people_metadata.create_all(conn, checkfirst=True)


def _m6_reach_figures(conn: Connection, dialect: str) -> None:
    reach_metadata.create_all(conn, checkfirst=True)


def _m7_alert_log(conn: Connection, dialect: str) -> None:
    """What each alert owner was told, so a restart does not tell them again."""
    from socialbot.store import alert_log_schema

    alert_log_schema.create(conn)


def _m8_message_slots(conn: Connection, dialect: str) -> None:
    """Deliveries that travel in one send: slot, position within it, the send's key."""
    add_column_if_missing(conn, "deliveries", Column("message_slot", String(80)))
    add_column_if_missing(conn, "deliveries", Column("position", Integer))
    add_column_if_missing(conn, "deliveries", Column("message_key", String(64)))
    for index in (ix_deliveries_slot, ix_deliveries_message):
        index.create(conn, checkfirst=True)


def _m9_post_versions(conn: Connection, dialect: str) -> None:
    create_version_tables(conn)


def _m10_review_chain(conn: Connection, dialect: str) -> None:
    """Approvals per tier and comments: tables only, so rerunning is harmless."""
    for table in (approvals, comments):
        table.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Step]] = [
    (1, "queue, deliveries, attempts, audit (append-only), images, pauses, quota ledger",
     _m1_initial),
    (2, "posts.warnings: content-check warnings a reviewer must override", _m2_post_warnings),
    (3, "key-value table (tokens, upload memos, leases)", _m3_kv),
    (4, "indexes on posts.post_id, deliveries.post and deliveries.delivery_key",
     _m4_lookup_indexes),
    (5, "users, roles per unit, web sessions, failed sign-ins", _m5_people),
    (6, "collected reach figures per delivery-day and account-day (raw answers kept)",
     _m6_reach_figures),
    (7, "alert log: which alert went to which owner's channel, when, and the result",
     _m7_alert_log),
    (8, "deliveries.message_slot, position, message_key: several posts in one send",
     _m8_message_slots),
    (9, "post_versions: every saved text of a post, for the console's version history",
     _m9_post_versions),
    (10, "review chain: approvals per tier bound to a content hash; threaded comments",
     _m10_review_chain),
]
