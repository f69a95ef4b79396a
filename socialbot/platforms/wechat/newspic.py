"""贴图 (``article_type: newspic``): 1–20 pictures and a short plain text (reference §2).

Rendering, the rules a 贴图 must meet, and its crops live here so the draft payload,
the checks before a send and the preview all read the same facts.
"""

from __future__ import annotations

import html
import re

from socialbot.errors import Problem
from socialbot.platforms.common.checks import check_image
from socialbot.platforms.wechat.limits import (
    NEWSPIC_CROP_RATIOS,
    NEWSPIC_IMAGE_FORMATS,
    NEWSPIC_IMAGE_MAX_BYTES,
    NEWSPIC_IMAGES_MAX,
    NEWSPIC_IMAGES_MIN,
    NEWSPIC_TEXT_MAX,
    WECHAT_TITLE_MAX,
    wechat_length,
)
from socialbot.platforms.wechat.part import NEWSPIC, WeChatArticle
from socialbot.render.job import RenderJob

_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_MARKDOWN = (
    (re.compile(r"!?\[[^\]]*\]\([^)]*\)"), "Markdown 链接或图片写法"),
    (re.compile(r"\*\*[^*]+\*\*"), "Markdown 加粗写法 **…**"),
    (re.compile(r"^\s*#{1,6}\s"), "Markdown 小标题写法 #"),
)


def render_newspic(job: RenderJob) -> WeChatArticle | None:
    """The 贴图 from the template's ``wechat`` block and the post's ``images`` (in order)."""
    post, where = job.post, job.where
    job.problems += body_problems(post.body, where, post.body_line)
    text = plain_text(job.block)
    pictures = [job.inline_images[name] for name in post.images if name in job.inline_images]
    if not post.images:
        job.fail(post.where("images"), (
            f"贴图至少要有 {NEWSPIC_IMAGES_MIN} 张图片：请在 images 中按顺序列出图片"
            f"（第一张是封面，最多 {NEWSPIC_IMAGES_MAX} 张）"))
        return None
    if len(post.images) > NEWSPIC_IMAGES_MAX:
        job.fail(post.where("images"), (
            f"贴图共 {len(post.images)} 张图片，超过微信上限 {NEWSPIC_IMAGES_MAX} 张，"
            f"请删去 {len(post.images) - NEWSPIC_IMAGES_MAX} 张"))
    if not pictures:
        return None  # every picture failed to load: said per file already
    first = pictures[0]
    return WeChatArticle(
        title=post.title,
        author="",
        digest="",
        content_html=text,
        content_source_url="",
        cover=first,
        crop_235_1=center_crop(first.width, first.height, NEWSPIC_CROP_RATIOS["2.35_1"]),
        crop_1_1=center_crop(first.width, first.height, NEWSPIC_CROP_RATIOS["1_1"]),
        need_open_comment=int(post.comments),
        article_type=NEWSPIC,
        image_list=tuple(pictures),
    )


def plain_text(block: str) -> str:
    """The block's text as followers read it: entities undone, lines trimmed, at most one
    blank line in a row (the template is autoescaped; a 贴图 carries no HTML)."""
    lines = [line.strip() for line in html.unescape(block).splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip()


def body_problems(body: str, where: str, first_line: int) -> list[Problem]:
    """HTML, links and Markdown markup in the staff-written text, each with its line."""
    problems = []
    for n, line in enumerate(body.splitlines()):
        at = f"{where} 第 {first_line + n} 行（贴图文字）"
        if _TAG.search(line):
            problems.append(Problem(at, "贴图文字只能是纯文本，不能含 HTML 标记"))
        if _LINK.search(line):
            problems.append(Problem(at, "贴图文字不能含网址：贴图中的链接无法点击，请删去"))
        for pattern, what in _MARKDOWN:
            if pattern.search(line):
                problems.append(Problem(at, f"贴图文字只能是纯文本，不能用{what}"))
    return problems


def newspic_problems(a: WeChatArticle, where: str) -> list[Problem]:
    """draft/add rules for a 贴图 (title, text, 1–20 permanent image materials)."""
    problems: list[Problem] = []
    if not a.title.strip():
        problems.append(Problem(where, "贴图标题不能为空"))
    if wechat_length(a.title) > WECHAT_TITLE_MAX:
        problems.append(Problem(where, (
            f"贴图标题有 {wechat_length(a.title)} 个字，超过上限 {WECHAT_TITLE_MAX} 个字")))
    text = a.content_html
    if not text.strip():
        problems.append(Problem(where, "贴图文字不能为空"))
    if len(text) > NEWSPIC_TEXT_MAX:
        problems.append(Problem(where, (
            f"贴图文字有 {len(text)} 个字，超过上限 {NEWSPIC_TEXT_MAX} 个字，"
            f"请删减 {len(text) - NEWSPIC_TEXT_MAX} 个字")))
    if _TAG.search(text):
        problems.append(Problem(where, "贴图文字只能是纯文本，不能含 HTML 标记"))
    if _LINK.search(text):
        problems.append(Problem(where, "贴图文字不能含网址：贴图中的链接无法点击"))
    count = len(a.image_list)
    if not NEWSPIC_IMAGES_MIN <= count <= NEWSPIC_IMAGES_MAX:
        problems.append(Problem(where, (
            f"贴图有 {count} 张图片，应为 {NEWSPIC_IMAGES_MIN}～{NEWSPIC_IMAGES_MAX} 张")))
    for n, image in enumerate(a.image_list, start=1):
        problems += check_image(where, image, NEWSPIC_IMAGE_FORMATS, NEWSPIC_IMAGE_MAX_BYTES,
                                f"贴图第 {n} 张图片 {image.name} ")
    if a.image_list and a.cover.sha256 != a.image_list[0].sha256:
        problems.append(Problem(where, "贴图的封面必须是第一张图片"))
    return problems


def center_crop(width: int, height: int, ratio: float) -> str:
    """The largest centred crop of ``ratio`` (width:height) as "X1_Y1_X2_Y2"."""
    if width / height > ratio:
        share = ratio * height / width
        x1 = (1 - share) / 2
        coords = (x1, 0.0, 1 - x1, 1.0)
    else:
        share = width / ratio / height
        y1 = (1 - share) / 2
        coords = (0.0, y1, 1.0, 1 - y1)
    return "_".join(_coord(v) for v in coords)


def crop_percent_list(a: WeChatArticle) -> list[dict[str, str]]:
    """``cover_info.crop_percent_list``: the first picture's crops, as strings."""
    out = []
    for ratio, value in (("1_1", a.crop_1_1), ("2.35_1", a.crop_235_1)):
        if value:
            x1, y1, x2, y2 = value.split("_")
            out.append({"ratio": ratio, "x1": x1, "y1": y1, "x2": x2, "y2": y2})
    return out


def _coord(value: float) -> str:
    """At most six decimals (the draft_add rule for crop coordinates), no trailing zeros."""
    text = f"{min(max(value, 0.0), 1.0):.6f}".rstrip("0").rstrip(".")
    return text or "0"
