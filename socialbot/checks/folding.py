"""Views of a field's text that undo how writing hides a match, with offsets kept.

A Chinese input method types full-width digits (１３８…), and a writer breaks a line
or leaves a space in the middle of a word ("再接\\n再励"); followers still read the
number or the word. Rules match on these views and map every span back to the text
staff wrote, so findings keep their line and excerpt.
"""

from __future__ import annotations

import bisect
import re

from socialbot.checks.prose import CJK

# Full-width digits, Latin letters, + and - (and the ideographic space) to ASCII: one
# character for one, so offsets stay the same.
_HALF = str.maketrans(
    {**{chr(c): chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                          *range(0xFF41, 0xFF5B), 0xFF0B, 0xFF0D)},
     "\u3000": " "})
# Blanks between two Chinese characters that do not end a paragraph (at most one line break).
_INNER_BLANK_RE = re.compile(
    rf"(?<=[{CJK}])(?:[ \t\u3000]*\n[ \t\u3000]*|[ \t\u3000]+)(?=[{CJK}])")


def ascii_width(text: str) -> str:
    """``text`` with full-width digits and letters as ASCII (same length)."""
    return text.translate(_HALF)


class Joined:
    """``text`` with the blanks between Chinese characters removed, and the way back."""

    def __init__(self, text: str):
        parts: list[str] = []
        self._starts: list[int] = [0]  # where each kept piece starts in self.text …
        self._origins: list[int] = [0]  # … and in the original text
        cursor = 0
        for m in _INNER_BLANK_RE.finditer(text):
            parts.append(text[cursor:m.start()])
            cursor = m.end()
            self._starts.append(self._starts[-1] + len(parts[-1]))
            self._origins.append(cursor)
        parts.append(text[cursor:])
        self.text = "".join(parts)

    def origin(self, index: int) -> int:
        """Where ``self.text[index]`` is in the original text."""
        piece = bisect.bisect_right(self._starts, index) - 1
        return self._origins[piece] + index - self._starts[piece]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``self.text[start:end]`` came from."""
        return self.origin(start), self.origin(end - 1) + 1
