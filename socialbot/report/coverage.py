"""The coverage table outside the documents: a CSV for spreadsheets and an HTML page.

The CSV has one row per unit × activity (Excel opens it as UTF-8 thanks to the BOM);
the HTML page is the grid of the documents, gaps shaded, for a quick look in a browser.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from socialbot.report.tables import COVERAGE_LEGEND, activity_legend, coverage_grid
from socialbot.report.totals import Digest, Total

CSV_HEADER = ["单位", "活动序号", "活动", "微信文章（篇）", "微博（条）", "微信阅读（次）",
              "阅读未采集（篇）", "微博转发（次）", "转发未采集（条）", "发布编号"]


def _value(total: Total) -> str:
    return "未采集" if total.value is None and total.missing else str(total.value or 0)


def write_coverage_csv(digest: Digest, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for unit in digest.figures.units:
            for activity in digest.figures.campaign.activities:
                cell = digest.cells[(unit, activity.number)]
                writer.writerow([
                    unit, activity.number, activity.title, cell.wechat.value,
                    cell.weibo.value, _value(cell.reads) if cell.wechat.value else "",
                    len(cell.reads.missing), _value(cell.reposts) if cell.weibo.value else "",
                    len(cell.reposts.missing), " ".join((*cell.wechat.ids, *cell.weibo.ids)),
                ])
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
        f"<p>{html.escape(COVERAGE_LEGEND)}</p><ul>{legend}</ul></body></html>\n"
    )
    path.write_text(page, "utf-8")
    return path
