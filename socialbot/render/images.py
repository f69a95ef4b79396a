"""Campaign images drawn with Pillow: the WeChat cover and the Weibo poster.

Everything that does not depend on the post text (gradient, decoration,
photo, emblem or logo) is drawn once per theme and cached, so a post render
only typesets and encodes.  Text is auto-fitted to its box and checked for
glyphs the font lacks: an image either reads correctly or fails with a clear
Chinese message naming the field or file, never with tofu boxes.

This module is the public face; the work is split by concern:
``palette`` (theme colours), ``draw`` (decoration and emblem), ``inputs``
(staff logo and photo files), ``lettering`` (text on images), ``cover`` and
``poster`` (layouts) and ``encode`` (JPEG/PNG under byte limits).
"""

from __future__ import annotations

from dataclasses import dataclass

from socialbot.render.cover import draw_cover
from socialbot.render.draw import draw_emblem
from socialbot.render.encode import encode_jpeg, fit_image_bytes
from socialbot.render.fonts import ImageError
from socialbot.render.poster import draw_poster
from socialbot.render.spec import SQUARE_CROP, WIDE_CROP, ImageSpec

__all__ = [
    "CoverImage",
    "ImageError",
    "ImageSpec",
    "PosterImage",
    "draw_emblem",
    "fit_image_bytes",
    "make_cover",
    "make_poster",
]


@dataclass(frozen=True)
class CoverImage:
    """WeChat cover plus the crops the draft API asks for, normalised to 0..1."""

    data: bytes
    format: str
    width: int
    height: int
    crop_235_1: tuple[float, float, float, float]
    crop_1_1: tuple[float, float, float, float]

    def crop_field(self, which: str) -> str:
        """Crop as WeChat's ``pic_crop_235_1``/``pic_crop_1_1`` string "X1_Y1_X2_Y2"."""
        key = which.replace(".", "").replace(":", "_")
        crops = {"235_1": self.crop_235_1, "1_1": self.crop_1_1}
        if key not in crops:
            raise ValueError(f"unknown crop {which!r}; expected '235_1' or '1_1'")
        return "_".join(_fmt_coord(v) for v in crops[key])


@dataclass(frozen=True)
class PosterImage:
    """Portrait image attached to the Weibo status."""

    data: bytes
    format: str
    width: int
    height: int


def _fmt_coord(value: float) -> str:
    text = f"{min(max(value, 0.0), 1.0):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def make_cover(spec: ImageSpec, max_bytes: int) -> CoverImage:
    """Article cover (1200x675 JPEG, under ``max_bytes``) that reads both as 2.35:1 and as 1:1.

    The emblem, kicker, title, slogan and footer all sit in the intersection
    of the central 2.35:1 band and the central square, so neither crop cuts
    text; the wings and edges carry decoration only.
    """
    img = draw_cover(spec)
    data, fmt = encode_jpeg(img, max_bytes, "封面图片")
    return CoverImage(data, fmt, img.width, img.height, WIDE_CROP, SQUARE_CROP)


def make_poster(spec: ImageSpec, max_bytes: int) -> PosterImage:
    """Portrait poster: 1080x1440 JPEG under ``max_bytes``, with a large auto-fitted title."""
    img = draw_poster(spec)
    data, fmt = encode_jpeg(img, max_bytes, "配图")
    return PosterImage(data, fmt, img.width, img.height)
