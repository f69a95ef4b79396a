"""The same report as a PDF for the electronic submission, Chinese font embedded (fpdf2).

fpdf2 is pure Python (its one dependency, fontTools, subsets the font), so a government
server needs no browser, office suite or system fonts to make the PDF. It embeds the
bundled Noto Sans CJK SC face (CFF outlines, taken from the OTC collection by index) as
a subset, so every reader shows the same glyphs.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import WrapMode, XPos, YPos

from socialbot.render.fonts import DEFAULT_FONT_INDEX, default_font_path
from socialbot.report.summary import Summary
from socialbot.report.tables import (
    activity_legend,
    coverage_grid,
    coverage_legend,
    figures_note,
    figures_rows,
)
from socialbot.report.totals import Digest

FONT = "NotoSansCJKsc"
INDENT = "\u3000\u3000"  # two full-width spaces: the body's first-line indent
DRAFT_MARK = "初稿（供编辑修改）"
HEADER_FILL = (233, 244, 238)
GAP_FILL = (242, 222, 222)
# Chinese line breaking (禁则): closing marks never begin a line, opening marks never end
# one, and a number or Latin word is never split.
NO_LINE_START = set("，。、；：？！）》」』”’％·")
NO_LINE_END = set("（《「『“‘")
TOKEN = re.compile(r"[A-Za-z0-9.%]+|.", re.DOTALL)


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-22)
        self.set_font(FONT, size=12)
        self.cell(0, 10, f"— {self.page_no()} —", align="C")


def _kinsoku_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """Break ``text`` into lines that fit ``width`` by the rules above.

    A line that would break a rule gives up its last tokens to the next line, so it is
    a little short rather than wrong (as Word does when it cannot squeeze).
    """
    lines: list[list[str]] = []
    line: list[str] = []
    for token in TOKEN.findall(text):
        if not line or pdf.get_string_width("".join(line) + token) <= width:
            line.append(token)
            continue
        carried: list[str] = []
        while len(line) > 1 and ((token in NO_LINE_START and not carried)
                                 or line[-1] in NO_LINE_END
                                 or (carried and carried[0] in NO_LINE_START)):
            carried.insert(0, line.pop())
        lines.append(line)
        line = [*carried, token]
    if line:
        lines.append(line)
    return ["".join(tokens) for tokens in lines]


def _body(pdf: FPDF, text: str, size: float, height: float, indent: bool = True) -> None:
    pdf.set_font(FONT, size=size)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for line in _kinsoku_lines(pdf, (INDENT if indent else "") + text, width - 0.5):
        pdf.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def write_pdf(summary: Summary, digest: Digest, charts: list[Path], path: Path,
              day: date) -> Path:
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(default_font_path()), collection_font_number=DEFAULT_FONT_INDEX)
    pdf.set_title(summary.title)
    pdf.set_author(summary.unit)
    pdf.set_creator("socialbot")
    pdf.set_creation_date(datetime(day.year, day.month, day.day))  # same input, same file
    pdf.set_margins(28, 37, 26)
    pdf.set_auto_page_break(True, margin=35)
    pdf.add_page()

    pdf.set_font(FONT, size=10.5)
    pdf.set_text_color(192, 0, 0)
    pdf.cell(0, 6, DRAFT_MARK, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font(FONT, size=18)
    for line in _title_lines(pdf, summary.title):
        pdf.cell(0, 11, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    for paragraph in summary.paragraphs:
        _body(pdf, paragraph, 14, 9.5)
    pdf.ln(9)
    pdf.set_font(FONT, size=14)
    for line in (summary.unit, f"{day.year}年{day.month}月{day.day}日"):
        pdf.cell(0, 9.5, line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.add_page()
    _heading(pdf, "附件1  主要数据")
    pdf.set_font(FONT, size=10.5)
    with pdf.table(col_widths=(62, 34, 60), line_height=7, text_align=("LEFT", "CENTER", "LEFT"),
                   headings_style=FontFace(fill_color=HEADER_FILL), wrapmode=WrapMode.CHAR) as t:
        for row in [("指标", "数值", "说明"), *figures_rows(digest)]:
            cells = t.row()
            for text in row:
                cells.cell(text)
    pdf.ln(2)
    _body(pdf, figures_note(digest.platforms), 10.5, 6,
          indent=False)
    pdf.add_page()
    _heading(pdf, "附件2  传播情况图")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for chart in charts:
        pdf.image(str(chart), w=width)
        pdf.ln(4)

    pdf.set_top_margin(20)
    pdf.set_auto_page_break(True, margin=24)
    pdf.add_page(orientation="L")
    _heading(pdf, "附件3  各单位开展八项重点活动覆盖情况")
    header, grid = coverage_grid(digest)
    pdf.set_font(FONT, size=8.5)
    widths = (50, *([21] * (len(header) - 2)), 23)  # 241 mm of the 243 between margins
    with pdf.table(col_widths=widths, line_height=4.6, text_align="CENTER",
                   headings_style=FontFace(fill_color=HEADER_FILL), wrapmode=WrapMode.CHAR,
                   width=sum(widths)) as t:
        cells = t.row()
        for text in header:
            cells.cell(text)
        for row in grid:
            cells = t.row()
            for index, cell in enumerate(row):
                style = FontFace(fill_color=GAP_FILL) if cell.gap else None
                cells.cell(cell.text, style=style, align="LEFT" if index == 0 else "CENTER")
    pdf.ln(2)
    for line in (coverage_legend(digest.platforms), *activity_legend(digest)):
        _body(pdf, line, 9, 5, indent=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, size=14)
    pdf.cell(0, 10, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _title_lines(pdf: FPDF, title: str) -> list[str]:
    """One line if it fits, else two balanced lines (never a lone word on the second)."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if pdf.get_string_width(title) <= width:
        return [title]
    lines = _kinsoku_lines(pdf, title, pdf.get_string_width(title) / 2 + pdf.font_size * 2)
    return lines if len(lines) == 2 else _kinsoku_lines(pdf, title, width)
