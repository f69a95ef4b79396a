"""Layout of the WeChat cover: 1200x675, readable as both a 2.35:1 and a 1:1 crop.

The draft API takes both a 2.35:1 and a 1:1 crop of the cover, so all text
sits in the intersection of the two central crops; the wings and edges carry
decoration only.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw

from socialbot.render.draw import dots, glow, gradient, leaves, mark, rings
from socialbot.render.fonts import check_glyphs, load_font
from socialbot.render.inputs import FileKey, duotone_photo, file_key
from socialbot.render.lettering import (
    Fitted,
    draw_kicker,
    draw_lines,
    fit_field,
    pill_height,
    spec_text,
    text_height,
)
from socialbot.render.palette import Palette, mix, parse_palette
from socialbot.render.spec import COVER_SIZE, SQUARE_CROP, WIDE_CROP, ImageSpec
from socialbot.render.typeset import fit_text


@functools.lru_cache(maxsize=6)
def _cover_base(
    palette: Palette, logo: FileKey | None, photo: FileKey | None
) -> tuple[Image.Image, Image.Image]:
    """Background and mark of the cover; independent of the post text."""
    w, h = COVER_SIZE
    img = gradient(COVER_SIZE, mix(palette.primary, (255, 255, 255), 0.04), palette.deep)
    if photo is not None:
        img = Image.blend(duotone_photo(photo, COVER_SIZE, palette), img, 0.5)
    glow(img, (w // 2, h // 2), (520, 360), mix(palette.primary, (255, 255, 255), 0.35), 0.22)
    light = mix(palette.secondary, (255, 255, 255), 0.5)
    rings(img, (70, h - 70), [110, 165, 220, 275, 330], 2.2, light, 0.28)
    leaf = mix(palette.primary, (150, 215, 110), 0.55)
    leaves(
        img,
        [
            (1080, 250, 150, 100, leaf, 0.55),
            (1085, 250, 120, 55, leaf, 0.40),
            (1075, 252, 105, 145, palette.accent, 0.55),
        ],
    )
    dots(img, (1010, 440), 6, 4, 22, 3, light, 0.35)
    return img, mark(palette, logo, 92, plate=True)


def _footer(spec: ImageSpec, width: float) -> Fitted | None:
    """ "organiser | date" on one line; glyphs checked per field for clear errors."""
    parts = []
    for field in ("organiser", "date_text"):
        text = spec_text(spec, field)
        if text:
            check_glyphs(text, load_font(16, spec.font_path, spec.font_index), field)
            parts.append(text)
    if not parts:
        return None
    return fit_text(
        "  |  ".join(parts),
        spec.font_path,
        spec.font_index,
        (width, 30),
        21,
        14,
        1.2,
        1,
        field="organiser",
    )


def draw_cover(spec: ImageSpec) -> Image.Image:
    """Mark, kicker, title, slogan and footer, centred as one group in the safe area."""
    palette = parse_palette(spec.colours)
    w, h = COVER_SIZE
    margin = 30
    x0, x1 = SQUARE_CROP[0] * w + margin, SQUARE_CROP[2] * w - margin
    y0, y1 = WIDE_CROP[1] * h + margin, WIDE_CROP[3] * h - margin
    col_w = x1 - x0

    base, emblem = _cover_base(palette, file_key(spec.logo), file_key(spec.photo))
    kicker = fit_field(spec, "kicker", (col_w * 0.8, 40), 24, 16)
    slogan = fit_field(spec, "slogan", (col_w, 40), 30, 18)
    footer = _footer(spec, col_w)

    gap = {"mark": 16, "kicker": 24, "title": 34, "slogan": 16}
    fixed = emblem.height + gap["mark"] + gap["title"]
    if kicker:
        fixed += pill_height(kicker[0]) + gap["kicker"]
    if slogan:
        fixed += text_height(slogan[0], 1, 1.2) + (gap["slogan"] if footer else 0)
    if footer:
        fixed += text_height(footer[0], 1, 1.2)
    title_box = (col_w, min(230.0, y1 - y0 - fixed))
    title = fit_field(spec, "title", title_box, 72, 28, spacing=1.24, max_lines=3, bold=True)
    assert title is not None
    total = fixed + text_height(title[0], len(title[1]), 1.24)
    y = y0 + max(0.0, (y1 - y0 - total) / 2)

    img = base.copy()
    img.paste(emblem, (round(w / 2 - emblem.width / 2), round(y)), emblem)
    y += emblem.height + gap["mark"]
    if kicker:
        y = draw_kicker(img, kicker, w / 2, y, palette, centre=True) + gap["kicker"]
    y = (
        draw_lines(
            img, title[1], title[0], x0, y, col_w, palette.on_primary, spacing=1.24, bold=True
        )
        + gap["title"]
    )
    bar_y = round(y - gap["title"] / 2)
    ImageDraw.Draw(img).rectangle(
        (w // 2 - 28, bar_y - 1, w // 2 + 28, bar_y + 1), fill=palette.accent
    )
    if slogan:
        y = (
            draw_lines(img, slogan[1], slogan[0], x0, y, col_w, palette.accent, spacing=1.2)
            + gap["slogan"]
        )
    if footer:
        muted = mix(palette.on_primary, palette.primary, 0.22)
        draw_lines(img, footer[1], footer[0], x0, y, col_w, muted, spacing=1.2)
    return img
