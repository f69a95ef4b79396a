"""The append-only audit log: who did what to which post, and what the platform said.

Rows are only ever inserted; the database itself refuses UPDATE and DELETE (triggers
created by the first migration), so a mistake or a script cannot rewrite history.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from socialbot.store.db import Database, utcnow
from socialbot.store.schema import audit, deliveries


def os_user() -> str:
    """The person at the keyboard when no ``--by`` is given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


SYSTEM = "system"  # the actor kind of the daemon; staff read it via socialbot.wording.labels


def system_actor(worker: str = "") -> str:
    """The daemon as an actor: ``system:<worker or host>`` (a machine value, worded when shown)."""
    return f"{SYSTEM}:{worker or socket.gethostname()}"


def record(conn: Connection, *, actor: str, action: str, post: int | None = None,
           account: str | None = None, content_hash: str | None = None, detail: str = "",
           at: dt.datetime | None = None) -> None:
    """Append one entry, inside the caller's transaction (so it commits with the change)."""
    conn.execute(insert(audit).values(
        at=at or utcnow(), actor=actor, action=action, post=post, account=account,
        content_hash=content_hash, detail=detail,
    ))


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    post: int | None
    account: str | None
    content_hash: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        """Plain values for JSON; times stay datetimes for ``socialbot.times.json_text``."""
        return {
            "id": self.id, "at": self.at, "actor": self.actor,
            "action": self.action, "post": self.post,
            "account": self.account, "content_hash": self.content_hash, "detail": self.detail,
        }


def entries(db: Database, *, post: int | None = None, account: str | None = None,
            limit: int | None = 200) -> list[AuditEntry]:
    """Latest entries, oldest first (so the list reads like a story)."""
    query = select(audit).order_by(audit.c.id.desc())
    if post is not None:
        query = query.where(audit.c.post == post)
    if account:
        query = query.where(audit.c.account == account)
    if limit:
        query = query.limit(limit)
    with db.tx(write=False) as conn:
        rows = conn.execute(query).all()
    return [AuditEntry(**dict(r._mapping)) for r in reversed(rows)]


@dataclass(frozen=True)
class AuditFilter:
    """What the console's audit page asks for; empty fields mean "any"."""

    account: str = ""
    actor: str = ""
    action: str = ""
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive


def search(db: Database, where: AuditFilter, *, scope: Collection[str] | None = None,
           offset: int = 0, limit: int | None = 200) -> tuple[list[AuditEntry], int]:
    """Matching entries, newest first, and how many match in all.

    ``scope`` limits the entries to those accounts: entries naming one of them, or a
    post with a delivery to one of them (None: every entry, including those about no
    account or post, such as user management).
    """
    conditions = []
    if where.account:
        conditions.append(audit.c.account == where.account)
    if where.actor:
        conditions.append(audit.c.actor == where.actor)
    if where.action:
        conditions.append(audit.c.action == where.action)
    if where.since is not None:
        conditions.append(audit.c.at >= where.since)
    if where.until is not None:
        conditions.append(audit.c.at < where.until)
    if scope is not None:
        mine = sorted(scope)
        posts_of_scope = select(deliveries.c.post).where(deliveries.c.account.in_(mine))
        conditions.append(or_(audit.c.account.in_(mine), audit.c.post.in_(posts_of_scope)))
    condition = and_(*conditions) if conditions else None
    query = select(audit).order_by(audit.c.id.desc()).offset(offset)
    count = select(func.count()).select_from(audit)
    if condition is not None:
        query, count = query.where(condition), count.where(condition)
    if limit:
        query = query.limit(limit)
    with db.tx(write=False) as conn:
        total = int(conn.execute(count).scalar() or 0)
        rows = conn.execute(query).all()
    return [AuditEntry(**dict(r._mapping)) for r in rows], total


def actors(db: Database) -> list[str]:
    """Everyone who appears in the log, for the audit page's filter."""
    with db.tx(write=False) as conn:
        found: list[Any] = list(conn.execute(
            select(audit.c.actor).distinct().order_by(audit.c.actor)).scalars())
    return [str(a) for a in found]
