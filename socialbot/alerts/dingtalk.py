"""DingTalk (钉钉) group robot with 加签 (signed) security.

``POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN&timestamp=MS&sign=SIGN``
with ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``. ``sign`` is
urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))); the timestamp
is in milliseconds and must be within an hour of DingTalk's clock. 20 messages a minute
per robot; beyond that the robot is throttled for 10 minutes (130101). Both the access
token and the signing secret are secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from typing import ClassVar
from urllib.parse import quote, quote_plus

import requests

from socialbot.alerts import message
from socialbot.alerts.model import Alert
from socialbot.alerts.robot import RobotTransport
from socialbot.alerts.transport import Message, SendResult, fingerprint
from socialbot.config import Secret
from socialbot.redact import register_secret

OFFICIAL_BASE = "https://oapi.dingtalk.com"


def sign(timestamp_ms: int, secret: str) -> str:
    """The 加签 signature, already URL-encoded as DingTalk expects it in the query."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingtalkRobot(RobotTransport):
    kind = "dingtalk"
    label = "钉钉群机器人"
    platform = "钉钉"
    path: ClassVar[str] = "/robot/send"
    # DingTalk's robot page publishes no Markdown size; 20,000 bytes keeps well inside
    # what it accepts in practice and a digest is far shorter anyway.
    max_bytes: ClassVar[int] = 20000
    rate_per_minute = 20
    throttle_seconds = 600.0  # "超过20条，会限流10分钟"
    throttle_codes = frozenset({130101})  # send too fast
    error_reasons: ClassVar[dict[int, str]] = {
        130101: "发送太频繁，机器人被限流 10 分钟，稍后重试",
        310000: "签名校验失败：请核对加签密钥（SEC 开头），并确认本机时间准确",
        300001: "access_token 无效：请重新复制群机器人的 Webhook 地址中的 access_token",
        -1: "钉钉系统繁忙",
    }

    def __init__(self, token: Secret, secret: Secret, *, api_base: str = "",
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] | None = None,
                 wall_clock: Callable[[], float] = time.time):
        super().__init__(session=session, sleep=sleep)
        register_secret(token.reveal())
        register_secret(secret.reveal())
        self._token = token
        self._secret = secret
        self._base = (api_base or OFFICIAL_BASE).rstrip("/")
        self._wall_clock = wall_clock

    @property
    def limit_key(self) -> str:
        return f"dingtalk:{fingerprint(self._token.reveal())}"

    def compose(self, alerts: Sequence[Alert], owner: str) -> list[Message]:
        headline = message.title(alerts)
        return [
            Message({"msgtype": "markdown", "markdown": {"title": headline, "text": part.text}},
                    part.count)
            for part in message.markdown_parts(alerts, owner, self.max_bytes, "\n\n")
        ]

    def attempt(self, message_: Message) -> SendResult:
        # A fresh timestamp per try: a retry an hour later must not reuse a stale one.
        timestamp = int(self._wall_clock() * 1000)
        url = (f"{self._base}{self.path}?access_token={quote(self._token.reveal(), safe='')}"
               f"&timestamp={timestamp}&sign={sign(timestamp, self._secret.reveal())}")
        return self.post(url, message_.payload)
