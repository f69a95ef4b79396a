"""What a WeChat account may do, from the platform's own answers.

Unverified subscription accounts and personal accounts cannot mass send through the API,
and from July 2025 lose the publishing (freepublish) API too; both answer 48001 (api
unauthorized, reference §3, §7). Three harmless read calls ask, one per ability:

* ``GET draft/count``: the draft box (draft/add works);
* ``POST message/mass/speed/get``: the mass-send API (verified accounts only, §4.1);
* ``POST freepublish/batchget`` (one item, no content): the publishing API.

48001 (or 48004, API banned) means "not permitted"; success means permitted; anything
else (network, IP whitelist, secret) leaves that ability unknown and says why. A mass
send that works means the account is verified. The answer is kept for
``ABILITIES_TTL`` in memory and in the shared store, so deliveries never pay for it. A
delivery's own 48001 (``learned``) updates the same answer: the next message goes
straight to the draft box, and ``check`` shows what the send found.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from socialbot.config import Settings
from socialbot.errors import SocialbotError
from socialbot.platforms.base import Abilities
from socialbot.platforms.common.calls import CallFailed, Journal
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.platforms.wechat.account import WeChatAccount

ABILITIES_TTL = dt.timedelta(hours=6)
NOT_PERMITTED = frozenset({48001, 48004})
BACKEND_INSTRUCTION = "请在公众号后台（mp.weixin.qq.com）→ 草稿箱 中打开草稿，手动群发"
_MEMORY: dict[str, tuple[dt.datetime, WeChatAbilities]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class WeChatAbilities:
    """Each ability: True (permitted), False (48001) or None (could not find out)."""

    draft: bool | None
    mass_send: bool | None
    publish: bool | None
    checked_at: dt.datetime
    problem: str = ""  # why something stayed unknown (Chinese, from the error table)

    @property
    def verified(self) -> bool | None:
        """Only verified accounts may mass send through the API."""
        return self.mass_send

    def to_json(self) -> dict[str, Any]:
        return {"draft": self.draft, "mass_send": self.mass_send, "publish": self.publish,
                "checked_at": self.checked_at.isoformat(), "problem": self.problem}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WeChatAbilities:
        return cls(d.get("draft"), d.get("mass_send"), d.get("publish"),
                   dt.datetime.fromisoformat(d["checked_at"]), str(d.get("problem", "")))

    def for_staff(self, account: WeChatAccount) -> Abilities:
        """The Chinese summary and, when the account's reach cannot go out, what to do."""
        verified = {True: "已认证", False: "未认证", None: "认证情况未知"}[self.verified]
        parts = [verified,
                 _said(self.mass_send, "可群发", "不可群发（48001）"),
                 _said(self.publish, "可发布", "不可发布（48001）"),
                 _said(self.draft, "可存草稿", "不可存草稿（48001）")]
        can_send = {"mass_send": self.mass_send, "publish": self.publish,
                    "draft": self.draft}.get(account.reach)
        draft_only = self.draft is not False and self.mass_send is False \
            and self.publish is False
        instruction = ""
        if draft_only:
            parts.append("仅可存草稿")
            instruction = f"此账号只能存草稿：稿件会存入草稿箱，{BACKEND_INSTRUCTION}"
        elif can_send is False and account.reach == "mass_send":
            instruction = ("此账号不能通过接口群发（未认证）：群发的稿件只会存入草稿箱，"
                           f"{BACKEND_INSTRUCTION}；"
                           "或改为 reach = \"publish\"（发布，不推送给粉丝）")
        elif can_send is False and account.reach == "publish":
            instruction = f"此账号不能通过接口发布：稿件只会存入草稿箱，{BACKEND_INSTRUCTION}"
        elif self.draft is False:
            instruction = ("此账号不能使用草稿箱接口（48001），无法通过接口发出任何文章，"
                           "请在公众号后台人工发布")
        return Abilities(summary=" · ".join(p for p in parts if p), instruction=instruction,
                         can_send=can_send, draft_only=draft_only, problem=self.problem,
                         checked_at=self.checked_at)


def _said(value: bool | None, yes: str, no: str) -> str:
    return yes if value else no if value is False else ""


def cache_key(account: WeChatAccount) -> str:
    return f"wechat:{account.appid}:abilities"


def known_abilities(account: WeChatAccount, kv: Any,
                    now: dt.datetime) -> WeChatAbilities | None:
    """The last answer younger than ``ABILITIES_TTL`` (memory, then the shared store)."""
    key = f"{account.api_base}|{cache_key(account)}"
    with _LOCK:
        held = _MEMORY.get(key)
    if held and now - held[0] < ABILITIES_TTL:
        return held[1]
    found = parse(kv.get(cache_key(account)) if kv is not None else None, now)
    if found is not None:
        hold(account, found)
    return found


def remember(account: WeChatAccount, kv: Any, found: WeChatAbilities) -> None:
    if kv is not None:
        kv.set(cache_key(account), json.dumps(found.to_json()),
               ttl=int(ABILITIES_TTL.total_seconds()))
    hold(account, found)


def parse(raw: str | None, now: dt.datetime) -> WeChatAbilities | None:
    """A kept answer, if it is younger than ``ABILITIES_TTL``."""
    if not raw:
        return None
    try:
        found = WeChatAbilities.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError):
        return None
    return found if now - found.checked_at < ABILITIES_TTL else None


def learned(known: WeChatAbilities | None, reach: str, now: dt.datetime) -> WeChatAbilities:
    """The answer after a delivery's own call said 48001 for ``reach`` (its draft was just
    made, so the draft box works): one memory for the probe and the channel alike."""
    base = known or WeChatAbilities(draft=None, mass_send=None, publish=None, checked_at=now)
    return replace(base, draft=True, checked_at=now,
                   mass_send=False if reach == "mass_send" else base.mass_send,
                   publish=False if reach == "publish" else base.publish)


def hold(account: WeChatAccount, found: WeChatAbilities) -> None:
    """Keep ``found`` in this process's memory (the caller writes it to the store)."""
    with _LOCK:
        _MEMORY[f"{account.api_base}|{cache_key(account)}"] = (found.checked_at, found)


def forget_abilities() -> None:
    with _LOCK:
        _MEMORY.clear()


def probe(account: WeChatAccount, settings: Settings, kv: Any, *,
          now: Callable[[], dt.datetime], timeout: tuple[float, float] = (5.0, 15.0),
          ) -> WeChatAbilities:
    """Ask the platform (three read calls, each tried once) and remember the answer."""
    from socialbot.platforms.wechat.api import SocialbotWeChatClient

    problems: list[str] = []
    try:
        secret = settings.secret_for(account)
    except SocialbotError as exc:
        return WeChatAbilities(None, None, None, now(), exc.render().strip())
    client = SocialbotWeChatClient(account, secret, kv, journal=Journal(now),
                                   policy=RetryPolicy(tries=1), timeout=timeout)

    def ask(call: Callable[[], Any]) -> bool | None:
        try:
            call()
        except CallFailed as exc:
            if isinstance(exc.code, int) and exc.code in NOT_PERMITTED:
                return False
            problems.append(exc.explain())
            return None
        return True

    draft = ask(lambda: client.get("draft/count"))
    mass = ask(lambda: client.post("message/mass/speed/get", data={}))
    publish = ask(lambda: client.freepublish.batchget(0, 1))
    found = WeChatAbilities(draft, mass, publish, now(), "；".join(dict.fromkeys(problems)))
    if not problems:  # a network fault is not an answer worth keeping
        remember(account, kv, found)
    return found
