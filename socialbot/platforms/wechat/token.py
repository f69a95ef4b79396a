"""The WeChat access token, shared by every bot process and unreadable without the AppSecret.

The token lives in the shared key-value store, so every process uses the same one and
one ``stable_token`` call serves them all for the token's lifetime. It is stored
encrypted (Fernet, with a key derived from the account's AppSecret). A copy of the
database or Redis therefore does not hand out a working token, and a process that
lacks the secret cannot use it. The record also keeps the token's expiry. wechatpy
keeps ``expires_at`` only in the process that fetched the token. Here every process
honours the expiry stored next to the token.

Each process also keeps the token in memory (per API host, AppID and secret) until it
expires or the platform refuses it, so a call does not read and decrypt it from the
shared store every time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from wechatpy.session import SessionStorage

from socialbot.config import Secret
from socialbot.redact import register_secret

EXPIRY_MARGIN = 60.0  # seconds: treat a token as gone this long before it expires
DEFAULT_LIFETIME = 7200

_MEMORY: dict[str, tuple[str, float]] = {}  # memory key -> (value, expires at)
_MEMORY_LOCK = threading.Lock()


def forget_tokens() -> None:
    """Drop every token this process holds in memory (as a new process would start)."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def token_cipher(secret: Secret, appid: str) -> Fernet:
    """A Fernet key bound to this account's AppSecret and AppID."""
    key = hmac.new(
        secret.reveal().encode("utf-8"), f"socialbot wechat token {appid}".encode(), hashlib.sha256
    ).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class EncryptedTokenStorage(SessionStorage):  # type: ignore[misc]
    """A wechatpy ``SessionStorage`` over a KeyValueStore, encrypting what it keeps."""

    def __init__(
        self,
        kv: Any,
        secret: Secret,
        appid: str,
        *,
        margin: float = EXPIRY_MARGIN,
        clock: Callable[[], float] = time.time,
        scope: str = "",
    ):
        self.kv = kv
        self.appid = appid
        self.margin = margin
        self.clock = clock
        self._cipher = token_cipher(secret, appid)
        secret_id = hashlib.sha256(secret.reveal().encode("utf-8")).hexdigest()[:16]
        self._memory_prefix = f"{scope}|{appid}|{secret_id}|"

    def key_name(self, key: str) -> str:
        return f"wechat:{self.appid}:session:{key}"

    def get(self, key: str, default: Any = None) -> Any:
        """The value, unless it is missing, undecryptable or about to expire."""
        with _MEMORY_LOCK:
            held = _MEMORY.get(self._memory_prefix + key)
        if held is not None and held[1] - self.clock() > self.margin:
            return held[0]
        raw = self.kv.get(self.key_name(key))
        if not raw:
            return default
        try:
            record = json.loads(raw)
            expires = float(record["exp"])
            if expires - self.clock() <= self.margin:
                return default
            value = self._cipher.decrypt(record["v"].encode("ascii")).decode("utf-8")
        except (ValueError, KeyError, TypeError, InvalidToken):
            return default  # written with another AppSecret, or damaged: fetch a new one
        register_secret(value)
        self._remember(key, value, expires)
        return value

    def forget(self, key: str, value: str | None) -> None:
        """Drop this process's copy of ``value`` (the platform refused it)."""
        with _MEMORY_LOCK:
            held = _MEMORY.get(self._memory_prefix + key)
            if held is not None and (value is None or held[0] == value):
                del _MEMORY[self._memory_prefix + key]

    def _remember(self, key: str, value: str, expires: float) -> None:
        with _MEMORY_LOCK:
            _MEMORY[self._memory_prefix + key] = (value, expires)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        register_secret(str(value))
        lifetime = ttl or DEFAULT_LIFETIME
        expires = self.clock() + lifetime
        record = {
            "v": self._cipher.encrypt(str(value).encode("utf-8")).decode("ascii"),
            "exp": expires,
        }
        self.kv.set(self.key_name(key), json.dumps(record), ttl=lifetime)
        self._remember(key, str(value), expires)

    def delete(self, key: str) -> None:
        self.forget(key, None)
        self.kv.delete(self.key_name(key))
