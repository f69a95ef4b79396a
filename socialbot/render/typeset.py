"""Chinese line breaking and auto-fitting text into boxes.

Chinese may break between any two characters, but Latin words and numbers
("2022", "IAF/ILAC") must stay whole, and kinsoku rules forbid closing
punctuation at the start of a line and opening punctuation at its end.  We
build unbreakable clusters first (gluing punctuation to its neighbour, which
pulls the previous character down to the next line) and then fill lines
greedily.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from PIL import ImageFont

from socialbot.render.fonts import ImageError, check_glyphs, field_label, load_font

# Characters that must not start a line (closing punctuation, iteration marks).
NO_START = frozenset(
    "，。、；：？！）》」』”’…—％‰〕】〉｝］｠〗〙〛〟・·‧ー々〻゛゜ヽヾ"
    "～!),.:;?]}%℃°‐–"
    "﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞"
)
# Characters that must not end a line (opening punctuation).
NO_END = frozenset("（《「『“‘〔【〈｛［｟〖〘〚〝([{￥$＄£€·・")


def _is_cjk(ch: str) -> bool:
    """True for characters that allow a line break on either side."""
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, CJK symbols/punctuation, kana, ideographs
        or 0xA000 <= cp <= 0xA4CF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFE10 <= cp <= 0xFE1F
        or 0xFE30 <= cp <= 0xFE6F
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


def _units(paragraph: str) -> Iterator[tuple[bool, str]]:
    """Yield (space_before, unit): single CJK chars or whole non-CJK words."""
    space = False
    word: list[str] = []
    for ch in paragraph:
        if ch in (" ", "\u3000"):
            if word:
                yield space, "".join(word)
                word = []
            space = True
        elif _is_cjk(ch) or ch in "…—":
            if word:
                yield space, "".join(word)
                word, space = [], False
            yield space, ch
            space = False
        else:
            word.append(ch)
    if word:
        yield space, "".join(word)


def clusters(paragraph: str) -> list[tuple[bool, str]]:
    """Group units so that no break falls where kinsoku forbids it.

    A unit opening with closing punctuation joins the previous cluster, and a
    cluster ending with opening punctuation absorbs the next unit.  Runs such
    as "——" or "。”" therefore move to the next line together with the
    character before them.
    """
    out: list[tuple[bool, str]] = []
    for space, unit in _units(paragraph):
        if out and (unit[0] in NO_START or out[-1][1][-1] in NO_END):
            prev_space, prev = out[-1]
            out[-1] = (prev_space, prev + (" " if space else "") + unit)
        else:
            out.append((space, unit))
    return out


def _split_wide(cluster: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Last resort for a cluster wider than the line: break between characters."""
    pieces: list[str] = []
    current = ""
    for ch in cluster:
        if current and font.getlength(current + ch) > max_width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    # Keep kinsoku where possible by pulling one character down.
    for i in range(1, len(pieces)):
        if pieces[i][0] in NO_START and len(pieces[i - 1]) > 1:
            pieces[i] = pieces[i - 1][-1] + pieces[i]
            pieces[i - 1] = pieces[i - 1][:-1]
    return pieces


def wrap_cjk(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` pixels.

    Explicit newlines are kept as hard breaks.  Only a single word or
    punctuation cluster wider than the whole line is ever split mid-word.
    """
    lines: list[str] = []
    space_w = font.getlength(" ")
    for paragraph in text.split("\n"):
        line, width = "", 0.0
        for space, cluster in clusters(paragraph):
            w = font.getlength(cluster)
            gap = space_w if (space and line) else 0.0
            if line and width + gap + w <= max_width:
                line += (" " if gap else "") + cluster
                width += gap + w
                continue
            if line:
                lines.append(line)
            if w <= max_width:
                line, width = cluster, w
            else:
                *full, line = _split_wide(cluster, font, max_width)
                lines.extend(full)
                width = font.getlength(line)
        lines.append(line)
    return lines


def balance_lines(
    text: str, font: ImageFont.FreeTypeFont, max_width: float, lines: list[str]
) -> list[str]:
    """Narrow the measure as far as possible without adding a line.

    Greedy filling leaves a lonely last character ("...绿色发 / 展"), which
    looks poor in a centred title; the narrowest measure with the same line
    count evens the lines out.
    """
    if len(lines) < 2:
        return lines
    target = len(lines)
    lo, hi = sum(font.getlength(line) for line in lines) / target - 1, max_width
    best = lines
    while hi - lo > 1:
        mid = (lo + hi) / 2
        trial = wrap_cjk(text, font, mid)
        if len(trial) <= target and all(font.getlength(t) <= mid for t in trial):
            best, hi = trial, mid
        else:
            lo = mid
    return best


@functools.lru_cache(maxsize=256)
def ink_extent(font: ImageFont.FreeTypeFont) -> tuple[int, int]:
    """(top, bottom) of a typical ideograph relative to the baseline.

    Lines are stacked by baseline and centred by ink, so titles look centred
    whatever the font's ascender/descender metrics say.
    """
    _l, top, _r, bottom = font.getbbox("国", anchor="ls")
    return top, bottom


def block_height(font: ImageFont.FreeTypeFont, n_lines: int, line_spacing: float) -> float:
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
    check_glyphs(text, load_font(min_size, font_path, index), field)

    def attempt(size: int) -> list[str] | None:
        font = load_font(size, font_path, index)
        pad = 2 * stroke * size
        lines = wrap_cjk(text, font, box_w - pad)
        if len(lines) > max_lines or block_height(font, len(lines), line_spacing) + pad > box_h:
            return None
        if any(font.getlength(line) > box_w - pad for line in lines):
            return None
        return lines

    lo, hi = min_size, max_size
    best = attempt(lo)
    if best is None:
        raise ImageError(
            f"{field_label(field)}太长，即使缩小到 {min_size} 像素字号也无法放进 "
            f"{int(box_w)}×{int(box_h)} 的版面（最多 {max_lines} 行）；请精简文字",
            field=field,
            detail=text,
        )
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lines = attempt(mid)
        if lines is None:
            hi = mid - 1
        else:
            lo, best = mid, lines
    font = load_font(lo, font_path, index)
    if balance:
        best = balance_lines(text, font, box_w - 2 * stroke * lo, best)
    return font, best
