"""Bar charts of reach (reads by activity, by unit) as PNG, drawn with Pillow.

Pillow and the bundled Noto Sans CJK face are already what the project draws covers
with, so the charts need no plotting library and look the same on every machine. A bar
whose figure was not collected is labelled 未采集 instead of drawn as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from socialbot.render.fonts import load_font

WIDTH = 1600
ROW = 60
TOP = 110
LABEL_WIDTH = 620
VALUE_SPACE = 170
INK = (33, 37, 41)
MUTED = (120, 120, 120)
BAR = (11, 110, 79)  # the campaign green
GRID = (225, 225, 225)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: not collected
    note: str = ""  # shown instead of a value when there is nothing to draw


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:  # type: ignore[no-untyped-def]
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def bar_chart(title: str, bars: list[Bar], path: Path, unit: str = "次") -> Path:
    """Horizontal bars, largest scale from the collected values; writes ``path`` (PNG)."""
    height = TOP + ROW * len(bars) + 40
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font, value_font = load_font(36), load_font(26), load_font(24)
    draw.text((40, 30), title, font=title_font, fill=INK)
    peak = max((b.value for b in bars if b.value), default=0)
    left = 40 + LABEL_WIDTH + 20
    span = WIDTH - left - VALUE_SPACE
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        middle = y + ROW // 2
        label = _fit(draw, bar.label, label_font, LABEL_WIDTH)
        draw.text((40 + LABEL_WIDTH, middle), label, font=label_font, fill=INK, anchor="rm")
        draw.line([(left, y + 4), (left, y + ROW - 4)], fill=GRID, width=2)
        if bar.value is None or (bar.value == 0 and bar.note):
            draw.text((left + 12, middle), bar.note or "未采集", font=value_font, fill=MUTED,
                      anchor="lm")
            continue
        length = round(span * bar.value / peak) if peak else 0
        if length:
            draw.rectangle([left, y + 12, left + length, y + ROW - 12], fill=BAR)
        draw.text((left + length + 12, middle), f"{bar.value}{unit}", font=value_font,
                  fill=INK, anchor="lm")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    return path
