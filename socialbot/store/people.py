"""Users and their roles per unit: plain functions over the Database, plain values in.

Refusals are worded by ``people.*`` codes; rows hold only codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from socialbot.errors import StoreError
from socialbot.notices import problem
from socialbot.people import Person, Role
from socialbot.store import audit
from socialbot.store.db import Database, inserted_id
from socialbot.store.people_schema import user_roles, users


def add_user(db: Database, username: str, display_name: str, password_hash: str,
             roles: list[Role], now: dt.datetime, *, by: str) -> Person:
    """Create a user with roles; refuses a name that is taken (case-insensitively)."""
    username = username.strip().lower()
    try:
        with db.tx() as conn:
            if _user_id(conn, username) is not None:
                raise StoreError(problem("@username", "people.exists", username=username))
            user_id = inserted_id(conn, insert(users).values(
                username=username, display_name=display_name.strip() or username,
                password_hash=password_hash, disabled=False, created_at=now,
                updated_at=now))
            _set_roles(conn, user_id, roles)
            audit.record(conn, actor=by, action="user_add", at=now,
                         detail=f"{username} " + " ".join(r.code for r in roles))
            person = _person(conn, user_id)
            assert person is not None  # inserted in this transaction
            return person
    except IntegrityError:
        raise StoreError(problem("@username", "people.exists", username=username)) from None


def get_person(db: Database, username: str) -> Person | None:
    with db.tx(write=False) as conn:
        user_id = _user_id(conn, username.strip().lower())
        return None if user_id is None else _person(conn, user_id)


def person_by_id(db: Database, user_id: int) -> Person | None:
    with db.tx(write=False) as conn:
        return _person(conn, user_id)


def password_hash_of(db: Database, username: str) -> tuple[int, str] | None:
    """(user id, stored hash) of an enabled user, for sign-in; None otherwise."""
    with db.tx(write=False) as conn:
        row = conn.execute(select(users.c.id, users.c.password_hash).where(
            users.c.username == username.strip().lower(),
            users.c.disabled.is_(False))).first()
    return None if row is None else (int(row.id), str(row.password_hash))


def list_people(db: Database) -> list[Person]:
    with db.tx(write=False) as conn:
        found: list[Any] = list(conn.execute(select(users.c.id).order_by(users.c.username))
                                .scalars())
        ids = [int(i) for i in found]
        return [p for i in ids if (p := _person(conn, i)) is not None]


def count_people(db: Database) -> int:
    with db.tx(write=False) as conn:
        return int(conn.execute(select(func.count()).select_from(users)).scalar() or 0)


def set_password(db: Database, username: str, password_hash: str, now: dt.datetime,
                 *, by: str) -> None:
    """Replace the password and end every session of the user."""
    from socialbot.store.sessions import end_sessions_of

    with db.tx() as conn:
        user_id = _required(conn, username)
        conn.execute(update(users).where(users.c.id == user_id).values(
            password_hash=password_hash, updated_at=now))
        end_sessions_of(conn, user_id)
        audit.record(conn, actor=by, action="user_password", at=now, detail=username)


def set_disabled(db: Database, username: str, disabled: bool, now: dt.datetime,
                 *, by: str) -> None:
    """Disable (ending every session) or enable again."""
    from socialbot.store.sessions import end_sessions_of

    with db.tx() as conn:
        user_id = _required(conn, username)
        conn.execute(update(users).where(users.c.id == user_id).values(
            disabled=disabled, updated_at=now))
        if disabled:
            end_sessions_of(conn, user_id)
        audit.record(conn, actor=by, action="user_disable" if disabled else "user_enable",
                     at=now, detail=username)


def _required(conn: Connection, username: str) -> int:
    user_id = _user_id(conn, username.strip().lower())
    if user_id is None:
        raise StoreError(problem("@username", "people.missing", username=username))
    return user_id


def _user_id(conn: Connection, username: str) -> int | None:
    value = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    return None if value is None else int(value)


def _set_roles(conn: Connection, user_id: int, roles: list[Role]) -> None:
    conn.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
    for role in sorted(set(roles)):
        conn.execute(insert(user_roles).values(user_id=user_id, unit=role.unit, role=role.role,
                                               tier=role.tier))


def _person(conn: Connection, user_id: int) -> Person | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        return None
    roles = conn.execute(select(user_roles.c.unit, user_roles.c.role, user_roles.c.tier)
                         .where(user_roles.c.user_id == user_id)).all()
    return Person(id=int(row.id), username=row.username, display_name=row.display_name,
                  disabled=bool(row.disabled),
                  roles=tuple(sorted(Role(r.unit, r.role, int(r.tier)) for r in roles)))
