"""A local practice platform that imitates the WeChat and Weibo APIs socialbot uses.

It enforces the real platforms' rules (quotas, limits, token lifecycles), can inject every
error and network fault, and shows staff what followers would have received. For tests,
demos and practice only; production talks to the real platforms.

    p = PracticePlatform(port=0).start()
    p.add_wechat_account(WeChatAccountSpec(appid="wx1", secret="s"))
    ... point the bot at p.wechat_base / p.weibo_base ...
    p.received("wx1"); p.stop()
"""

from socialbot.sandbox.accounts import WeChatAccountSpec, WeiboAccountSpec
from socialbot.sandbox.faults import FAULT_KINDS
from socialbot.sandbox.practice import PracticePlatform, load_accounts, serve_forever

__all__ = [
    "FAULT_KINDS",
    "PracticePlatform",
    "WeChatAccountSpec",
    "WeiboAccountSpec",
    "load_accounts",
    "serve_forever",
]
