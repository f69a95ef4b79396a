"""A post as staff wrote it, before rendering: the :class:`Post` record and its id rules.

Plain data every layer may import (the renderer and the platforms included); reading a
post file into it is ``socialbot.post_file``, which asks the platforms for their own
front-matter fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POST_ID_RE = re.compile(r"[a-z0-9][a-z0-9\-]{1,63}")


@dataclass(frozen=True)
class Post:
    """A campaign post as staff wrote it, before rendering."""

    id: str
    path: Path
    template: str
    title: str
    body: str
    author: str = ""
    digest: str = ""
    date: dt.date | None = None
    organiser: str = ""
    kicker: str = ""
    accounts: tuple[str, ...] = ()
    cover_photo: Path | None = None
    cover_logo: Path | None = None
    images: dict[str, Path] = field(default_factory=dict)
    link: str = ""
    source_url: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # each platform's own text field, if given
    details: dict[str, Any] = field(default_factory=dict)
    comments: bool = False
    body_line: int = 1

    def where(self, name: str) -> str:
        """A location string for a field of this post, for error messages."""
        return f"{self.path.name} 字段 {name}"


def post_id_for(path: Path) -> str:
    return path.stem


# Device names Windows will not open as files or folders, whatever the extension.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


def valid_post_id(post_id: str) -> bool:
    """Whether ``post_id`` is a post id staff may use (and safe as a folder or URL name,
    also on Windows, where staff open the preview from a shared drive)."""
    return POST_ID_RE.fullmatch(post_id) is not None and post_id not in WINDOWS_DEVICE_NAMES
