"""What the two group robots share: JSON over HTTPS, errors in the body of an HTTP 200.

Both WeCom and DingTalk answer ``{"errcode": 0, "errmsg": "ok"}`` on success and a
non-zero ``errcode`` on failure, usually still with HTTP 200, so the status line alone
proves nothing. Each robot lists which codes mean "too frequent" (wait, then retry),
which are transient (retry now) and what the common permanent ones mean in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import requests

from socialbot.alerts.transport import SendResult, Transport
from socialbot.redact import describe_exception, redact


class RobotTransport(Transport):
    platform: ClassVar[str]  # "企业微信" / "钉钉", for reasons staff read
    throttle_codes: ClassVar[frozenset[int]] = frozenset()
    transient_codes: ClassVar[frozenset[int]] = frozenset({-1})  # -1: system busy
    error_reasons: ClassVar[dict[int, str]] = {}

    def __init__(self, *, session: requests.Session | None = None,
                 sleep: Callable[[float], None] | None = None):
        super().__init__(sleep=sleep)
        self._http = session or requests.Session()

    def post(self, url: str, payload: dict[str, Any]) -> SendResult:
        """POST one message and read the platform's verdict from the body."""
        try:
            response = self._http.post(url, json=payload, timeout=self.timeout_seconds)
        except requests.RequestException as exc:
            return SendResult.hiccup(f"无法连接{self.platform}服务器（{describe_exception(exc)}）")
        if response.status_code >= 500 or response.status_code == 429:
            return SendResult.hiccup(
                f"{self.platform}服务器暂时不可用（HTTP {response.status_code}）"
            )
        if response.status_code != 200:
            return SendResult.failed(
                f"{self.platform}拒绝了请求（HTTP {response.status_code}），请检查机器人地址配置"
            )
        try:
            body = response.json()
            code = int(body.get("errcode", -999))
        except (ValueError, AttributeError, TypeError):
            return SendResult.hiccup(f"{self.platform}返回了无法识别的内容")
        if code == 0:
            return SendResult.sent()
        detail = redact(str(body.get("errmsg", "")))[:200]
        known = self.error_reasons.get(code, "")
        reason = f"{self.platform}返回错误 {code}" + (f"：{known}" if known else "") + (
            f"（{detail}）" if detail and not known else ""
        )
        if code in self.throttle_codes:
            return SendResult.throttled(reason, self.throttle_seconds)
        if code in self.transient_codes:
            return SendResult.hiccup(reason)
        return SendResult.failed(reason)
