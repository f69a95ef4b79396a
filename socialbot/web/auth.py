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

import base64
import binascii
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
    """The signed-in person behind a request, with the session's CSRF secret."""

    person: Person
    token: str
    csrf_secret: str

    @property
    def csrf(self) -> str:
        """The CSRF token for a page, masked afresh at every use: answers are gzipped and
        reflect what people type, so the secret itself never appears in them (BREACH)."""
        return mask_csrf(self.csrf_secret)


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


MASKED = "m."  # token_urlsafe never writes a dot


def mask_csrf(secret: str) -> str:
    """``secret`` XOR a one-time pad, with the pad: a different string every time."""
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    data = pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))
    return MASKED + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unmasked(value: str) -> bytes:
    """The secret behind a masked token; a plain token as it is; b"" if malformed."""
    if not value.startswith(MASKED):
        return value.encode()
    body = value[len(MASKED):]
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error):
        return b""
    half, odd = divmod(len(data), 2)
    if odd:
        return b""
    return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True))


def csrf_ok(expected: str, given: str | None) -> bool:
    """Both tokens (plain or masked) stand for the same non-empty secret."""
    want, got = _unmasked(expected or ""), _unmasked(given or "")
    return bool(want) and bool(got) and secrets.compare_digest(want, got)
