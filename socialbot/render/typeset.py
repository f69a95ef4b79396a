"""Chinese line breaking and auto-fitting text into boxes.

Chinese may break between any two characters, but Latin words and numbers
("2022", "IAF/ILAC") must stay whole, and kinsoku rules forbid closing
punctuation at the start of a line and opening punctuation at its end.  We
build unbreakable clusters first (``socialbot.linebreak``: gluing punctuation to
its neighbour, which pulls the previous character down to the next line) and then
fill lines greedily.
"""

from __future__ import annotations

from pathlib import Path

from PIL import ImageFont

from socialbot.linebreak import KEEP_TOGETHER, NO_END, NO_START, cached_clusters, clusters, is_cjk
from socialbot.render.fonts import (
    ImageError,
    Measurable,
    check_glyphs,
    field_label,
    load_font,
    measure,
    sized_face,
)

__all__ = ["KEEP_TOGETHER", "NO_END", "NO_START", "clusters", "fit_text", "wrap_cjk"]

FEWER_LINES_TOLERANCE = 0.12


def text_width(font: Measurable, text: str) -> float:
    """Advance width, memoised: bisection and balancing re-measure the same clusters."""
    return measure(font, "width", text, lambda face: face.getlength(text))


def _split_wide(cluster: str, font: Measurable, max_width: float) -> list[str]:
    """Last resort for a cluster wider than the line: break between characters.

    Breaks back off to a position kinsoku allows when there is one.
    """
    pieces: list[str] = []
    rest = cluster
    while rest:
        n = 1
        while n < len(rest) and text_width(font, rest[: n + 1]) <= max_width:
            n += 1
        if n == len(rest):
            pieces.append(rest)
            break
        k = n
        while k > 1 and (rest[k] in NO_START or rest[k - 1] in NO_END):
            k -= 1
        if rest[k] in NO_START or rest[k - 1] in NO_END:
            k = n  # no legal break in reach: overflow rather than exceed the width
        pieces.append(rest[:k])
        rest = rest[k:]
    return pieces


def _wrap(
    text: str, font: Measurable, max_width: float, split_long: bool
) -> list[str] | None:
    """Greedy line filling; None if a cluster is too wide and splitting is off."""
    lines: list[str] = []
    space_w = text_width(font, " ")
    for paragraph in text.split("\n"):
        line, width = "", 0.0
        for space, cluster in cached_clusters(paragraph):
            w = text_width(font, cluster)
            gap = space_w if (space and line) else 0.0
            if line and width + gap + w <= max_width:
                line += (" " if gap else "") + cluster
                width += gap + w
                continue
            if line:
                lines.append(line)
            if w <= max_width:
                line, width = cluster, w
            elif not split_long:
                return None
            else:
                *full, line = _split_wide(cluster, font, max_width)
                lines.extend(full)
                width = text_width(font, line)
        lines.append(line)
    return lines


