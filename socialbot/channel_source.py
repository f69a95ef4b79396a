"""Where the runner and the commands get a channel for an account.

The seam between the core and the platforms: a callable from account id to channel.
``default_channels`` builds the real platforms' channels (tests swap it for fakes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeAlias

from socialbot.config import Account, Settings

if TYPE_CHECKING:  # the platforms' HTTP stack is imported only when a channel is built
    from socialbot.platforms.base import Channel, KeyValueStore

ChannelFactory: TypeAlias = "Callable[[Account], Channel]"


class Channels:
    """Channels built on first use, one per account, shared by every delivery.

    A channel client is not thread-safe, and needs not be: the runner keeps at most one
    call per account in flight, so one instance per account also keeps one token memo
    and one image memo per account in memory.
    """

    def __init__(self, settings: Settings, factory: ChannelFactory | None = None,
                 kv: KeyValueStore | None = None):
        self.settings = settings
        self._factory = factory
        self._kv = kv
        self._built: dict[str, Channel] = {}
        self._lock = threading.Lock()

    def __call__(self, account_id: str) -> Channel:
        with self._lock:
            if account_id not in self._built:
                self._built[account_id] = self._make(self.settings.account(account_id))
            return self._built[account_id]

    def _make(self, account: Account) -> Channel:
        if self._factory is not None:
            return self._factory(account)
        from socialbot.platforms import channel_for  # the real platforms, imported when needed

        if self._kv is None:
            from socialbot.kv import open_kv

            self._kv = open_kv(self.settings)
        return channel_for(account, self.settings, self._kv)


ChannelSource: TypeAlias = "Channels | Mapping[str, Channel] | Callable[[str], Channel]"


def default_channels(settings: Settings) -> Channels:
    """The channels the CLI uses: the real platforms (tests swap this function out)."""
    return Channels(settings)


def channel_for(channels: ChannelSource) -> Callable[[str], Channel]:
    """Any channel source as a plain callable."""
    if isinstance(channels, Mapping):
        return channels.__getitem__
    return channels
