"""Tables and paragraphs that stay readable in a narrow terminal (80 columns, or 60).

A terminal (or Rich left to itself) breaks a line wherever the width runs out, and a
table squeezed into 80 columns cuts ids, times and account names with "…". Here an id,
a time, an account or a file name is never split, and Chinese breaks between
characters only where the kinsoku rules of the image typesetter allow
(:func:`socialbot.linebreak.clusters`). A table whose fixed columns leave too
little room for its text becomes a stacked list, one record per block.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
from rich.console import Console
from rich.segment import Segments
from rich.table import Table
from rich.text import Text

from socialbot.linebreak import NO_END, NO_START, clusters

MIN_TEXT = 12  # narrowest useful text column (cells)
MIN_VALUE = 20  # below this, a stacked value starts on its own line
UNLIMITED = 100_000  # output for a script (not a terminal, no COLUMNS): lines stay whole
_STOP = "\\s（）()「」“”\"'，。；、："
# Never split: a time as staff write it, a path or URL, a file name (even with Chinese in it).
_ATOM = re.compile(
    r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
    rf"|(?:https?://)?[^{_STOP}]*/[^{_STOP}]+"
    rf"|[^{_STOP}/]+\.[A-Za-z0-9]{{1,5}}\b"
)
# What continuation lines hang under: a bullet ("  - ", "✓ ") or a short label ("  作者：").
_BULLET = re.compile(r"^(\s*(?:[-·•✓✗!⏸▶↩]\s+|\[[^\]]+\]\s+|[^\s：]{1,8}：)?)")


def width_of(out: Console) -> int:
    """The terminal's width; piped output for a script is not wrapped at all."""
    if out.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return out.width
    return UNLIMITED


@dataclass(frozen=True)
class Col:
    """A column; ``atom`` cells (ids, times, accounts) are never wrapped."""

    header: str
    atom: bool = False


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, breaking only where a reader would.

    Explicit newlines are kept. Only a single token wider than the whole line (a very
    long URL in a 60-column terminal) is cut, since nothing else can fit it.
    """
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for space, cluster in _clusters(paragraph):
            size = cell_len(cluster)
            gap = 1 if (space and line) else 0
            if line and used + gap + size <= width:
                line, used = line + " " * gap + cluster, used + gap + size
                continue
            if line:
                lines.append(line)
            if size <= width:
                line, used = cluster, size
            else:
                *full, line = chop_cells(cluster, width)
                lines.extend(full)
                used = cell_len(line)
        lines.append(line)
    return lines


def _clusters(paragraph: str) -> list[tuple[bool, str]]:
    """The typesetter's clusters, with times, paths and file names kept whole."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for match in _ATOM.finditer(paragraph):
        before = paragraph[pos:match.start()]
        pieces += clusters(before)
        pieces.append((before.endswith(" ") or (not before and paragraph[pos - 1:pos] == " "),
                       match.group()))
        pos = match.end()
    pieces += clusters(paragraph[pos:])
    merged: list[tuple[bool, str]] = []
    for space, cluster in pieces:  # kinsoku across the seams
        if merged and not space and (cluster[0] in NO_START or merged[-1][1][-1] in NO_END):
            merged[-1] = (merged[-1][0], merged[-1][1] + cluster)
        else:
            merged.append((space, cluster))
    return merged


def say(out: Console, text: str, *, style: str | None = None) -> None:
    """Print ``text`` wrapped to the terminal, continuation lines under their bullet."""
    width = width_of(out)
    for raw in text.split("\n"):
        prefix = _BULLET.match(raw).group(1)  # type: ignore[union-attr]
        indent = cell_len(prefix)
        if width - indent < MIN_VALUE:
            prefix, indent = prefix.lstrip(), cell_len(prefix.lstrip())
        body = wrap(raw[len(prefix):], max(width - indent, MIN_VALUE)) if raw.strip() else [""]
        lines = [prefix + body[0]] + [" " * indent + rest for rest in body[1:]]
        for line in lines:
            out.print(Text(line, style=style or ""), soft_wrap=True)


def records(out: Console, title: str, cols: Sequence[Col], rows: Sequence[Sequence[str]]) -> None:
    """A table when it fits the terminal without breaking a word, else stacked records."""
    total = width_of(out)
    widths = _fit(total, cols, rows)
    if widths is None:
        _stacked(out, title, cols, rows, total)
        return
    table = Table(title=title)
    for col, width in zip(cols, widths, strict=True):
        table.add_column(col.header, width=width, no_wrap=True, overflow="ignore")
    for row in rows:
        cells = [Text("\n".join(wrap(cell, width))) if not col.atom else Text(cell)
                 for col, width, cell in zip(cols, widths, row, strict=True)]
        table.add_row(*cells)
    # Rendered at its own width: Rich would squeeze it to 80 columns for piped output.
    options = out.options.update(width=sum(widths) + 3 * len(cols) + 1)
    out.print(Segments(out.render(table, options)), soft_wrap=True, crop=False)


def _longest(cells: Sequence[str]) -> int:
    return max((cell_len(line) for cell in cells for line in cell.split("\n")), default=0)


def _longest_token(cells: Sequence[str]) -> int:
    return max((cell_len(c) for cell in cells for line in cell.split("\n")
                for _s, c in _clusters(line)), default=0)


def _fit(total: int, cols: Sequence[Col], rows: Sequence[Sequence[str]]) -> list[int] | None:
    """Column widths that fit ``total`` cells with no word split, or None."""
    overhead = 3 * len(cols) + 1  # borders and one cell of padding either side
    natural, least = [], []
    for i, col in enumerate(cols):
        cells = [col.header, *(row[i] for row in rows)]
        natural.append(_longest(cells))
        if col.atom:
            least.append(natural[-1])
        else:
            floor = max(MIN_TEXT, cell_len(col.header), _longest_token(cells))
            least.append(min(natural[-1], floor))
    room = total - overhead - sum(least)
    if room < 0:
        return None
    widths = list(least)
    growing = [i for i, col in enumerate(cols) if not col.atom and widths[i] < natural[i]]
    while room > 0 and growing:  # share the room out evenly, up to each natural width
        for i in list(growing):
            if room == 0:
                break
            widths[i] += 1
            room -= 1
            if widths[i] >= natural[i]:
                growing.remove(i)
    return widths


def _stacked(out: Console, title: str, cols: Sequence[Col], rows: Sequence[Sequence[str]],
             width: int) -> None:
    out.print(Text(title, style="bold"), soft_wrap=True)
    for row in rows:
        out.print()
        for i, (col, cell) in enumerate(zip(cols, row, strict=True)):
            if not cell:
                continue
            label = f"{col.header}：" if i == 0 else f"  {col.header}："
            _labelled(out, label, cell, width)


def _labelled(out: Console, label: str, value: str, width: int) -> None:
    indent = cell_len(label)
    if width - indent >= MIN_VALUE:
        body = wrap(value, width - indent)
        lines = [label + body[0]] + [" " * indent + rest for rest in body[1:]]
    else:  # too narrow to hang: the value goes under its label
        lines = [label] + ["    " + rest for rest in wrap(value, max(width - 4, 1))]
    for line in lines:
        out.print(Text(line), soft_wrap=True)