def wrap_cjk(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` pixels.

    Explicit newlines are kept as hard breaks.  Only a single word or
    punctuation cluster wider than the whole line is ever split mid-word.
    """
    lines = _wrap(text, font, max_width, split_long=True)
    assert lines is not None
    return lines


def _ends_in_han(text: str) -> bool:
    return 0x3400 <= ord(text[-1]) <= 0x9FFF or 0x20000 <= ord(text[-1]) <= 0x3FFFF


def balance_lines(
    text: str, font: ImageFont.FreeTypeFont, max_width: float, lines: list[str]
) -> list[str]:
    """Re-break into the same number of lines, as even as possible.

    Greedy filling leaves a lonely last word ("...风采征集 / 展示"), which
    looks poor in a title.  A small dynamic programme over the clusters
    minimises the squared slack of every line, with a mild penalty for
    breaking between two ideographs rather than after punctuation or a word.
    """
    target = len(lines)
    if target < 2 or "\n" in text:
        return lines
    items = cached_clusters(text)
    n = len(items)
    widths = [text_width(font, c) for _, c in items]
    space_w = text_width(font, " ")
    soft_break = (font.size * 0.5) ** 2
    inf = float("inf")
    # cost[m][j]: best cost of setting items[:j] in m lines; back[m][j]: start of last line
    cost = [[inf] * (n + 1) for _ in range(target + 1)]
    back = [[0] * (n + 1) for _ in range(target + 1)]
    cost[0][0] = 0.0
    for m in range(1, target + 1):
        for j in range(1, n + 1):
            width = 0.0
            for i in range(j - 1, -1, -1):
                width += widths[i] + (space_w if i < j - 1 and items[i + 1][0] else 0.0)
                if width > max_width:
                    break
                if cost[m - 1][i] == inf:
                    continue
                penalty = 0.0
                if j < n and _ends_in_han(items[j - 1][1]) and is_cjk(items[j][1][0]):
                    penalty = soft_break
                c = cost[m - 1][i] + (max_width - width) ** 2 + penalty
                if c < cost[m][j]:
                    cost[m][j], back[m][j] = c, i
    if cost[target][n] == inf:
        return lines
    out: list[str] = []
    j = n
    for m in range(target, 0, -1):
        i = back[m][j]
        parts = [("" if k == i or not items[k][0] else " ") + items[k][1] for k in range(i, j)]
        out.append("".join(parts))
        j = i
    return out[::-1]


_OPENING = frozenset("“‘《「『（【〔〈〖［｛")
_CLOSING = frozenset("”’》」』）】〕〉〗］｝，。、；：！？")


def _ink_x(font: Measurable, ch: str) -> tuple[float, float]:
    """Blank space left and right of a glyph's ink within its advance (memoised)."""

    def ink(face: ImageFont.FreeTypeFont) -> tuple[float, float]:
        mask, (off_x, _y) = face.getmask2(ch)
        box = mask.getbbox()
        if box is None:
            return 0.0, 0.0
        return off_x + box[0], face.getlength(ch) - (off_x + box[2])

    return measure(font, "ink_x", ch, ink)


def optical_trim(font: ImageFont.FreeTypeFont, line: str) -> tuple[float, float]:
    """Blank half-em of full-width punctuation at the line's ends, to hang it.

    CJK fonts put opening quotes in the right half of their square, so a
    line starting with “ looks indented; aligning by ink fixes that.
    """
    if not line:
        return 0.0, 0.0
    ref_left, ref_right = _ink_x(font, "中")
    left = max(0.0, _ink_x(font, line[0])[0] - ref_left) if line[0] in _OPENING else 0.0
    right = max(0.0, _ink_x(font, line[-1])[1] - ref_right) if line[-1] in _CLOSING else 0.0
    return left, right


def ink_extent(font: Measurable) -> tuple[int, int]:
    """(top, bottom) of a typical ideograph relative to the baseline.

    Lines are stacked by baseline and centred by ink, so titles look centred
    whatever the font's ascender/descender metrics say.
    """

    def extent(face: ImageFont.FreeTypeFont) -> tuple[int, int]:
        _l, top, _r, bottom = face.getbbox("国", anchor="ls")
        return top, bottom  # type: ignore[return-value]

    return measure(font, "ink_extent", "国", extent)


def block_height(font: Measurable, n_lines: int, line_spacing: float) -> float:
    """Ink height of ``n_lines`` lines spaced ``line_spacing`` x font size apart."""
    top, bottom = ink_extent(font)
    return (bottom - top) + (n_lines - 1) * font.size * line_spacing


def fit_text(
    text: str,
    font_path: Path | str | None,
    index: int | None,
    box: tuple[float, float],
    max_size: int,
    min_size: int,
    line_spacing: float = 1.3,
    max_lines: int = 3,
    *,
    field: str = "text",
    stroke: float = 0.0,
    balance: bool = True,
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """Largest font size whose wrapped text fits ``box``; returns (font, lines).

    ``stroke`` is the faux-bold stroke width as a fraction of the size, which
    widens every line.  Sizes are searched by bisection because wrapping is
    monotonic in size for all practical purposes.  Raises ImageError naming
    ``field`` when the text does not fit even at ``min_size``.
    """
    if not text.strip():
        raise ImageError(f"{field_label(field)}为空，无法排版", field=field)
    box_w, box_h = box
    check_glyphs(text, sized_face(min_size, font_path, index), field)  # no face opened

    def attempt(size: int, split_long: bool = False) -> list[str] | None:
        font = sized_face(size, font_path, index)  # opened only if not measured before
        pad = 2 * stroke * size
        lines = _wrap(text, font, box_w - pad, split_long)
        if lines is None or len(lines) > max_lines:
            return None
        if block_height(font, len(lines), line_spacing) + pad > box_h:
            return None
        return lines

    # A word wider than the box is split only when nothing else fits.
    smallest = attempt(min_size) or attempt(min_size, split_long=True)
    if smallest is None:
        raise ImageError(
            f"{field_label(field)}太长，即使缩小到 {min_size} 像素字号也无法放进 "
            f"{int(box_w)}×{int(box_h)} 的版面（最多 {max_lines} 行）；请精简文字",
            field=field,
            detail=text,
        )

    def largest(n_lines: int) -> tuple[int, list[str]] | None:
        """Largest size set in at most ``n_lines`` lines (bisection)."""
        found = None
        lo, hi = min_size, max_size
        while lo <= hi:
            mid = (lo + hi) // 2
            lines = attempt(mid)
            if lines is not None and len(lines) <= n_lines:
                found, lo = (mid, lines), mid + 1
            else:
                hi = mid - 1
        return found

    # Fewer lines read better than slightly bigger type: prefer the fewest
    # lines whose size is within FEWER_LINES_TOLERANCE of the largest size.
    best = largest(max_lines) or (min_size, smallest)
    for n in range(1, len(best[1])):
        candidate = largest(n)
        if candidate and candidate[0] >= best[0] * (1 - FEWER_LINES_TOLERANCE):
            best = candidate
            break
    lo, lines = best
    font = load_font(lo, font_path, index)
    if balance:
        lines = balance_lines(text, font, box_w - 2 * stroke * lo, lines)
    return font, lines
