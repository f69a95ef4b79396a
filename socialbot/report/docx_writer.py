"""The summary as a .docx in the layout a government office submits (python-docx).

A4 with the GB/T 9704 margins, a 初稿 mark, the title, the body in 3号 text with a
two-character first-line indent, the 落款 (unit and date), then the figures table,
the charts and the coverage table (landscape), and “— page —” in the footer.

Fonts: offices typeset titles in 方正小标宋简体 and bodies in 仿宋_GB2312, which are
neither free to embed nor on every PC. The styles name 黑体 (title, headings) and 仿宋
(body) as East Asian fonts — both ship with every Windows since Vista and with WPS — so
the file opens the same everywhere; an office that has the 方正 fonts changes the two
styles in Word. The PDF, which must look the same on every reader, embeds Noto Sans CJK.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from socialbot.report.summary import Summary
from socialbot.report.tables import (
    activity_legend,
    coverage_grid,
    coverage_legend,
    figures_note,
    figures_rows,
)
from socialbot.report.totals import Digest

TITLE_FONT = "黑体"  # stands in for 方正小标宋简体
BODY_FONT = "仿宋"  # stands in for 仿宋_GB2312
LATIN_FONT = "Times New Roman"
DRAFT_MARK = "初稿（供编辑修改，定稿前请删除此行）"
GAP_SHADE = "F2DEDE"


def _fonts(run_or_style, east_asia: str, size: float | None = None, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    font = run_or_style.font
    font.name = LATIN_FONT
    if size:
        font.size = Pt(size)
    font.bold = bold
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    # Curly quotes and ellipses are "ambiguous" characters: the hint makes Word draw
    # them in the East Asian font (full width) instead of the Latin one.
    fonts.set(qn("w:hint"), "eastAsia")
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _paragraph(doc, text: str, *, font: str = BODY_FONT, size: float = 16, bold=False,  # type: ignore[no-untyped-def]
               align=None, indent: bool = False, after: float = 0) -> Paragraph:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size >= 14 else size * 1.5)
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    _fonts(paragraph.add_run(text), font, size, bold)
    return paragraph


def _page_number_footer(section) -> None:  # type: ignore[no-untyped-def]
    """“— N —” centred in the footer; N is a PAGE field Word fills in."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(paragraph.add_run("— "), BODY_FONT, 14)
    run = paragraph.add_run()
    _fonts(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    _fonts(paragraph.add_run(" —"), BODY_FONT, 14)


def _shade(cell, colour: str) -> None:  # type: ignore[no-untyped-def]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_text(cell, text: str, size: float, bold: bool = False, centre: bool = False) -> None:  # type: ignore[no-untyped-def]
    cell.text = ""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        _fonts(run, BODY_FONT, size, bold)
        if index < len(text.split("\n")) - 1:
            run.add_break()


def _table(doc, header: list[str], rows: list[list[str]], size: float, widths: list[float],  # type: ignore[no-untyped-def]
           gaps: list[list[bool]] | None = None):
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, text in enumerate(header):
        _cell_text(table.rows[0].cells[column], text, size, bold=True, centre=True)
        _shade(table.rows[0].cells[column], "E9F4EE")
    for r, row in enumerate(rows, start=1):
        for column, text in enumerate(row):
            cell = table.rows[r].cells[column]
            _cell_text(cell, text, size, centre=column > 0)
            if gaps and gaps[r - 1][column]:
                _shade(cell, GAP_SHADE)
    table.autofit = False
    for column, width in enumerate(widths):
        table.columns[column].width = Cm(width)  # the grid: what LibreOffice and WPS follow
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))  # the header repeats on each page
        for column, width in enumerate(widths):
            row.cells[column].width = Cm(width)
    return table


def write_docx(summary: Summary, digest: Digest, charts: list[Path], path: Path,
               day: date) -> Path:
    doc = Document()
    doc.core_properties.title = summary.title
    doc.core_properties.author = summary.unit
    doc.core_properties.comments = "初稿：由 socialbot report 根据数据生成，供编辑修改"
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)

    mark = _paragraph(doc, DRAFT_MARK, font=TITLE_FONT, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    mark.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    title = _paragraph(doc, "", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
                       after=16)
    title.paragraph_format.line_spacing = Pt(36)
    lines = summary.title_lines
    for index, line in enumerate(lines):
        run = title.add_run(line)
        _fonts(run, TITLE_FONT, 22)
        if index < len(lines) - 1:
            run.add_break()
    for text in summary.paragraphs:
        _paragraph(doc, text, indent=True)
    _paragraph(doc, "")
    _paragraph(doc, summary.unit, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, f"{day.year}年{day.month}月{day.day}日", align=WD_ALIGN_PARAGRAPH.RIGHT)

    doc.add_page_break()
    _paragraph(doc, "附件1  主要数据", font=TITLE_FONT, size=16, after=8)
    rows = [list(row) for row in figures_rows(digest)]
    _table(doc, ["指标", "数值", "说明"], rows, 12, [6.0, 3.5, 6.0])
    _paragraph(doc, figures_note(digest.platforms),
               size=12)
    _paragraph(doc, "附件2  传播情况图", font=TITLE_FONT, size=16, after=8)
    for chart in charts:
        doc.add_picture(str(chart), width=Cm(15.6))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    wide = doc.add_section()
    wide.orientation = WD_ORIENT.LANDSCAPE
    wide.page_width, wide.page_height = Mm(297), Mm(210)
    wide.top_margin, wide.bottom_margin = Mm(20), Mm(20)
    wide.left_margin, wide.right_margin = Mm(15), Mm(15)
    _paragraph(doc, "附件3  各单位开展八项重点活动覆盖情况", font=TITLE_FONT, size=16, after=6)
    header, grid = coverage_grid(digest)
    _table(doc, header, [[c.text for c in row] for row in grid], 9,
           [5.2] + [2.2] * (len(header) - 2) + [2.2], [[c.gap for c in row] for row in grid])
    _paragraph(doc, coverage_legend(digest.platforms), size=10)
    for line in activity_legend(digest):
        _paragraph(doc, line, size=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
