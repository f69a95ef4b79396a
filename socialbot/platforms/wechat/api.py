"""wechatpy 1.8.18 plus what it lacks: draft box, freepublish, tag-based mass send, stable token.

The API groups are ``BaseWeChatAPI`` subclasses attached to :class:`SocialbotWeChatClient`,
the way wechatpy attaches its own. The client changes four things in wechatpy:

* tokens come from ``POST cgi-bin/stable_token`` (force_refresh=false), so every caller
  gets the same token, and they are kept in the shared, encrypted store (``token.py``)
  and in this process's memory until they expire or are refused;
* ``auto_retry`` is off. A 40001/40014/42001 refreshes the token once, under a
  cross-process lease, and repeats the call once. wechatpy would retry without limit;
* every request goes through :func:`socialbot.platforms.common.calls.perform`: recorded,
  retried only when safe, errors looked up in the reaction table;
* JSON goes out as UTF-8 with ``ensure_ascii=False`` (``\\uXXXX`` escapes give 40033).
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI

from socialbot.config import Secret
from socialbot.kv import lease
from socialbot.platforms.common.calls import (
    Answer,
    CallFailed,
    Journal,
    decode_json,
    http_session,
    perform,
)
from socialbot.platforms.common.core import DEFAULT_TIMEOUT
from socialbot.platforms.common.reactions import Reaction, Rule, transport_rule
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.platforms.wechat.account import WeChatAccount
from socialbot.platforms.wechat.reactions import WECHAT_TOKEN_STILL_INVALID, wechat_rule
from socialbot.platforms.wechat.token import EncryptedTokenStorage
from socialbot.redact import register_secret

PLATFORM = "微信"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
#: Calls not to repeat blindly after a lost answer: they may reach followers twice, or
#: (draft/add) leave a second draft behind. The channel looks before it asks again.
UNSAFE_ENDPOINTS = frozenset({"message/mass/sendall", "freepublish/submit",
                              "message/mass/preview", "draft/add"})


def to_json_bytes(data: Any) -> bytes:
    """UTF-8 JSON with Chinese kept as is (WeChat rejects ``\\uXXXX`` escapes with 40033)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_wechat(response: requests.Response) -> Answer:
    """``{"errcode", "errmsg"}`` errors arrive with HTTP 200; anything else is not an answer."""
    status = response.status_code
    if 400 <= status < 500:
        return Answer(-1, f"HTTP {status}", transport="http", status=status)
    data = decode_json(response)
    errcode = _errcode(data)
    if errcode:
        return Answer(errcode, str(data.get("errmsg", "")), data=data, status=status)
    if status >= 500:
        return Answer(-1, f"HTTP {status}", transport="http", status=status)
    if not isinstance(data, dict):
        size = len(response.content)
        return Answer(-1, f"无法解析的答复（{size} 字节）", transport="garbage", status=status)
    return Answer(0, data=data, status=status)


def _errcode(data: Any) -> int:
    """The answer's errcode (0 when absent); a non-numeric one counts as -1 (system error)."""
    if not isinstance(data, dict):
        return 0
    try:
        return int(data.get("errcode") or 0)
    except (TypeError, ValueError):
        return -1


class WeChatDraft(BaseWeChatAPI):  # type: ignore[misc]
    """草稿箱. https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add"""

    def add(self, articles: list[dict[str, Any]]) -> str:
        """Create a draft (every article field, crops included); returns its media_id."""
        return self._post(  # type: ignore[no-any-return]
            "draft/add", data={"articles": articles}, result_processor=lambda r: r["media_id"]
        )

    def get(self, media_id: str) -> dict[str, Any]:
        """https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_getdraft"""
        return self._post("draft/get", data={"media_id": media_id})  # type: ignore[no-any-return]

    def delete(self, media_id: str) -> dict[str, Any]:
        """https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_delete"""
        return self._post("draft/delete", data={"media_id": media_id})  # type: ignore[no-any-return]

    def batchget(self, offset: int = 0, count: int = 20) -> list[dict[str, Any]]:
        """The newest drafts (without content). api_draft_batchget"""
        data = self._post("draft/batchget",
                          data={"offset": offset, "count": count, "no_content": 1})
        return list(data.get("item") or [])


