"""Draw the sample campaign's in-article images (run once; the PNGs are committed).

The chart is an illustration for the sample report post, labelled 示意 (schematic):
it shows no real statistics.
"""

from __future__ import annotations

from pathlib import Path

from noto_cjk_sans_otc import FONT_PATH
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
GREEN, PALE, GOLD, GREY = "#0b6e4f", "#e9f4ee", "#f2a900", "#555555"


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, index=2)


def chart() -> None:
    img = Image.new("RGB", (900, 560), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 28), "检验检测认证行业发展趋势（示意）", font=font(34), fill=GREEN)
    bars = [("2017", 0.55), ("2018", 0.62), ("2019", 0.70), ("2020", 0.78), ("2021", 0.90)]
    base, top, left = 470, 120, 90
    d.line((left - 10, base, 860, base), fill=GREY, width=2)
    for i, (label, share) in enumerate(bars):
        x = left + i * 150
        y = base - int((base - top) * share)
        d.rounded_rectangle((x, y, x + 90, base), radius=6, fill=GOLD if label == "2021" else GREEN)
        d.text((x + 45, base + 14), label, font=font(24), fill=GREY, anchor="ma")
    d.text((40, 520), "图为示意，具体数据以正式发布的报告为准", font=font(20), fill=GREY)
    img.save(HERE / "report-2021-chart.png", optimize=True)


def lab() -> None:
    img = Image.new("RGB", (900, 500), PALE)
    d = ImageDraw.Draw(img)
    for i, x in enumerate(range(120, 800, 170)):
        d.rounded_rectangle((x, 250, x + 110, 420), radius=10, outline=GREEN, width=6)
        level = 330 + (i % 3) * 20
        d.rectangle((x + 8, level, x + 102, 412), fill=GOLD if i % 2 else GREEN)
        d.rectangle((x + 35, 200, x + 75, 252), outline=GREEN, width=6)
    d.ellipse((380, 60, 520, 200), outline=GREEN, width=8)
    d.line((450, 90, 450, 130), fill=GREEN, width=8)
    d.line((450, 130, 480, 150), fill=GREEN, width=8)
    d.text((450, 455), "实验室“云开放”", font=font(30), fill=GREEN, anchor="mm")
    img.save(HERE / "lab-open-day.png", optimize=True)


if __name__ == "__main__":
    chart()
    lab()
