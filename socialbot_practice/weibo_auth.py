"""Weibo access tokens: who a request is (``authorize``) and ``oauth2/get_token_info``.

Every Weibo endpoint, statistics included, starts by asking who the token belongs to;
the answers are the real error codes for a missing, unknown or expired token.
"""

from __future__ import annotations

from typing import Any

from socialbot_practice.accounts import WeiboAccount
from socialbot_practice.errors import WeiboError
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState


def access_token(req: Request) -> str:
    """The token from the ``OAuth2`` header or the ``access_token`` parameter ("" if none)."""
    auth = req.headers.get("authorization", "")
    if auth.lower().startswith("oauth2 "):
        return auth[7:].strip()
    return req.param("access_token")


def authorize(state: SandboxState, req: Request) -> WeiboAccount:
    """The user behind the access token; 21301 / 21332 / 21327 otherwise."""
    value = access_token(req)
    if not value:
        raise WeiboError(21301, "auth by Null spi!", status=403)
    account = state.weibo.get(value)
    if account is None:
        raise WeiboError(21332, "invalid_access_token", status=403)
    if state.clock.timestamp() >= account.token_expires_at:
        raise WeiboError(21327, "expired_token", status=403)
    return account


def get_token_info(state: SandboxState, req: Request) -> Reply:
    """POST oauth2/get_token_info: seconds left on the platform clock."""
    account = authorize(state, req)
    now = state.clock.timestamp()
    uid: Any = int(account.spec.uid) if account.spec.uid.isdigit() else account.spec.uid
    return Reply.json(
        {
            "uid": uid,
            "appkey": account.spec.appkey,
            "scope": "all",
            "create_at": int(account.token_issued_at),
            "expire_in": int(account.token_expires_at - now),
        }
    )
