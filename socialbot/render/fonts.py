"""Font loading and glyph coverage checks for Pillow-rendered images.

The default face is Noto Sans CJK SC from the ``noto-cjk-sans-otc`` wheel, so
images render the same on every machine without system fonts or root.  Fonts
are cached because opening a face in the 19 MB collection costs milliseconds
and a post render opens a dozen sizes.

The cache is bounded (``FACE_CACHE``), and nothing else may keep a face alive:
each FreeType face maps the whole collection file and holds its own tables, so an
open face costs ~1 MB of heap plus ~3-4 MB of resident file pages once it has
drawn a title. ``preview`` of the sample campaign asks for ~70 sizes; kept all
open they made its peak ~500 MiB. Measurements (widths, ink boxes) are memoised
by :func:`measure` under the face's name, not the face object, so no memo keeps
a face open; :class:`SizedFace` lets a measurement that is memoised skip opening
the face at all.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PIL import ImageFont

DEFAULT_FONT_INDEX = 2  # "Noto Sans CJK SC" Regular inside the TTC
DEFAULT_FONT_NAME = "Noto Sans CJK SC"
FACE_CACHE = 12  # open faces kept (about one post's fields and the sizes they try)
_MEMO_LIMIT = 65536  # memoised measurements before the memo starts over
_MISSING = object()
T = TypeVar("T")

# A private-use code point no font maps; its rendering is the .notdef glyph.
_NOTDEF_PROBE = "\U0010fffd"
_PROBE_SIZE = 24

# Invisible characters that fonts render as tofu; they carry no meaning in an
# image, so typesetting drops them instead of failing.
_DROPPED = dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)], None)

_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile("[^\\S\n\u3000\u00a0]")

FIELD_LABELS = {
    "title": "标题",
    "slogan": "主题口号",
    "date_text": "日期",
    "organiser": "主办单位",
    "kicker": "栏目标签",
    "colours": "主题色",
    "logo": "标志图片",
    "photo": "背景照片",
    "font_path": "字体文件",
}


class ImageError(Exception):
    """An image cannot be made; the message tells staff what to fix, in Chinese.

    ``field`` names the ImageSpec field (or file) at fault and ``detail``
    carries the offending value, so callers can highlight it in the review UI.
    """

    def __init__(self, message: str, *, field: str | None = None, detail: object = None):
        super().__init__(message)
        self.field = field
        self.detail = detail


def field_label(field: str | None) -> str:
    """Chinese name of an ImageSpec field for error messages."""
    if field is None:
        return "文字"
    return FIELD_LABELS.get(field, field)


@functools.cache
def default_font_path() -> Path:
    """Path of the bundled Noto Sans CJK collection."""
    from noto_cjk_sans_otc import FONT_PATH

    return Path(FONT_PATH)


@functools.lru_cache(maxsize=64)
def resolve_font(font_path: Path | str | None, index: int | None = None) -> tuple[str, int]:
    """Normalise an optional override to a (path, face index) cache key."""
    if font_path is None:
        return str(default_font_path()), DEFAULT_FONT_INDEX if index is None else index
    path = os.fspath(font_path)
    if index is None:
        index = DEFAULT_FONT_INDEX if Path(path) == default_font_path() else 0
    return path, index


@functools.lru_cache(maxsize=FACE_CACHE)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    if not os.path.isfile(path):
        raise ImageError(f"字体文件不存在：{path}", field="font_path", detail=path)
    try:
        # BASIC layout: CJK needs no shaping, and it measures ~5x faster than raqm.
        return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
    except OSError as exc:
        raise ImageError(
            f"无法读取字体文件：{path}（第 {index} 个字形集），文件可能已损坏或格式不受支持",
            field="font_path",
            detail=path,
        ) from exc


def load_font(
    size: int, font_path: Path | str | None = None, index: int | None = None
) -> ImageFont.FreeTypeFont:
    """Cached font at ``size`` px; ``font_path`` overrides the bundled face."""
    path, idx = resolve_font(font_path, index)
    return _load(path, idx, int(size))


def release_faces() -> None:
    """Close the cached faces (before a memory-hungry step such as cutting a web font)."""
    _load.cache_clear()


class SizedFace:
    """A face at one size, opened only when a measurement is not memoised yet.

    Fitting a title tries a dozen sizes, many of them again for each line count; with
    the widths memoised by (file, face, size), a retry needs no open face at all.
    """

    __slots__ = ("index", "path", "size")
    layout_engine = ImageFont.Layout.BASIC  # as _load opens it

    def __init__(self, path: str, index: int, size: int):
        self.path, self.index, self.size = path, index, size

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return _load(self.path, self.index, self.size)


Measurable = ImageFont.FreeTypeFont | SizedFace


def sized_face(size: int, font_path: Path | str | None = None,
               index: int | None = None) -> SizedFace:
    """``load_font``'s face, not opened until something must be measured with it."""
    path, idx = resolve_font(font_path, index)
    return SizedFace(path, idx, int(size))


