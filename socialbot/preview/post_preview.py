"""One post as the dry run shows it: its rendering, accounts, page and planned calls.

Its own module so that ``messages`` (which groups these into daily sends) and ``writer``
(which makes them) both import it and neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from socialbot.checks.model import Finding
from socialbot.config import Account
from socialbot.rendered import RenderedPost


@dataclass
class PostPreview:
    rendered: RenderedPost
    accounts: list[Account]
    page: Path
    calls: dict[str, list[dict[str, object]]]
    warnings: tuple[Finding, ...] = ()  # content checks a reviewer must override

    @property
    def folder(self) -> str:
        """The post's folder name under ``posts/`` (its id, or id + hash on a clash)."""
        return self.page.parent.name
