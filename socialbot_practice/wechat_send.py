"""Getting a draft to readers: mass send (pushes to followers) and freepublish (does not).

The difference matters to staff, so the two are recorded apart: ``received`` holds what
followers got in their chat list; ``published`` holds articles that only got a permalink.
Quotas, the clientmsgid window and the publish-status progression follow reference §3-4.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from socialbot_practice.accounts import WeChatAccount
from socialbot_practice.clock import day_key, iso, month_key
from socialbot_practice.errors import WeChatError
from socialbot_practice.faults import HANDLER_FAULTS
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState, random_id
from socialbot_practice.wechat_draft import body_json

MASS_PER_MINUTE = 60
CLIENTMSGID_MAX_BYTES = 64
CLIENTMSGID_WINDOW = 24 * 3600
SUBSCRIPTION_PER_DAY = 1
SERVICE_TO_ALL_PER_MONTH = 4
SERVICE_PER_USER_PER_MONTH = 4
PREVIEWS_PER_DAY = 100


def _mass_rate(account: WeChatAccount, now: float) -> None:
    """60 mass requests per minute per account; the 61st is refused."""
    window = account.mass_requests
    while window and now - window[0] >= 60:
        window.popleft()
    if len(window) >= MASS_PER_MINUTE:
        raise WeChatError(45011, "api minute-quota reach limit  mustslower  retry next minute")
    window.append(now)


def _mpnews_draft(account: WeChatAccount, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("msgtype") != "mpnews":
        raise WeChatError(40008, "invalid message type (the practice platform simulates mpnews)")
    mpnews = data.get("mpnews")
    media_id = str(mpnews.get("media_id", "")) if isinstance(mpnews, dict) else ""
    draft = account.drafts.get(media_id)
    if draft is None:
        raise WeChatError(40007, "invalid media_id")
    return draft


def _audience(account: WeChatAccount, data: dict[str, Any]) -> tuple[bool, int | None, list[str]]:
    filt = data.get("filter")
    if not isinstance(filt, dict):
        raise WeChatError(40097, "invalid args, filter missing")
    if filt.get("is_to_all") in (True, "true", 1):
        return True, None, list(account.spec.followers or [])
    tag = filt.get("tag_id", filt.get("group_id"))
    try:
        tag_id = int(tag)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise WeChatError(40097, "invalid args, tag_id missing") from exc
    if tag_id not in account.spec.tags:
        raise WeChatError(45159, "invalid tag id")
    return False, tag_id, list(account.spec.tags[tag_id])


def _check_quota(account: WeChatAccount, to_all: bool, now: float) -> None:
    if account.spec.kind == "subscription":
        today = day_key(now)
        used = sum(1 for s in account.sends.values() if day_key(s["timestamp"]) == today)
        if used >= SUBSCRIPTION_PER_DAY:
            raise WeChatError(45028, "has no masssend quota")
    elif to_all:
        month = month_key(now)
        used = sum(
            1 for s in account.sends.values() if s["to_all"] and month_key(s["timestamp"]) == month
        )
        if used >= SERVICE_TO_ALL_PER_MONTH:
            raise WeChatError(45028, "has no masssend quota")


def _deliverable(account: WeChatAccount, openids: list[str], now: float) -> list[str]:
    """Service accounts: a follower gets at most 4 mass messages a month; extras drop silently."""
    if account.spec.kind != "service":
        return openids
    month = month_key(now)
    got: Counter[str] = Counter()
    for item in account.received:
        if month_key(item["timestamp"]) == month:
            got.update(item["openids"])
    return [o for o in openids if got[o] < SERVICE_PER_USER_PER_MONTH]


def _article_page(
    state: SandboxState, account: WeChatAccount, draft: dict[str, Any], kind: str,
    msg_data_id: int = 0,
) -> tuple[str, list[dict[str, Any]]]:
    """Register a permalink for the draft's articles; return its id and the articles with URLs."""
    article_id = random_id(40)
    articles = copy.deepcopy(draft["articles"])
    for idx, article in enumerate(articles, start=1):
        article["url"] = article_url(state, article_id, idx)
    state.articles[article_id] = {
        "account": account.key,
        "account_name": account.spec.name,
        "kind": kind,
        "msg_data_id": msg_data_id,  # datacube's msgid is "<msg_data_id>_<idx>"
        "articles": articles,
        "timestamp": state.clock.timestamp(),
        "deleted": False,
    }
    return article_id, articles


