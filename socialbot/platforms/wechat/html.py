"""WeChat article HTML: CSS inlined into style="", then an allow-list sanitiser.

WeChat strips <style>, class-based CSS, scripts and external images, so what a
template styles with classes must arrive as inline styles, and anything else is
removed here rather than silently by WeChat after publishing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import css_inline
import nh3

from socialbot.errors import Problem
from socialbot.platforms.wechat.limits import (
    WECHAT_CONTENT_MAX_BYTES,
    WECHAT_CONTENT_MAX_CHARS,
    WECHAT_IMAGE_HOSTS,
    WECHAT_LINK_HOSTS,
)
from socialbot.rendered import ASSET_SCHEME

ALLOWED_TAGS = {
    "section",
    "p",
    "span",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "br",
    "img",
    "h1",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "code",
    "pre",
    "hr",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {
    "*": {"style"},
    "img": {"src", "alt", "data-ratio", "width"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_TAG_RE = re.compile(r"<\s*(img|a)\b[^>]*>", re.I)
_ATTR_RE = re.compile(r'\b(src|href)\s*=\s*"([^"]*)"', re.I)


def inline_and_sanitise(html: str, css: str) -> str:
    """Apply ``css`` as inline styles, then keep only what WeChat renders."""
    inlined = css_inline.inline_fragment(html, css)
    return nh3.clean(
        inlined,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", ASSET_SCHEME.rstrip(":")},
        link_rel=None,
        strip_comments=True,
    )


def check_article_html(html: str, where: str, *, uploaded: bool = False) -> list[Problem]:
    """Every rule WeChat applies to article content; ``uploaded`` = images already on WeChat."""
    problems: list[Problem] = []
    if len(html) > WECHAT_CONTENT_MAX_CHARS:
        problems.append(
            Problem(
                where,
                f"正文 HTML 共 {len(html)} 字符，超过微信上限 "
                f"{WECHAT_CONTENT_MAX_CHARS} 字符，请删减正文",
            )
        )
    if len(html.encode("utf-8")) >= WECHAT_CONTENT_MAX_BYTES:
        problems.append(Problem(where, "正文 HTML 超过 1 MB，请删减正文"))
    lowered = html.lower()
    for needle, label in (
        ("<style", "<style> 样式块"),
        ("<script", "脚本"),
        ("class=", "class 属性"),
    ):
        if needle in lowered:
            problems.append(Problem(where, f"正文含有{label}，微信不支持，只能用行内样式"))
    for tag in _TAG_RE.finditer(html):
        for attr, url in _ATTR_RE.findall(tag.group(0)):
            problems += _check_url(tag.group(1).lower(), attr.lower(), url, where, uploaded)
    return problems


def _check_url(tag: str, attr: str, url: str, where: str, uploaded: bool) -> list[Problem]:
    host = (urlsplit(url).hostname or "").lower()
    if tag == "img":
        if url.startswith(ASSET_SCHEME) and not uploaded:
            return []
        if host in WECHAT_IMAGE_HOSTS:
            return []
        return [Problem(where, f"正文图片地址“{url}”不是微信上传的图片，微信会过滤外部图片")]
    if host in WECHAT_LINK_HOSTS:
        return []
    return [Problem(where, f"正文链接“{url}”指向微信以外的网站，公众号文章中无法点击")]
