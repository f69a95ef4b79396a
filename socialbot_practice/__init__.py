"""socialbot_practice: a practice platform imitating the WeChat and Weibo APIs socialbot uses.

It enforces the real platforms' rules (quotas, limits, token lifecycles), can inject every
error and network fault, and shows what followers would have received on a Chinese page.
For tests, demos and staff practice only: production talks to the real platforms, and the
product package ``socialbot`` never imports this one (a test checks that).

It is installed with the ``practice`` extra (``pip install -e '.[practice]'``; the
``test`` extra includes it) and adds two commands to ``socialbot`` through the
``socialbot.commands`` entry point group:

- ``socialbot sandbox`` runs the platform on this machine for the config's accounts whose
  ``api_base`` points here, and writes their practice secrets into the config's secrets
  file (``paths.secrets_file``), where the bot reads them like any other secret;
- ``socialbot demo`` is the README's main job (``make demo``): it starts its own platform
  with its own secrets and settings, so nothing in the shell's environment changes it.

In code (tests, benchmarks)::

    p = PracticePlatform(port=0).start()
    p.add_wechat_account(WeChatAccountSpec(appid="wx1", secret="s"))
    ... point the bot at p.wechat_base / p.weibo_base ...
    p.received("wx1"); p.stop()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialbot_practice.accounts import WeChatAccountSpec, WeiboAccountSpec
    from socialbot_practice.faults import FAULT_KINDS
    from socialbot_practice.practice import PracticePlatform, load_accounts

# Imported on first use: ``socialbot --help`` lists this package's commands, and that
# must not load the platform's server, images and page templates.
_HOMES = {
    "FAULT_KINDS": "faults",
    "PracticePlatform": "practice",
    "WeChatAccountSpec": "accounts",
    "WeiboAccountSpec": "accounts",
    "load_accounts": "practice",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"socialbot_practice.{_HOMES[name]}"), name)


__all__ = [
    "FAULT_KINDS",
    "PracticePlatform",
    "WeChatAccountSpec",
    "WeiboAccountSpec",
    "load_accounts",
]
