"""Recognise uploaded images the way the platforms do: by their first bytes, not the filename."""

from __future__ import annotations

import hashlib
import io
import secrets

from PIL import Image, UnidentifiedImageError

from socialbot_practice.accounts import StoredImage

_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
)
MIME = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp"}
EXTENSION = {"jpeg": "jpg", "png": "png", "gif": "gif", "bmp": "bmp"}


def sniff(data: bytes) -> str | None:
    """The image format named by the magic bytes (jpeg/png/gif/bmp), or None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def dimensions(data: bytes) -> tuple[int, int] | None:
    """Pixel size, or None when the bytes only look like an image."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def make_image(data: bytes, kind: str, size: tuple[int, int]) -> StoredImage:
    """A stored image with a unique name per upload (real upload URLs are unique too)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{digest[:32]}-{secrets.token_hex(4)}.{EXTENSION[kind]}"
    return StoredImage(name, digest, MIME[kind], data, size[0], size[1])
