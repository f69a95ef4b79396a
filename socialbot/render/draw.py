"""Decoration drawn with Pillow: gradients, light, rings, leaves, dots, hills and the emblem.

ImageDraw shapes are aliased, so shapes are drawn into an oversized mask and
shrunk (``aa_mask``) before being painted in a theme colour.  None of this
depends on the post text, which lets the cover and poster cache their
backgrounds per theme.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

from socialbot.render.inputs import FileKey, fit_logo
from socialbot.render.palette import RGB, Palette, mix, parse_palette


def gradient(size: tuple[int, int], start: RGB, end: RGB, tilt: float = 0.35) -> Image.Image:
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


def glow(
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


def aa_mask(
    size: tuple[int, int], draw: Callable[[ImageDraw.ImageDraw, int], None], scale: int = 3
) -> Image.Image:
    """Antialiased L mask: ImageDraw shapes are aliased, so draw big and shrink."""
    big = Image.new("L", (size[0] * scale, size[1] * scale))
    draw(ImageDraw.Draw(big), scale)
    return big.reduce(scale)


def paint(
    img: Image.Image,
    mask: Image.Image,
    colour: RGB,
    at: tuple[int, int] = (0, 0),
    opacity: float = 1.0,
) -> None:
    if opacity < 1.0:
        mask = mask.point(lambda v: round(v * opacity))
    img.paste(Image.new("RGB", mask.size, colour), at, mask)


def rings(
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

    paint(img, aa_mask(img.size, draw, 2), colour, opacity=opacity)


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


def leaves(
    img: Image.Image, specs: Sequence[tuple[float, float, float, float, RGB, float]]
) -> None:
    """Leaves (x, y, length, angle, colour, opacity): the green-development motif."""
    for x, y, length, angle, colour, opacity in specs:
        mask = aa_mask(
            img.size,
            lambda d, s, x=x, y=y, length=length, angle=angle: d.polygon(
                [(px * s, py * s) for px, py in _leaf_points((x, y), length, angle)], fill=255
            ),
        )
        paint(img, mask, colour, opacity=opacity)


def dots(
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

    paint(img, aa_mask(img.size, draw, 2), colour, opacity=opacity)


def pill(img: Image.Image, box: tuple[int, int, int, int], colour: RGB) -> None:
    x0, y0, x1, y1 = box
    size = (x1 - x0, y1 - y0)
    mask = aa_mask(
        size,
        lambda d, s: d.rounded_rectangle(
            (0, 0, size[0] * s - 1, size[1] * s - 1), radius=size[1] * s // 2, fill=255
        ),
        4,
    )
    paint(img, mask, colour, (x0, y0))


def wave(
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

    return aa_mask(size, draw, 2)


@functools.lru_cache(maxsize=16)
def _emblem(size: int, palette: Palette) -> Image.Image:
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
    green = mix(palette.primary, (120, 200, 90), 0.35)
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
    return _emblem(size, parse_palette(colours)).copy()


def mark(palette: Palette, logo: FileKey | None, size: int, plate: bool) -> Image.Image:
    """The emblem, or the staff logo (on a light plate when over a dark background)."""
    if logo is None:
        return _emblem(size, palette)
    fitted = fit_logo(logo, (round(size * 2.4), size))
    if not plate:
        return fitted
    pad = max(8, size // 8)
    w, h = fitted.width + 2 * pad, fitted.height + 2 * pad
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    mask = aa_mask(
        (w, h),
        lambda d, s: d.rounded_rectangle((0, 0, w * s - 1, h * s - 1), radius=pad * s, fill=255),
        3,
    )
    out.paste(Image.new("RGBA", (w, h), (*palette.secondary, 255)), (0, 0), mask)
    out.alpha_composite(fitted, (pad, pad))
    return out
