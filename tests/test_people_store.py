"""People, sessions and failed sign-ins in the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from test_postgres import pg_url  # noqa: F401  (fixture)

from socialbot.errors import StoreError
from socialbot.people import Role
from socialbot.store import Database, people, sessions

NOW = dt.datetime(2026, 6, 9, 1, 0, tzinfo=dt.UTC)
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path / 'people.db'}"
    database = Database(url)
    yield database
    database.dispose()


def test_users_roles_and_a_taken_name(db):
    person = people.add_user(db, "Wang", "王五", "$argon2id$fake", [
        Role("shsmr", "reviewer", 2), Role("pudong", "editor"), Role("shsmr", "reviewer", 2)],
        NOW, by="test")
    assert person.username == "wang"
    assert person.roles == (Role("pudong", "editor"), Role("shsmr", "reviewer", 2))
    with pytest.raises(StoreError, match="已存在"):
        people.add_user(db, "WANG", "", "$argon2id$fake", [], NOW, by="test")
    assert [p.username for p in people.list_people(db)] == ["wang"]
    assert people.password_hash_of(db, "wang") == (person.id, "$argon2id$fake")


def test_sessions_expire_idle_and_absolute_and_keep_only_a_hash(db):
    user = people.add_user(db, "li", "李", "h", [Role("shsmr", "editor")], NOW, by="test")
    token, session = sessions.create_session(db, user.id, NOW, ABSOLUTE)
    assert sessions.load_session(db, token, NOW + dt.timedelta(minutes=29), IDLE) == session
    wrong = ("y" if token[0] == "x" else "x") + token[1:]  # differs, whatever the token
    assert sessions.load_session(db, wrong, NOW, IDLE) is None
    at = NOW + dt.timedelta(minutes=29)
    while at < NOW + ABSOLUTE - dt.timedelta(minutes=29):  # kept alive...
        at += dt.timedelta(minutes=29)
        assert sessions.load_session(db, token, at, IDLE) is not None
    assert sessions.load_session(db, token, NOW + ABSOLUTE, IDLE) is None  # ...until 12 h
    token, _ = sessions.create_session(db, user.id, NOW, ABSOLUTE)
    assert sessions.load_session(db, token, NOW + IDLE, IDLE) is None  # idle
    token, _ = sessions.create_session(db, user.id, NOW, ABSOLUTE)
    sessions.end_session(db, token)
    assert sessions.load_session(db, token, NOW, IDLE) is None


def test_failed_sign_ins_are_counted_per_user_and_address(db):
    for minute in range(3):
        sessions.record_failure(db, "Zhao", "10.0.0.1", NOW + dt.timedelta(minutes=minute))
    since = NOW - dt.timedelta(minutes=1)
    assert sessions.recent_failures(db, "user", "zhao", since) == 3
    assert sessions.recent_failures(db, "ip", "10.0.0.1", since) == 3
    assert sessions.recent_failures(db, "user", "zhao", NOW + dt.timedelta(minutes=1)) == 1
    sessions.clear_failures(db, "zhao", NOW - dt.timedelta(hours=1))
    assert sessions.recent_failures(db, "user", "zhao", since) == 0
    assert sessions.recent_failures(db, "ip", "10.0.0.1", since) == 3
