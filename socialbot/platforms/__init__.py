"""The platform registry: the one place the product names its platforms.

    platform("weibo").channel(account, settings, kv).publish(rendered, key)

Everything else reaches a platform through :class:`~socialbot.platforms.base.Platform`
looked up here by name (an account's ``platform`` field, a rendered part's key).
Tests add a platform of their own with :func:`register`.
"""

from __future__ import annotations

from typing import Any

from socialbot.config import Account, Settings
from socialbot.platforms.base import Channel, Platform
from socialbot.platforms.wechat import WECHAT
from socialbot.platforms.weibo import WEIBO

PLATFORMS: dict[str, Platform] = {p.name: p for p in (WECHAT, WEIBO)}

__all__ = ["PLATFORMS", "Platform", "channel_for", "forget_memory", "platform", "register",
           "unregister"]


def platform(name: str) -> Platform:
    """The registered platform called ``name`` (KeyError when there is none)."""
    return PLATFORMS[name]


def register(p: Platform) -> None:
    """Add (or replace) a platform; its accounts, parts and channels work from now on."""
    PLATFORMS[p.name] = p


def unregister(name: str) -> None:
    """Remove a platform added with :func:`register` (tests clean up with this)."""
    PLATFORMS.pop(name, None)


def forget_memory() -> None:
    """Every platform drops its in-process caches (tests start each case this way)."""
    for p in PLATFORMS.values():
        p.forget_memory()


def channel_for(account: Account, settings: Settings, kv: Any, **options: Any) -> Channel:
    """The channel for ``account``; ``options`` (timeout, retry, now ...) are for tests.

    ``kv`` is the shared store (``socialbot.kv.open_kv(settings)``); it holds the token
    and upload memos, so every process must be given the same one.
    """
    return platform(account.platform).channel(account, settings, kv, **options)
