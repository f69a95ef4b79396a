"""WeCom (企业微信) group robot: a Markdown message to the group the robot sits in.

``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` with
``{"msgtype": "markdown", "markdown": {"content": …}}``; content at most 4096 bytes
(UTF-8); 20 messages a minute per robot; errors in the body with HTTP 200. The key is
the robot's only credential: whoever has it can post to the group, so it is a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar
from urllib.parse import quote

import requests

from socialbot.alerts import message
from socialbot.alerts.model import Alert
from socialbot.alerts.robot import RobotTransport
from socialbot.alerts.transport import Message, SendResult, fingerprint
from socialbot.config import Secret
from socialbot.redact import register_secret

OFFICIAL_BASE = "https://qyapi.weixin.qq.com"


class WecomRobot(RobotTransport):
    kind = "wecom"
    label = "企业微信群机器人"
    platform = "企业微信"
    path: ClassVar[str] = "/cgi-bin/webhook/send"
    max_bytes: ClassVar[int] = 4096
    rate_per_minute = 20
    throttle_seconds = 60.0
    throttle_codes = frozenset({45009})  # api freq out of limit
    error_reasons: ClassVar[dict[int, str]] = {
        45009: "发送太频繁（每个机器人每分钟最多 20 条），稍后重试",
        93000: "机器人地址无效：key 不对，或机器人已被移出群聊，请重新复制群机器人的 Webhook 地址",
        40058: "消息内容超出长度限制",
        -1: "企业微信系统繁忙",
    }

    def __init__(self, key: Secret, *, api_base: str = "",
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] | None = None):
        super().__init__(session=session, sleep=sleep)
        register_secret(key.reveal())
        self._key = key
        self._base = (api_base or OFFICIAL_BASE).rstrip("/")

    @property
    def limit_key(self) -> str:
        return f"wecom:{fingerprint(self._key.reveal())}"

    def compose(self, alerts: Sequence[Alert], owner: str) -> list[Message]:
        return [
            Message({"msgtype": "markdown", "markdown": {"content": part.text}}, part.count)
            for part in message.markdown_parts(alerts, owner, self.max_bytes)
        ]

    def attempt(self, message_: Message) -> SendResult:
        url = f"{self._base}{self.path}?key={quote(self._key.reveal(), safe='')}"
        return self.post(url, message_.payload)
