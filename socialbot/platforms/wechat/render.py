"""The WeChat article from the template's ``wechat`` block: CSS inlined, HTML sanitised,
in-article images as ``asset:`` references, the generated cover with its two crops."""

from __future__ import annotations

import re

from socialbot.errors import Problem
from socialbot.platforms.wechat.html import check_article_html, inline_and_sanitise
from socialbot.platforms.wechat.limits import (
    WECHAT_AUTHOR_MAX,
    WECHAT_AUTO_DIGEST_CHARS,
    WECHAT_COVER_MAX_BYTES,
    WECHAT_DIGEST_MAX,
    WECHAT_SOURCE_URL_MAX_BYTES,
    WECHAT_TITLE_MAX,
)
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.render.images import ImageError, make_cover
from socialbot.render.job import RenderJob
from socialbot.render.templates import theme_css
from socialbot.rendered import ImageAsset


def render_article(job: RenderJob) -> WeChatArticle | None:
    """The article, or None with the problems added to ``job``."""
    post, where = job.post, job.where
    raw_html = job.block
    for name, asset in job.inline_images.items():
        raw_html = raw_html.replace(f'src="image:{name}"', f'src="{asset.ref}"')
    content_html = inline_and_sanitise(raw_html, theme_css(job.settings.templates_dir))
    digest = post.digest or _auto_digest(content_html)
    job.problems += _check_fields(job, digest)
    job.problems += check_article_html(content_html, f"{where} 微信正文")
    try:
        cover = make_cover(job.spec, WECHAT_COVER_MAX_BYTES)
    except ImageError as exc:
        job.image_failed(exc)
        return None
    if len(cover.data) > WECHAT_COVER_MAX_BYTES:
        job.fail(f"{where} 封面", "封面图片超过 10 MB")
    return WeChatArticle(
        title=post.title,
        author=job.author,
        digest=digest,
        content_html=content_html,
        content_source_url=post.source_url or job.link,
        cover=ImageAsset("cover", cover.data, cover.format, cover.width, cover.height),
        crop_235_1=cover.crop_field("235_1"),
        crop_1_1=cover.crop_field("1_1"),
        images=tuple(job.inline_images[name] for name, _ in _unique(job.body.image_refs)
                     if name in job.inline_images),
        need_open_comment=int(post.comments),
        references=tuple(job.body.references),
    )


def _check_fields(job: RenderJob, digest: str) -> list[Problem]:
    post, problems = job.post, []
    for field, value, limit in (
        ("title", post.title, WECHAT_TITLE_MAX),
        ("author", job.author, WECHAT_AUTHOR_MAX),
        ("digest", digest, WECHAT_DIGEST_MAX),
    ):
        if len(value) > limit:
            problems.append(
                Problem(
                    post.where(field),
                    f"共 {len(value)} 字，超过微信上限 {limit} 字，请删减 {len(value) - limit} 字",
                )
            )
    if len((post.source_url or job.link).encode("utf-8")) > WECHAT_SOURCE_URL_MAX_BYTES:
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
