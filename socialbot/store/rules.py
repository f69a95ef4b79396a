"""What the store must know of the configuration, as plain values (never the settings).

``StoreRules`` is built once per loaded configuration outside the store
(``socialbot.store_rules.rules_of``) and handed to the store functions that decide by
account, time zone or timing. The store never imports the configuration or the platforms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from socialbot.store.policy import AccountPolicy


@dataclass(frozen=True)
class StoreRules:
    """The configuration as the queue needs it."""

    tz: ZoneInfo  # the zone staff write times in: a local day, a push time
    accounts: Mapping[str, AccountPolicy]  # every configured account, in config order
    lease_seconds: float = 300.0  # how long a claim holds a delivery without renewal
    misfire_grace_seconds: float = 3600.0  # how late a due delivery may still go out
    four_eyes: bool = True  # an author may not approve their own post
