"""Staff-supplied picture files: the logo and the background photo.

Files are cached by path, mtime and size, so a replaced file is picked up
without restarting, and a missing or broken file fails with a Chinese message
naming the field rather than a Pillow traceback.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from PIL import Image, ImageOps

from socialbot.render.encode import DECODE_ERRORS
from socialbot.render.fonts import ImageError, field_label
from socialbot.render.palette import Palette, mix

FileKey = tuple[str, int, int]


def file_key(path: Path | str | None) -> FileKey | None:
    """Cache key that changes when staff replace the file."""
    if path is None:
        return None
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except OSError:
        return (p, -1, -1)
    return (p, st.st_mtime_ns, st.st_size)


def _open_image(key: FileKey, field: str, draft: tuple[int, int] | None = None) -> Image.Image:
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
    except DECODE_ERRORS as exc:
        raise ImageError(
            f"{label}文件无法读取：{path}（文件已损坏或不是受支持的图片格式）",
            field=field,
            detail=path,
        ) from exc


def fit_logo(key: FileKey, box: tuple[int, int]) -> Image.Image:
    """The logo as RGBA, scaled down to fit ``box``."""
    logo = _open_image(key, "logo").convert("RGBA")
    logo.thumbnail(box, Image.Resampling.LANCZOS)
    return logo


@functools.lru_cache(maxsize=8)
def duotone_photo(key: FileKey, size: tuple[int, int], palette: Palette) -> Image.Image:
    """Staff photo cover-fitted and toned in the theme colours (duotone).

    Any photo then sits calmly behind white text, and the image keeps the
    campaign look whatever colours the photo had.
    """
    img = _open_image(key, "photo", draft=size).convert("L")
    img = ImageOps.fit(img, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    img = ImageOps.autocontrast(img, cutoff=1)
    light = mix(palette.primary, (255, 255, 255), 0.4)
    return ImageOps.colorize(img, black=mix(palette.deep, (0, 0, 0), 0.4), white=light)
