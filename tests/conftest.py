"""Shared fixtures. No test may reach a real platform host: the guard below refuses any
connection that is not to loopback, so a misconfigured account fails the suite."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

# Headless Chromium fixtures (chromium, browser_page) for any test of a page people see.
pytest_plugins = ["tests.browser"]

_real_connect = socket.socket.connect
_real_create_connection = socket.create_connection


class RealNetworkRefused(AssertionError):
    """Raised when code under test tries to leave this machine."""


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    inet = self.family in (socket.AF_INET, socket.AF_INET6)
    if inet and isinstance(address, tuple) and not _is_loopback(address[0]):
        raise RealNetworkRefused(f"test tried to connect to {address[0]!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_create_connection(address, *args, **kwargs):  # type: ignore[no-untyped-def]
    if not _is_loopback(address[0]):
        raise RealNetworkRefused(f"test tried to connect to {address[0]!r}")
    return _real_create_connection(address, *args, **kwargs)


@pytest.fixture(autouse=True)
def fresh_process_memory() -> None:
    """Each test starts as a new process would: no token or upload key held in memory."""
    from socialbot.platforms import forget_memory

    forget_memory()


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket, "create_connection", _guarded_create_connection)


@pytest.fixture(autouse=True, scope="session")
def no_real_network_in_subprocesses() -> None:
    """Worker subprocesses get the same guard through tests/netguard/sitecustomize.py."""
    guard = str(Path(__file__).with_name("netguard"))
    paths = [guard, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    os.environ["SOCIALBOT_TEST_NETGUARD"] = "1"
