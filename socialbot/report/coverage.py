"""The coverage table outside the documents: a CSV for spreadsheets and an HTML page.

The CSV has one row per unit × activity (Excel opens it as UTF-8 thanks to the BOM);
the HTML page is the grid of the documents, gaps shaded, for a quick look in a browser.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from socialbot.report.model import ReportSpec
from socialbot.report.tables import activity_legend, coverage_grid, coverage_legend
from socialbot.report.totals import Digest, Slice, Total


def csv_header(platforms: tuple[ReportSpec, ...]) -> list[str]:
    """Per platform its item count, then per platform its reach figure and its gaps."""
    reaches = [label for s in platforms for label in (
        f"{s.reach_label}（{s.reach_metric.measure}）",
        f"{s.reach_metric.said}未采集（{s.measure}）")]
    return ["单位", "活动序号", "活动", *[f"{s.noun}（{s.measure}）" for s in platforms],
            *reaches, "发布编号"]


def _value(total: Total) -> str:
    return "未采集" if total.value is None and total.missing else str(total.value or 0)


def _figures(cell: Slice) -> list[object]:
    """A cell's CSV columns after the activity, in ``csv_header``'s order."""
    platforms = cell.platforms
    reaches = [column for s in platforms for column in (
        _value(cell.reach(s)) if cell.count(s).value else "", len(cell.reach(s).missing))]
    ids = " ".join(ident for s in platforms for ident in cell.count(s).ids)
    return [*[cell.count(s).value for s in platforms], *reaches, ids]


def write_coverage_csv(digest: Digest, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_header(digest.platforms))
        for unit in digest.figures.units:
            for activity in digest.figures.campaign.activities:
                cell = digest.cells[(unit, activity.number)]
                writer.writerow([unit, activity.number, activity.title, *_figures(cell)])
    return path


STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 24px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border: 1px solid #999; padding: 4px 8px; text-align: center; white-space: pre-line; }
th { background: #e9f4ee; }
td.unit { text-align: left; }
td.gap { background: #f2dede; color: #a94442; }
p, li { font-size: 13px; color: #333; }
"""


def write_coverage_html(digest: Digest, title: str, path: Path) -> Path:
    header, grid = coverage_grid(digest)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    rows = []
    for row in grid:
        cells = [f'<td class="unit">{html.escape(row[0].text)}</td>']
        cells += [f'<td class="{"gap" if c.gap else ""}">{html.escape(c.text)}</td>'
                  for c in row[1:]]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    legend = "".join(f"<li>{html.escape(line)}</li>" for line in activity_legend(digest))
    page = (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p>{html.escape(coverage_legend(digest.platforms))}</p><ul>{legend}</ul>"
        "</body></html>\n"
    )
    path.write_text(page, "utf-8")
    return path
