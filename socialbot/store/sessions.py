"""Web sessions and failed sign-ins, kept in the database so every process agrees.

The cookie carries a random 256-bit token; the table keeps only its sha256. A session
ends when idle for too long, at its absolute limit, at sign-out, or when the user's
password changes or the user is disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from socialbot.store.db import Database
from socialbot.store.people_schema import login_failures, users, web_sessions


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(db: Database, user_id: int, now: dt.datetime,
                   absolute: dt.timedelta) -> tuple[str, Session]:
    """A new session; returns the cookie token (shown once, never stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with db.tx() as conn:
        conn.execute(insert(web_sessions).values(
            id_hash=_digest(token), user_id=user_id, csrf_token=csrf, created_at=now,
            last_seen=now, expires_at=now + absolute))
        # Housekeeping: expired rows of anyone go when someone signs in.
        conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
    return token, Session(user_id, csrf)


def load_session(db: Database, token: str, now: dt.datetime,
                 idle: dt.timedelta) -> Session | None:
    """The live session for ``token`` (touching its idle clock), or None.

    Expired sessions and sessions of disabled users are deleted on sight.
    """
    if not token or len(token) > 100:
        return None
    key = _digest(token)
    with db.tx() as conn:
        row = conn.execute(
            select(web_sessions, users.c.disabled)
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(web_sessions.c.id_hash == key)).first()
        if row is None:
            return None
        if row.disabled or row.expires_at <= now or row.last_seen + idle <= now:
            conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == key))
            return None
        conn.execute(update(web_sessions).where(web_sessions.c.id_hash == key)
                     .values(last_seen=now))
        return Session(int(row.user_id), str(row.csrf_token))


def end_session(db: Database, token: str) -> None:
    with db.tx() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _digest(token)))


def end_sessions_of(conn: Connection, user_id: int) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def record_failure(db: Database, username: str, ip: str, now: dt.datetime) -> None:
    with db.tx() as conn:
        conn.execute(insert(login_failures), [
            {"kind": "user", "key": username.strip().lower()[:128], "at": now},
            {"kind": "ip", "key": ip[:128], "at": now},
        ])


def recent_failures(db: Database, kind: str, key: str, since: dt.datetime) -> int:
    with db.tx(write=False) as conn:
        return int(conn.execute(select(func.count()).select_from(login_failures).where(and_(
            login_failures.c.kind == kind, login_failures.c.key == key[:128],
            login_failures.c.at > since))).scalar() or 0)


def clear_failures(db: Database, username: str, before: dt.datetime) -> None:
    """After a good sign-in: forget the user's failures and anything older than ``before``."""
    with db.tx() as conn:
        conn.execute(delete(login_failures).where(and_(
            login_failures.c.kind == "user",
            login_failures.c.key == username.strip().lower()[:128])))
        conn.execute(delete(login_failures).where(login_failures.c.at < before))
