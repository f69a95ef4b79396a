"""Platform errors raised by the endpoint handlers and turned into each platform's error body.

Handlers raise instead of returning so a check deep inside a validation helper can stop the
request in one line, the way the real platforms stop at the first broken rule.
"""

from __future__ import annotations

from typing import Any


class WeChatError(Exception):
    """A WeChat ``{"errcode": N, "errmsg": "..."}`` answer (always HTTP 200, like the real API)."""

    def __init__(self, errcode: int, errmsg: str, **extra: Any):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.extra = extra


class WeiboError(Exception):
    """A Weibo error answer; ``weibo.py`` shapes the body (API style or OAuth style)."""

    def __init__(self, code: int, error: str, *, status: int = 400):
        super().__init__(f"{code} {error}")
        self.code = code
        self.error = error
        self.status = status


class BadRequest(Exception):
    """A malformed control-API request (``/_sandbox/...``): answered with HTTP 400."""
