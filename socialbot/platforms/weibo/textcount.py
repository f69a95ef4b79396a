"""Weibo's length rule, in one place so renderer and practice platform agree.

Weibo counts in "characters" where a full-width (non-ASCII) character is 1 and an
ASCII character is 1/2, rounded up. A link is shortened to t.cn by Weibo, so a link
longer than 41 bytes costs a fixed 20 bytes (10 characters); a short one costs its
own length; a very long one (> 140 bytes) costs 20 plus the excess.
"""

from __future__ import annotations

import math
import re

WEIBO_MAX_CHARS = 140
URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

_SHORT_URL_BYTES = 41
_LONG_URL_BYTES = 140
_SHORTENED_URL_BYTES = 20


def _byte_weight(text: str) -> int:
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def _url_weight(url: str) -> int:
    size = _byte_weight(url)
    if size <= _SHORT_URL_BYTES:
        return size
    if size <= _LONG_URL_BYTES:
        return _SHORTENED_URL_BYTES
    return _SHORTENED_URL_BYTES + size - _LONG_URL_BYTES


def weibo_length(text: str) -> int:
    """Length of ``text`` as Weibo counts it against the 140-character limit."""
    total = 0
    position = 0
    for match in URL_RE.finditer(text):
        total += _byte_weight(text[position : match.start()])
        total += _url_weight(match.group())
        position = match.end()
    total += _byte_weight(text[position:])
    return math.ceil(total / 2)
