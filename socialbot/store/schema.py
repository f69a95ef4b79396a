"""The queue's tables (SQLAlchemy Core), readable with ``sqlite3`` or ``psql``.

Posts keep their rendered content as JSON text (image bytes live once in ``images``,
keyed by sha256). A delivery is one (post, account, occurrence): the unit that is
claimed, published, recorded and reported. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the queue store")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UTCDateTime, nullable=False),
    Column("description", String(200), nullable=False, default=""),
)

posts = Table(
    "posts", metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("author", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("rendered", Text, nullable=False),
    Column("targets", Text, nullable=False),  # JSON list of account ids
    Column("review", String(16), nullable=False),  # pending | approved | rejected
    Column("approved_hash", String(64)),
    Column("approved_by", String(100)),
    Column("approved_at", UTCDateTime),
    Column("review_note", Text, nullable=False, default=""),
    Column("cron", String(100)),
    Column("cron_until", UTCDateTime),
    Column("series_next", UTCDateTime),  # next occurrence not yet turned into deliveries
    Column("active", Boolean, nullable=False, default=True),
    # JSON list of the content-check warnings for this content; NULL when there are none.
    # A post with warnings needs a reviewer's override on every account (see review).
    Column("warnings", Text),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("post", Integer, ForeignKey("posts.id"), nullable=False),
    Column("account", String(40), nullable=False),
    Column("occurrence", String(40), nullable=False, default=""),
    Column("planned_at", UTCDateTime, nullable=False),  # what staff asked for
    Column("due_at", UTCDateTime, nullable=False),  # current target (after reschedules)
    Column("state", String(16), nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("content_hash", String(64), nullable=False),
    Column("delivery_key", String(64), nullable=False),
    Column("claimed_by", String(120)),
    Column("claim_token", String(32)),
    Column("lease_until", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_check_at", UTCDateTime),
    Column("remote_id", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
    Column("sent_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    # A send that carries several deliveries (migration 8): the slot groups the deliveries
    # of one account that go out together ("YYYY-MM-DD", or with a suffix for a delivery
    # that must travel alone); position orders them (NULL: by queue order); message_key
    # names the send once claimed, shared by every delivery in it.
    Column("message_slot", String(80)),
    Column("position", Integer),
    Column("message_key", String(64)),
    UniqueConstraint("post", "account", "occurrence", name="uq_delivery_target"),
)
Index("ix_deliveries_state_due", deliveries.c.state, deliveries.c.due_at)
Index("ix_deliveries_account_due", deliveries.c.account, deliveries.c.due_at)

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery", Integer, ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # publish | reconcile
    Column("worker", String(120), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", String(16)),
    Column("message", Text, nullable=False, default=""),
    Column("remote_id", Text, nullable=False, default=""),
    Column("calls", Text, nullable=False, default="[]"),  # JSON list of Attempt.to_json()
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(120), nullable=False),
    Column("action", String(32), nullable=False),
    Column("post", Integer),
    Column("account", String(40)),
    Column("content_hash", String(64)),
    Column("detail", Text, nullable=False, default=""),
)

images = Table(
    "images", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("format", String(8), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

pauses = Table(
    "pauses", metadata,
    Column("scope", String(40), primary_key=True),  # "*" = every account
    Column("by", String(100), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("at", UTCDateTime, nullable=False),
)

quota_ledger = Table(
    "quota_ledger", metadata,
    Column("id", Integer, primary_key=True),
    Column("account", String(40), nullable=False),
    Column("bucket", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # sent | exhausted
    Column("delivery", Integer),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_quota_account_bucket", "account", "bucket"),
)

kv = Table(
    "kv", metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=True),  # Unix time; NULL = never
)

# What the queue looks up by: a post's id (the duplicate check of ``queue add``), a
# post's deliveries (that check's join, review, every action) and a delivery's key
# (``publish --now`` refusing what the queue holds).
ix_posts_post_id = Index("ix_posts_post_id", posts.c.post_id)
ix_deliveries_post = Index("ix_deliveries_post", deliveries.c.post)
ix_deliveries_key = Index("ix_deliveries_key", deliveries.c.delivery_key)
ix_deliveries_slot = Index("ix_deliveries_slot", deliveries.c.account, deliveries.c.message_slot)
ix_deliveries_message = Index("ix_deliveries_message", deliveries.c.message_key)

GLOBAL_SCOPE = "*"
