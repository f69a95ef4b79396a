"""WeChat request bodies, built once for both ``publish`` and the dry-run ``plan``.

Sharing the builders is how the plan stays honest: what ``plan`` shows is what
``publish`` sends, except that uploads, media ids and tokens appear as placeholders.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from socialbot.platforms.base import REDACTED, PlannedCall
from socialbot.platforms.common.plan import describe_image
from socialbot.platforms.wechat.account import WeChatAccount
from socialbot.platforms.wechat.api import sendall_body, stable_token_body
from socialbot.platforms.wechat.part import WeChatArticle, article_of
from socialbot.rendered import ASSET_SCHEME, ImageAsset, RenderedPost

OPENID_RE = re.compile(r"^o[0-9A-Za-z_\-]{27}$")
DRAFT_MEDIA_ID = "{draft/add → media_id}"
PUBLISH_ID = "{freepublish/submit → publish_id}"


def clientmsgid(delivery_key: str) -> str:
    """The mass-send dedupe id: 32 hex chars, stable for one (post, account, content)."""
    return hashlib.sha256(f"socialbot clientmsgid {delivery_key}".encode()).hexdigest()[:32]


def unique_images(article: WeChatArticle) -> list[ImageAsset]:
    """In-article images, each distinct picture once (uploaded once per account).

    A 贴图 has none: its pictures are permanent materials (``material_images``)."""
    seen: dict[str, ImageAsset] = {}
    for image in article.images:
        seen.setdefault(image.sha256, image)
    return list(seen.values())


def material_images(article: WeChatArticle) -> list[ImageAsset]:
    """Pictures uploaded as permanent materials: a 贴图's pictures in order, else the cover."""
    return list(article.image_list) if article.is_newspic else [article.cover]


def replace_refs(html: str, urls: dict[str, str]) -> str:
    """Swap ``asset:<sha256>`` references for the URLs the images got (or placeholders)."""
    for sha, url in urls.items():
        html = html.replace(ASSET_SCHEME + sha, url)
    return html


def draft_article(article: WeChatArticle, content: str, thumb_media_id: str,
                  image_media_ids: list[str] | None = None) -> dict[str, Any]:
    """One draft/add article with every field, the two cover crops included.

    A 贴图 (newspic) carries its pictures as permanent media ids (``image_media_ids``,
    in order, the first is the cover), its crops in ``cover_info`` and no thumb.
    """
    if article.is_newspic:
        from socialbot.platforms.wechat.newspic import crop_percent_list

        newspic: dict[str, Any] = {
            "article_type": "newspic",
            "title": article.title,
            "content": content,
            "need_open_comment": article.need_open_comment,
            "only_fans_can_comment": article.only_fans_can_comment,
            "image_info": {"image_list": [{"image_media_id": m}
                                          for m in image_media_ids or []]},
        }
        crops = crop_percent_list(article)
        if crops:
            newspic["cover_info"] = {"crop_percent_list": crops}
        return newspic
    body: dict[str, Any] = {
        "article_type": "news",
        "title": article.title,
        "author": article.author,
        "digest": article.digest,
        "content": content,
        "content_source_url": article.content_source_url,
        "thumb_media_id": thumb_media_id,
        "need_open_comment": article.need_open_comment,
        "only_fans_can_comment": article.only_fans_can_comment,
    }
    if article.crop_235_1:
        body["pic_crop_235_1"] = article.crop_235_1
    if article.crop_1_1:
        body["pic_crop_1_1"] = article.crop_1_1
    return body


def same_article(item: dict[str, Any], article: WeChatArticle, *, digest: bool = True) -> bool:
    """Whether a listed draft or published article is this one (title, digest, link).

    A message of several articles keeps no digests (the platform drops them), so those
    compare by title and link only (``digest=False``).
    """
    return (str(item.get("title", "")) == article.title
            and (not digest or str(item.get("digest", "")) == article.digest)
            and str(item.get("content_source_url", "")) == article.content_source_url)


def preview_target(wechat_id: str) -> dict[str, str]:
    """OpenIDs go to ``touser``; anything else is a WeChat ID for ``towxname``."""
    if OPENID_RE.match(wechat_id):
        return {"touser": wechat_id}
    return {"towxname": wechat_id}


def wechat_plan(account: WeChatAccount, rendered: RenderedPost | list[RenderedPost],
                delivery_key: str) -> list[PlannedCall]:
    """Every call ``WeChatChannel.publish`` (or ``publish_message``, for a list of posts:
    the day's message) makes, in order, without network or secrets."""
    base = account.api_base.rstrip("/") + "/cgi-bin/"
    posts = rendered if isinstance(rendered, list) else [rendered]

    def call(endpoint: str, purpose: str, payload: dict[str, Any] | None = None,
             query: str = "", files: dict[str, dict[str, Any]] | None = None) -> PlannedCall:
        url = f"{base}{endpoint}?access_token={REDACTED}{query}"
        return PlannedCall("POST", f"cgi-bin/{endpoint}", url, purpose, payload or {}, files or {})

    calls = [PlannedCall(
        "POST", "cgi-bin/stable_token", base + "stable_token",
        "获取 access_token（各进程共用；已有有效 token 时跳过）",
        stable_token_body(account.appid, REDACTED),
    )]
    urls: dict[str, str] = {}
    ids: dict[str, str] = {}
    bodies = []
    for article in (article_of(r) for r in posts):
        for image in unique_images(article):
            if image.sha256 in urls:
                continue
            urls[image.sha256] = f"{{media/uploadimg → url of {image.filename}}}"
            purpose = f"上传正文图片 {image.filename}（该账号上传过同一图片时复用，不再上传）"
            calls.append(call("media/uploadimg", purpose,
                              files={"media": describe_image(image)}))
        for n, image in enumerate(material_images(article), start=1):
            if image.sha256 in ids:
                continue
            ids[image.sha256] = f"{{material/add_material → media_id of {image.filename}}}"
            what = f"贴图第 {n} 张图片" if article.is_newspic else "封面"
            calls.append(call("material/add_material",
                              f"上传{what} {image.filename} 为永久素材（上传过则复用）",
                              query="&type=image", files={"media": describe_image(image)}))
        pictures = [ids[i.sha256] for i in article.image_list]
        bodies.append(draft_article(article, replace_refs(article.content_html, urls),
                                    ids[article.cover.sha256], pictures))
    if len(posts) > 1:
        what = (f"新建草稿：当天的群发消息，共 {len(posts)} 篇"
                "（第 1 篇为头条；同一条消息建过草稿时复用）")
    elif article_of(posts[0]).is_newspic:
        what = "新建贴图草稿（article_type newspic）（同一投递建过草稿时复用）"
    else:
        what = "新建草稿（同一投递建过草稿时复用）"
    calls.append(call("draft/add", what, {"articles": bodies}))
    if account.reach == "mass_send":
        audience = "全部粉丝" if account.tag_id is None else f"标签 {account.tag_id} 的粉丝"
        calls.append(call("message/mass/sendall",
                          f"群发给{audience}（会推送到粉丝的聊天列表；clientmsgid 防止重复群发）",
                          sendall_body(DRAFT_MEDIA_ID, clientmsgid=clientmsgid(delivery_key),
                                       tag_id=account.tag_id)))
    elif account.reach == "publish":
        calls.append(call("freepublish/submit", "发布草稿（生成文章链接，不推送给粉丝）",
                          {"media_id": DRAFT_MEDIA_ID}))
        calls.append(call("freepublish/get", "查询发布结果（逐渐放慢，直到成功或失败）",
                          {"publish_id": PUBLISH_ID}))
    return calls
