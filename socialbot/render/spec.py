"""What a campaign image shows (``ImageSpec``) and where the cover's crops fall.

Its own module so that the layouts (``cover``, ``poster``) and ``lettering`` can name the
spec without importing ``images``, which imports them: imports run one way
(images -> cover/poster -> lettering -> here).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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


COVER_SIZE = (1200, 675)
CROP_RATIO_WIDE = 2.35

Crop = tuple[float, float, float, float]  # x1, y1, x2, y2 as fractions of the image


def _crop_boxes(size: tuple[int, int]) -> tuple[Crop, Crop]:
    w, h = size
    band = min(h, w / CROP_RATIO_WIDE)
    wide = (0.0, (h - band) / 2 / h, 1.0, (h + band) / 2 / h)
    side = min(w, h)
    square = ((w - side) / 2 / w, (h - side) / 2 / h, (w + side) / 2 / w, (h + side) / 2 / h)
    return wide, square


WIDE_CROP, SQUARE_CROP = _crop_boxes(COVER_SIZE)
