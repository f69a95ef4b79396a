"""Draw the sample campaign's images (run once; the PNGs are committed).

The images carry no facts beyond the posts' own text: the activity's name from the
campaign notice, a few sample bottles and a play mark for the livestream; for the 贴图
of activity 五, three picture cards that quote the notice's own words. No photos,
people, times, places, figures or charts.
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


# Activity 五 of the notice, in its own words: one card per phrase (贴图 pictures, 3:4).
EPIDEMIC_CARDS = (
    ("epidemic-results.png", "展示检验检测认证行业", "疫情防控成果"),
    ("epidemic-work.png", "工作战绩 有效举措", "奉献精神"),
    ("epidemic-defence.png", "众志成城筑牢防线", "宣传疫情防控正能量"),
)


def epidemic_cards() -> None:
    for name, top, bottom in EPIDEMIC_CARDS:
        img = Image.new("RGB", (900, 1200), PALE)
        d = ImageDraw.Draw(img)
        # A shield: protection (防控), drawn plainly.
        d.polygon([(450, 180), (650, 260), (630, 520), (450, 680), (270, 520), (250, 260)],
                  outline=GREEN, width=14)
        d.line([(360, 430), (430, 500), (560, 360)], fill=GOLD, width=22)
        d.text((450, 820), top, font=font(54), fill=GREEN, anchor="mm")
        d.text((450, 910), bottom, font=font(54), fill=GREEN, anchor="mm")
        d.rectangle((0, 1140, 900, 1200), fill=GREEN)
        img.save(HERE / name, optimize=True)


if __name__ == "__main__":
    lab()
    epidemic_cards()