class WeChatFreePublish(BaseWeChatAPI):  # type: ignore[misc]
    """发布能力 (no push to followers). https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_submit"""

    def submit(self, media_id: str) -> dict[str, Any]:
        """Start publishing a draft: returns publish_id (the job is only accepted)."""
        return self._post("freepublish/submit", data={"media_id": media_id})  # type: ignore[no-any-return]

    def get(self, publish_id: str) -> dict[str, Any]:
        """https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_get"""
        return self._post("freepublish/get", data={"publish_id": publish_id})  # type: ignore[no-any-return]

    def batchget(self, offset: int = 0, count: int = 20) -> list[dict[str, Any]]:
        """The newest published articles (without content). api_freepublish_batchget"""
        data = self._post("freepublish/batchget",
                          data={"offset": offset, "count": count, "no_content": 1})
        return list(data.get("item") or [])


def mass_filter(tag_id: int | None) -> dict[str, Any]:
    """All followers, or one tag (``tag_id``: wechatpy 1.8.18 still sends ``group_id``)."""
    return {"is_to_all": True} if tag_id is None else {"is_to_all": False, "tag_id": tag_id}


class WeChatMass(BaseWeChatAPI):  # type: ignore[misc]
    """群发. https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall"""

    def sendall(
        self, media_id: str, *, clientmsgid: str, tag_id: int | None = None,
        send_ignore_reprint: int = 0,
    ) -> dict[str, Any]:
        """Push a draft to followers; a repeated clientmsgid within 24 h answers 45065."""
        return self._post(  # type: ignore[no-any-return]
            "message/mass/sendall",
            data=sendall_body(media_id, clientmsgid=clientmsgid, tag_id=tag_id,
                              send_ignore_reprint=send_ignore_reprint),
        )

    def get(self, msg_id: int) -> dict[str, Any]:
        """https://developers.weixin.qq.com/doc/service/api/notify/message/api_massmsgget"""
        return self._post("message/mass/get", data={"msg_id": msg_id})  # type: ignore[no-any-return]

    def preview(self, media_id: str, *, towxname: str = "", touser: str = "") -> dict[str, Any]:
        """Send a draft to one person (WeChat ID or OpenID). api_preview"""
        return self._post("message/mass/preview", data=preview_body(media_id, towxname, touser))  # type: ignore[no-any-return]


def sendall_body(
    media_id: str, *, clientmsgid: str, tag_id: int | None, send_ignore_reprint: int = 0
) -> dict[str, Any]:
    return {
        "filter": mass_filter(tag_id),
        "mpnews": {"media_id": media_id},
        "msgtype": "mpnews",
        "send_ignore_reprint": send_ignore_reprint,
        "clientmsgid": clientmsgid,
    }


def preview_body(media_id: str, towxname: str = "", touser: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"mpnews": {"media_id": media_id}, "msgtype": "mpnews"}
    if towxname:
        body["towxname"] = towxname
    else:
        body["touser"] = touser
    return body


def stable_token_body(appid: str, secret: str) -> dict[str, Any]:
    return {"grant_type": "client_credential", "appid": appid, "secret": secret,
            "force_refresh": False}


