"""Render a post into exactly what followers will receive on WeChat and Weibo.

``render_post`` is the only entry point: post file in, :class:`RenderedPost` out, or a
RenderError listing every rule broken (limits, images, template variables, links).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from socialbot.config import Account, Settings
from socialbot.errors import Problem, RenderError
from socialbot.limits import (
    WECHAT_AUTHOR_MAX,
    WECHAT_AUTO_DIGEST_CHARS,
    WECHAT_COVER_MAX_BYTES,
    WECHAT_DIGEST_MAX,
    WECHAT_INLINE_IMAGE_MAX_BYTES,
    WECHAT_SOURCE_URL_MAX_BYTES,
    WECHAT_TITLE_MAX,
    WEIBO_IMAGE_MAX_BYTES,
)
from socialbot.post import Post
from socialbot.render.images import ImageError, ImageSpec, fit_image_bytes, make_cover, make_poster
from socialbot.render.markdown import render_body
from socialbot.render.templates import cn_date, render_template, theme_css
from socialbot.render.wechat_html import check_article_html, inline_and_sanitise
from socialbot.render.weibo_text import check_weibo_text, normalise
from socialbot.rendered import ImageAsset, RenderedPost, WeChatArticle, WeiboStatus

__all__ = ["render_post", "target_accounts"]


def target_accounts(post: Post, settings: Settings) -> list[Account]:
    """The accounts a post goes to: its ``accounts`` field, or every configured account."""
    ids = post.accounts or tuple(settings.accounts)
    unknown = [a for a in ids if a not in settings.accounts]
    if unknown:
        known = "、".join(settings.accounts)
        raise RenderError(
            Problem(
                post.where("accounts"), f"未知账号 {'、'.join(unknown)}（配置中的账号：{known}）"
            )
        )
    return [settings.accounts[a] for a in ids]


def render_post(
    post: Post, settings: Settings, accounts: list[Account] | None = None
) -> RenderedPost:
    """Render ``post`` for ``accounts`` (default: its targets); raise RenderError on any problem."""
    accounts = accounts if accounts is not None else target_accounts(post, settings)
    problems: list[Problem] = []
    body = render_body(
        post.body, source=post.path, first_line=post.body_line, image_names=set(post.images)
    )
    problems += body.problems
    inline_images = _load_inline_images(post, problems)
    author = post.author or settings.organisation_short
    organiser = post.organiser or settings.organisation
    link = post.link or settings.campaign.link
    context = {
        "post": {
            "title": post.title,
            "author": author,
            "digest": post.digest,
            "date": post.date,
            "date_text": cn_date(post.date) if post.date else "",
            "organiser": organiser,
            "kicker": post.kicker,
            "link": link,
            "details": post.details,
            "weibo": post.weibo,
            "body_html": Markup(body.html),
        },
        "references": body.references,
        "campaign": settings.campaign,
        "organisation": {"name": settings.organisation, "short_name": settings.organisation_short},
    }
    where = post.path.name
    try:
        raw_html, weibo_raw = render_template(post.template, context, settings.templates_dir, where)
    except RenderError as exc:
        raise RenderError(problems + exc.problems) from None
    for name, asset in inline_images.items():
        raw_html = raw_html.replace(f'src="image:{name}"', f'src="{asset.ref}"')
    content_html = inline_and_sanitise(raw_html, theme_css(settings.templates_dir))
    weibo_text = normalise(weibo_raw)
    digest = post.digest or _auto_digest(content_html)

    problems += _check_wechat_fields(post, author, digest, link)
    problems += check_article_html(content_html, f"{where} 微信正文")
    weibo_accounts = [a for a in accounts if a.platform == "weibo"]
    problems += check_weibo_text(weibo_text, f"{where} 微博正文", weibo_accounts)

    spec = ImageSpec(
        title=post.title,
        slogan=settings.campaign.slogan,
        date_text=cn_date(post.date) if post.date else "",
        organiser=organiser,
        kicker=post.kicker or settings.campaign.name,
        colours=settings.campaign.colours,
        logo=post.cover_logo or settings.campaign.logo,
        photo=post.cover_photo,
    )
    cover = poster = None
    try:
        cover = make_cover(spec)
        poster = make_poster(spec)
    except ImageError as exc:
        problems.append(Problem(_image_field(post, settings, exc.field), str(exc)))
    if cover and len(cover.data) > WECHAT_COVER_MAX_BYTES:
        problems.append(Problem(f"{where} 封面", "封面图片超过 10 MB"))
    if poster and len(poster.data) > WEIBO_IMAGE_MAX_BYTES:
        problems.append(Problem(f"{where} 微博配图", "微博配图超过 5 MB"))
    if problems:
        raise RenderError(problems)
    assert cover is not None and poster is not None
    article = WeChatArticle(
        title=post.title,
        author=author,
        digest=digest,
        content_html=content_html,
        content_source_url=post.source_url or link,
        cover=ImageAsset("cover", cover.data, cover.format, cover.width, cover.height),
        crop_235_1=cover.crop_field("235_1"),
        crop_1_1=cover.crop_field("1_1"),
        images=tuple(
            inline_images[name] for name, _ in _unique(body.image_refs) if name in inline_images
        ),
        need_open_comment=int(post.comments),
        references=tuple(body.references),
    )
    status = WeiboStatus(
        text=weibo_text,
        image=ImageAsset("weibo", poster.data, poster.format, poster.width, poster.height),
    )
    return RenderedPost(
        post_id=post.id,
        source=where,
        template=post.template,
        title=post.title,
        date=post.date.isoformat() if isinstance(post.date, dt.date) else "",
        organiser=organiser,
        wechat=article,
        weibo=status,
    )


def _image_field(post: Post, settings: Settings, field: str | None) -> str:
    """Where a cover or poster problem is fixed: the post's field, or the config's logo."""
    where = post.path.name
    if field == "photo":
        return f"{where} 字段 cover.photo"
    if field == "logo":
        if post.cover_logo:
            return f"{where} 字段 cover.logo"
        return f"{settings.path.name} [campaign] logo"
    return f"{where} 字段 {field}" if field else f"{where} 图片"


def _check_wechat_fields(post: Post, author: str, digest: str, link: str) -> list[Problem]:
    problems = []
    for field, value, limit in (
        ("title", post.title, WECHAT_TITLE_MAX),
        ("author", author, WECHAT_AUTHOR_MAX),
        ("digest", digest, WECHAT_DIGEST_MAX),
    ):
        if len(value) > limit:
            problems.append(
                Problem(
                    post.where(field),
                    f"共 {len(value)} 字，超过微信上限 {limit} 字，请删减 {len(value) - limit} 字",
                )
            )
    if len((post.source_url or link).encode("utf-8")) > WECHAT_SOURCE_URL_MAX_BYTES:
        problems.append(Problem(post.where("source_url"), "阅读原文链接超过 1 KB"))
    return problems


def _auto_digest(html: str) -> str:
    """What WeChat itself would show: the first 54 characters of the body text."""
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\s+", "", text)
    return text[:WECHAT_AUTO_DIGEST_CHARS]


def _unique(refs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    seen: set[str] = set()
    out = []
    for name, line in refs:
        if name not in seen:
            seen.add(name)
            out.append((name, line))
    return out


def _load_inline_images(post: Post, problems: list[Problem]) -> dict[str, ImageAsset]:
    """Declared in-article images, re-encoded below WeChat's 1 MB uploadimg limit."""
    assets: dict[str, ImageAsset] = {}
    for name, path in post.images.items():
        try:
            data, fmt = fit_image_bytes(path.read_bytes(), max_bytes=WECHAT_INLINE_IMAGE_MAX_BYTES)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
        except (OSError, UnidentifiedImageError, ImageError):
            problems.append(
                Problem(
                    post.where(f"images.{name}"), f"图片文件 {Path(path).name} 无法读取或已损坏"
                )
            )
            continue
        assets[name] = ImageAsset(name, data, fmt, width, height)
    return assets
