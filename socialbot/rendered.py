"""What a post becomes after rendering: the exact content followers will receive.

These values are what gets previewed, planned, hashed for approval, stored in the
queue (as JSON) and published. Images travel as bytes with a content hash, so an
image is uploaded once per account and an approval is bound to the exact pixels.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

ASSET_SCHEME = "asset:"
_IMAGE_KEYS = frozenset({"sha256", "format", "width", "height"})


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
        """Read back from :meth:`to_json`; ``data`` may also be the raw bytes."""
        data = d["data"]
        raw = data if isinstance(data, bytes) else base64.b64decode(data)
        return cls(d["name"], raw, d["format"], d["width"], d["height"])


class Part(Protocol):
    """One platform's share of a rendered post (its own dataclass in its package)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON form, images as :meth:`ImageAsset.to_json`, read back by the platform."""
        ...

    def fingerprint(self) -> dict[str, Any]:
        """What followers receive, images by sha256: the approval is bound to this."""
        ...

    def all_images(self) -> list[ImageAsset]:
        """Every image the part carries, in upload order."""
        ...


class PartReader(Protocol):
    """Reads one platform's part back from JSON: the platform itself (the registry's values)."""

    def part_from_json(self, data: dict[str, Any]) -> Part:
        ...


@dataclass(frozen=True)
class RenderedPost:
    """A post rendered for its platforms; its hash binds approvals to this content.

    ``parts`` maps a platform name to that platform's part. The hash covers the post id
    and every part's fingerprint (the post's other common fields are shown to staff,
    never sent), so an approval is bound to exactly what every platform will get.
    """

    post_id: str
    source: str  # post file name
    template: str
    title: str
    date: str  # ISO date or ""
    organiser: str
    parts: dict[str, Part] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self._fingerprint(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _fingerprint(self) -> dict[str, Any]:
        return {"post_id": self.post_id,
                **{name: part.fingerprint() for name, part in self.parts.items()}}

    def part(self, name: str) -> Any:
        """The part for platform ``name``; a platform's own code narrows its type."""
        return self.parts[name]

    def __getattr__(self, name: str) -> Any:
        """``rendered.<platform>``: that platform's part (``part(name)`` says it plainly)."""
        parts = self.__dict__.get("parts")
        if name.startswith("_") or not parts or name not in parts:
            raise AttributeError(name)
        return parts[name]

    def images(self) -> list[ImageAsset]:
        """Every image of every part (the same picture may appear in two parts)."""
        return [image for part in self.parts.values() for image in part.all_images()]

    def to_json(self) -> dict[str, Any]:
        """A readable JSON form (images base64)."""
        return {
            "post_id": self.post_id,
            "source": self.source,
            "template": self.template,
            "title": self.title,
            "date": self.date,
            "organiser": self.organiser,
            "parts": {name: part.to_json() for name, part in self.parts.items()},
            "content_hash": self.content_hash,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], platforms: Mapping[str, PartReader]) -> RenderedPost:
        """The post back from :meth:`to_json`; each part is read by its platform (the
        registry, ``socialbot.platforms.PLATFORMS``, which sits above this module)."""
        # Documents written before parts existed keep each part at the top level.
        raw = d.get("parts") or {k: v for k, v in d.items() if k in platforms}
        return cls(
            post_id=d["post_id"],
            source=d["source"],
            template=d["template"],
            title=d["title"],
            date=d["date"],
            organiser=d["organiser"],
            parts={name: platforms[name].part_from_json(data) for name, data in raw.items()},
        )

    def to_document(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        """(JSON document without image bytes, {sha256: bytes}) for a store to keep."""
        doc = self.to_json()
        _strip_image_data(doc)
        return doc, {image.sha256: image.data for image in self.images()}

    @classmethod
    def from_document(cls, doc: dict[str, Any], blobs: dict[str, bytes],
                      platforms: Mapping[str, PartReader]) -> RenderedPost:
        """The post back from :meth:`to_document`'s pair (``blobs`` may hold more images)."""
        _fill_image_data(doc, blobs)
        return cls.from_json(doc, platforms)


def document_images(doc: Any) -> set[str]:
    """The sha256 of every image a document refers to."""
    found: set[str] = set()
    _walk_images(doc, lambda image: found.add(image["sha256"]))
    return found


def _walk_images(doc: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(doc, dict):
        if doc.keys() >= _IMAGE_KEYS:
            visit(doc)
            return
        for value in doc.values():
            _walk_images(value, visit)
    elif isinstance(doc, list):
        for value in doc:
            _walk_images(value, visit)


def _strip_image_data(doc: dict[str, Any]) -> None:
    _walk_images(doc, lambda image: image.pop("data", None))


def _fill_image_data(doc: dict[str, Any], blobs: dict[str, bytes]) -> None:
    def fill(image: dict[str, Any]) -> None:
        image["data"] = blobs[image["sha256"]]

    _walk_images(doc, fill)


def delivery_key(post_id: str, account_id: str, content_hash: str) -> str:
    """Identity of one (post, account, content) delivery: dedupe key on every platform."""
    raw = f"{post_id}\x1f{account_id}\x1f{content_hash}".encode()
    return hashlib.sha256(raw).hexdigest()


def send_key(keys: list[str]) -> str:
    """Identity of one send carrying several deliveries: their keys, in order.

    The same deliveries in the same order always give the same key (so a retry reuses
    the draft and the platform's dedupe id); another set or order is another send.
    """
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:40]
    return f"send-{digest}"
