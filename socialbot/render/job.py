"""What a platform gets to render its part of a post: the common work, done once.

``render_post`` loads the body, the in-article images and the template output for every
platform's block, then hands each platform a :class:`RenderJob`. A platform turns its
block into its part and reports what breaks its rules to the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from socialbot.config import Account, Settings
from socialbot.errors import Problem
from socialbot.post import Post
from socialbot.render.images import ImageError, ImageSpec
from socialbot.render.markdown import BodyResult
from socialbot.rendered import ImageAsset


@dataclass
class RenderJob:
    post: Post
    settings: Settings
    accounts: list[Account]  # the post's target accounts on this platform
    block: str  # this platform's template block, rendered
    body: BodyResult
    inline_images: dict[str, ImageAsset]  # declared in-article images by name
    spec: ImageSpec  # what the generated cover/poster images show
    author: str
    organiser: str
    link: str
    context: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def where(self) -> str:
        """The post file's name, the start of every location this job reports."""
        return self.post.path.name

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def image_failed(self, exc: ImageError) -> None:
        """A generated image could not be made: point at the field staff fix."""
        self.problems.append(Problem(self._image_field(exc.field), str(exc)))

    def _image_field(self, name: str | None) -> str:
        if name == "photo":
            return f"{self.where} 字段 cover.photo"
        if name == "logo":
            if self.post.cover_logo:
                return f"{self.where} 字段 cover.logo"
            return f"{self.settings.path.name} [campaign] logo"
        return f"{self.where} 字段 {name}" if name else f"{self.where} 图片"
