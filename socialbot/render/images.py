"""Campaign images drawn with Pillow: the WeChat cover and the Weibo poster.

Everything that does not depend on the post text (gradient, decoration,
photo, emblem or logo) is drawn once per theme and cached, so a post render
only typesets and encodes.  Text is auto-fitted to its box and checked for
glyphs the font lacks: an image either reads correctly or fails with a clear
Chinese message naming the field or file, never with tofu boxes.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from socialbot.limits import WECHAT_COVER_MAX_BYTES, WEIBO_IMAGE_MAX_BYTES
from socialbot.render.fonts import (
    ImageError,
    check_glyphs,
    field_label,
    load_font,
    normalise_text,
)
from socialbot.render.typeset import fit_text, ink_extent, optical_trim

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

COVER_SIZE = (1200, 675)
POSTER_SIZE = (1080, 1440)
CROP_RATIO_WIDE = 2.35

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class ImageSpec:
    """Everything drawn on a campaign image."""

    title: str
    slogan: str
    date_text: str
    organiser: str
    kicker: str
    colours: tuple[str, str, str]  # (primary, secondary, accent) as hex
    logo: Path | None = None  # staff logo (PNG with alpha); None draws the emblem
    photo: Path | None = None  # staff photo used as a tinted background
    font_path: Path | None = None  # font override (TTF/OTF/TTC)
    font_index: int | None = None  # face inside a TTC override; default 0


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


# --------------------------------------------------------------------------- colours


@dataclass(frozen=True)
class _Palette:
    primary: RGB
    secondary: RGB
    accent: RGB

    @property
    def deep(self) -> RGB:
        """Primary pulled towards navy: green for growth, blue for trust."""
        return _mix(self.primary, (8, 32, 64), 0.6)

    @property
    def on_primary(self) -> RGB:
        return _readable(self.primary, self.secondary, (20, 24, 28))

    @property
    def on_accent(self) -> RGB:
        return _readable(self.accent, (255, 255, 255), _mix(self.deep, (0, 0, 0), 0.3))

    @property
    def on_secondary(self) -> RGB:
        return _readable(self.secondary, _mix(self.deep, (0, 0, 0), 0.2), (255, 255, 255))


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _luminance(c: RGB) -> float:
    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def _contrast(a: RGB, b: RGB) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _readable(bg: RGB, preferred: RGB, fallback: RGB) -> RGB:
    """``preferred`` text colour on ``bg`` unless it is too faint to read."""
    return preferred if _contrast(bg, preferred) >= 3.0 else fallback


def _palette(colours: Sequence[str]) -> _Palette:
    try:
        primary, secondary, accent = (ImageColor.getrgb(str(c))[:3] for c in colours)
    except (ValueError, TypeError) as exc:
        raise ImageError(
            f"主题色设置有误：{list(colours)!r}，需要三个颜色值（主色、辅色、强调色），"
            "例如 #0b6e4f、#f2f7f2、#f5a623",
            field="colours",
            detail=colours,
        ) from exc
    return _Palette(primary, secondary, accent)


# ------------------------------------------------------------------- drawing helpers


def _gradient(size: tuple[int, int], start: RGB, end: RGB, tilt: float = 0.35) -> Image.Image:
    """Diagonal linear gradient; built small and upscaled, which is exact for a ramp."""
    w, h = 64, 36
    mask = Image.new("L", (w, h))
    mask.putdata(
        [
            round(255 * ((x / (w - 1)) * (1 - tilt) + (y / (h - 1)) * tilt))
            for y in range(h)
            for x in range(w)
        ]
    )
    mask = mask.resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)


def _glow(
    img: Image.Image, centre: tuple[int, int], radii: tuple[int, int], colour: RGB, strength: float
) -> None:
    """Soft radial light, used to lift the area behind the title."""
    rx, ry = radii
    # radial_gradient reaches 181 on the inscribed circle and 255 in the corners.
    alpha = (
        Image.radial_gradient("L")
        .point(lambda v: round(255 * strength * max(0.0, 1 - v / 181) ** 1.6))
        .resize((2 * rx, 2 * ry), Image.Resampling.BILINEAR)
    )
    img.paste(Image.new("RGB", alpha.size, colour), (centre[0] - rx, centre[1] - ry), alpha)


def _aa_mask(
    size: tuple[int, int], draw: Callable[[ImageDraw.ImageDraw, int], None], scale: int = 3
) -> Image.Image:
    """Antialiased L mask: ImageDraw shapes are aliased, so draw big and shrink."""
    big = Image.new("L", (size[0] * scale, size[1] * scale))
    draw(ImageDraw.Draw(big), scale)
    return big.reduce(scale)


def _paint(
    img: Image.Image,
    mask: Image.Image,
    colour: RGB,
    at: tuple[int, int] = (0, 0),
    opacity: float = 1.0,
) -> None:
    if opacity < 1.0:
        mask = mask.point(lambda v: round(v * opacity))
    img.paste(Image.new("RGB", mask.size, colour), at, mask)


def _rings(
    img: Image.Image,
    centre: tuple[float, float],
    radii: Sequence[float],
    width: float,
    colour: RGB,
    opacity: float,
) -> None:
    """Concentric rings: ripples of trust spreading from the accreditation mark."""

    def draw(d: ImageDraw.ImageDraw, s: int) -> None:
        cx, cy = centre
        for i, r in enumerate(radii):
            fade = 255 - i * 160 // max(len(radii), 1)
            d.ellipse(
                ((cx - r) * s, (cy - r) * s, (cx + r) * s, (cy + r) * s),
                outline=fade,
                width=round(width * s),
            )

    _paint(img, _aa_mask(img.size, draw, 2), colour, opacity=opacity)


def _leaf_points(
    base: tuple[float, float], length: float, angle: float, bulge: float = 0.32
) -> list[tuple[float, float]]:
    """Polygon of a pointed leaf from ``base``, ``angle`` in degrees (0 = right)."""
    a = math.radians(angle)
    ux, uy = math.cos(a), -math.sin(a)
    nx, ny = -uy, ux
    pts = []
    for side in (1, -1):
        for i in range(17):
            t = i / 16 if side == 1 else 1 - i / 16
            off = side * bulge * length * math.sin(math.pi * t) ** 0.9
            pts.append((base[0] + ux * length * t + nx * off, base[1] + uy * length * t + ny * off))
    return pts


def _leaves(
    img: Image.Image, specs: Sequence[tuple[float, float, float, float, RGB, float]]
) -> None:
    """Leaves (x, y, length, angle, colour, opacity): the green-development motif."""
    for x, y, length, angle, colour, opacity in specs:
        mask = _aa_mask(
            img.size,
            lambda d, s, x=x, y=y, length=length, angle=angle: d.polygon(
                [(px * s, py * s) for px, py in _leaf_points((x, y), length, angle)], fill=255
            ),
        )
        _paint(img, mask, colour, opacity=opacity)


def _dots(
    img: Image.Image,
    origin: tuple[int, int],
    cols: int,
    rows: int,
    step: int,
    radius: float,
    colour: RGB,
    opacity: float,
) -> None:
    def draw(d: ImageDraw.ImageDraw, s: int) -> None:
        for r in range(rows):
            for c in range(cols):
                x, y = origin[0] + c * step, origin[1] + r * step
                d.ellipse(
                    ((x - radius) * s, (y - radius) * s, (x + radius) * s, (y + radius) * s),
                    fill=255,
                )

    _paint(img, _aa_mask(img.size, draw, 2), colour, opacity=opacity)


def _pill(img: Image.Image, box: tuple[int, int, int, int], colour: RGB) -> None:
    x0, y0, x1, y1 = box
    size = (x1 - x0, y1 - y0)
    mask = _aa_mask(
        size,
        lambda d, s: d.rounded_rectangle(
            (0, 0, size[0] * s - 1, size[1] * s - 1), radius=size[1] * s // 2, fill=255
        ),
        4,
    )
    _paint(img, mask, colour, (x0, y0))


@functools.lru_cache(maxsize=16)
def _emblem(size: int, palette: _Palette) -> Image.Image:
    """Drawn "认可" badge: accent ring, light disc, check mark growing a leaf."""
    s = 4
    n = size * s
    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((0, 0, n - 1, n - 1), fill=palette.accent)
    inset = round(n * 0.075)
    d.ellipse((inset, inset, n - 1 - inset, n - 1 - inset), fill=(255, 255, 255))
    inner = round(n * 0.14)
    d.ellipse(
        (inner, inner, n - 1 - inner, n - 1 - inner),
        outline=palette.primary,
        width=max(1, round(n * 0.022)),
    )
    green = _mix(palette.primary, (120, 200, 90), 0.35)
    d.polygon(_leaf_points((n * 0.56, n * 0.40), n * 0.24, 58, 0.36), fill=green)
    check = [(n * 0.30, n * 0.52), (n * 0.44, n * 0.665), (n * 0.70, n * 0.36)]
    stroke = round(n * 0.085)
    d.line(check, fill=palette.deep, width=stroke, joint="curve")
    for x, y in (check[0], check[-1]):
        d.ellipse(
            (x - stroke / 2, y - stroke / 2, x + stroke / 2, y + stroke / 2), fill=palette.deep
        )
    return img.resize((size, size), Image.Resampling.LANCZOS)


def draw_emblem(size: int, colours: Sequence[str]) -> Image.Image:
    """The drawn campaign emblem as an RGBA image (also used by assets/make_assets.py)."""
    return _emblem(size, _palette(colours)).copy()


# ------------------------------------------------------------------------ file inputs


def _file_key(path: Path | str | None) -> tuple[str, int, int] | None:
    """Cache key that changes when staff replace the file."""
    if path is None:
        return None
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except OSError:
        return (p, -1, -1)
    return (p, st.st_mtime_ns, st.st_size)


def _open_image(
    key: tuple[str, int, int], field: str, draft: tuple[int, int] | None = None
) -> Image.Image:
    path = key[0]
    label = field_label(field)
    if key[1] < 0 or not os.path.isfile(path):
        raise ImageError(f"{label}文件不存在：{path}", field=field, detail=path)
    try:
        with Image.open(path) as im:
            if draft and im.format == "JPEG":
                im.draft("RGB", draft)  # decode big camera JPEGs at reduced scale
            im.load()
            return ImageOps.exif_transpose(im)
    except (
        OSError,
        UnidentifiedImageError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ImageError(
            f"{label}文件无法读取：{path}（文件已损坏或不是受支持的图片格式）",
            field=field,
            detail=path,
        ) from exc


def _fit_logo(key: tuple[str, int, int], box: tuple[int, int]) -> Image.Image:
    logo = _open_image(key, "logo").convert("RGBA")
    logo.thumbnail(box, Image.Resampling.LANCZOS)
    return logo


@functools.lru_cache(maxsize=8)
def _photo(key: tuple[str, int, int], size: tuple[int, int], palette: _Palette) -> Image.Image:
    """Staff photo cover-fitted and toned in the theme colours (duotone).

    Any photo then sits calmly behind white text, and the image keeps the
    campaign look whatever colours the photo had.
    """
    img = _open_image(key, "photo", draft=size).convert("L")
    img = ImageOps.fit(img, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    img = ImageOps.autocontrast(img, cutoff=1)
    light = _mix(palette.primary, (255, 255, 255), 0.4)
    return ImageOps.colorize(img, black=_mix(palette.deep, (0, 0, 0), 0.4), white=light)


def _mark(
    palette: _Palette, logo: tuple[str, int, int] | None, size: int, plate: bool
) -> Image.Image:
    """The emblem, or the staff logo (on a light plate when over a dark background)."""
    if logo is None:
        return _emblem(size, palette)
    fitted = _fit_logo(logo, (round(size * 2.4), size))
    if not plate:
        return fitted
    pad = max(8, size // 8)
    w, h = fitted.width + 2 * pad, fitted.height + 2 * pad
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    mask = _aa_mask(
        (w, h),
        lambda d, s: d.rounded_rectangle((0, 0, w * s - 1, h * s - 1), radius=pad * s, fill=255),
        3,
    )
    out.paste(Image.new("RGBA", (w, h), (*palette.secondary, 255)), (0, 0), mask)
    out.alpha_composite(fitted, (pad, pad))
    return out


# ------------------------------------------------------------------------------- text


def _text(spec: ImageSpec, field: str) -> str:
    return normalise_text(str(getattr(spec, field) or "")).strip()


def _draw_lines(
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


def _height(font: ImageFont.FreeTypeFont, n: int, spacing: float) -> float:
    top, bottom = ink_extent(font)
    return bottom - top + (n - 1) * font.size * spacing


def _fit(
    spec: ImageSpec,
    field: str,
    box: tuple[float, float],
    max_size: int,
    min_size: int,
    spacing: float = 1.25,
    max_lines: int = 1,
    bold: bool = False,
) -> tuple[ImageFont.FreeTypeFont, list[str]] | None:
    text = _text(spec, field)
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


def _kicker(
    img: Image.Image,
    fitted: tuple[ImageFont.FreeTypeFont, list[str]],
    x: float,
    top: float,
    palette: _Palette,
    centre: bool,
) -> float:
    """Accent pill holding the kicker; returns its bottom."""
    font, lines = fitted
    text_w = font.getlength(lines[0])
    pad_x, pad_y = font.size * 0.75, font.size * 0.42
    ink_top, ink_bottom = ink_extent(font)
    w = round(text_w + 2 * pad_x)
    h = round(ink_bottom - ink_top + 2 * pad_y)
    x0 = round(x - w / 2) if centre else round(x)
    _pill(img, (x0, round(top), x0 + w, round(top) + h), palette.accent)
    _draw_lines(
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


# ------------------------------------------------------------------------------ cover


def _crop_boxes(size: tuple[int, int]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    w, h = size
    band = min(h, w / CROP_RATIO_WIDE)
    wide = (0.0, (h - band) / 2 / h, 1.0, (h + band) / 2 / h)
    side = min(w, h)
    square = ((w - side) / 2 / w, (h - side) / 2 / h, (w + side) / 2 / w, (h + side) / 2 / h)
    return wide, square


@functools.lru_cache(maxsize=6)
def _cover_base(
    palette: _Palette, logo: tuple[str, int, int] | None, photo: tuple[str, int, int] | None
) -> tuple[Image.Image, Image.Image]:
    """Background and mark of the cover; independent of the post text."""
    w, h = COVER_SIZE
    img = _gradient(COVER_SIZE, _mix(palette.primary, (255, 255, 255), 0.04), palette.deep)
    if photo is not None:
        img = Image.blend(_photo(photo, COVER_SIZE, palette), img, 0.5)
    _glow(img, (w // 2, h // 2), (520, 360), _mix(palette.primary, (255, 255, 255), 0.35), 0.22)
    light = _mix(palette.secondary, (255, 255, 255), 0.5)
    _rings(img, (70, h - 70), [110, 165, 220, 275, 330], 2.2, light, 0.28)
    leaf = _mix(palette.primary, (150, 215, 110), 0.55)
    _leaves(
        img,
        [
            (1080, 250, 150, 100, leaf, 0.55),
            (1085, 250, 120, 55, leaf, 0.40),
            (1075, 252, 105, 145, palette.accent, 0.55),
        ],
    )
    _dots(img, (1010, 440), 6, 4, 22, 3, light, 0.35)
    return img, _mark(palette, logo, 92, plate=True)


def make_cover(spec: ImageSpec) -> CoverImage:
    """WeChat cover (1200x675 JPEG) that reads both as 2.35:1 and as 1:1.

    The emblem, kicker, title, slogan and footer all sit in the intersection
    of the central 2.35:1 band and the central square, so neither crop cuts
    text; the wings and edges carry decoration only.
    """
    palette = _palette(spec.colours)
    wide, square = _crop_boxes(COVER_SIZE)
    w, h = COVER_SIZE
    margin = 30
    x0, x1 = square[0] * w + margin, square[2] * w - margin
    y0, y1 = wide[1] * h + margin, wide[3] * h - margin
    col_w = x1 - x0

    base, mark = _cover_base(palette, _file_key(spec.logo), _file_key(spec.photo))
    kicker = _fit(spec, "kicker", (col_w * 0.8, 40), 24, 16)
    slogan = _fit(spec, "slogan", (col_w, 40), 30, 18)
    footer = _cover_footer(spec, col_w)

    gap = {"mark": 16, "kicker": 24, "title": 34, "slogan": 16}
    fixed = mark.height + gap["mark"] + gap["title"]
    if kicker:
        fixed += _pill_height(kicker[0]) + gap["kicker"]
    if slogan:
        fixed += _height(slogan[0], 1, 1.2) + (gap["slogan"] if footer else 0)
    if footer:
        fixed += _height(footer[0], 1, 1.2)
    title_box = (col_w, min(230.0, y1 - y0 - fixed))
    title = _fit(spec, "title", title_box, 72, 28, spacing=1.24, max_lines=3, bold=True)
    assert title is not None
    total = fixed + _height(title[0], len(title[1]), 1.24)
    y = y0 + max(0.0, (y1 - y0 - total) / 2)

    img = base.copy()
    img.paste(mark, (round(w / 2 - mark.width / 2), round(y)), mark)
    y += mark.height + gap["mark"]
    if kicker:
        y = _kicker(img, kicker, w / 2, y, palette, centre=True) + gap["kicker"]
    y = (
        _draw_lines(
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
            _draw_lines(img, slogan[1], slogan[0], x0, y, col_w, palette.accent, spacing=1.2)
            + gap["slogan"]
        )
    if footer:
        muted = _mix(palette.on_primary, palette.primary, 0.22)
        _draw_lines(img, footer[1], footer[0], x0, y, col_w, muted, spacing=1.2)

    data, fmt = _encode(img, WECHAT_COVER_MAX_BYTES, "封面图片")
    return CoverImage(data, fmt, w, h, wide, square)  # type: ignore[arg-type]


def _pill_height(font: ImageFont.FreeTypeFont) -> float:
    top, bottom = ink_extent(font)
    return round(bottom - top + 2 * font.size * 0.42)


def _cover_footer(spec: ImageSpec, width: float) -> tuple[ImageFont.FreeTypeFont, list[str]] | None:
    """ "organiser | date" on one line; glyphs checked per field for clear errors."""
    parts = []
    for field in ("organiser", "date_text"):
        text = _text(spec, field)
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


# ----------------------------------------------------------------------------- poster


def _wave(
    size: tuple[int, int], level: float, amp: float, periods: float, phase: float
) -> Image.Image:
    """Mask filled below a sine wave: rolling green hills."""
    w, h = size

    def draw(d: ImageDraw.ImageDraw, s: int) -> None:
        pts = [
            (x * s, (level + amp * math.sin(2 * math.pi * periods * x / w + phase)) * s)
            for x in range(0, w + 8, 8)
        ]
        d.polygon([*pts, (w * s, h * s), (0, h * s)], fill=255)

    return _aa_mask(size, draw, 2)


@functools.lru_cache(maxsize=6)
def _poster_base(
    palette: _Palette, logo: tuple[str, int, int] | None, photo: tuple[str, int, int] | None
) -> Image.Image:
    w, h = POSTER_SIZE
    img = _gradient(
        POSTER_SIZE, _mix(palette.primary, (255, 255, 255), 0.05), palette.deep, tilt=0.7
    )
    if photo is not None:
        shot = Image.blend(_photo(photo, (w, 900), palette), img.crop((0, 0, w, 900)), 0.45)
        fade = (
            Image.linear_gradient("L").resize((1, 400)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        )
        mask = Image.new("L", (w, 900), 255)
        mask.paste(fade.resize((w, 400)), (0, 500))
        img.paste(shot, (0, 0), mask)
    _glow(img, (w // 2, 640), (620, 520), _mix(palette.primary, (255, 255, 255), 0.3), 0.18)
    light = _mix(palette.secondary, (255, 255, 255), 0.5)
    _rings(img, (w - 60, 90), [120, 190, 260, 330, 400, 470], 2.6, light, 0.25)
    _dots(img, (w - 250, 300), 7, 3, 26, 3.5, light, 0.3)

    panel_top = 1170
    hills = (w, h - panel_top + 30)
    back = _wave(hills, 40, 26, 0.8, 0.6)
    _paint(img, back, _mix(palette.primary, (150, 215, 110), 0.45), (0, panel_top - 30))
    front = _wave(hills, 62, 22, 1.1, 2.4)
    _paint(img, front, palette.secondary, (0, panel_top - 30))
    _leaves(
        img,
        [
            (w - 150, panel_top + 10, 120, 70, _mix(palette.primary, (150, 215, 110), 0.5), 0.9),
            (w - 146, panel_top + 12, 95, 125, palette.accent, 0.85),
        ],
    )
    mark = _mark(palette, logo, 150, plate=False)
    mx = w - 84 - mark.width
    my = h - 72 - mark.height
    img.paste(mark, (mx, my), mark)
    return img


def make_poster(spec: ImageSpec) -> PosterImage:
    """Weibo image: portrait 1080x1440 JPEG with a large auto-fitted title."""
    palette = _palette(spec.colours)
    w, h = POSTER_SIZE
    margin = 84
    col_w = w - 2 * margin
    kicker = _fit(spec, "kicker", (col_w * 0.7, 60), 38, 24)
    title = _fit(spec, "title", (col_w, 560), 118, 56, spacing=1.22, max_lines=5, bold=True)
    slogan = _fit(spec, "slogan", (col_w, 130), 50, 30, spacing=1.3, max_lines=2)
    date = _fit(spec, "date_text", (col_w - 240, 60), 44, 26, bold=True)
    organiser = _fit(spec, "organiser", (col_w - 240, 90), 34, 22, max_lines=2)
    assert title is not None

    img = _poster_base(palette, _file_key(spec.logo), _file_key(spec.photo)).copy()
    if kicker:
        _kicker(img, kicker, margin, 104, palette, centre=False)

    bar_gap, slogan_gap = 56, 40
    group = _height(title[0], len(title[1]), 1.22)
    if slogan:
        group += bar_gap + 8 + slogan_gap + _height(slogan[0], len(slogan[1]), 1.3)
    region_top, region_bottom = 230, 1130
    y = region_top + max(0.0, (region_bottom - region_top - group) / 2)
    y = _draw_lines(
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
        _draw_lines(
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
            _draw_lines(
                img,
                date[1],
                date[0],
                margin,
                y,
                col_w,
                palette.deep if _contrast(palette.secondary, palette.deep) >= 3 else ink,
                spacing=1.2,
                align="left",
                bold=True,
            )
            + 26
        )
    if organiser:
        _draw_lines(
            img,
            organiser[1],
            organiser[0],
            margin,
            y,
            col_w,
            _mix(ink, palette.secondary, 0.15),
            spacing=1.25,
            align="left",
        )

    data, fmt = _encode(img, WEIBO_IMAGE_MAX_BYTES, "微博配图")
    return PosterImage(data, fmt, w, h)


# ---------------------------------------------------------------------------- encoding


def _save(img: Image.Image, fmt: str, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        # 4:4:4 keeps coloured text edges crisp; the files stay well under limits.
        img.convert("RGB").save(buf, "JPEG", quality=quality, subsampling=0)
    else:
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _encode(img: Image.Image, max_bytes: int, source: str) -> tuple[bytes, str]:
    data = _save(img, "jpeg", 90)
    if len(data) <= max_bytes:
        return data, "jpeg"
    return fit_image_bytes(data, max_bytes=max_bytes, formats=("jpeg",), source=source)


def _has_alpha(img: Image.Image) -> bool:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        alpha = img.convert("RGBA").getchannel("A")
        return alpha.getextrema()[0] < 255
    return False


def fit_image_bytes(
    data: bytes, *, max_bytes: int, formats: Sequence[str] = ("jpeg", "png"), source: str = "图片"
) -> tuple[bytes, str]:
    """Re-encode an image until it is at most ``max_bytes``; returns (bytes, format).

    Data already small enough and in an allowed format is returned untouched.
    Otherwise JPEG quality steps down first (text stays sharp longer than
    when shrinking), then the image is downscaled by the size overshoot.
    Transparent images stay PNG when PNG is allowed.  ``source`` names the
    file or field in error messages.
    """
    allowed = [f.lower().replace("jpg", "jpeg") for f in formats]
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt = (im.format or "").lower()
            im.load()
            img = ImageOps.exif_transpose(im)
    except (
        OSError,
        UnidentifiedImageError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ImageError(
            f"{source}无法读取：文件已损坏或不是受支持的图片格式", field=source
        ) from exc
    if len(data) <= max_bytes and fmt in allowed:
        return data, fmt

    keep_png = "png" in allowed and (_has_alpha(img) or "jpeg" not in allowed)
    if keep_png:
        img = img.convert("RGBA" if _has_alpha(img) else "RGB")
    else:
        if _has_alpha(img):
            flat = Image.new("RGB", img.size, (255, 255, 255))
            flat.paste(img.convert("RGBA"), (0, 0), img.convert("RGBA"))
            img = flat
        img = img.convert("RGB")

    scale = 1.0
    for _ in range(12):
        frame = (
            img
            if scale >= 1.0
            else img.resize(
                (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                Image.Resampling.LANCZOS,
            )
        )
        if keep_png:
            tries = [
                _save(frame, "png"),
                _save(
                    frame.quantize(256)
                    if frame.mode == "RGB"
                    else frame.quantize(256, Image.Quantize.FASTOCTREE),
                    "png",
                ),
            ]
        else:
            tries = [_save(frame, "jpeg", q) for q in (88, 78, 68)]
        for out in tries:
            if len(out) <= max_bytes:
                return out, "png" if keep_png else "jpeg"
        smallest = min(len(t) for t in tries)
        scale *= min(0.9, math.sqrt(max_bytes / smallest) * 0.95)
        if min(frame.size) < 16:
            break
    raise ImageError(
        f"{source}无法压缩到 {max_bytes // 1024} KB 以内", field=source, detail=max_bytes
    )
