"""The post versions table, in its own MetaData so migration 1 never creates it;
migration 9 does (see ``socialbot.store.versions``)."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Index, Integer, MetaData, String, Table, Text

from socialbot.store.schema import UTCDateTime

versions_metadata = MetaData()

post_versions = Table(
    "post_versions", versions_metadata,
    Column("id", Integer, primary_key=True),
    Column("post", Integer, nullable=False),  # posts.id (the queue number)
    Column("number", Integer, nullable=False),  # 1, 2, … per post
    Column("actor", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source", Text, nullable=False),  # the post file's whole text as saved
    Column("note", Text, nullable=False, default=""),
)
ix_post_versions_post = Index("ix_post_versions_post", post_versions.c.post,
                              post_versions.c.number, unique=True)


def create_tables(conn: Connection) -> None:
    """Migration 9: the versions table and its index (idempotent)."""
    versions_metadata.create_all(conn, checkfirst=True)