def opened(font: Measurable) -> ImageFont.FreeTypeFont:
    """The FreeType face itself (opening a ``SizedFace``)."""
    return font.font if isinstance(font, SizedFace) else font


_MEMO: dict[tuple[Any, ...], Any] = {}


def measure(font: Measurable, kind: str, item: str,
            compute: Callable[[ImageFont.FreeTypeFont], T]) -> T:
    """``compute(face)`` memoised by (file, face index, size, layout, kind, item).

    The key names the face instead of holding it, so the memo keeps no face open
    (``FACE_CACHE`` alone decides that); it starts over after ``_MEMO_LIMIT`` entries.
    """
    path = font.path
    if not isinstance(path, str):  # a face from bytes: nothing stable to key it by
        return compute(opened(font))
    key = (path, font.index, font.size, font.layout_engine, kind, item)
    found = _MEMO.get(key, _MISSING)
    if found is _MISSING:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        found = _MEMO[key] = compute(opened(font))
    return found  # type: ignore[no-any-return]


def font_name(font: ImageFont.FreeTypeFont) -> str:
    """Human-readable family name used in error messages."""
    family, _style = font.getname()
    return family or "未知字体"


def normalise_text(text: str) -> str:
    """NFC-normalise, unify line breaks and spaces, drop invisible characters.

    Tabs, joiners and variation selectors render as tofu in most fonts, yet
    are routinely pasted in from Word or WeChat, so they are cleaned up here
    rather than reported as missing glyphs.
    """
    text = unicodedata.normalize("NFC", text).translate(_DROPPED)
    text = _LINE_BREAKS.sub("\n", text)
    return _SPACES.sub(" ", text)


@functools.lru_cache(maxsize=32)
def _notdef_signature(path: str, index: int) -> tuple[tuple[int, int], bytes]:
    probe = _load(path, index, _PROBE_SIZE).getmask(_NOTDEF_PROBE)
    return probe.size, bytes(probe)


@functools.lru_cache(maxsize=8192)
def _is_missing(path: str, index: int, ch: str) -> bool:
    font = _load(path, index, _PROBE_SIZE)
    mask = font.getmask(ch)
    return (mask.size, bytes(mask)) == _notdef_signature(path, index)


def missing_glyphs(text: str, font: Measurable) -> list[str]:
    """Distinct characters of ``text`` that ``font`` would draw as .notdef (tofu).

    Pillow has no "has glyph" query, so each character is rendered once at a
    small size and compared with the rendering of an unmapped code point.
    Line breaks and spaces are layout, not glyphs, and are skipped.
    """
    path = getattr(font, "path", None)
    index = getattr(font, "index", 0)
    if not isinstance(path, str):
        raise TypeError("missing_glyphs needs a font loaded from a file path")
    seen: dict[str, None] = {}
    for ch in text:
        if ch in seen or ch in "\n " or ch == "\u3000":
            continue
        if _is_missing(path, index, ch):
            seen[ch] = None
    return list(seen)


def check_glyphs(text: str, font: Measurable, field: str | None) -> None:
    """Raise ImageError naming the field if any character would render as tofu."""
    missing = missing_glyphs(text, font)
    if not missing:
        return
    chars = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in missing)
    raise ImageError(
        f"{field_label(field)}中的字符{chars}在字体 {font_name(opened(font))} 中不存在，无法排版；"
        "请改用常用字或更换字体",
        field=field,
        detail=missing,
    )
