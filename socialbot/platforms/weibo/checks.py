"""Weibo rules a rendered status must meet before any call is made (reference §10)."""

from __future__ import annotations

from socialbot.errors import Problem
from socialbot.platforms.common.checks import check_image
from socialbot.platforms.weibo.account import WeiboAccount
from socialbot.platforms.weibo.limits import WEIBO_IMAGE_MAX_BYTES
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.platforms.weibo.text import check_weibo_text


def weibo_problems(account: WeiboAccount, status: WeiboStatus, source: str) -> list[Problem]:
    """statuses/share rules (reference §10): 140 characters, a safe-domain link, one image."""
    text, where = status.text, f"{source}（微博 {account.id}）"
    problems = check_weibo_text(text, where, [account])
    problems += check_image(
        where, status.image, ("jpeg", "png", "gif"), WEIBO_IMAGE_MAX_BYTES, "微博配图"
    )
    return problems
