"""A Weibo account in config.toml: its fields and their validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from socialbot.config import Account, required_text

OFFICIAL_API_BASE = "https://api.weibo.com"
KEYS = frozenset({"uid", "token_env", "safe_domains", "rip"})


@dataclass(frozen=True)
class WeiboAccount(Account):
    """One Weibo user the bot posts as."""

    OFFICIAL_API_BASE: ClassVar[str] = OFFICIAL_API_BASE

    uid: str = ""
    token_env: str = ""
    safe_domains: tuple[str, ...] = ()
    rip: str = ""

    @property
    def secret_name(self) -> str:
        return self.token_env

    def link_allowed(self, url: str) -> bool:
        """Whether ``url`` is under one of this account's safe domains."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.safe_domains)


def parse_account(table: dict[str, Any], common: dict[str, Any], fail: Any) -> WeiboAccount:
    """The Weibo fields of an ``[accounts.X]`` table; problems go to ``fail``."""
    domains = table.get("safe_domains", [])
    if not isinstance(domains, list) or not domains or not all(isinstance(d, str) for d in domains):
        fail('safe_domains 应为至少一个安全域名的列表，如 ["scjgj.sh.gov.cn"]')
        domains = []
    return WeiboAccount(
        **common,
        uid=required_text(table, "uid", fail),
        token_env=required_text(table, "token_env", fail),
        safe_domains=tuple(d.lower().strip(".") for d in domains),
        rip=str(table.get("rip", "")),
    )
