"""Weibo: ``statuses/share.json``, ``user_timeline``, retired APIs, and the route table.

share.json is the only posting API open to normal apps (reference §10), with rules that are
easy to break from a template: 140 characters, a link under a safe domain, no ``#topics#``,
no repeats, 30 posts an hour. Each rule answers with the real error code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from socialbot.platforms.weibo.textcount import URL_RE, WEIBO_MAX_CHARS, weibo_length
from socialbot_practice import stats, weibo_auth
from socialbot_practice.accounts import WeiboAccount
from socialbot_practice.clock import iso, weibo_time
from socialbot_practice.errors import WeiboError
from socialbot_practice.images import dimensions, make_image, sniff
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState

PIC_MAX = 5 * 1024 * 1024
POSTS_PER_HOUR = 30
REPEAT_WINDOW = 24 * 3600
TIMELINE_MAX = 100
FOLDER = "sinaimg"
SOURCE = '<a href="https://open.weibo.com" rel="nofollow">练习平台</a>'
_TOPIC = re.compile(r"#[^#\r\n]+#")

Handler = Callable[[SandboxState, Request], Reply]


def short_link(url: str) -> str:
    """A stable fake t.cn link: Weibo shows every link in a post shortened."""
    digest = base64.b64encode(hashlib.sha256(url.encode()).digest(), b"Ab").decode()
    return f"http://t.cn/{digest[:8]}"


def _on_safe_domain(text: str, domains: list[str]) -> bool:
    for match in URL_RE.finditer(text):
        host = (urlsplit(match.group()).hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in domains):
            return True
    return False


def _check_text(account: WeiboAccount, status: str, now: float) -> None:
    if not status.strip():
        raise WeiboError(20008, "content is null!")
    if weibo_length(status) > WEIBO_MAX_CHARS:
        raise WeiboError(20012, "Text too long, please input text less than 140 characters!")
    if _TOPIC.search(URL_RE.sub(" ", status)):
        raise WeiboError(10008, "param error, see doc for more info")
    if not _on_safe_domain(status, account.spec.safe_domains):
        raise WeiboError(10017, "text not find domain!")
    recent = (p for p in account.posts if now - p["timestamp"] < REPEAT_WINDOW)
    if any(p["text"] == status for p in recent):
        raise WeiboError(20019, "repeat content!")


def _status_object(account: WeiboAccount, post: dict[str, Any]) -> dict[str, Any]:
    uid: Any = int(account.spec.uid) if account.spec.uid.isdigit() else account.spec.uid
    status: dict[str, Any] = {
        "created_at": post["created_at"],
        "id": post["id"],
        "idstr": post["idstr"],
        "mid": post["mid"],
        "text": post["text_shown"],
        "source": SOURCE,
        "favorited": False,
        "truncated": False,
        "pic_urls": [],
        "reposts_count": 0,
        "comments_count": 0,
        "attitudes_count": 0,
        "user": {
            "id": uid,
            "idstr": account.spec.uid,
            "screen_name": account.spec.screen_name,
            "name": account.spec.screen_name,
            "followers_count": account.spec.followers,
        },
    }
    if post["pic_url"]:
        for size in ("thumbnail_pic", "bmiddle_pic", "original_pic"):
            status[size] = post["pic_url"]
        status["pic_urls"] = [{"thumbnail_pic": post["pic_url"]}]
    return status


def share(state: SandboxState, req: Request) -> Reply:
    """POST 2/statuses/share.json (form, or multipart with one ``pic``)."""
    fields, files = req.form()
    account = weibo_auth.authorize(state, req)
    now = state.clock.timestamp()
    if not req.param("rip"):
        raise WeiboError(10016, "miss required parameter (rip), see doc for more info")
    if sum(1 for p in account.posts if now - p["timestamp"] < 3600) >= POSTS_PER_HOUR:
        raise WeiboError(20016, "out of limit!")
    status = req.param("status")
    pic = files.get("pic")
    if pic is None and fields.get("pic"):
        raise WeiboError(20007, "does multipart has image?")
    kind, size = None, None
    if pic is not None:
        kind = sniff(pic.data)
        if kind not in ("jpeg", "gif", "png"):
            raise WeiboError(20005, "unsupported image type, only suport JPG, GIF, PNG!")
        if len(pic.data) >= PIC_MAX:
            raise WeiboError(20006, "image size too large.")
        size = dimensions(pic.data)
        if size is None:
            raise WeiboError(20005, "unsupported image type, only suport JPG, GIF, PNG!")
    _check_text(account, status, now)

    pic_url, pic_sha = "", None
    if pic is not None and kind is not None and size is not None:
        image = make_image(pic.data, kind, size)
        pic_url, pic_sha = state.store_image(FOLDER, image), image.sha256
    status_id = next(state.status_ids)
    links = {short_link(m.group()): m.group() for m in URL_RE.finditer(status)}
    shown = URL_RE.sub(lambda m: short_link(m.group()), status)
    post = {
        "kind": "weibo",
        "id": status_id,
        "idstr": str(status_id),
        "mid": str(status_id),
        "text": status,
        "text_shown": shown,
        "links": links,
        "pic_sha256": pic_sha,
        "pic_url": pic_url,
        "created_at": weibo_time(now),
        "time": iso(now),
        "timestamp": now,
        "rip": req.param("rip"),
        "followers": account.spec.followers,
    }
    account.posts.append(post)
    return Reply.json(_status_object(account, post))


def user_timeline(state: SandboxState, req: Request) -> Reply:
    """GET 2/statuses/user_timeline.json: the user's own posts, newest first."""
    account = weibo_auth.authorize(state, req)
    try:
        count = max(1, min(TIMELINE_MAX, int(req.query.get("count", "20"))))
        page = max(1, int(req.query.get("page", "1")))
    except ValueError as exc:
        raise WeiboError(10008, "param error, see doc for more info") from exc
    posts = list(reversed(account.posts))[(page - 1) * count : page * count]
    return Reply.json(
        {
            "statuses": [_status_object(account, p) for p in posts],
            "total_number": len(account.posts),
            "previous_cursor": 0,
            "next_cursor": 0,
        }
    )


