"""The console's font: the shipped CJK face, cut to the characters the pages show.

A *base* subset covers every character of the console's templates and messages and the
configured names (units, accounts, organisation); it is cut once per process. A page
that shows other characters (a post's title, a name) gets an *extra* face for exactly
those, addressed by the characters themselves (stateless, so any process can serve it)
and limited by ``unicode-range`` so the browser asks for it only when needed.
"""

from __future__ import annotations

import base64
import functools
import re
import threading
from pathlib import Path

from socialbot.config import Settings
from socialbot.render.webfont import FAMILY, subset_font, subset_key, text_chars

EXTRA_MAX_CHARS = 400  # per extra face; a page with more gets several
_HERE = Path(__file__).parent
_TAG_RE = re.compile(r"<[^>]*>")


def console_texts(settings: Settings) -> list[str]:
    """Everything the base subset must cover: templates, the modules whose messages the
    console shows, and the configured names."""
    from socialbot import people
    from socialbot.store import audit, models, review

    texts = [p.read_text("utf-8") for p in sorted((_HERE / "templates").glob("*.j2"))]
    texts += [p.read_text("utf-8") for p in sorted(_HERE.glob("*.py"))]
    for module in (people, audit, models, review):
        texts.append(Path(module.__file__ or "").read_text("utf-8"))
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
        """@font-face rules for the page's characters the base subset lacks ("" if none)."""
        missing = sorted(ch for ch in text_chars(_TAG_RE.sub(" ", page)) if ch not in self._chars)
        rules = []
        for start in range(0, len(missing), EXTRA_MAX_CHARS):
            chunk = "".join(missing[start:start + EXTRA_MAX_CHARS])
            ranges = ",".join(f"U+{ord(ch):X}" for ch in chunk)
            rules.append(f'@font-face {{ font-family: "{FAMILY}"; '
                         f'src: url("/font/extra/{encode_chars(chunk)}.woff2") format("woff2"); '
                         f"font-weight: 400; font-style: normal; unicode-range: {ranges}; }}")
        return "\n".join(rules)


def encode_chars(chars: str) -> str:
    return base64.urlsafe_b64encode(chars.encode("utf-8")).decode("ascii").rstrip("=")


def decode_chars(token: str) -> str | None:
    """The characters named by an extra face's URL, or None when it is not one of ours."""
    if len(token) > EXTRA_MAX_CHARS * 6:
        return None
    try:
        chars = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if not chars or len(chars) > EXTRA_MAX_CHARS or "".join(sorted(set(chars))) != chars:
        return None
    return chars


@functools.lru_cache(maxsize=256)
def extra_font(chars: str) -> bytes:
    return subset_font(chars)
