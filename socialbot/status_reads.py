"""What ``status`` and ``attention`` both read: token expiry, remembered key-values and
when a send counts as stale.

Kept in its own light module so that ``attention`` needs nothing from ``status`` and the
imports run one way (``status`` -> ``attention`` -> here). ``status`` starts light, so this
imports no SQL layer and no platform code at import time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from socialbot.config import Account, Settings

# Hook: (account, settings, kv) -> when the account's token expires, or None if unknown.
TokenExpiry = Callable[["Account", "Settings", Any], "dt.datetime | None"]

#: A delivery still ``sending`` this long after its lease ran out has a dead worker.
STALE_SENDING = dt.timedelta(seconds=60)


class KeyValueSource(Protocol):
    """The one thing ``key_values`` needs of a store: its key-value table."""

    def kv(self) -> Any: ...


def token_expiry(account: Account, settings: Settings, kv: Any) -> dt.datetime | None:
    """When the account's credential expires, as its platform last checked."""
    from socialbot.platforms import platform

    return platform(account.platform).token_expiry(account, settings, kv)


token_expiry_hook: TokenExpiry = token_expiry


def key_values(settings: Settings, store: KeyValueSource) -> Any:
    """Where token expiry times are remembered: Redis when configured, else the store."""
    try:
        if settings.redis_url:
            from socialbot.kv import open_kv

            return open_kv(settings)
        return store.kv()
    except Exception:  # the key-value data is optional for status: tokens show as unknown
        return None
