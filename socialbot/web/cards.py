"""What followers will see on each platform, drawn by the platform itself.

Shared by the post page (a queued post, images served from the store) and the composer
(a draft, images served from the preview cache): only the image URLs differ.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from socialbot.config import Settings
from socialbot.platforms import PLATFORMS
from socialbot.rendered import RenderedPost


def platform_cards(settings: Settings, rendered: RenderedPost, account_ids: Iterable[str],
                   files: dict[str, str]) -> list[Markup]:
    """One card per platform the post goes to; ``files`` maps image sha256 → URL."""
    accounts = [settings.accounts[a] for a in account_ids if a in settings.accounts]
    cards = []
    for name, part in rendered.parts.items():
        mine = [a for a in accounts if a.platform == name]
        if mine:
            cards.append(PLATFORMS[name].preview_card(part, mine, files, rendered))
    return cards
