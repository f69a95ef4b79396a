"""The Weibo status from the template's ``weibo`` block and the generated poster."""

from __future__ import annotations

from socialbot.platforms.weibo.account import WeiboAccount
from socialbot.platforms.weibo.limits import WEIBO_IMAGE_MAX_BYTES
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.platforms.weibo.text import check_weibo_text, normalise
from socialbot.render.images import ImageError, make_poster
from socialbot.render.job import RenderJob
from socialbot.rendered import ImageAsset


def render_status(job: RenderJob) -> WeiboStatus | None:
    """The status, or None with the problems added to ``job``."""
    text = normalise(job.block)
    accounts = [a for a in job.accounts if isinstance(a, WeiboAccount)]
    job.problems += check_weibo_text(text, f"{job.where} 微博正文", accounts)
    try:
        poster = make_poster(job.spec, WEIBO_IMAGE_MAX_BYTES)
    except ImageError as exc:
        job.image_failed(exc)
        return None
    if len(poster.data) > WEIBO_IMAGE_MAX_BYTES:
        job.fail(f"{job.where} 微博配图", "微博配图超过 5 MB")
    image = ImageAsset("weibo", poster.data, poster.format, poster.width, poster.height)
    return WeiboStatus(text=text, image=image)
