"""The configuration turned into what the store needs (``StoreRules``): the one bridge.

The store knows accounts only as ``AccountPolicy`` values; which platform an account is
on, and what that platform allows in one send, is asked of the platform registry here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialbot.store.policy import AccountPolicy
from socialbot.store.rules import StoreRules

if TYPE_CHECKING:
    from socialbot.config import Settings
    from socialbot.rendered import RenderedPost

_last: tuple[object, StoreRules] | None = None


def rules_of(settings: Settings) -> StoreRules:
    """The store's view of ``settings``; kept for the same settings object, which does not
    change while loaded (a claim asks on every call)."""
    global _last
    if _last is not None and _last[0] is settings:
        return _last[1]
    from socialbot.platforms import platform

    accounts = {}
    for account_id, account in settings.accounts.items():
        p = platform(account.platform)
        accounts[account_id] = AccountPolicy(
            account.requires_approval, p.quota_rule(account), p.message_capacity(account),
            p.push_time(account), tiers=account.review_tiers)
    rules = StoreRules(settings.tz, accounts, lease_seconds=settings.lease_seconds,
                       misfire_grace_seconds=settings.misfire_grace_seconds,
                       four_eyes=settings.four_eyes)
    _last = (settings, rules)
    return rules


def alone_on(settings: Settings, rendered: RenderedPost | None,
             targets: tuple[str, ...]) -> frozenset[str]:
    """The configured ``targets`` to which ``rendered`` must travel in a send of its own:
    its platform's rule about the rendering (``Entry.alone_on``), which the store cannot ask."""
    from socialbot.platforms import platform

    return frozenset(a for a in targets if a in settings.accounts
                     and platform(settings.accounts[a].platform).separate_send(rendered))
