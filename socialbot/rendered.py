"""What a post becomes after rendering: the exact content followers will receive.

These values are what gets previewed, planned, hashed for approval, stored in the
queue (as JSON) and published. Images travel as bytes with a content hash, so an
image is uploaded once per account and an approval is bound to the exact pixels.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

ASSET_SCHEME = "asset:"


@dataclass(frozen=True)
class ImageAsset:
    """An image ready to upload: encoded bytes plus what it is for."""

    name: str
    data: bytes = field(repr=False)
    format: str  # "jpeg" | "png"
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def filename(self) -> str:
        ext = "jpg" if self.format == "jpeg" else self.format
        return f"{self.name}-{self.sha256[:10]}.{ext}"

    @property
    def mime(self) -> str:
        return f"image/{self.format}"

    @property
    def ref(self) -> str:
        """Placeholder URL used in article HTML until the image is uploaded."""
        return f"{ASSET_SCHEME}{self.sha256}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "sha256": self.sha256,
            "data": base64.b64encode(self.data).decode("ascii"),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ImageAsset:
        return cls(d["name"], base64.b64decode(d["data"]), d["format"], d["width"], d["height"])


@dataclass(frozen=True)
class WeChatArticle:
    """One WeChat article (图文消息) as draft/add will receive it."""

    title: str
    author: str
    digest: str
    content_html: str  # inline styles only; in-article images as asset: refs
    content_source_url: str
    cover: ImageAsset
    crop_235_1: str  # "X1_Y1_X2_Y2", normalised
    crop_1_1: str
    images: tuple[ImageAsset, ...] = ()
    need_open_comment: int = 0
    only_fans_can_comment: int = 0
    references: tuple[tuple[str, str], ...] = ()  # (text, url) of external links moved to the end


@dataclass(frozen=True)
class WeiboStatus:
    """One Weibo post: text (with the safe-domain link) and exactly one image."""

    text: str
    image: ImageAsset


@dataclass(frozen=True)
class RenderedPost:
    """A post rendered for both platforms; its hash binds approvals to this content."""

    post_id: str
    source: str  # post file name
    template: str
    title: str
    date: str  # ISO date or ""
    organiser: str
    wechat: WeChatArticle
    weibo: WeiboStatus

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self._fingerprint(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _fingerprint(self) -> dict[str, Any]:
        w = self.wechat
        return {
            "post_id": self.post_id,
            "wechat": {
                "title": w.title,
                "author": w.author,
                "digest": w.digest,
                "content_html": w.content_html,
                "source": w.content_source_url,
                "cover": w.cover.sha256,
                "crops": [w.crop_235_1, w.crop_1_1],
                "images": [i.sha256 for i in w.images],
                "comments": w.need_open_comment,
            },
            "weibo": {"text": self.weibo.text, "image": self.weibo.image.sha256},
        }

    def images(self) -> list[ImageAsset]:
        return [self.wechat.cover, *self.wechat.images, self.weibo.image]

    def to_json(self) -> dict[str, Any]:
        """A readable JSON form (images base64) for the queue store."""
        d = asdict(self)
        d["wechat"]["cover"] = self.wechat.cover.to_json()
        d["wechat"]["images"] = [i.to_json() for i in self.wechat.images]
        d["wechat"]["references"] = [list(r) for r in self.wechat.references]
        d["weibo"]["image"] = self.weibo.image.to_json()
        d["content_hash"] = self.content_hash
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RenderedPost:
        w = dict(d["wechat"])
        w["cover"] = ImageAsset.from_json(w["cover"])
        w["images"] = tuple(ImageAsset.from_json(i) for i in w["images"])
        w["references"] = tuple(tuple(r) for r in w.get("references", ()))
        wb = dict(d["weibo"])
        wb["image"] = ImageAsset.from_json(wb["image"])
        return cls(
            post_id=d["post_id"],
            source=d["source"],
            template=d["template"],
            title=d["title"],
            date=d["date"],
            organiser=d["organiser"],
            wechat=WeChatArticle(**w),
            weibo=WeiboStatus(**wb),
        )


def delivery_key(post_id: str, account_id: str, content_hash: str) -> str:
    """Identity of one (post, account, content) delivery: dedupe key on every platform."""
    raw = f"{post_id}\x1f{account_id}\x1f{content_hash}".encode()
    return hashlib.sha256(raw).hexdigest()
