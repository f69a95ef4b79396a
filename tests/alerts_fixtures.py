"""Fixtures for the alert tests: a hand-moved clock, local robots, a local mail server.

Loaded as a plugin (``pytest_plugins``); the helpers they use live in
``tests/alerts_support.py``. Every server is stopped when its test ends, failed or not.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.alerts_support import SMTP_PASSWORD, FakeClock, Mailbox, RobotServer, robot_handler


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC))  # 09:00 Beijing


@pytest.fixture
def robots(clock: FakeClock) -> Iterator[RobotServer]:
    server = RobotServer(clock=clock)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), robot_handler(server))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="robot-server", daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive(), "robot server thread did not stop"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_mail(**options: object) -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", _free_port())
    controller = Controller(box, hostname=box.host, port=box.port, **options)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from _serve_mail()


@pytest.fixture
def mailbox_with_login() -> Iterator[Mailbox]:
    """A mail server that wants AUTH LOGIN/PLAIN (without TLS: loopback only)."""
    from aiosmtpd.smtp import AuthResult

    def check(server: object, session: object, envelope: object, mechanism: str,
              auth_data: object) -> AuthResult:
        good = (getattr(auth_data, "login", b"") == b"socialbot@example.cn"
                and getattr(auth_data, "password", b"") == SMTP_PASSWORD.encode())
        return AuthResult(success=good, handled=False)

    # One mechanism (PLAIN) keeps a refused login to one round trip.
    yield from _serve_mail(authenticator=check, auth_require_tls=False,
                           auth_exclude_mechanism=["LOGIN"])
