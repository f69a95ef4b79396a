"""The WeChat access token, shared by every bot process and unreadable without the AppSecret.

The token lives in the shared key-value store, so every process uses the same one and
one ``stable_token`` call serves them all for the token's lifetime. It is stored
encrypted (Fernet, with a key derived from the account's AppSecret). A copy of the
database or Redis therefore does not hand out a working token, and a process that
lacks the secret cannot use it. The record also keeps the token's expiry. wechatpy
keeps ``expires_at`` only in the process that fetched the token. Here every process
honours the expiry stored next to the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from wechatpy.session import SessionStorage

from socialbot.config import Secret
from socialbot.redact import register_secret

EXPIRY_MARGIN = 60.0  # seconds: treat a token as gone this long before it expires
DEFAULT_LIFETIME = 7200


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
    ):
        self.kv = kv
        self.appid = appid
        self.margin = margin
        self.clock = clock
        self._cipher = token_cipher(secret, appid)

    def key_name(self, key: str) -> str:
        return f"wechat:{self.appid}:session:{key}"

    def get(self, key: str, default: Any = None) -> Any:
        """The value, unless it is missing, undecryptable or about to expire."""
        raw = self.kv.get(self.key_name(key))
        if not raw:
            return default
        try:
            record = json.loads(raw)
            if float(record["exp"]) - self.clock() <= self.margin:
                return default
            value = self._cipher.decrypt(record["v"].encode("ascii")).decode("utf-8")
        except (ValueError, KeyError, TypeError, InvalidToken):
            return default  # written with another AppSecret, or damaged: fetch a new one
        register_secret(value)
        return value

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        register_secret(str(value))
        lifetime = ttl or DEFAULT_LIFETIME
        record = {
            "v": self._cipher.encrypt(str(value).encode("utf-8")).decode("ascii"),
            "exp": self.clock() + lifetime,
        }
        self.kv.set(self.key_name(key), json.dumps(record), ttl=lifetime)

    def delete(self, key: str) -> None:
        self.kv.delete(self.key_name(key))
