"""Everything the practice platform remembers, behind one lock.

One ``threading.RLock`` guards the whole state: the server is threaded, and a single lock
makes every endpoint atomic (a quota check and the send it allows cannot interleave).
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from socialbot_practice.accounts import (
    StoredImage,
    Token,
    WeChatAccount,
    WeChatAccountSpec,
    WeiboAccount,
    WeiboAccountSpec,
)
from socialbot_practice.clock import Clock, iso
from socialbot_practice.faults import FaultBook

MAX_CALLS = 5000


@dataclass
class CallRecord:
    """One API request as the platform saw it (for counting calls and for the page)."""

    time: float
    platform: str
    endpoint: str
    method: str
    account: str | None
    errcode: int | None
    status: int
    fault: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "time": iso(self.time),
            "timestamp": self.time,
            "platform": self.platform,
            "endpoint": self.endpoint,
            "method": self.method,
            "account": self.account,
            "errcode": self.errcode,
            "http_status": self.status,
            "fault": self.fault,
        }


def random_id(length: int = 43) -> str:
    """An opaque id shaped like WeChat's media_id (URL-safe characters)."""
    return secrets.token_urlsafe(length)[:length]


def rid() -> str:
    """A WeChat-style request id, appended to every errmsg so logs can quote it."""
    return "-".join(secrets.token_hex(4) for _ in range(3))


class SandboxState:
    """Accounts, tokens, uploaded images, call log, faults and the clock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.faults = FaultBook()
        self.base_url = "http://127.0.0.1"
        self.wechat: dict[str, WeChatAccount] = {}
        self.weibo: dict[str, WeiboAccount] = {}
        self._clear_activity()

    def _clear_activity(self) -> None:
        self.tokens: dict[str, Token] = {}
        self.images: dict[str, StoredImage] = {}
        self.articles: dict[str, dict[str, Any]] = {}
        self.calls: list[CallRecord] = []
        self.msg_ids = itertools.count(1000000001)
        self.msg_data_ids = itertools.count(2247483001)
        self.publish_ids = itertools.count(100000001)
        self.status_ids = itertools.count(4780000000000001, 7)
        self.faults.clear()

    # accounts -----------------------------------------------------------------------

    def add_wechat(self, spec: WeChatAccountSpec) -> WeChatAccount:
        with self.lock:
            self._forget_tokens(spec.appid)
            account = WeChatAccount(spec)
            self.wechat[spec.appid] = account
            return account

    def add_weibo(self, spec: WeiboAccountSpec) -> WeiboAccount:
        with self.lock:
            self.weibo.pop(spec.token, None)
            for token, old in list(self.weibo.items()):
                if old.spec.uid == spec.uid:
                    del self.weibo[token]
            account = WeiboAccount(spec, token_issued_at=self.clock.timestamp())
            self.weibo[spec.token] = account
            return account

    def _forget_tokens(self, appid: str) -> None:
        for value in [v for v, t in self.tokens.items() if t.appid == appid]:
            del self.tokens[value]

    def find(self, account: str) -> WeChatAccount | WeiboAccount:
        """An account by appid, uid, name or screen name (what tests find easiest to type)."""
        with self.lock:
            if account in self.wechat:
                return self.wechat[account]
            for wb in self.weibo.values():
                if account in (wb.spec.uid, wb.spec.screen_name):
                    return wb
            for wx in self.wechat.values():
                if account == wx.spec.name:
                    return wx
        raise KeyError(f"no account {account!r} on the practice platform")

    def reset(self, *, drop_accounts: bool = False) -> None:
        """Forget all activity; keep the accounts (fresh) unless ``drop_accounts``."""
        with self.lock:
            wechat_specs = [a.spec for a in self.wechat.values()]
            weibo_specs = [a.spec for a in self.weibo.values()]
            self.wechat.clear()
            self.weibo.clear()
            self.clock.reset()
            self._clear_activity()
            if not drop_accounts:
                for wx in wechat_specs:
                    self.add_wechat(wx)
                for wb in weibo_specs:
                    self.add_weibo(wb)

    # records ------------------------------------------------------------------------

    def record_call(self, record: CallRecord) -> None:
        with self.lock:
            self.calls.append(record)
            if len(self.calls) > MAX_CALLS:
                del self.calls[: len(self.calls) - MAX_CALLS]

    def store_image(self, folder: str, image: StoredImage) -> str:
        """Keep an image and return the URL it is served at."""
        with self.lock:
            self.images[f"{folder}/{image.name}"] = image
        return f"{self.base_url}/{folder}/{image.name}"

    def image_at(self, path: str) -> StoredImage | None:
        with self.lock:
            return self.images.get(path.strip("/"))