def article_url(state: SandboxState, article_id: str, idx: int) -> str:
    base = f"{state.base_url}/s/{article_id}"
    return base if idx == 1 else f"{base}?idx={idx}"


def _delivery(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline fields of a delivery (first article), as tests and the page read them."""
    first = articles[0]
    return {
        "title": first["title"],
        "digest": first.get("digest", ""),
        "content": first["content"],
        "cover": first["thumb_url"],
        "crops": {k: first[k] for k in ("pic_crop_235_1", "pic_crop_1_1") if k in first},
        "url": first.get("url", ""),
        "articles": articles,
        "warnings": [w for a in articles for w in a.get("warnings", [])],
    }


def sendall(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/message/mass/sendall (mpnews from the draft box)."""
    data = body_json(req)
    now = state.clock.timestamp()
    _mass_rate(account, now)
    clientmsgid = str(data.get("clientmsgid") or "")
    if len(clientmsgid.encode("utf-8")) > CLIENTMSGID_MAX_BYTES:
        raise WeChatError(45067, "clientmsgid size out of limit")
    earlier = account.clientmsgids.get(clientmsgid) if clientmsgid else None
    if earlier is not None and now - earlier[1] < CLIENTMSGID_WINDOW:
        raise WeChatError(45065, "clientmsgid exist", msg_id=earlier[0])
    draft = _mpnews_draft(account, data)
    to_all, tag_id, openids = _audience(account, data)
    _check_quota(account, to_all, now)

    msg_id, msg_data_id = next(state.msg_ids), next(state.msg_data_ids)
    article_id, articles = _article_page(state, account, draft, "mass", msg_data_id)
    recipients = _deliverable(account, openids, now)
    account.sends[msg_id] = {
        "msg_id": msg_id,
        "msg_data_id": msg_data_id,
        "timestamp": now,
        "to_all": to_all,
        "tag_id": tag_id,
        "clientmsgid": clientmsgid,
        "status": "SEND_SUCCESS",
        "article_id": article_id,
    }
    if clientmsgid:
        account.clientmsgids[clientmsgid] = (msg_id, now)
    account.received.append(
        {
            "kind": "mass",
            "msg_id": msg_id,
            "msg_data_id": msg_data_id,
            "time": iso(now),
            "timestamp": now,
            "to": "all" if to_all else f"tag:{tag_id}",
            "recipients": len(recipients),
            "filtered": len(openids) - len(recipients),
            "openids": recipients,
            "clientmsgid": clientmsgid,
            "article_id": article_id,
            **_delivery(articles),
        }
    )
    del account.drafts[draft["media_id"]]
    return Reply.json(
        {
            "errcode": 0,
            "errmsg": "send job submission success",
            "msg_id": msg_id,
            "msg_data_id": msg_data_id,
        }
    )


def _send(account: WeChatAccount, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return account.sends[int(data.get("msg_id"))]  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError) as exc:
        raise WeChatError(40059, "invalid msg id") from exc


def speed_get(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/message/mass/speed/get: level 0 (80万人/分钟), as a new account has."""
    return Reply.json({"speed": 0, "realspeed": 80})


def mass_get(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/message/mass/get"""
    send = _send(account, body_json(req))
    return Reply.json({"msg_id": send["msg_id"], "msg_status": send["status"]})


def mass_delete(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/message/mass/delete: the article page dies, the chat card stays."""
    send = _send(account, body_json(req))
    send["status"] = "DELETE"
    state.articles[send["article_id"]]["deleted"] = True
    return Reply.json({"errcode": 0, "errmsg": "ok"})


def preview(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/message/mass/preview: one user; no mass quota, 100 a day."""
    data = body_json(req)
    now = state.clock.timestamp()
    _mass_rate(account, now)
    towxname, touser = str(data.get("towxname") or ""), str(data.get("touser") or "")
    if not towxname and not touser:
        raise WeChatError(40097, "invalid args, touser or towxname required")
    if not towxname and touser not in (account.spec.followers or []):
        raise WeChatError(43004, "require subscribe")
    draft = _mpnews_draft(account, data)
    today = day_key(now)
    if sum(1 for p in account.previews if day_key(p["timestamp"]) == today) >= PREVIEWS_PER_DAY:
        raise WeChatError(45009, "reach max api daily quota limit")
    msg_id = next(state.msg_ids)
    articles = copy.deepcopy(draft["articles"])
    for idx, article in enumerate(articles, start=1):
        article["url"] = f"{state.base_url}/draft/{draft['media_id']}?idx={idx}"
    account.previews.append(
        {
            "kind": "preview",
            "msg_id": msg_id,
            "to": towxname or touser,
            "time": iso(now),
            "timestamp": now,
            "media_id": draft["media_id"],
            **_delivery(articles),
        }
    )
    return Reply.json({"errcode": 0, "errmsg": "preview success", "msg_id": msg_id})


def freepublish_submit(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/freepublish/submit: accepted now, finished on a later freepublish/get."""
    data = body_json(req)
    draft = account.drafts.get(str(data.get("media_id", "")))
    if draft is None:
        raise WeChatError(40007, "invalid media_id")
    outcome = state.faults.take("wechat", req.endpoint, account.key, HANDLER_FAULTS)
    now = state.clock.timestamp()
    publish_id, msg_data_id = str(next(state.publish_ids)), next(state.msg_data_ids)
    account.published[publish_id] = {
        "kind": "publish",
        "publish_id": publish_id,
        "msg_data_id": msg_data_id,
        "time": iso(now),
        "timestamp": now,
        "publish_status": 1,
        "final_status": int(outcome.params["status"]) if outcome else 0,
        "fail_idx": list(outcome.params.get("fail_idx", [1])) if outcome else [],
        "polls": 0,
        "article_id": None,
        **_delivery(copy.deepcopy(draft["articles"])),
    }
    del account.drafts[draft["media_id"]]
    return Reply.json(
        {"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": msg_data_id}
    )


def freepublish_get(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/freepublish/get: status 1 for the first N polls, then the outcome."""
    data = body_json(req)
    job = account.published.get(str(data.get("publish_id", "")))
    if job is None:
        raise WeChatError(40097, "invalid args, publish_id")
    if job["publish_status"] == 1 and job["polls"] < account.spec.publish_polls:
        job["polls"] += 1
        return Reply.json({"publish_id": job["publish_id"], "publish_status": 1})
    if job["publish_status"] == 1:
        _finish(state, account, job)
    reply: dict[str, Any] = {
        "publish_id": job["publish_id"],
        "publish_status": job["publish_status"],
    }
    if job["publish_status"] == 0:
        count = len(job["articles"])
        reply["article_id"] = job["article_id"]
        reply["article_detail"] = {
            "count": count,
            "item": [
                {"idx": i, "article_url": article_url(state, job["article_id"], i)}
                for i in range(1, count + 1)
            ],
        }
        reply["fail_idx"] = []
    else:
        reply["fail_idx"] = job["fail_idx"]
    return Reply.json(reply)


def _finish(state: SandboxState, account: WeChatAccount, job: dict[str, Any]) -> None:
    """The job ends in its planned status; a successful one gets its article page."""
    job["publish_status"] = job["final_status"]
    if job["final_status"] == 0:
        article_id, articles = _article_page(state, account, job, "publish",
                                             job["msg_data_id"])
        job["article_id"] = article_id
        job.update(_delivery(articles))


def freepublish_batchget(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/freepublish/batchget: published articles, newest first, 1-20 per page.

    Jobs nobody polled have finished by the time anyone lists them, as on the platform.
    """
    data = body_json(req)
    offset, size = data.get("offset", 0), data.get("count", 20)
    if not isinstance(offset, int) or not isinstance(size, int) or offset < 0 \
            or not 1 <= size <= 20:
        raise WeChatError(40097, "invalid args, offset/count")
    for job in account.published.values():
        if job["publish_status"] == 1:
            _finish(state, account, job)
    done = sorted((j for j in account.published.values() if j["publish_status"] == 0),
                  key=lambda j: j["timestamp"], reverse=True)
    items = []
    for job in done[offset : offset + size]:
        news = [{**{k: v for k, v in a.items() if k not in ("warnings", "thumb_url")},
                 "is_deleted": state.articles[job["article_id"]]["deleted"]}
                for a in job["articles"]]
        if data.get("no_content") in (1, True):
            for article in news:
                article.pop("content", None)
        stamp = int(job["timestamp"])
        items.append({"article_id": job["article_id"], "update_time": stamp,
                      "content": {"news_item": news, "create_time": stamp,
                                  "update_time": stamp}})
    return Reply.json({"total_count": len(done), "item_count": len(items), "item": items})


def freepublish_getarticle(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/freepublish/getarticle"""
    page = state.articles.get(str(body_json(req).get("article_id", "")))
    if page is None or page["account"] != account.key or page["kind"] != "publish":
        raise WeChatError(40097, "invalid args, article_id")
    items = [{k: v for k, v in a.items() if k != "warnings"} for a in page["articles"]]
    return Reply.json({"news_item": items})
