"""Links and raw markup that cannot be published as written, and invisible characters.

The renderer escapes raw HTML and refuses ``javascript:``-style links, so both would
reach followers as visible code ("<div>", "[点此](javascript:…)"). Control characters
(NUL, bidi overrides, zero-width spaces) come from copy and paste and either break a
platform call or change how a sentence reads without showing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from socialbot.checks.model import Hit, Kind, TextField
from socialbot.checks.prose import line_starts
from socialbot.checks.wordlists import WordLists

DANGEROUS_SCHEME_RE = re.compile(
    r"(?<![A-Za-z0-9+.-])(?:javascript|vbscript)\s*:|(?<![A-Za-z0-9+.-])file:/"
    r"|(?<![A-Za-z0-9+.-])data:[a-z-]+/", re.IGNORECASE)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
PLAIN_HTML_RE = re.compile(
    r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*)?/?>", re.S)

_md = MarkdownIt("commonmark", {"html": True}).enable("table")
_md.validateLink = lambda url: True  # see every link as written, even those the renderer refuses


@functools.lru_cache(maxsize=1)
def parsed(text: str) -> tuple[Token, ...]:
    """The body's tokens, parsed once for both rules that read them (parsing is slow)."""
    return tuple(_md.parse(text))

INVISIBLE = {
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不换行",
    "\ufeff": "零宽不换行空格（BOM）", "\u200e": "从左到右标记", "\u200f": "从右到左标记",
    "\u202a": "双向文本控制", "\u202b": "双向文本控制", "\u202c": "双向文本控制",
    "\u202d": "双向文本覆盖", "\u202e": "双向文本覆盖", "\u2066": "双向文本隔离",
    "\u2067": "双向文本隔离", "\u2068": "双向文本隔离", "\u2069": "双向文本隔离",
    "\ufffd": "乱码替换符（文件编码可能损坏）",
}
ALLOWED_CONTROLS = "\n\t\r"


def unsafe_link(field: TextField, lists: WordLists) -> Iterator[Hit]:
    spans = {m.span() for m in DANGEROUS_SCHEME_RE.finditer(field.text)}
    if field.kind is Kind.MARKDOWN:
        spans |= set(_markdown_links(field.text))
    end = -1
    for start, stop in sorted(spans):
        if start < end:
            continue
        end = stop
        yield Hit(start, stop, f"链接“{field.text[start:stop]}”使用了不安全的协议，不能发布；"
                               "链接只能是 http:// 或 https:// 网址")


def _markdown_links(text: str) -> Iterator[tuple[int, int]]:
    """Spans of link and image targets whose decoded scheme is a dangerous one.

    Catches what the plain pattern cannot see, e.g. ``[x](&#106;avascript:…)``.
    """
    starts = line_starts(text)
    for block in parsed(text):
        if block.type != "inline" or not block.children:
            continue
        cursor = starts[block.map[0]] if block.map else 0
        for token in block.children:
            if token.type not in ("link_open", "image"):
                continue
            target = str(token.attrGet("href") or token.attrGet("src") or "")
            opener = text.find("](", cursor)
            at = opener + 2 if opener >= 0 else cursor
            stop = text.find(")", at)
            stop = stop if stop > at else at + 1
            cursor = stop
            decoded = re.sub(r"[\s\x00-\x20]", "", unquote(target)).lower()
            if decoded.startswith(DANGEROUS_SCHEMES):
                yield at, stop


def raw_html(field: TextField, lists: WordLists) -> Iterator[Hit]:
    if field.kind is Kind.URL:
        return
    spans = (_markdown_html(field.text) if field.kind is Kind.MARKDOWN
             else (m.span() for m in PLAIN_HTML_RE.finditer(field.text)))
    for start, stop in spans:
        tag = field.text[start:stop].split("\n")[0][:40]
        yield Hit(start, stop, f"含有 HTML 标记“{tag}”：发布后会原样显示为文字，"
                               "请删除，或改用 Markdown 写法（如 **加粗**、## 小标题）")


def _markdown_html(text: str) -> Iterator[tuple[int, int]]:
    starts = line_starts(text)
    for token in parsed(text):
        base = starts[token.map[0]] if token.map else 0
        if token.type == "html_block":
            yield base, base + len(token.content.rstrip("\n"))
        elif token.type == "inline" and token.children:
            cursor = base
            for child in token.children:
                if child.type == "html_inline":
                    at = text.find(child.content, cursor)
                    at = at if at >= 0 else base
                    cursor = at + len(child.content)
                    yield at, cursor


def control_char(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for i, char in enumerate(field.text):
        name = _invisible(char)
        if name:
            yield Hit(i, i + 1, f"含有不可见字符 U+{ord(char):04X}（{name}），"
                                "多半来自复制粘贴，请删除")


def _invisible(char: str) -> str:
    if char in ALLOWED_CONTROLS:
        return ""
    if char in INVISIBLE:
        return INVISIBLE[char]
    category = unicodedata.category(char)
    if category == "Cc":
        return "空字符 NUL" if char == "\x00" else "控制字符"
    if category == "Cs":
        return "不成对的代理字符"
    return ""
