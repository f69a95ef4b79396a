"""The prose of a field: URLs, code and link targets blanked out, offsets kept.

Typography and placeholder rules read prose only: ``https://…/xxgk/a,b`` or a code
span is not a sentence. Blanking with spaces (instead of cutting) keeps every offset,
so a hit still points at the right line and column of the original text.
"""

from __future__ import annotations

import re

from socialbot.checks.model import Kind, TextField

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
URL_RE = re.compile(rf"(?:https?|ftp|file|javascript|data|mailto):[^\s{CJK}<>\"“”（）【】]*",
                    re.IGNORECASE)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^\1\2[ \t]*$|\Z)", re.S | re.M)
CODE_SPAN_RE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
LINK_TARGET_RE = re.compile(r"\]\([^)\n]*\)")
AUTOLINK_RE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def prose(field: TextField) -> str:
    """The field's text with non-prose parts replaced by spaces (same length)."""
    text = field.text
    if field.kind is Kind.URL:
        return " " * len(text)
    if field.kind is Kind.MARKDOWN:
        for pattern in (FENCE_RE, CODE_SPAN_RE, LINK_TARGET_RE, AUTOLINK_RE):
            text = pattern.sub(_blank, text)
    for pattern in (URL_RE, EMAIL_RE):
        text = pattern.sub(_blank, text)
    return text


def is_cjk(char: str) -> bool:
    return bool(CJK_RE.match(char))


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (and one past the end)."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts
