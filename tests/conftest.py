"""Shared fixtures. No test may reach a real platform host: the guard below refuses any
connection that is not to loopback, so a misconfigured account fails the suite. And no
test leaves a process or thread behind: the session check at the end fails the run if
one is still alive, and kills it."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import RUN_TAG, Children, tagged_processes

# Headless Chromium fixtures (chromium, browser_page) for any test of a page people see.
pytest_plugins = ["tests.browser"]

# Every process this run starts inherits the tag (Children also adds it to an explicit
# env), so the end-of-run check finds leftovers even after they were orphaned.
os.environ[RUN_TAG] = f"{os.getpid()}-{secrets.token_hex(6)}"
THREAD_GRACE = 30.0  # seconds for finished tests' threads to wind down at the very end

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


@pytest.fixture
def children() -> Iterator[Children]:
    """Start processes through this; every one (and its group) is killed at teardown."""
    with Children() as kids:
        yield kids


def _lingering_threads() -> list[threading.Thread]:
    deadline = time.monotonic() + THREAD_GRACE
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return [t for t in threading.enumerate()
            if t is not threading.main_thread() and t.is_alive()]


@pytest.fixture(autouse=True, scope="session")
def nothing_left_running() -> Iterator[None]:
    """Fail the run if a process a test started, or a thread, outlived the tests.

    Set up before any other fixture, so it is torn down after all of them (servers
    stopped by their fixtures are gone by then). Leftover processes are killed here
    so that a failing run still leaves the machine clean.
    """
    yield
    tag = os.environ[RUN_TAG]
    leftovers = tagged_processes(tag)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    threads = _lingering_threads()
    problems = [f"process {pid} still running: {cmd}" for pid, cmd in leftovers.items()]
    problems += [f"thread still running: {t.name}" for t in threads]
    if problems:
        pytest.fail("the tests left these behind (now killed where possible):\n  "
                    + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A config with the store tests' accounts, in a fresh folder (test files may override)."""
    from test_store_helpers import make_settings

    return make_settings(tmp_path)


@pytest.fixture
def db(settings):  # type: ignore[no-untyped-def]
    """The queue for ``settings``, closed after the test."""
    from socialbot.store import open_store

    store = open_store(settings)
    yield store
    store.dispose()
