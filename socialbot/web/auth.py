"""Sign-in, sessions, CSRF and login rate limits for the console.

Sessions live in the database (``socialbot.store.sessions``) so several console
processes agree; the cookie holds only a random token (HttpOnly, SameSite=Lax, Secure
when the request came over HTTPS, also as reported by a trusted proxy). Every
state-changing request carries the session's CSRF token, in the form (``csrf``) or, for
htmx, in the ``X-CSRF-Token`` header. Failed sign-ins are counted per user name and per
client address in the database; past the limit, sign-in is refused without looking at
the password.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from socialbot.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from socialbot.people import Person
from socialbot.store import Database, people, sessions

COOKIE = "sb_session"
LOGIN_CSRF_COOKIE = "sb_login_csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Limits:
    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)
    window: dt.timedelta = dt.timedelta(minutes=15)
    per_user: int = 5      # failures per user name within the window
    per_ip: int = 20       # failures per client address within the window


@dataclass(frozen=True)
class Viewer:
    """The signed-in person behind a request, with the session's CSRF token."""

    person: Person
    token: str
    csrf: str


class Auth:
    def __init__(self, db: Database, clock: Callable[[], dt.datetime], limits: Limits):
        self.db = db
        self.clock = clock
        self.limits = limits

    def viewer(self, request: Request) -> Viewer | None:
        token = request.cookies.get(COOKIE, "")
        session = sessions.load_session(self.db, token, self.clock(), self.limits.idle)
        if session is None:
            return None
        person = people.person_by_id(self.db, session.user_id)
        if person is None or person.disabled:
            return None
        return Viewer(person, token, session.csrf_token)

    def throttled(self, username: str, ip: str) -> bool:
        since = self.clock() - self.limits.window
        return (sessions.recent_failures(self.db, "user", username.strip().lower(), since)
                >= self.limits.per_user
                or sessions.recent_failures(self.db, "ip", ip, since) >= self.limits.per_ip)

    def sign_in(self, username: str, password: str, ip: str) -> str | None:
        """The new session's cookie token, or None (and a recorded failure)."""
        found = people.password_hash_of(self.db, username)
        stored = found[1] if found else dummy_hash()
        good = verify_password(stored, password) and found is not None
        now = self.clock()
        if not good or found is None:
            sessions.record_failure(self.db, username, ip, now)
            return None
        if needs_rehash(stored):
            people.set_password(self.db, username, hash_password(password), now, by=username)
        sessions.clear_failures(self.db, username, now - self.limits.window)
        token, _session = sessions.create_session(self.db, found[0], now, self.limits.absolute)
        return token

    def sign_out(self, token: str) -> None:
        sessions.end_session(self.db, token)


def is_https(request: Request) -> bool:
    """HTTPS directly, or as said by a proxy uvicorn trusts (--forwarded-allow-ips)."""
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, limits: Limits) -> None:
    response.set_cookie(COOKIE, token, max_age=int(limits.absolute.total_seconds()),
                        httponly=True, samesite="lax", secure=is_https(request), path="/")


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=is_https(request))


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and secrets.compare_digest(expected, given or "")
