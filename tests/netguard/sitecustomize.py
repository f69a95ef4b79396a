"""Loaded by every Python subprocess a test starts (tests put this folder on PYTHONPATH):
refuses connections that are not to loopback, so a worker process cannot reach a real
platform host either."""

import ipaddress
import os
import socket

if os.environ.get("SOCIALBOT_TEST_NETGUARD") == "1":
    _connect = socket.socket.connect

    def _loopback(host: object) -> bool:
        if isinstance(host, bytes):
            host = host.decode()
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _guarded(self: socket.socket, address: object) -> None:
        inet = self.family in (socket.AF_INET, socket.AF_INET6)
        if inet and isinstance(address, tuple) and not _loopback(address[0]):
            raise ConnectionRefusedError(f"test subprocess tried to connect to {address[0]!r}")
        return _connect(self, address)  # type: ignore[arg-type]

    socket.socket.connect = _guarded  # type: ignore[method-assign]
