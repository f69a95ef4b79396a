"""The Weibo part of a rendered post: one status with its text and one image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from socialbot.rendered import ImageAsset, RenderedPost


@dataclass(frozen=True)
class WeiboStatus:
    """One Weibo post: text (with the safe-domain link) and exactly one image."""

    text: str
    image: ImageAsset

    def fingerprint(self) -> dict[str, Any]:
        return {"text": self.text, "image": self.image.sha256}

    def all_images(self) -> list[ImageAsset]:
        return [self.image]

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "image": self.image.to_json()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WeiboStatus:
        return cls(text=d["text"], image=ImageAsset.from_json(d["image"]))


def status_of(rendered: RenderedPost) -> WeiboStatus:
    """The Weibo status of a rendered post."""
    part = rendered.parts["weibo"]
    assert isinstance(part, WeiboStatus), part
    return part
