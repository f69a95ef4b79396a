"""Render a post into exactly what followers will receive on each platform.

``render_post`` is the only entry point: post file in, :class:`RenderedPost` out, or a
RenderError listing every rule broken (limits, images, template variables, links). It
does the common work once with the tools in ``socialbot.render`` (template, Markdown,
images), then asks each platform of the target accounts for its part, so it sits above
the platform registry while those tools sit below it.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from socialbot.config import Account, Settings
from socialbot.errors import Problem, RenderError
from socialbot.platforms import PLATFORMS
from socialbot.post import Post
from socialbot.render.images import ImageError, ImageSpec, fit_image_bytes
from socialbot.render.job import RenderJob
from socialbot.render.markdown import render_body
from socialbot.render.templates import cn_date, render_template
from socialbot.rendered import ImageAsset, Part, RenderedPost

__all__ = ["render_post", "target_accounts"]

#: In-article images are re-encoded below this (the strictest platform rule: < 1 MB).
INLINE_IMAGE_MAX_BYTES = 1024 * 1024 - 1


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
    """Render ``post`` for ``accounts`` (default: its targets); raise RenderError on any problem.

    Each platform of the target accounts renders its own part from its template block.
    """
    accounts = accounts if accounts is not None else target_accounts(post, settings)
    platforms = [p for p in PLATFORMS.values() if any(a.platform == p.name for a in accounts)]
    problems: list[Problem] = []
    keep_hosts = tuple(h for p in platforms for h in p.body_link_hosts)
    body = render_body(post.body, source=post.path, first_line=post.body_line,
                       image_names=set(post.images), keep_hosts=keep_hosts)
    problems += body.problems
    inline_images = _load_inline_images(post, problems)
    author = post.author or settings.organisation_short
    organiser = post.organiser or settings.organisation
    link = post.link or settings.campaign.link
    post_fields: dict[str, object] = {
        "title": post.title,
        "author": author,
        "digest": post.digest,
        "date": post.date,
        "date_text": cn_date(post.date) if post.date else "",
        "organiser": organiser,
        "kicker": post.kicker,
        "link": link,
        "details": post.details,
        "body_html": Markup(body.html),
        "body_text": post.body,  # as written: a 贴图 (newspic) carries plain text only
    }
    for p in PLATFORMS.values():  # every template may refer to every platform's field
        if p.post_text_field:
            post_fields[p.post_text_field] = post.texts.get(p.post_text_field, "")
    context: dict[str, object] = {
        "post": post_fields,
        "references": body.references,
        "campaign": {  # text only: the template sandbox reads attributes of plain data only
            "name": settings.campaign.name, "theme": settings.campaign.theme,
            "slogan": settings.campaign.slogan, "link": settings.campaign.link,
            "colours": list(settings.campaign.colours),
        },
        "organisation": {"name": settings.organisation, "short_name": settings.organisation_short},
    }
    where = post.path.name
    try:
        blocks = render_template(post.template, context, settings.templates_dir, where,
                                 {p.name: p.label for p in platforms})
    except RenderError as exc:
        raise RenderError(problems + exc.problems) from None
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
    parts: dict[str, Part] = {}
    for p in platforms:
        job = RenderJob(post=post, settings=settings,
                        accounts=[a for a in accounts if a.platform == p.name],
                        block=blocks[p.name], body=body, inline_images=inline_images,
                        spec=spec, author=author, organiser=organiser, link=link,
                        context=context)
        part = p.render(job)
        problems += job.problems
        if part is not None:
            parts[p.name] = part
            if not job.problems:  # what the platform would refuse for one of its accounts
                for account in job.accounts:
                    problems += p.check(part, account, where)
    if problems:
        raise RenderError(list(dict.fromkeys(problems)))  # one image fault, said once
    return RenderedPost(
        post_id=post.id,
        source=where,
        template=post.template,
        title=post.title,
        date=post.date.isoformat() if isinstance(post.date, dt.date) else "",
        organiser=organiser,
        parts=parts,
    )


def _load_inline_images(post: Post, problems: list[Problem]) -> dict[str, ImageAsset]:
    """Declared in-article images, re-encoded below 1 MB (the strictest upload limit)."""
    assets: dict[str, ImageAsset] = {}
    for name, path in post.images.items():
        try:
            data, fmt = fit_image_bytes(path.read_bytes(), max_bytes=INLINE_IMAGE_MAX_BYTES)
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
