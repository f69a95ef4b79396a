"""Putting ImageSpec text on an image: fit a field to its box, then draw it by its ink.

Lines are positioned by the ink of the glyphs rather than the font's line box,
so text looks optically centred and aligned whatever the font's metrics;
``typeset`` does the line breaking and size search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from socialbot.render.draw import pill
from socialbot.render.fonts import ImageError, normalise_text
from socialbot.render.palette import RGB, Palette
from socialbot.render.typeset import fit_text, ink_extent, optical_trim

if TYPE_CHECKING:
    from socialbot.render.spec import ImageSpec

Fitted = tuple[ImageFont.FreeTypeFont, list[str]]


def spec_text(spec: ImageSpec, field: str) -> str:
    return normalise_text(str(getattr(spec, field) or "")).strip()


def fit_field(
    spec: ImageSpec,
    field: str,
    box: tuple[float, float],
    max_size: int,
    min_size: int,
    spacing: float = 1.25,
    max_lines: int = 1,
    bold: bool = False,
) -> Fitted | None:
    """Font and lines for ``field`` in ``box``; None when the field is empty (title must not be)."""
    text = spec_text(spec, field)
    if not text:
        if field == "title":
            raise ImageError("标题为空，无法生成图片", field="title")
        return None
    return fit_text(
        text,
        spec.font_path,
        spec.font_index,
        box,
        max_size,
        min_size,
        spacing,
        max_lines,
        field=field,
        stroke=0.022 if bold else 0.0,
    )


def draw_lines(
    img: Image.Image,
    lines: list[str],
    font: ImageFont.FreeTypeFont,
    x: float,
    top: float,
    width: float,
    fill: RGB,
    *,
    spacing: float,
    align: str = "centre",
    bold: bool = False,
) -> float:
    """Draw lines whose first-line ink starts at ``top``; returns the last ink bottom."""
    draw = ImageDraw.Draw(img)
    ink_top, ink_bottom = ink_extent(font)
    stroke = max(1, round(font.size * 0.022)) if bold else 0
    baseline = top - ink_top
    for i, line in enumerate(lines):
        trim_l, trim_r = optical_trim(font, line)
        if align == "left":
            lx = x - trim_l
        else:
            lx = x + (width - (font.getlength(line) - trim_l - trim_r)) / 2 - trim_l
        draw.text(
            (lx, baseline),
            line,
            font=font,
            fill=fill,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=fill,
        )
        if i < len(lines) - 1:
            baseline += font.size * spacing
    return baseline + ink_bottom


def text_height(font: ImageFont.FreeTypeFont, n: int, spacing: float) -> float:
    """Ink height of ``n`` lines, as ``draw_lines`` would set them."""
    top, bottom = ink_extent(font)
    return bottom - top + (n - 1) * font.size * spacing


def pill_height(font: ImageFont.FreeTypeFont) -> int:
    """Height of the kicker pill around one line in ``font``."""
    top, bottom = ink_extent(font)
    return round(bottom - top + 2 * font.size * 0.42)


def draw_kicker(
    img: Image.Image, fitted: Fitted, x: float, top: float, palette: Palette, centre: bool
) -> float:
    """Accent pill holding the kicker; returns its bottom."""
    font, lines = fitted
    text_w = font.getlength(lines[0])
    pad_x, pad_y = font.size * 0.75, font.size * 0.42
    w = round(text_w + 2 * pad_x)
    h = pill_height(font)
    x0 = round(x - w / 2) if centre else round(x)
    pill(img, (x0, round(top), x0 + w, round(top) + h), palette.accent)
    draw_lines(
        img,
        lines,
        font,
        x0 + pad_x,
        top + pad_y,
        text_w,
        palette.on_accent,
        spacing=1.2,
        align="left",
    )
    return top + h
