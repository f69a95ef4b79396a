"""The Weibo open-API calls the bot needs, over plain requests.

No maintained Weibo SDK exists (reference §12), and statuses/update and upload have
been closed to normal apps since 2017, so this module calls ``statuses/share.json``
directly. Errors arrive as HTTP 400/403 with a JSON body, so the body is read before the
status is looked at. The token goes in the form body (POST) or the ``Authorization:
OAuth2`` header (GET), never in a URL, because URLs end up in logs.
"""

from __future__ import annotations

from typing import Any

import requests

from socialbot.config import Secret
from socialbot.platforms.common.calls import Answer, Journal, decode_json, http_session, perform
from socialbot.platforms.common.core import DEFAULT_TIMEOUT
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.platforms.weibo.account import WeiboAccount
from socialbot.platforms.weibo.reactions import weibo_rule
from socialbot.platforms.weibo.tokens import token_fingerprint
from socialbot.redact import register_secret
from socialbot.rendered import ImageAsset

PLATFORM = "微博"


def decode_weibo(response: requests.Response) -> Answer:
    """``{"error_code": ...}`` is an error whatever the HTTP status; else JSON means success."""
    status = response.status_code
    data = decode_json(response)
    if isinstance(data, dict) and data.get("error_code") not in (None, "", 0, "0"):
        try:
            code = int(data["error_code"])
        except (TypeError, ValueError):
            code = -1
        message = str(data.get("error_description") or data.get("error") or "")
        return Answer(code, message, data=data, status=status)
    if status >= 400:
        return Answer(-1, f"HTTP {status}", transport="http", status=status)
    if not isinstance(data, dict):
        size = len(response.content)
        return Answer(-1, f"无法解析的答复（{size} 字节）", transport="garbage", status=status)
    return Answer(0, data=data, status=status)


def decode_weibo_list(response: requests.Response) -> Answer:
    """Like :func:`decode_weibo`, for calls whose success is a JSON array (statuses/count)."""
    data = decode_json(response)
    if isinstance(data, list) and response.status_code < 400:
        return Answer(0, data={"list": data}, status=response.status_code)
    return decode_weibo(response)


class WeiboClient:
    """One Weibo account's token and the calls made with it."""

    def __init__(
        self,
        account: WeiboAccount,
        token: Secret,
        *,
        journal: Journal,
        policy: RetryPolicy,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.base = account.api_base.rstrip("/")
        #: Identifies the token in memo keys without revealing it (a new token, a new check).
        self.token_id = token_fingerprint(token)
        self.uid = account.uid
        self.journal = journal
        self.policy = policy
        self.timeout = timeout
        self._token = token
        register_secret(token.reveal())
        self._http = http_session(self.base)

    def _call(self, method: str, path: str, *, safe: bool, decode: Any = decode_weibo,
              **kwargs: Any) -> Any:
        url = f"{self.base}/{path}"
        return perform(
            platform=PLATFORM,
            request=f"{method} {path}",
            send=lambda: self._http.request(method, url, timeout=self.timeout, **kwargs),
            decode=decode,
            rule_for=weibo_rule,
            safe=safe,
            policy=self.policy,
            journal=self.journal,
        )

    def token_info(self) -> dict[str, Any]:
        """POST oauth2/get_token_info: uid and seconds left. https://open.weibo.com/wiki/Oauth2/get_token_info"""
        return self._call(  # type: ignore[no-any-return]
            "POST",
            "oauth2/get_token_info",
            safe=True,
            data={"access_token": self._token.reveal()},
        )

    def share(self, text: str, image: ImageAsset, rip: str) -> dict[str, Any]:
        """POST 2/statuses/share.json with one picture. https://open.weibo.com/wiki/2/statuses/share"""
        return self._call(  # type: ignore[no-any-return]
            "POST",
            "2/statuses/share.json",
            safe=False,
            data={"access_token": self._token.reveal(), "status": text, "rip": rip},
            files={"pic": (image.filename, image.data, image.mime)},
        )

    def user_timeline(self, count: int = 50) -> list[dict[str, Any]]:
        """GET 2/statuses/user_timeline.json: the account's own latest posts, newest first."""
        data = self._call(
            "GET",
            "2/statuses/user_timeline.json",
            safe=True,
            params={"uid": self.uid, "count": count},
            headers={"Authorization": f"OAuth2 {self._token.reveal()}"},
        )
        statuses = data.get("statuses")
        return statuses if isinstance(statuses, list) else []

    def counts(self, ids: list[str]) -> list[dict[str, Any]]:
        """GET 2/statuses/count.json: reposts, comments, attitudes of up to 100 statuses.
        https://open.weibo.com/wiki/2/statuses/count"""
        data = self._call(
            "GET", "2/statuses/count.json", safe=True, decode=decode_weibo_list,
            params={"ids": ",".join(ids)},
            headers={"Authorization": f"OAuth2 {self._token.reveal()}"},
        )
        return [r for r in data.get("list") or [] if isinstance(r, dict)]

    def user(self) -> dict[str, Any]:
        """GET 2/users/show.json: the account's profile (followers_count).
        https://open.weibo.com/wiki/2/users/show"""
        return self._call(  # type: ignore[no-any-return]
            "GET", "2/users/show.json", safe=True, params={"uid": self.uid},
            headers={"Authorization": f"OAuth2 {self._token.reveal()}"},
        )
