"""The WeChat draft box: ``draft/add``, ``get``, ``update``, ``delete``, ``count``, ``batchget``.

Field limits and their error codes follow reference §2; each broken limit gives the code the
real platform gives, so the bot's error table is exercised, not just its happy path.
"""

from __future__ import annotations

import re
from typing import Any

from socialbot.platforms.wechat.limits import wechat_length
from socialbot_practice.accounts import StoredImage, WeChatAccount
from socialbot_practice.errors import WeChatError
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState, random_id
from socialbot_practice.wechat_content import clean_content, plain_text

MAX_ARTICLES = 8
TITLE_MAX = 32
AUTHOR_MAX = 16
DIGEST_MAX = 128
CONTENT_MAX_CHARS = 20000
CONTENT_MAX_BYTES = 1024 * 1024
SOURCE_URL_MAX_BYTES = 1024
AUTO_DIGEST_CHARS = 54
CROP_TOLERANCE = 0.02
CROPS = {"pic_crop_235_1": 2.35, "pic_crop_1_1": 1.0}
# 贴图 (article_type newspic): 1-20 permanent image materials, the first is the cover; the
# cover crops name their ratio (draft_add: "1_1", "16_9", "2.35_1").
NEWSPIC_IMAGES_MAX = 20
NEWSPIC_RATIOS = {"1_1": 1.0, "16_9": 16 / 9, "2.35_1": 2.35}
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_ESCAPED_FIELD = re.compile(r'"(title|author)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_UNICODE_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


def body_json(req: Request) -> dict[str, Any]:
    """The JSON object body, or 47001 like the platform (also for non-UTF-8 bytes)."""
    try:
        data = req.json()
    except ValueError as exc:  # includes UnicodeDecodeError
        raise WeChatError(47001, "data format error") from exc
    if not isinstance(data, dict):
        raise WeChatError(47001, "data format error")
    return data


def reject_unicode_escapes(raw: str) -> None:
    """40033 when title/author were sent as ``\\uXXXX`` escapes (JSON with ensure_ascii=True)."""
    for match in _ESCAPED_FIELD.finditer(raw):
        if _UNICODE_ESCAPE.search(match.group(2)):
            raise WeChatError(
                40033,
                "invalid charset. please check your request, if include \\uxxxx will create fail!",
            )


def _text(article: dict[str, Any], name: str) -> str:
    value = article.get(name, "")
    return value if isinstance(value, str) else str(value)


def _check_crop(name: str, value: Any, image: StoredImage,
                expected: float | None = None) -> str:
    try:
        x1, y1, x2, y2 = (float(v) for v in str(value).split("_"))
    except ValueError as exc:
        raise WeChatError(40097, f"invalid args, {name} must be X1_Y1_X2_Y2") from exc
    if not all(0.0 <= v <= 1.0 for v in (x1, y1, x2, y2)) or x1 >= x2 or y1 >= y2:
        raise WeChatError(40097, f"invalid args, {name} out of range")
    ratio = ((x2 - x1) * image.width) / ((y2 - y1) * image.height)
    expected = CROPS[name] if expected is None else expected
    if abs(ratio / expected - 1) > CROP_TOLERANCE:
        raise WeChatError(
            40097, f"invalid args, {name} is {ratio:.3f}:1 in pixels, expected {expected}:1"
        )
    return str(value)


def _flag(article: dict[str, Any], name: str) -> int:
    value = article.get(name, 0)
    if value not in (0, 1, "0", "1", True, False):
        raise WeChatError(40097, f"invalid args, {name} must be 0 or 1")
    return int(value)


def build_article(account: WeChatAccount, article: Any, single: bool) -> dict[str, Any]:
    """Validate one article and return it as stored (cleaned content, warnings)."""
    if not isinstance(article, dict):
        raise WeChatError(47001, "data format error")
    kind = article.get("article_type", "news")
    if kind == "newspic":
        return build_newspic(account, article)
    if kind != "news":
        raise WeChatError(40097, "invalid args, article_type must be news or newspic")
    title, author, digest = (
        _text(article, "title"),
        _text(article, "author"),
        _text(article, "digest"),
    )
    content, source_url = _text(article, "content"), _text(article, "content_source_url")
    if not title.strip():
        raise WeChatError(44003, "empty news data, title missing")
    if wechat_length(title) > TITLE_MAX:
        raise WeChatError(45003, "title size out of limit")
    if wechat_length(author) > AUTHOR_MAX:
        raise WeChatError(45110, "author size out of limit")
    if wechat_length(digest) > DIGEST_MAX:
        raise WeChatError(45004, "description size out of limit")
    if not content.strip():
        raise WeChatError(44004, "empty content")
    if len(content) > CONTENT_MAX_CHARS or len(content.encode("utf-8")) >= CONTENT_MAX_BYTES:
        raise WeChatError(45002, "content size out of limit")
    if len(source_url.encode("utf-8")) > SOURCE_URL_MAX_BYTES:
        raise WeChatError(45005, "url size out of limit")
    thumb_id = _text(article, "thumb_media_id")
    thumb = account.materials.get(thumb_id)
    if thumb is None:
        raise WeChatError(40007, "invalid media_id")
    stored: dict[str, Any] = {
        "article_type": "news",
        "title": title,
        "author": author,
        "content_source_url": source_url,
        "thumb_media_id": thumb_id,
        "thumb_url": account.material_urls[thumb_id],
        "need_open_comment": _flag(article, "need_open_comment"),
        "only_fans_can_comment": _flag(article, "only_fans_can_comment"),
    }
    for name in CROPS:
        if article.get(name):
            stored[name] = _check_crop(name, article[name], thumb)
    stored["content"], stored["warnings"] = clean_content(content, account.uploadimg_urls)
    if single:
        stored["digest"] = digest or plain_text(stored["content"])[:AUTO_DIGEST_CHARS]
    else:
        stored["digest"] = ""
    return stored


def build_newspic(account: WeChatAccount, article: dict[str, Any]) -> dict[str, Any]:
    """A 贴图: title, plain-text content, 1-20 permanent image materials, cover crops."""
    title, content = _text(article, "title"), _text(article, "content")
    if not title.strip():
        raise WeChatError(44003, "empty news data, title missing")
    if wechat_length(title) > TITLE_MAX:
        raise WeChatError(45003, "title size out of limit")
    if not content.strip():
        raise WeChatError(44004, "empty content")
    if len(content) > CONTENT_MAX_CHARS:
        raise WeChatError(45002, "content size out of limit")
    if _TAG.search(content):  # a 贴图 takes plain text only
        raise WeChatError(45166, "invalid content")
    info = article.get("image_info")
    images = info.get("image_list") if isinstance(info, dict) else None
    if not isinstance(images, list) or not images:
        raise WeChatError(40097, "invalid args, image_info.image_list is required for newspic")
    if len(images) > NEWSPIC_IMAGES_MAX:
        raise WeChatError(40097, "invalid args, image_list holds at most 20 images")
    ids = []
    for item in images:
        media_id = str(item.get("image_media_id", "")) if isinstance(item, dict) else ""
        if media_id not in account.materials:  # permanent materials only
            raise WeChatError(40007, "invalid media_id")
        ids.append(media_id)
    first = account.materials[ids[0]]
    crops: dict[str, str] = {}
    cover = article.get("cover_info")
    crop_list = cover.get("crop_percent_list", []) if isinstance(cover, dict) else []
    if not isinstance(crop_list, list):
        raise WeChatError(40097, "invalid args, crop_percent_list must be a list")
    for crop in crop_list:
        ratio = crop.get("ratio") if isinstance(crop, dict) else None
        if ratio not in NEWSPIC_RATIOS or not isinstance(crop, dict):
            raise WeChatError(40097, "invalid args, crop ratio must be 1_1, 16_9 or 2.35_1")
        coords = [crop.get(k) for k in ("x1", "y1", "x2", "y2")]
        if not all(isinstance(c, str) for c in coords):
            raise WeChatError(40097, "invalid args, crop coordinates must be strings")
        crops[ratio] = _check_crop(f"crop_percent_list {ratio}", "_".join(coords), first,
                                   NEWSPIC_RATIOS[ratio])
    return {
        "article_type": "newspic",
        "title": title,
        "author": "",
        "digest": "",
        "content": content,
        "content_source_url": "",
        "image_info": {"image_list": [{"image_media_id": m} for m in ids]},
        "image_urls": [account.material_urls[m] for m in ids],
        "thumb_url": account.material_urls[ids[0]],
        "cover_crops": crops,
        "need_open_comment": _flag(article, "need_open_comment"),
        "only_fans_can_comment": _flag(article, "only_fans_can_comment"),
        "warnings": [],
    }


def _draft(account: WeChatAccount, data: dict[str, Any]) -> dict[str, Any]:
    draft = account.drafts.get(str(data.get("media_id", "")))
    if draft is None:
        raise WeChatError(40007, "invalid media_id")
    return draft


def public_article(
    state: SandboxState, media_id: str, idx: int, article: dict[str, Any]
) -> dict[str, Any]:
    """An article as draft/get shows it (warnings are the sandbox's own, not the API's)."""
    shown = {k: v for k, v in article.items() if k != "warnings"}
    shown["url"] = f"{state.base_url}/draft/{media_id}?idx={idx}"
    return shown


def add(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/draft/add"""
    data = body_json(req)
    reject_unicode_escapes(req.text())
    articles = data.get("articles")
    if not isinstance(articles, list) or not articles:
        raise WeChatError(44003, "empty news data")
    if len(articles) > MAX_ARTICLES:
        raise WeChatError(45008, "article size out of limit")
    built = [build_article(account, a, single=len(articles) == 1) for a in articles]
    if len(built) > 1 and any(a["article_type"] == "newspic" for a in built):
        # Not a documented API rule: the console sends a 贴图 as a message of its own, and
        # so does socialbot (docs/platform-limits.md); mixing it in is a bug to catch here.
        raise WeChatError(40097, "invalid args, a newspic draft holds that one article only")
    now = state.clock.timestamp()
    media_id = random_id()
    account.drafts[media_id] = {
        "media_id": media_id,
        "articles": built,
        "create_time": int(now),
        "update_time": int(now),
    }
    return Reply.json({"media_id": media_id})


def get(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/draft/get"""
    draft = _draft(account, body_json(req))
    items = [
        public_article(state, draft["media_id"], i + 1, a) for i, a in enumerate(draft["articles"])
    ]
    return Reply.json({"news_item": items})


def update(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/draft/update: replace one article (0-based index)."""
    data = body_json(req)
    reject_unicode_escapes(req.text())
    draft = _draft(account, data)
    index = data.get("index")
    if not isinstance(index, int) or not 0 <= index < len(draft["articles"]):
        raise WeChatError(40060, "invalid article_idx")
    single = len(draft["articles"]) == 1
    draft["articles"][index] = build_article(account, data.get("articles"), single)
    draft["update_time"] = int(state.clock.timestamp())
    return Reply.json({"errcode": 0, "errmsg": "ok"})


def delete(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/draft/delete"""
    draft = _draft(account, body_json(req))
    del account.drafts[draft["media_id"]]
    return Reply.json({"errcode": 0, "errmsg": "ok"})


def count(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """GET cgi-bin/draft/count"""
    return Reply.json({"total_count": len(account.drafts)})


def batchget(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/draft/batchget: newest first, 1-20 per page."""
    data = body_json(req)
    offset, size = data.get("offset", 0), data.get("count", 20)
    if (
        not isinstance(offset, int)
        or not isinstance(size, int)
        or offset < 0
        or not 1 <= size <= 20
    ):
        raise WeChatError(40097, "invalid args, offset/count")
    drafts = sorted(account.drafts.values(), key=lambda d: d["update_time"], reverse=True)
    page = drafts[offset : offset + size]
    items = []
    for draft in page:
        news = [
            public_article(state, draft["media_id"], i + 1, a)
            for i, a in enumerate(draft["articles"])
        ]
        if data.get("no_content") in (1, True):
            for article in news:
                article.pop("content", None)
        items.append(
            {
                "media_id": draft["media_id"],
                "content": {"news_item": news},
                "update_time": draft["update_time"],
            }
        )
    return Reply.json({"total_count": len(drafts), "item_count": len(items), "item": items})
