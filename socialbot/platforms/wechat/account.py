"""A WeChat Official Account in config.toml: its fields and their validation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from socialbot.config import Account, required_text

OFFICIAL_API_BASE = "https://api.weixin.qq.com"
KINDS = ("subscription", "service")
REACH = ("mass_send", "publish", "draft")
KEYS = frozenset({"appid", "kind", "reach", "tag_id", "secret_env", "push_time"})
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class WeChatAccount(Account):
    """One WeChat Official Account (公众号)."""

    OFFICIAL_API_BASE: ClassVar[str] = OFFICIAL_API_BASE

    appid: str = ""
    kind: str = "subscription"  # subscription (订阅号) | service (服务号)
    reach: str = "mass_send"  # mass_send | publish | draft
    tag_id: int | None = None
    secret_env: str = ""
    push_time: dt.time | None = None  # the daily message goes out then (Beijing time)

    @property
    def secret_name(self) -> str:
        return self.secret_env


def parse_account(table: dict[str, Any], common: dict[str, Any],
                  fail: Any) -> WeChatAccount:
    """The WeChat fields of an ``[accounts.X]`` table; problems go to ``fail``."""
    appid = required_text(table, "appid", fail)
    kind = table.get("kind", "subscription")
    if kind not in KINDS:
        fail(f"kind 应为 subscription（订阅号）或 service（服务号），现为“{kind}”")
    reach = table.get("reach", "mass_send")
    if reach not in REACH:
        fail(f"reach 应为 mass_send、publish 或 draft，现为“{reach}”")
    tag_id = table.get("tag_id")
    if tag_id is not None and not isinstance(tag_id, int):
        fail("tag_id 应为整数（粉丝标签 ID）")
    secret_env = required_text(table, "secret_env", fail)
    return WeChatAccount(**common, appid=appid, kind=str(kind), reach=str(reach),
                         tag_id=tag_id, secret_env=secret_env,
                         push_time=_push_time(table.get("push_time"), fail))


def _push_time(value: Any, fail: Any) -> dt.time | None:
    """``push_time = "20:00"``: when the day's message goes out (北京时间, 24-hour clock)."""
    if value is None:
        return None
    found = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        fail(f"push_time 应为北京时间的“时:分”，如 \"20:00\"，现为“{value}”")
        return None
    return dt.time(int(found.group(1)), int(found.group(2)))
