"""The suite itself refuses to reach any real host, in-process and in subprocesses."""

from __future__ import annotations

import socket
import sys

import pytest
import requests

from tests import processes


def test_in_process_connection_to_platform_host_refused() -> None:
    with pytest.raises(AssertionError, match="test tried to connect") as info:
        requests.get("http://203.0.113.7/cgi-bin/token", timeout=2)
    assert "203.0.113.7" in str(info.value)


def test_raw_socket_refused() -> None:
    with socket.socket() as sock, pytest.raises(AssertionError, match=r"198\.51\.100\.1"):
        sock.connect(("198.51.100.1", 443))


def test_subprocess_connection_refused() -> None:
    code = "import socket; s = socket.socket(); s.connect(('198.51.100.1', 443))"
    done = processes.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert done.returncode != 0
    assert "test subprocess tried to connect" in done.stderr


def test_loopback_still_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
