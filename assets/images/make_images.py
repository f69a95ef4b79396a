"""Draw the sample campaign's in-article image (run once; the PNG is committed).

The image carries no facts beyond the post's own text: the activity's name from the
campaign notice, a few sample bottles and a play mark for the livestream. No times,
places, figures or charts.
"""

from __future__ import annotations

from pathlib import Path

from noto_cjk_sans_otc import FONT_PATH
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
GREEN, PALE, GOLD = "#0b6e4f", "#e9f4ee", "#f2a900"


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, index=2)


def lab() -> None:
    img = Image.new("RGB", (900, 500), PALE)
    d = ImageDraw.Draw(img)
    for i, x in enumerate(range(120, 800, 170)):
        d.rounded_rectangle((x, 250, x + 110, 420), radius=10, outline=GREEN, width=6)
        level = 330 + (i % 3) * 20
        d.rectangle((x + 8, level, x + 102, 412), fill=GOLD if i % 2 else GREEN)
        d.rectangle((x + 35, 200, x + 75, 252), outline=GREEN, width=6)
    d.ellipse((380, 50, 520, 190), outline=GREEN, width=8)  # a play mark: the livestream
    d.polygon([(430, 85), (430, 155), (490, 120)], fill=GOLD)
    d.text((450, 455), "实验室“云开放”直播活动", font=font(30), fill=GREEN, anchor="mm")
    img.save(HERE / "lab-open-day.png", optimize=True)


if __name__ == "__main__":
    lab()
