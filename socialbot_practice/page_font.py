"""The practice pages' own font: a subset of the bundled CJK face, served at ``/fonts/``.

A page that names system fonts shows Chinese as tofu on a machine without CJK fonts, so
each page loads the subset covering its own text (socialbot.render.webfont). Rendering a
page only registers which characters its font needs (cheap); the subset is cut when the
browser asks for the file, and kept by the webfont cache, so API calls that fetch the page
never wait for fontTools.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from socialbot.render.webfont import (
    font_face_css,
    font_ready_script,
    subset_file_name,
    subset_font,
    text_chars,
)

FONT_ROUTE = "/fonts/"
FONT_TYPE = "font/woff2"
# Content-keyed names never change meaning, so a browser may keep them.
FONT_HEADERS = {"Cache-Control": "max-age=31536000, immutable"}
# Pages rendered recently whose font a browser may still ask for.
_KEPT = 16


class PageFonts:
    """The font files the pages of one platform asked for, by file name."""

    def __init__(self, kept: int = _KEPT):
        self._kept = kept
        self._chars: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._lock = threading.Lock()
        self._cutting = threading.Lock()

    def head_for(self, *texts: str) -> str:
        """The ``<style>`` with the @font-face and the font-ready script for a page showing
        ``texts``; its font file is then served by :meth:`font_file`."""
        chars = text_chars(*texts)
        name = subset_file_name(chars)
        with self._lock:
            self._chars[name] = chars
            self._chars.move_to_end(name)
            while len(self._chars) > self._kept:
                self._chars.popitem(last=False)
        return f"<style>{font_face_css(FONT_ROUTE + name)}</style>{font_ready_script()}"

    def font_file(self, name: str) -> bytes | None:
        """WOFF2 bytes for a name a recent page used, or None for any other name."""
        with self._lock:
            chars = self._chars.get(name)
        if chars is None:
            return None
        # One subset at a time: two browsers asking at once must not double the work, and
        # pages keep rendering meanwhile.
        with self._cutting:
            return subset_font(chars)
