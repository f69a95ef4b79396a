"""What WeChat does to article HTML on the way into the draft box.

WeChat does not reject most bad markup; it quietly removes it (reference §6). The sandbox
does the same and keeps a warning per removal (in Chinese, shown to staff on the page), so
a missing image is noticed in practice rather than after a real mass send.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

_SCRIPT = re.compile(r"<script\b[^>]*>.*?(?:</script\s*>|$)", re.I | re.S)
_STYLE = re.compile(r"<style\b[^>]*>.*?(?:</style\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_EVENT_ATTR = re.compile(r"""\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_JS_HREF = re.compile(r"""\s+href\s*=\s*(["']?)\s*javascript:[^"'>]*\1""", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ANCHOR = re.compile(r"<a\b[^>]*>", re.I)


def attribute(tag: str, name: str) -> str | None:
    """The value of attribute ``name`` in one start tag, or None."""
    match = re.search(rf"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", tag, re.I)
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None)


def clean_content(html: str, allowed_images: set[str]) -> tuple[str, list[str]]:
    """Strip what WeChat strips; return the stored HTML and staff-facing warnings."""
    warnings: list[str] = []
    html, scripts = _SCRIPT.subn("", html)
    if scripts:
        warnings.append(f"已删除 {scripts} 段 <script> 脚本（微信会去掉 JS）")
    html, styles = _STYLE.subn("", html)
    if styles:
        warnings.append(f"已删除 {styles} 个 <style> 样式块（微信只保留行内 style）")

    def strip_handlers(match: re.Match[str]) -> str:
        tag = _EVENT_ATTR.sub("", match.group())
        return _JS_HREF.sub("", tag)

    cleaned = _TAG.sub(strip_handlers, html)
    if cleaned != html:
        warnings.append("已删除事件属性（onclick 等）或 javascript: 链接")
    html = cleaned

    def filter_image(match: re.Match[str]) -> str:
        src = attribute(match.group(), "src") or ""
        if src in allowed_images:
            return match.group()
        shown = src if len(src) <= 120 else src[:117] + "..."
        warnings.append(f"图片已被过滤（不是本账号 uploadimg 接口返回的地址）：{shown or '(空)'}")
        return ""

    html = _IMG.sub(filter_image, html)
    for tag in _ANCHOR.findall(html):
        href = attribute(tag, "href") or ""
        host = urlsplit(href).hostname or ""
        if href.startswith(("http://", "https://")) and host != "mp.weixin.qq.com":
            warnings.append(f"外部链接在微信文章中不能点击：{href}")
    return html, warnings


def plain_text(html: str) -> str:
    """Visible text of an article (for the automatic digest)."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    return re.sub(r"\s+", " ", text).strip()
