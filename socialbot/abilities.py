"""What each account may do, as staff read it: `socialbot check` and the daemon's start.

Each platform finds out for its own accounts (``Platform.abilities``: WeChat asks with
three harmless calls and reads 48001 as "not permitted"); this module only walks the
accounts and words the answer, so the commands stay free of platform knowledge.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from socialbot.config import Account, Settings
from socialbot.platforms.base import Abilities
from socialbot.times import show

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountAbilities:
    account: Account
    abilities: Abilities

    @property
    def mark(self) -> str:
        """✓ can send as configured, ! cannot (staff must act), ? could not find out."""
        if self.abilities.can_send is None:
            return "?"
        return "✓" if self.abilities.can_send and not self.abilities.draft_only else "!"

    def lines(self, settings: Settings) -> list[str]:
        a, who = self.abilities, f"{self.account.id}（{self.account.name}）"
        head = f"{self.mark} {who}：{a.summary or '未能查询'}"
        out = [head + f"（{show(a.checked_at, settings.tz)} 查询）"]
        if a.instruction:
            out.append(f"  → {a.instruction}")
        if a.problem:
            out.append(f"  未能查询的原因：{a.problem}")
        return out


def account_abilities(settings: Settings, kv: Any, *,
                      fresh: bool = False) -> list[AccountAbilities]:
    """Every account whose platform has something to find out, with its answer.

    Never raises for one account: a fault there is part of that account's answer.
    """
    from socialbot.platforms import platform  # the registry sits above this module

    found = []
    for account in settings.accounts.values():
        try:
            abilities = platform(account.platform).abilities(account, settings, kv, fresh=fresh)
        except Exception as exc:  # one account must not hide the others
            logger.warning("账号 %s 的能力查询失败：%s", account.id, exc)
            continue
        if abilities is not None:
            found.append(AccountAbilities(account, abilities))
    return found


def log_abilities(settings: Settings, kv: Any) -> list[AccountAbilities]:
    """At the daemon's start: one log line per account (a recent answer is reused)."""
    found = account_abilities(settings, kv)
    for item in found:
        level = logging.INFO if item.mark == "✓" else logging.WARNING
        for line in item.lines(settings):
            logger.log(level, "账号能力：%s", line.strip())
    return found
