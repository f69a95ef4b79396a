"""Theme colours for the campaign images, and the contrast rules for text on them.

Staff pick three colours in the settings; everything else (the deep background
tone, text colours that stay readable on each fill) is derived here so the
cover, the poster and the emblem always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import ImageColor

from socialbot.render.fonts import ImageError

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Hashable, so drawings that depend only on the theme can be cached by it."""

    primary: RGB
    secondary: RGB
    accent: RGB

    @property
    def deep(self) -> RGB:
        """Primary pulled towards navy: green for growth, blue for trust."""
        return mix(self.primary, (8, 32, 64), 0.6)

    @property
    def on_primary(self) -> RGB:
        return readable(self.primary, self.secondary, (20, 24, 28))

    @property
    def on_accent(self) -> RGB:
        return readable(self.accent, (255, 255, 255), mix(self.deep, (0, 0, 0), 0.3))

    @property
    def on_secondary(self) -> RGB:
        return readable(self.secondary, mix(self.deep, (0, 0, 0), 0.2), (255, 255, 255))


def parse_palette(colours: Sequence[str]) -> Palette:
    """Parse the (primary, secondary, accent) setting; a bad value names the field."""
    try:
        primary, secondary, accent = (ImageColor.getrgb(str(c))[:3] for c in colours)
    except (ValueError, TypeError) as exc:
        raise ImageError(
            f"主题色设置有误：{list(colours)!r}，需要三个颜色值（主色、辅色、强调色），"
            "例如 #0b6e4f、#f2f7f2、#f5a623",
            field="colours",
            detail=colours,
        ) from exc
    return Palette(primary, secondary, accent)


def mix(a: RGB, b: RGB, t: float) -> RGB:
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


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(bg: RGB, preferred: RGB, fallback: RGB) -> RGB:
    """``preferred`` text colour on ``bg`` unless it is too faint to read."""
    return preferred if contrast(bg, preferred) >= 3.0 else fallback
