"""Platform channels: one module per platform, one dict to find them.

    channel = get_channel(account, settings, kv)
    channel.check(rendered); channel.plan(rendered, key); channel.publish(rendered, key)

Only this package imports wechatpy or talks HTTP to a platform.
"""

from __future__ import annotations

from typing import Any

from socialbot.channels.base import Channel
from socialbot.channels.wechat import WeChatChannel
from socialbot.channels.weibo import WeiboChannel
from socialbot.config import Account, Settings

CHANNELS: dict[str, type[WeChatChannel] | type[WeiboChannel]] = {
    "wechat": WeChatChannel,
    "weibo": WeiboChannel,
}

__all__ = ["CHANNELS", "WeChatChannel", "WeiboChannel", "get_channel"]


def get_channel(account: Account, settings: Settings, kv: Any, **options: Any) -> Channel:
    """The channel for ``account``; ``options`` (timeout, retry, now ...) are for tests.

    ``kv`` is the shared store (``socialbot.kv.open_kv(settings)``); it holds the token
    and upload memos, so every process must be given the same one.
    """
    return CHANNELS[account.platform](account, settings, kv, **options)
