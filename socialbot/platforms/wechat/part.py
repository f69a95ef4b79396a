"""The WeChat part of a rendered post: one article as draft/add will get it.

Two kinds share one shape (reference §2, docs/platform-limits.md): a 图文 (``news``: HTML
content and a generated cover) and a 贴图 (``newspic``: 1–20 pictures, the first one the
cover, and a short plain text). For a 贴图, ``content_html`` holds that plain text and
``image_list`` the pictures in order; the two crops are of the first picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from socialbot.rendered import ImageAsset, RenderedPost

NEWS = "news"  # 图文消息
NEWSPIC = "newspic"  # 贴图（图片消息）


@dataclass(frozen=True)
class WeChatArticle:
    """One WeChat article (图文 or 贴图) as draft/add will receive it."""

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
    article_type: str = NEWS
    image_list: tuple[ImageAsset, ...] = ()  # newspic: the pictures in order (first = cover)

    @property
    def is_newspic(self) -> bool:
        return self.article_type == NEWSPIC

    def fingerprint(self) -> dict[str, Any]:
        if self.is_newspic:  # news keeps its old fingerprint, so approvals stay valid
            return {
                "article_type": self.article_type,
                "title": self.title,
                "text": self.content_html,
                "image_list": [i.sha256 for i in self.image_list],
                "crops": [self.crop_235_1, self.crop_1_1],
                "comments": self.need_open_comment,
            }
        return {
            "title": self.title,
            "author": self.author,
            "digest": self.digest,
            "content_html": self.content_html,
            "source": self.content_source_url,
            "cover": self.cover.sha256,
            "crops": [self.crop_235_1, self.crop_1_1],
            "images": [i.sha256 for i in self.images],
            "comments": self.need_open_comment,
        }

    def all_images(self) -> list[ImageAsset]:
        if self.is_newspic:  # the cover is the first picture
            return list(self.image_list)
        return [self.cover, *self.images]

    def to_json(self) -> dict[str, Any]:
        data = {
            "title": self.title,
            "author": self.author,
            "digest": self.digest,
            "content_html": self.content_html,
            "content_source_url": self.content_source_url,
            "cover": self.cover.to_json(),
            "crop_235_1": self.crop_235_1,
            "crop_1_1": self.crop_1_1,
            "images": [i.to_json() for i in self.images],
            "need_open_comment": self.need_open_comment,
            "only_fans_can_comment": self.only_fans_can_comment,
            "references": [list(r) for r in self.references],
        }
        if self.is_newspic:
            data["article_type"] = self.article_type
            data["image_list"] = [i.to_json() for i in self.image_list]
        return data

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WeChatArticle:
        return cls(
            title=d["title"],
            author=d["author"],
            digest=d["digest"],
            content_html=d["content_html"],
            content_source_url=d["content_source_url"],
            cover=ImageAsset.from_json(d["cover"]),
            crop_235_1=d["crop_235_1"],
            crop_1_1=d["crop_1_1"],
            images=tuple(ImageAsset.from_json(i) for i in d["images"]),
            need_open_comment=int(d.get("need_open_comment", 0)),
            only_fans_can_comment=int(d.get("only_fans_can_comment", 0)),
            references=tuple((str(t), str(u)) for t, u in d.get("references", ())),
            article_type=str(d.get("article_type", NEWS)),
            image_list=tuple(ImageAsset.from_json(i) for i in d.get("image_list", ())),
        )


def article_of(rendered: RenderedPost) -> WeChatArticle:
    """The WeChat article of a rendered post."""
    part = rendered.parts["wechat"]
    assert isinstance(part, WeChatArticle), part
    return part
