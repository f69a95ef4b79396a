"""WeChat rules a rendered article must meet before any call is made.

The renderer already enforces most of these. The channels check again because a queued
post may have been rendered by an older version, and because breaking a rule here costs
nothing while breaking it on the platform costs quota and an error to read.
"""

from __future__ import annotations

import re

from socialbot.config import Account
from socialbot.errors import Problem
from socialbot.platforms.common.checks import check_image
from socialbot.platforms.wechat.html import check_article_html
from socialbot.platforms.wechat.limits import (
    WECHAT_AUTHOR_MAX,
    WECHAT_COVER_MAX_BYTES,
    WECHAT_DIGEST_MAX,
    WECHAT_INLINE_IMAGE_MAX_BYTES,
    WECHAT_SOURCE_URL_MAX_BYTES,
    WECHAT_TITLE_MAX,
    wechat_length,
)
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.rendered import ASSET_SCHEME

_ASSET_REF = re.compile(re.escape(ASSET_SCHEME) + r"([0-9a-f]{64})")
_CROP = re.compile(r"^(0(\.\d+)?|1(\.0+)?)(_(0(\.\d+)?|1(\.0+)?)){3}$")


def asset_refs(html: str) -> list[str]:
    """The sha256 of every ``asset:`` image reference in article HTML, in order."""
    return _ASSET_REF.findall(html)


def wechat_problems(account: Account, a: WeChatArticle, source: str) -> list[Problem]:
    """WeChat draft rules (reference §2, §5, §6) for this article."""
    where = f"{source}（微信 {account.id}）"
    if a.is_newspic:
        from socialbot.platforms.wechat.newspic import newspic_problems

        return newspic_problems(a, where)
    problems: list[Problem] = []
    if not a.title.strip():
        problems.append(Problem(where, "标题不能为空"))
    for name, value, limit in (("标题", a.title, WECHAT_TITLE_MAX),
                               ("作者", a.author, WECHAT_AUTHOR_MAX),
                               ("摘要", a.digest, WECHAT_DIGEST_MAX)):
        size = wechat_length(value)
        if size > limit:
            problems.append(Problem(where, f"{name}有 {size} 个字，超过上限 {limit} 个字"))
    if not a.content_html.strip():
        problems.append(Problem(where, "正文不能为空"))
    problems += check_article_html(a.content_html, where)
    if len(a.content_source_url.encode()) > WECHAT_SOURCE_URL_MAX_BYTES:
        problems.append(Problem(where, "“阅读原文”链接超过 1KB"))
    for name, crop in (("2.35:1 裁剪", a.crop_235_1), ("1:1 裁剪", a.crop_1_1)):
        if crop and not _CROP.match(crop):
            problems.append(Problem(where, f"封面{name}“{crop}”应为 X1_Y1_X2_Y2（0 到 1 之间）"))
    problems += check_image(
        where, a.cover, ("jpeg", "png", "gif", "bmp"), WECHAT_COVER_MAX_BYTES, "封面图片"
    )
    for image in a.images:
        problems += check_image(where, image, ("jpeg", "png"), WECHAT_INLINE_IMAGE_MAX_BYTES,
                           f"正文图片 {image.name} ")
    known = {i.sha256 for i in a.images}
    for sha in asset_refs(a.content_html):
        if sha not in known:
            problems.append(Problem(where, f"正文引用的图片 {sha[:12]}… 没有随稿件提供"))
    return problems
