"""What the bot does about each platform error: one reaction per code, from one table.

Each platform keeps its own table (``platforms/<name>/reactions.py``); this module holds
the shared vocabulary, the network-trouble rules and the retry times. Reactions:

* ``retry``: transient; retried inside the call with backoff, then ``Outcome.RETRY``.
* ``refresh_token``: refresh the WeChat token once (under a lease) and repeat the call once.
* ``reschedule``: the platform says "not now" (quota); ``Outcome.RESCHEDULE`` with retry_at.
* ``already_done``: the platform already has it (45065, 20019 ...); recorded as sent.
* ``permanent``: a person must act; ``Outcome.FAILED`` with the Chinese message below.
* ``unknown``: the platform may have acted (answer lost after a publishing call);
  ``Outcome.UNKNOWN`` so the queue reconciles before anything is sent again.

Messages are for staff: what happened and what to do, in Chinese. ``{errmsg}``, ``{ip}``
and ``{code}`` are filled in from the platform's answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Reaction(StrEnum):
    OK = "ok"
    RETRY = "retry"
    REFRESH_TOKEN = "refresh_token"
    RESCHEDULE = "reschedule"
    ALREADY_DONE = "already_done"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


REACTION_LABELS: dict[str, str] = {  # what staff read for each call in a delivery's history
    Reaction.OK: "成功",
    Reaction.RETRY: "暂时失败，可重试",
    Reaction.REFRESH_TOKEN: "凭证失效，已刷新",
    Reaction.RESCHEDULE: "额度已满，需改期",
    Reaction.ALREADY_DONE: "已发过，未重复发布",
    Reaction.PERMANENT: "被拒绝，需要人工处理",
    Reaction.UNKNOWN: "结果未知",
}


class Wait(StrEnum):
    """When a rescheduled call may be tried again."""

    MASS_QUOTA = "mass_quota"  # 45028: next day (subscription) / next month (service)
    TOMORROW = "tomorrow"  # daily quota
    NEXT_HOUR = "next_hour"  # Weibo hourly limits
    ONE_HOUR = "one_hour"  # Weibo "posting too often": at least an hour
    HALF_HOUR = "half_hour"


@dataclass(frozen=True)
class Rule:
    reaction: Reaction
    message: str
    wait: Wait | None = None  # for RESCHEDULE
    delay: float = 0.0  # minimum seconds before an in-call retry

    def explain(self, code: object = "", errmsg: str = "") -> str:
        """The staff message with the platform's details filled in."""
        shown = strip_rid(errmsg) or "（无说明）"
        values = {"code": code, "errmsg": shown, "ip": parse_ip(errmsg) or "（见错误信息）"}
        return self.message.format(**values)


R, P = Reaction, Reaction.PERMANENT


def retry_rule(message: str, delay: float = 0.0) -> Rule:
    return Rule(R.RETRY, message, delay=delay)


def later_rule(message: str, wait: Wait) -> Rule:
    return Rule(R.RESCHEDULE, message, wait=wait)


def human_rule(message: str) -> Rule:
    return Rule(P, message)


BUG_NOTE = "（程序错误，请把这条记录转给开发人员）"

_TRANSPORT_TEXT = {
    "connect": "连接不上{platform}服务器",
    "connect_timeout": "连接{platform}服务器超时",
    "timeout": "等待{platform}答复超时",
    "dropped": "{platform}服务器中断了连接",
    "http": "{platform}服务器返回 HTTP {code}",
    "garbage": "{platform}返回了无法识别的内容",
}
SENT_KINDS = ("timeout", "dropped", "http", "garbage")  # the request reached the platform


def transport_text(kind: str, platform: str, status: int = 0) -> str:
    """What went wrong on the wire, in words (``timeout`` → 等待微信答复超时)."""
    return _TRANSPORT_TEXT[kind].format(platform=platform, code=status)


def transport_rule(kind: str, platform: str, *, safe: bool, status: int = 0) -> Rule:
    """Network trouble: retry, unless a publishing call may already have gone through."""
    text = transport_text(kind, platform, status)
    if kind == "http" and 400 <= status < 500:
        return human_rule(text + BUG_NOTE)
    if safe or kind not in SENT_KINDS:
        return retry_rule(text)
    return Rule(
        R.UNKNOWN,
        text + "：请求已经发出，平台可能已经发布。系统会先核对结果，不会直接重发",
    )


_IP_RE = re.compile(r"invalid ip ([0-9a-fA-F.:]+)")
_RID_RE = re.compile(r"\s*rid:\s*([0-9A-Za-z\-]+)")


def parse_ip(errmsg: str) -> str:
    """The caller IP named by 40164's ``invalid ip 1.2.3.4 ipv6 ..., not in whitelist``."""
    match = _IP_RE.search(errmsg or "")
    return match.group(1) if match else ""


def strip_rid(errmsg: str) -> str:
    """The platform's message without its ``rid: ...`` suffix (kept separately)."""
    return _RID_RE.sub("", errmsg or "").strip()


def parse_rid(errmsg: str) -> str:
    """WeChat's request id from ``... rid: 6650-0a1b-...`` (support asks for it)."""
    match = _RID_RE.search(errmsg or "")
    return match.group(1) if match else ""


def retry_time(wait: Wait, now: dt.datetime, *, monthly_quota: bool = False) -> dt.datetime:
    """When a rescheduled call may run again; quotas reset on Beijing time."""
    local = now.astimezone(SHANGHAI)
    if wait is Wait.MASS_QUOTA and monthly_quota:
        first = (local.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        return first.replace(hour=0, minute=5, second=0, microsecond=0)
    if wait in (Wait.MASS_QUOTA, Wait.TOMORROW):
        tomorrow = local + dt.timedelta(days=1)
        return tomorrow.replace(hour=0, minute=5, second=0, microsecond=0)
    if wait is Wait.NEXT_HOUR:
        top = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return top + dt.timedelta(minutes=1)
    if wait is Wait.HALF_HOUR:
        return local + dt.timedelta(minutes=30)
    return local + dt.timedelta(hours=1)
