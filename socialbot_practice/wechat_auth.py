"""WeChat access tokens: ``cgi-bin/stable_token``, legacy ``cgi-bin/token`` and the token check.

Both token kinds follow the documented lifecycles (reference §1.1): stable tokens are
shared while valid and force_refresh is rationed; each legacy fetch retires the previous
token after a 5-minute overlap. Getting these right is what exposes token-sharing bugs.
"""

from __future__ import annotations

import secrets
from typing import Any

from socialbot_practice.accounts import Token, WeChatAccount
from socialbot_practice.clock import day_key
from socialbot_practice.errors import WeChatError
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState

LEGACY_OVERLAP = 300
LEGACY_DAILY = 2000
FORCE_REFRESH_DAILY = 20
FORCE_REFRESH_GAP = 30
INVALID_CREDENTIAL = "invalid credential, access_token is invalid or not latest"


def _new_token(state: SandboxState, account: WeChatAccount, kind: str, now: float) -> Token:
    token = Token(
        value=secrets.token_urlsafe(120),
        appid=account.spec.appid,
        kind=kind,
        issued_at=now,
        expires_at=now + account.spec.token_lifetime,
    )
    state.tokens[token.value] = token
    return token


def _token_reply(token: Token, now: float) -> Reply:
    return Reply.json({"access_token": token.value, "expires_in": int(token.expires_at - now)})


def check_ip(account: WeChatAccount, client_ip: str) -> None:
    """40164 when the account has an IP whitelist and the caller is not on it."""
    allowed = account.spec.ip_whitelist
    if allowed is None:
        return
    bare = client_ip.removeprefix("::ffff:")
    if bare not in allowed and client_ip not in allowed:
        raise WeChatError(40164, f"invalid ip {bare} ipv6 ::ffff:{bare}, not in whitelist")


def _credentials(state: SandboxState, req: Request, data: dict[str, Any]) -> WeChatAccount:
    if data.get("grant_type") != "client_credential":
        raise WeChatError(40002, "invalid grant_type")
    appid, secret = str(data.get("appid") or ""), str(data.get("secret") or "")
    if not appid:
        raise WeChatError(41002, "appid missing")
    if not secret:
        raise WeChatError(41004, "appsecret missing")
    account = state.wechat.get(appid)
    if account is None:
        raise WeChatError(40013, "invalid appid")
    if secret != account.spec.secret:
        raise WeChatError(40125, "invalid appsecret")
    check_ip(account, req.client_ip)
    return account


def stable_token(state: SandboxState, req: Request) -> Reply:
    """POST cgi-bin/stable_token: the same token while valid; force_refresh is rationed."""
    data = req.json()
    if not isinstance(data, dict):
        raise WeChatError(47001, "data format error")
    account = _credentials(state, req, data)
    now = state.clock.timestamp()
    current = account.stable_token
    force = data.get("force_refresh") in (True, "true", 1, "1")
    if force:
        today = day_key(now)
        if sum(1 for t in account.force_refreshes if day_key(t) == today) >= FORCE_REFRESH_DAILY:
            raise WeChatError(45009, "reach max api daily quota limit")
        if account.force_refreshes and now - account.force_refreshes[-1] < FORCE_REFRESH_GAP:
            raise WeChatError(45011, "api minute-quota reach limit  mustslower  retry next minute")
        account.force_refreshes.append(now)
        if current is not None:
            state.tokens.pop(current.value, None)  # invalid at once -> 40001
    else:
        margin = min(300, account.spec.token_lifetime // 4)
        if current is not None and current.expires_at - now > margin:
            return _token_reply(current, now)
        # Renewal: the old token keeps its own expiry, it is not revoked.
    account.stable_token = _new_token(state, account, "stable", now)
    return _token_reply(account.stable_token, now)


def legacy_token(state: SandboxState, req: Request) -> Reply:
    """GET cgi-bin/token: a new token every call; the previous one lives 5 more minutes."""
    account = _credentials(state, req, req.query)
    now = state.clock.timestamp()
    today = day_key(now)
    if sum(1 for t in account.legacy_fetches if day_key(t) == today) >= LEGACY_DAILY:
        raise WeChatError(45009, "reach max api daily quota limit")
    account.legacy_fetches.append(now)
    previous = account.legacy_token
    if previous is not None:
        previous.superseded = True
        previous.expires_at = min(previous.expires_at, now + LEGACY_OVERLAP)
    account.legacy_token = _new_token(state, account, "legacy", now)
    return _token_reply(account.legacy_token, now)


def authorize(state: SandboxState, req: Request) -> WeChatAccount:
    """The account behind ``?access_token=``, or the error the platform would give."""
    value = req.query.get("access_token", "")
    if not value:
        raise WeChatError(41001, "access_token missing")
    token = state.tokens.get(value)
    account = state.wechat.get(token.appid) if token else None
    if token is None or account is None:
        raise WeChatError(40001, INVALID_CREDENTIAL)
    if state.clock.timestamp() >= token.expires_at:
        if token.superseded:
            raise WeChatError(40001, INVALID_CREDENTIAL)
        raise WeChatError(42001, "access_token expired")
    check_ip(account, req.client_ip)
    return account


def identify(state: SandboxState, req: Request) -> str | None:
    """The appid a request is about, without validating anything (for logs and faults)."""
    token = state.tokens.get(req.query.get("access_token", ""))
    if token is not None:
        return token.appid
    if "appid" in req.query:
        return req.query["appid"]
    if req.endpoint.endswith("stable_token"):
        try:
            data = req.json()
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("appid"):
            return str(data["appid"])
    return None
