"""Every version of a post's source text: who saved it, when, and its content hash.

The console keeps the whole post file (front matter and Markdown) each time it is saved,
so staff can see who changed what with a diff. The table is in ``versions_schema``.
Rows hold text and codes only; the diff is drawn by whoever shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from socialbot.store.db import Database
from socialbot.store.versions_schema import post_versions


@dataclass(frozen=True)
class Version:
    id: int
    post: int
    number: int
    actor: str
    at: dt.datetime
    content_hash: str
    source: str
    note: str


def record(db: Database, *, post: int, actor: str, at: dt.datetime, source: str,
           content_hash: str, note: str = "") -> Version:
    """Append the next version of ``post`` (numbers count up from 1)."""
    with db.tx() as conn:
        return record_in(conn, post=post, actor=actor, at=at, source=source,
                         content_hash=content_hash, note=note)


def record_in(conn: Connection, *, post: int, actor: str, at: dt.datetime, source: str,
              content_hash: str, note: str = "") -> Version:
    """The same, inside the caller's transaction (so it commits with the change)."""
    last = conn.execute(select(func.max(post_versions.c.number))
                        .where(post_versions.c.post == post)).scalar()
    number = int(last or 0) + 1
    values = {"post": post, "number": number, "actor": actor, "at": at,
              "content_hash": content_hash, "source": source, "note": note}
    conn.execute(insert(post_versions).values(**values))
    row = conn.execute(select(post_versions).where(post_versions.c.post == post,
                                                   post_versions.c.number == number)).one()
    return _version(row)


def history(db: Database, post: int) -> list[Version]:
    """The post's versions, oldest first."""
    with db.tx(write=False) as conn:
        rows = conn.execute(select(post_versions).where(post_versions.c.post == post)
                            .order_by(post_versions.c.number)).all()
    return [_version(r) for r in rows]


def latest(db: Database, post: int) -> Version | None:
    found = history(db, post)
    return found[-1] if found else None


def _version(row: object) -> Version:
    m = row._mapping  # type: ignore[attr-defined]
    return Version(id=int(m["id"]), post=int(m["post"]), number=int(m["number"]),
                   actor=str(m["actor"]), at=m["at"], content_hash=str(m["content_hash"]),
                   source=str(m["source"]), note=str(m["note"] or ""))
