"""Driving the practice platform: accounts, faults, clock, reset and the state snapshot.

The Python API (:class:`PracticePlatform`) and the HTTP control API (``/_sandbox/...``)
both call these functions, so another process sees exactly what a test sees.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from socialbot_practice.accounts import (
    WeChatAccount,
    WeChatAccountSpec,
    WeiboAccount,
    WeiboAccountSpec,
)
from socialbot_practice.clock import day_key, iso, month_key
from socialbot_practice.errors import BadRequest
from socialbot_practice.faults import Fault
from socialbot_practice.protocol import Reply
from socialbot_practice.state import SandboxState

RECENT_CALLS = 200


def inject(state: SandboxState, data: dict[str, Any]) -> Fault:
    """Add a fault from a JSON-shaped dict: platform, endpoint, fault, times, account, params."""
    params = dict(data)
    try:
        platform = str(params.pop("platform"))
        kind = str(params.pop("fault"))
    except KeyError as exc:
        raise BadRequest(f"missing {exc.args[0]!r}") from exc
    endpoint = str(params.pop("endpoint", "*"))
    times = int(params.pop("times", 1))
    account = params.pop("account", None)
    with state.lock:
        return state.faults.add(platform, endpoint, kind, times, account, **params)


def set_clock(state: SandboxState, data: dict[str, Any]) -> None:
    """``{"now": iso, "frozen": bool}`` or ``{"advance": seconds}``."""
    with state.lock:
        if "now" in data:
            try:
                when = datetime.fromisoformat(str(data["now"]))
            except ValueError as exc:
                raise BadRequest(f"not an ISO date-time: {data['now']!r}") from exc
            state.clock.set(when, frozen=bool(data.get("frozen", False)))
        elif "advance" in data:
            state.clock.advance(float(data["advance"]))
        else:
            raise BadRequest('send {"now": "<iso>"} or {"advance": <seconds>}')


def _wechat_summary(account: WeChatAccount, now: float) -> dict[str, Any]:
    sends = list(account.sends.values())
    return {
        **account.spec.public(),
        "platform": "wechat",
        "sends_today": sum(1 for s in sends if day_key(s["timestamp"]) == day_key(now)),
        "to_all_sends_this_month": sum(
            1 for s in sends if s["to_all"] and month_key(s["timestamp"]) == month_key(now)
        ),
        "stable_token_valid_for": (
            int(account.stable_token.expires_at - now) if account.stable_token else None
        ),
        "drafts": [
            {
                "media_id": d["media_id"],
                "titles": [a["title"] for a in d["articles"]],
                "warnings": [w for a in d["articles"] for w in a["warnings"]],
                "update_time": d["update_time"],
            }
            for d in account.drafts.values()
        ],
        "materials": len(account.materials),
        "uploadimg": len(account.uploadimg_urls),
    }


def _weibo_summary(account: WeiboAccount, now: float) -> dict[str, Any]:
    return {
        **account.spec.public(),
        "platform": "weibo",
        "token_expires_in": int(account.token_expires_at - now),
        "posts_last_hour": sum(1 for p in account.posts if now - p["timestamp"] < 3600),
    }


def snapshot(state: SandboxState, *, calls: int | None = None) -> dict[str, Any]:
    """Everything a driver or the page needs, secrets and tokens left out."""
    with state.lock:
        now = state.clock.timestamp()
        wechat = list(state.wechat.values())
        weibo = list(state.weibo.values())
        received: dict[str, list[dict[str, Any]]] = {a.key: a.received for a in wechat}
        received.update({a.key: a.posts for a in weibo})
        data = {
            "now": iso(now),
            "clock_is_real": state.clock.is_real,
            "url": state.base_url,
            "accounts": {
                "wechat": [_wechat_summary(a, now) for a in wechat],
                "weibo": [_weibo_summary(a, now) for a in weibo],
            },
            "received": received,
            "published": {a.key: list(a.published.values()) for a in wechat},
            "previews": {a.key: a.previews for a in wechat},
            "calls": [c.public() for c in (state.calls if calls is None else state.calls[-calls:])],
            "faults": [f.public() for f in state.faults.active()],
        }
        return copy.deepcopy(data)


def _body(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def handle(state: SandboxState, method: str, path: str, raw: bytes) -> Reply:
    """Answer ``/_sandbox/...``; errors are ``{"error": "..."}`` with HTTP 400/404."""
    route = path.removeprefix("/_sandbox").strip("/")
    try:
        if (method, route) == ("GET", "state"):
            return Reply.json(snapshot(state))
        if (method, route) == ("POST", "accounts/wechat"):
            spec = WeChatAccountSpec.from_dict(_body(raw))
            state.add_wechat(spec)
            return Reply.json({"ok": True, "account": spec.public()}, 201)
        if (method, route) == ("POST", "accounts/weibo"):
            weibo_spec = WeiboAccountSpec.from_dict(_body(raw))
            state.add_weibo(weibo_spec)
            return Reply.json({"ok": True, "account": weibo_spec.public()}, 201)
        if (method, route) == ("POST", "faults"):
            return Reply.json({"ok": True, "fault": inject(state, _body(raw)).public()}, 201)
        if (method, route) == ("GET", "faults"):
            with state.lock:
                return Reply.json({"faults": [f.public() for f in state.faults.active()]})
        if (method, route) == ("DELETE", "faults"):
            with state.lock:
                state.faults.clear()
            return Reply.json({"ok": True})
        if (method, route) == ("POST", "clock"):
            set_clock(state, _body(raw))
            return Reply.json({"ok": True, "now": iso(state.clock.timestamp())})
        if (method, route) == ("GET", "clock"):
            return Reply.json({"now": iso(state.clock.timestamp())})
        if (method, route) == ("POST", "reset"):
            state.reset(drop_accounts=bool(_body(raw).get("drop_accounts", False)))
            return Reply.json({"ok": True})
    except (BadRequest, ValueError, TypeError) as exc:
        return Reply.json({"error": str(exc)}, 400)
    return Reply.json({"error": f"no control endpoint {method} {path}"}, 404)
