"""WeChat routing: endpoint table, HTTP method rules, token check and the error body.

Real paths are ``https://api.weixin.qq.com/cgi-bin/...`` (statistics: ``.../datacube/...``);
the sandbox serves the same paths under ``/wechat``. Every error answers HTTP 200 with
``errcode``/``errmsg`` + ``rid``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from socialbot_practice import stats, wechat_auth, wechat_draft, wechat_media, wechat_send
from socialbot_practice.accounts import WeChatAccount
from socialbot_practice.errors import WeChatError
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState, rid

Handler = Callable[[SandboxState, Request, WeChatAccount], Reply]

# endpoint -> (HTTP method, handler); all of these need ?access_token=
ROUTES: dict[str, tuple[str, Handler]] = {
    "cgi-bin/media/uploadimg": ("POST", wechat_media.uploadimg),
    "cgi-bin/material/add_material": ("POST", wechat_media.add_material),
    "cgi-bin/draft/add": ("POST", wechat_draft.add),
    "cgi-bin/draft/get": ("POST", wechat_draft.get),
    "cgi-bin/draft/update": ("POST", wechat_draft.update),
    "cgi-bin/draft/delete": ("POST", wechat_draft.delete),
    "cgi-bin/draft/count": ("GET", wechat_draft.count),
    "cgi-bin/draft/batchget": ("POST", wechat_draft.batchget),
    "cgi-bin/message/mass/sendall": ("POST", wechat_send.sendall),
    "cgi-bin/message/mass/get": ("POST", wechat_send.mass_get),
    "cgi-bin/message/mass/delete": ("POST", wechat_send.mass_delete),
    "cgi-bin/message/mass/preview": ("POST", wechat_send.preview),
    "cgi-bin/message/mass/speed/get": ("POST", wechat_send.speed_get),
    "cgi-bin/freepublish/submit": ("POST", wechat_send.freepublish_submit),
    "cgi-bin/freepublish/get": ("POST", wechat_send.freepublish_get),
    "cgi-bin/freepublish/getarticle": ("POST", wechat_send.freepublish_getarticle),
    "cgi-bin/freepublish/batchget": ("POST", wechat_send.freepublish_batchget),
    "datacube/getarticletotaldetail": ("POST", stats.getarticletotaldetail),
    "datacube/getusersummary": ("POST", stats.getusersummary),
    "datacube/getusercumulate": ("POST", stats.getusercumulate),
}
# What an unverified account (spec ``verified = false``) may not call: the 2025 rules take
# the mass-send and publishing APIs from unverified and personal accounts (48001).
UNVERIFIED_REFUSED = frozenset({
    "cgi-bin/message/mass/sendall", "cgi-bin/message/mass/speed/get",
    "cgi-bin/freepublish/submit", "cgi-bin/freepublish/get",
    "cgi-bin/freepublish/batchget", "cgi-bin/freepublish/getarticle",
})
TOKEN_ROUTES = {
    "cgi-bin/stable_token": ("POST", wechat_auth.stable_token),
    "cgi-bin/token": ("GET", wechat_auth.legacy_token),
}


def error_body(errcode: int, errmsg: str, **extra: Any) -> dict[str, Any]:
    """``{"errcode", "errmsg": "... rid: ..."}`` plus any extra fields (e.g. 45065's msg_id)."""
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: {rid()}", **extra}


def _check_method(req: Request, method: str) -> None:
    """POST endpoints refuse GET (43002); GET endpoints are lenient, as the platform is."""
    if method == "POST" and req.method != "POST":
        raise WeChatError(43002, "require POST method")


def handle(state: SandboxState, req: Request) -> Reply:
    """Answer one WeChat API request (the caller holds the state lock)."""
    try:
        if req.endpoint in TOKEN_ROUTES:
            method, token_handler = TOKEN_ROUTES[req.endpoint]
            _check_method(req, method)
            return token_handler(state, req)
        route = ROUTES.get(req.endpoint)
        if route is None:
            return Reply.json(
                error_body(-1, f"the practice platform does not simulate /{req.endpoint}"), 404
            )
        method, handler = route
        account = wechat_auth.authorize(state, req)
        _check_method(req, method)
        if req.endpoint in UNVERIFIED_REFUSED and not account.spec.verified:
            raise WeChatError(48001, "api unauthorized")
        return handler(state, req, account)
    except WeChatError as exc:
        return Reply.json(error_body(exc.errcode, exc.errmsg, **exc.extra))


def identify(state: SandboxState, req: Request) -> str | None:
    return wechat_auth.identify(state, req)


def errcode_of(reply: Reply) -> int | None:
    """The errcode a reply carries (0 for success bodies without one), for the call log."""
    try:
        data = json.loads(reply.body)
    except ValueError:
        return None
    if isinstance(data, dict):
        return int(data.get("errcode", 0) or 0)
    return None
