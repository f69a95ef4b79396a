"""The console's font: the shipped CJK face, cut to the characters the pages show.

A *base* subset covers every character of the console's templates and messages and the
configured names (units, accounts, organisation); it is cut once per process and served
at a URL keyed by its characters. A page that shows other characters (a post's title, a
person's name) carries an *extra* face of exactly those, inline (cut once per character
set and kept in memory): a face of the same family limited to those characters by
``unicode-range``. An htmx response carries the face its own characters need, which
joins the page's faces (see ``Console.page``).
"""

from __future__ import annotations

import base64
import functools
import re
import threading
from pathlib import Path

from socialbot.config import Settings
from socialbot.render.webfont import FAMILY, subset_font, subset_key, text_chars

_HERE = Path(__file__).parent
_TAG_RE = re.compile(r"<[^>]*>")


def console_texts(settings: Settings) -> list[str]:
    """Everything the base subset must cover: templates, the modules whose messages the
    console shows, and the configured names."""
    from socialbot import calendar_import, errors, people, status
    from socialbot.platforms import PLATFORMS, platform
    from socialbot.store import actions, audit, models, pauses, queue, review
    from socialbot.wording import catalog, labels

    texts = [p.read_text("utf-8") for p in sorted((_HERE / "templates").glob("*.j2"))]
    texts += [p.read_text("utf-8") for p in sorted(_HERE.glob("*.py"))]
    # The calendar and the dashboard show these modules' refusals and notes, also inside
    # htmx swaps (which keep the page's font faces but not a new page's extra face).
    for module in (people, audit, models, review, actions, queue, pauses, status,
                   calendar_import, errors, catalog, labels):
        texts.append(Path(module.__file__ or "").read_text("utf-8"))
    rules = [platform(a.platform).quota_rule(a) for a in settings.accounts.values()
             if a.platform in PLATFORMS]
    texts += [rule.label for rule in rules if rule is not None]
    texts += [u.name for u in settings.units.values()]
    texts += [a.name for a in settings.accounts.values()]
    texts += [settings.organisation, settings.organisation_short, settings.campaign.name]
    texts.append("0123456789")
    return texts


class ConsoleFont:
    """The base subset (cut lazily, once) and the extra faces a page needs."""

    def __init__(self, settings: Settings):
        self._chars = text_chars(*console_texts(settings))
        self.key = subset_key(self._chars)[:16]
        self._lock = threading.Lock()
        self._bytes: bytes | None = None

    def base(self) -> bytes:
        with self._lock:
            if self._bytes is None:
                self._bytes = subset_font(self._chars)
            return self._bytes

    def face_css(self) -> str:
        return (f'@font-face {{ font-family: "{FAMILY}"; '
                f'src: url("/font/base-{self.key}.woff2") format("woff2"); '
                "font-weight: 400; font-style: normal; font-display: block; }\n")

    def extra_css(self, page: str) -> str:
        """CSS for the page's characters the base subset lacks ("" if none): a face of
        exactly those glyphs, inlined as a data: URL, in the same family as the base
        face and limited to them by ``unicode-range``. Such faces add up: a face an htmx
        swap brings in (``Console.page`` appends it to the page's ``<head>``) joins the
        page's own, and neither hides the other's characters."""
        missing = "".join(sorted(ch for ch in text_chars(_TAG_RE.sub(" ", page))
                                 if ch not in self._chars))
        if not missing:
            return ""
        data = base64.b64encode(extra_font(missing)).decode("ascii")
        ranges = ", ".join(f"U+{ord(ch):X}" for ch in missing)
        return (f'@font-face {{ font-family: "{FAMILY}"; '
                f'src: url("data:font/woff2;base64,{data}") format("woff2"); '
                f"unicode-range: {ranges}; "
                "font-weight: 400; font-style: normal; font-display: block; }\n")


@functools.lru_cache(maxsize=256)
def extra_font(chars: str) -> bytes:
    return subset_font(chars)
