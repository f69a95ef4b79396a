"""The report's tables as plain rows, shared by the .docx, the PDF, the CSV and the HTML.

Each writer lays the same rows out its own way, so the four can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialbot.report.model import ReportSpec
from socialbot.report.totals import Digest, Slice, Total, metric_totals

CHINESE_NUMBERS = "一二三四五六七八九十"
GAP = "—"


@dataclass(frozen=True)
class Cell:
    text: str
    gap: bool = False  # nothing published: shaded so gaps show at a glance


def _and(words: list[str]) -> str:
    """A、B与C: the last two joined by 与."""
    return "与".join(["、".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def coverage_legend(platforms: tuple[ReportSpec, ...]) -> str:
    """What a coverage cell holds, in the order its lines do."""
    counted = _and([f"{s.noun}{s.measure}数" for s in platforms])
    reaches = "".join(f"、{s.reach_label}{s.reach_metric.measure}数" for s in platforms)
    return (f"每格依次为：发布数（{counted}合计）{reaches}；"
            "“—”表示该单位该项活动暂无发布；“未采集”表示数据尚未采集，不等于0；"
            "带*的数字只含已采集的部分。")


def figures_note(platforms: tuple[ReportSpec, ...]) -> str:
    """The line under the figures table: what its numbers are sums of."""
    each = "、".join(f"各{s.measure}{s.item}" for s in platforms)
    return f"数值为{each}及各账号每日已采集数据之和，明细见 report.json。"


def activity_label(number: int) -> str:
    return f"（{CHINESE_NUMBERS[number - 1]}）"


def shown(total: Total) -> str:
    """A figure as staff read it: 未采集 when nothing was collected, * when partly."""
    if total.value is None:
        return "未采集"
    return f"{total.value}*" if total.missing else str(total.value)


def figures_rows(digest: Digest) -> list[tuple[str, str, str]]:
    """(指标, 数值, 说明) for the figures table."""
    platforms = digest.platforms
    keys = ["units_publishing", "accounts_publishing", "activities_held",
            *[s.items_key for s in platforms],
            *[key for s in platforms for key, *_ in metric_totals(s)], "followers_gained",
            *[s.followers_key for s in platforms], "followers_lost"]
    rows = []
    for key in keys:
        total = digest.totals[key]
        if total.value is None and not total.missing:
            note = "无相关发布"
        elif total.value is None:
            note = f"{len(total.missing)}项均未采集"
        elif total.missing:
            note = f"另有{len(total.missing)}项未采集，未计入"
        else:
            note = ""
        rows.append((total.label, "—" if not total.ids and not total.missing else shown(total),
                     note))
    return rows


def slice_cell(part: Slice) -> Cell:
    if not part.published:
        return Cell(GAP, gap=True)
    lines = [f"{part.published}篇"]
    lines += [f"{s.reach_tag}{shown(part.reach(s))}" for s in part.platforms
              if part.count(s).value]
    return Cell("\n".join(lines))


def coverage_grid(digest: Digest) -> tuple[list[str], list[list[Cell]]]:
    """Header and rows: one row per unit, a column per activity, then the unit's total."""
    numbers = [a.number for a in digest.figures.campaign.activities]
    header = ["单位", *[activity_label(n) for n in numbers], "合计"]
    rows = []
    for unit in digest.figures.units:
        row = [Cell(unit)]
        row += [slice_cell(digest.cells[(unit, n)]) for n in numbers]
        row.append(slice_cell(digest.by_unit[unit]))
        rows.append(row)
    return header, rows


def activity_legend(digest: Digest) -> list[str]:
    return [f"{activity_label(a.number)}{a.title}" for a in digest.figures.campaign.activities]