class SocialbotWeChatClient(WeChatClient):  # type: ignore[misc]
    """A WeChatClient for one account: shared encrypted token, one refresh, recorded calls."""

    draft = WeChatDraft()
    freepublish = WeChatFreePublish()
    mass = WeChatMass()

    def __init__(
        self,
        account: WeChatAccount,
        secret: Secret,
        kv: Any,
        *,
        journal: Journal,
        policy: RetryPolicy,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.API_ROOT = account.api_base.rstrip("/") + "/"
        self.API_BASE_URL = self.API_ROOT + "cgi-bin/"
        self._kv = kv
        self.journal = journal
        self.policy = policy
        register_secret(secret.reveal())
        session = EncryptedTokenStorage(kv, secret, account.appid, scope=account.api_base)
        super().__init__(account.appid, secret, session=session, timeout=timeout, auto_retry=False)
        self._http = http_session(self.API_ROOT)  # environment read once, not per request

    # -- token ------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        """The shared token; fetched (once, under a lease) only when none is stored."""
        token = self.session.get(self.access_token_key)
        return token or self.refresh_access_token(stale=None)

    def refresh_access_token(self, stale: str | None) -> str:
        """A token other than ``stale``: another process's fresh one, or a new fetch."""
        self.session.forget(self.access_token_key, stale)  # refused: ask the store again
        with lease(self._kv, f"wechat:{self.appid}:token", seconds=30, wait=45):
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return str(current)
            return self._fetch_token()

    def fetch_access_token(self) -> dict[str, Any]:
        """wechatpy's hook, kept working: fetch via stable_token (no token in the result)."""
        self._fetch_token()
        return {"expires_in": int((self.expires_at or time.time()) - time.time())}

    def _fetch_token(self) -> str:
        """POST cgi-bin/stable_token. api_getstableaccesstoken"""
        body = to_json_bytes(stable_token_body(self.appid, self.secret.reveal()))
        request = "POST cgi-bin/stable_token"
        data = perform(
            platform=PLATFORM,
            request=request,
            send=lambda: self._http.post(
                self.API_BASE_URL + "stable_token", data=body, headers=JSON_HEADERS,
                timeout=self.timeout,
            ),
            decode=decode_wechat,
            rule_for=_token_fetch_rule,
            safe=True,
            policy=self.policy,
            journal=self.journal,
        )
        token = str(data.get("access_token") or "")
        if not token:
            raise CallFailed(PLATFORM, request, "garbage", "",
                             transport_rule("garbage", PLATFORM, safe=True))
        expires_in = int(data.get("expires_in") or 7200)
        self.session.set(self.access_token_key, token, expires_in)
        self.expires_at = int(time.time()) + expires_in
        return token

    # -- requests ---------------------------------------------------------------------

    def datacube(self, name: str, begin: str, end: str) -> dict[str, Any]:
        """POST datacube/<name> {begin_date, end_date}: statistics (outside cgi-bin)."""
        return self.post(  # type: ignore[no-any-return]
            self.API_ROOT + "datacube/" + name, data={"begin_date": begin, "end_date": end})

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        if url_or_endpoint.startswith(self.API_ROOT + "datacube/"):
            endpoint = url_or_endpoint.removeprefix(self.API_ROOT)  # datacube/<name>
        else:
            endpoint = "cgi-bin/" + url_or_endpoint.removeprefix(self.API_BASE_URL).lstrip("/")
        url = self.API_ROOT + endpoint
        params = {k: v for k, v in (kwargs.get("params") or {}).items() if k != "access_token"}
        data, headers = kwargs.get("data"), {}
        if isinstance(data, dict | list):
            data, headers = to_json_bytes(data), JSON_HEADERS
        files = kwargs.get("files")
        used: list[str] = []

        def send() -> requests.Response:
            token = self.access_token
            used.append(token)
            response: requests.Response = self._http.request(
                method, url, params={**params, "access_token": token},
                data=data, files=files, headers=headers, timeout=self.timeout,
            )
            return response

        def call() -> Any:
            return perform(
                platform=PLATFORM, request=f"{method.upper()} {endpoint}", send=send,
                decode=decode_wechat, rule_for=wechat_rule,
                safe=endpoint.removeprefix("cgi-bin/") not in UNSAFE_ENDPOINTS,
                policy=self.policy, journal=self.journal,
            )

        try:
            result = call()
        except CallFailed as exc:
            if exc.reaction is not Reaction.REFRESH_TOKEN or not used:
                raise
            self.refresh_access_token(stale=used[-1])
            try:
                result = call()
            except CallFailed as again:  # a second token error is final
                if again.reaction is not Reaction.REFRESH_TOKEN:
                    raise
                raise dataclasses.replace(again, rule=WECHAT_TOKEN_STILL_INVALID) from None
        processor = kwargs.get("result_processor")
        return processor(result) if processor else result


def _token_fetch_rule(code: int) -> Rule:
    rule = wechat_rule(code, token_fetch=True)
    if rule.reaction is Reaction.REFRESH_TOKEN:
        return wechat_rule(40001, token_fetch=True)
    return rule
