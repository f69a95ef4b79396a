"""Turn WeChat's normalised crop rectangles into CSS that shows exactly that crop."""

from __future__ import annotations


def parse_crop(value: str) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in value.split("_"))
    return x1, y1, x2, y2


def crop_style(value: str) -> str:
    """Style for an <img> inside a box of the crop's aspect ratio (overflow hidden)."""
    x1, y1, x2, y2 = parse_crop(value)
    w, h = x2 - x1, y2 - y1
    return (
        f"position:absolute;width:{100 / w:.4f}%;height:{100 / h:.4f}%;"
        f"left:{-100 * x1 / w:.4f}%;top:{-100 * y1 / h:.4f}%;max-width:none"
    )

