"""Fixtures for the alert tests: a hand-moved clock, local robots, a local mail server.

Loaded as a plugin (``pytest_plugins``); the helpers they use live in
``tests/alerts_support.py``. Every server is stopped when its test ends, failed or not.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Tls:
    """A throw-away certificate for 127.0.0.1 and the contexts both ends need."""

    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
            ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return Tls(server=server, client=ssl.create_default_context(cafile=str(cert_file)))


@pytest.fixture
def mailbox_ssl(tls: Tls) -> Iterator[Mailbox]:
    """Implicit TLS from the first byte, as on port 465."""
    yield from _serve_mail(ssl_context=tls.server)


@pytest.fixture
def mailbox_starttls(tls: Tls) -> Iterator[Mailbox]:
    """Plain connection that must be upgraded with STARTTLS before mail is accepted."""
    yield from _serve_mail(tls_context=tls.server, require_starttls=True)