def retired(state: SandboxState, req: Request) -> Reply:
    """statuses/update and statuses/upload: closed to normal apps since 2017."""
    weibo_auth.authorize(state, req)
    raise WeiboError(10014, "Insufficient app permissions!", status=403)


ROUTES: dict[str, tuple[str, Handler]] = {
    "oauth2/get_token_info": ("POST", weibo_auth.get_token_info),
    "2/statuses/share.json": ("POST", share),
    "2/statuses/user_timeline.json": ("GET", user_timeline),
    "2/statuses/update.json": ("POST", retired),
    "2/statuses/upload.json": ("POST", retired),
    "2/statuses/count.json": ("GET", stats.statuses_count),
    "2/users/show.json": ("GET", stats.users_show),
}


def _error_reply(req: Request, exc: WeiboError) -> Reply:
    if req.endpoint.startswith("oauth2/"):
        body: dict[str, Any] = {
            "error": exc.error,
            "error_code": exc.code,
            "error_description": exc.error,
        }
        return Reply.json(body, 400)
    body = {"request": "/" + req.endpoint, "error_code": str(exc.code), "error": exc.error}
    return Reply.json(body, exc.status)


def handle(state: SandboxState, req: Request) -> Reply:
    """Answer one Weibo API request (the caller holds the state lock)."""
    try:
        route = ROUTES.get(req.endpoint)
        if route is None:
            raise WeiboError(10020, "Api not found!", status=404)
        method, handler = route
        if req.method != method:
            raise WeiboError(10021, "HTTP method is not suported for this request!")
        return handler(state, req)
    except WeiboError as exc:
        return _error_reply(req, exc)


def identify(state: SandboxState, req: Request) -> str | None:
    """The uid a request is about, without validating (for logs and faults)."""
    account = state.weibo.get(weibo_auth.access_token(req))
    return account.spec.uid if account else None


def error_code_of(reply: Reply) -> int | None:
    """The error code a reply carries (0 for success), for the call log."""
    try:
        data = json.loads(reply.body)
    except ValueError:
        return None
    if isinstance(data, dict) and "error_code" in data:
        return int(data["error_code"])
    return 0 if isinstance(data, dict) else None
