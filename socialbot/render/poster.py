"""Layout of the Weibo poster: portrait 1080x1440 with a large auto-fitted title.

The title and slogan are centred in the upper region; date and organiser sit
on the light hills at the bottom next to the emblem or logo.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from socialbot.render.draw import dots, glow, gradient, leaves, mark, paint, rings, wave
from socialbot.render.inputs import FileKey, duotone_photo, file_key
from socialbot.render.lettering import draw_kicker, draw_lines, fit_field, text_height
from socialbot.render.palette import Palette, contrast, mix, parse_palette

if TYPE_CHECKING:
    from socialbot.render.spec import ImageSpec

POSTER_SIZE = (1080, 1440)


@functools.lru_cache(maxsize=6)
def _poster_base(palette: Palette, logo: FileKey | None, photo: FileKey | None) -> Image.Image:
    """Background, hills and mark of the poster; independent of the post text."""
    w, h = POSTER_SIZE
    img = gradient(POSTER_SIZE, mix(palette.primary, (255, 255, 255), 0.05), palette.deep, tilt=0.7)
    if photo is not None:
        shot = Image.blend(duotone_photo(photo, (w, 900), palette), img.crop((0, 0, w, 900)), 0.45)
        fade = (
            Image.linear_gradient("L").resize((1, 400)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        )
        mask = Image.new("L", (w, 900), 255)
        mask.paste(fade.resize((w, 400)), (0, 500))
        img.paste(shot, (0, 0), mask)
    glow(img, (w // 2, 640), (620, 520), mix(palette.primary, (255, 255, 255), 0.3), 0.18)
    light = mix(palette.secondary, (255, 255, 255), 0.5)
    rings(img, (w - 60, 90), [120, 190, 260, 330, 400, 470], 2.6, light, 0.25)
    dots(img, (w - 250, 300), 7, 3, 26, 3.5, light, 0.3)

    panel_top = 1170
    hills = (w, h - panel_top + 30)
    back = wave(hills, 40, 26, 0.8, 0.6)
    paint(img, back, mix(palette.primary, (150, 215, 110), 0.45), (0, panel_top - 30))
    front = wave(hills, 62, 22, 1.1, 2.4)
    paint(img, front, palette.secondary, (0, panel_top - 30))
    leaves(
        img,
        [
            (w - 150, panel_top + 10, 120, 70, mix(palette.primary, (150, 215, 110), 0.5), 0.9),
            (w - 146, panel_top + 12, 95, 125, palette.accent, 0.85),
        ],
    )
    emblem = mark(palette, logo, 150, plate=False)
    mx = w - 84 - emblem.width
    my = h - 72 - emblem.height
    img.paste(emblem, (mx, my), emblem)
    return img


def draw_poster(spec: ImageSpec) -> Image.Image:
    """Kicker top left, title and slogan centred in the upper region, details on the hills."""
    palette = parse_palette(spec.colours)
    w = POSTER_SIZE[0]
    margin = 84
    col_w = w - 2 * margin
    kicker = fit_field(spec, "kicker", (col_w * 0.7, 60), 38, 24)
    title = fit_field(spec, "title", (col_w, 560), 118, 56, spacing=1.22, max_lines=5, bold=True)
    slogan = fit_field(spec, "slogan", (col_w, 130), 50, 30, spacing=1.3, max_lines=2)
    date = fit_field(spec, "date_text", (col_w - 240, 60), 44, 26, bold=True)
    organiser = fit_field(spec, "organiser", (col_w - 240, 90), 34, 22, max_lines=2)
    assert title is not None

    img = _poster_base(palette, file_key(spec.logo), file_key(spec.photo)).copy()
    if kicker:
        draw_kicker(img, kicker, margin, 104, palette, centre=False)

    bar_gap, slogan_gap = 56, 40
    group = text_height(title[0], len(title[1]), 1.22)
    if slogan:
        group += bar_gap + 8 + slogan_gap + text_height(slogan[0], len(slogan[1]), 1.3)
    region_top, region_bottom = 230, 1130
    y = region_top + max(0.0, (region_bottom - region_top - group) / 2)
    y = draw_lines(
        img,
        title[1],
        title[0],
        margin,
        y,
        col_w,
        palette.on_primary,
        spacing=1.22,
        align="left",
        bold=True,
    )
    if slogan:
        y += bar_gap
        ImageDraw.Draw(img).rectangle(
            (margin, round(y), margin + 96, round(y) + 8), fill=palette.accent
        )
        draw_lines(
            img,
            slogan[1],
            slogan[0],
            margin,
            y + 8 + slogan_gap,
            col_w,
            palette.accent,
            spacing=1.3,
            align="left",
        )

    ink = palette.on_secondary
    y = 1262.0
    if date:
        y = (
            draw_lines(
                img,
                date[1],
                date[0],
                margin,
                y,
                col_w,
                palette.deep if contrast(palette.secondary, palette.deep) >= 3 else ink,
                spacing=1.2,
                align="left",
                bold=True,
            )
            + 26
        )
    if organiser:
        draw_lines(
            img,
            organiser[1],
            organiser[0],
            margin,
            y,
            col_w,
            mix(ink, palette.secondary, 0.15),
            spacing=1.25,
            align="left",
        )
    return img
