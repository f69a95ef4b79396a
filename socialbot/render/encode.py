"""JPEG/PNG encoding under the platforms' byte limits.

Drawn images are saved as high-quality JPEG and only squeezed when a limit
demands it; staff-supplied images go through ``fit_image_bytes``, which keeps
them untouched when they already fit.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image, ImageOps, UnidentifiedImageError

from socialbot.render.fonts import ImageError

# What Pillow raises for a file that is missing pieces or is not an image at all.
DECODE_ERRORS = (
    OSError,
    UnidentifiedImageError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)


def _save(img: Image.Image, fmt: str, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        # 4:4:4 keeps coloured text edges crisp; the files stay well under limits.
        img.convert("RGB").save(buf, "JPEG", quality=quality, subsampling=0)
    else:
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def encode_jpeg(img: Image.Image, max_bytes: int, source: str) -> tuple[bytes, str]:
    """A drawn image as JPEG, shrunk only when it would exceed ``max_bytes``."""
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
    except DECODE_ERRORS as exc:
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
