"""Tables of the review chain: one row per tier's approval, and the comments on a post.

Kept in their own MetaData so migration 1 never creates them implicitly; migration 10
does. An approval row records the exact content hash its reviewer saw; an edit or a
rejection voids the post's live rows (``voided_at``) instead of deleting them, so the
page and the audit can say whose approvals an edit undid.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, text

from socialbot.store.schema import UTCDateTime

review_metadata = MetaData()

# The queue's tables, named for the foreign keys below (not created from here).
Table("posts", review_metadata, Column("id", Integer, primary_key=True))

approvals = Table(
    "review_approvals", review_metadata,
    Column("id", Integer, primary_key=True),
    Column("post", Integer, ForeignKey("posts.id"), nullable=False),
    Column("tier", Integer, nullable=False),  # 1 初审, 2 复审, 3 终审
    Column("content_hash", String(64), nullable=False),
    Column("reviewer", String(120), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("voided_at", UTCDateTime),
    Column("void_reason", String(16)),  # edited | rejected | warnings
    Index("ix_review_approvals_post", "post"),
    # One live approval per tier: two reviewers racing for the same tier cannot both win.
    Index("uq_review_live_tier", "post", "tier", unique=True,
          sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
)

comments = Table(
    "review_comments", review_metadata,
    Column("id", Integer, primary_key=True),
    Column("post", Integer, ForeignKey("posts.id"), nullable=False),
    Column("parent", Integer, ForeignKey("review_comments.id")),  # a reply to this comment
    Column("author", String(120), nullable=False),
    Column("body", Text, nullable=False),  # plain text; pages escape it
    Column("content_hash", String(64), nullable=False),  # the content it was written about
    Column("at", UTCDateTime, nullable=False),
    Index("ix_review_comments_post", "post"),
)
