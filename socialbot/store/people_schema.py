"""Tables for staff sign-in: users, their roles per unit, web sessions, failed logins.

Kept in their own MetaData so migration 1 (which creates the queue's tables from
``schema.metadata``) never creates them implicitly; migration 5 does.
Rows hold codes only (unit ids, role codes, tiers), never display text.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from socialbot.store.schema import UTCDateTime

people_metadata = MetaData()

users = Table(
    "users", people_metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),  # lower-case sign-in name
    Column("display_name", String(100), nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

user_roles = Table(
    "user_roles", people_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("role", String(16), nullable=False),  # editor | reviewer | admin
    Column("tier", Integer, nullable=False, default=0),  # reviewer: 1..3; others 0
    UniqueConstraint("user_id", "unit", "role", "tier", name="uq_user_role"),
)

web_sessions = Table(
    "web_sessions", people_metadata,
    # sha256 of the cookie value: a copy of the database does not hand out sessions.
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # absolute limit
    Index("ix_web_sessions_user", "user_id"),
)

login_failures = Table(
    "login_failures", people_metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),  # user | ip
    Column("key", String(128), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_key", "kind", "key", "at"),
)
