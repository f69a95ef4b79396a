"""What is remembered about a Weibo token: its fingerprint and its last known expiry.

Kept apart from the channel and its HTTP client so that ``socialbot status`` can show a
token's expiry without loading ``requests``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from socialbot.config import Secret, Settings
from socialbot.errors import SocialbotError
from socialbot.platforms.weibo.account import WeiboAccount


def token_fingerprint(token: Secret) -> str:
    """A short, non-reversible name for a token, safe to use in storage keys."""
    return hashlib.sha256(token.reveal().encode()).hexdigest()[:12]


def token_expiry_key(account: WeiboAccount, token_id: str) -> str:
    """Where the last oauth2/get_token_info answer for this token is remembered."""
    return f"weibo:{account.uid}:token:{token_id}:expires_at"


def token_expiry(account: WeiboAccount, settings: Settings, kv: Any) -> dt.datetime | None:
    """When the account's Weibo token expires, as last checked; None if never checked."""
    if kv is None:
        return None
    try:
        token_id = token_fingerprint(settings.secret_for(account))
    except SocialbotError:
        return None
    raw = kv.get(token_expiry_key(account, token_id))
    try:
        value = dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value
