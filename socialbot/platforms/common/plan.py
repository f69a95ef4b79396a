"""How a dry-run plan shows what a call would upload."""

from __future__ import annotations

from typing import Any

from socialbot.rendered import ImageAsset


def describe_image(image: ImageAsset) -> dict[str, Any]:
    """An upload as the plan shows it: no bytes, but enough to recognise the file."""
    return {"filename": image.filename, "bytes": len(image.data), "sha256": image.sha256,
            "content_type": image.mime}
