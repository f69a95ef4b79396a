"""The report's tables as plain rows, shared by the .docx, the PDF, the CSV and the HTML.

Each writer lays the same rows out its own way, so the four can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialbot.report.totals import TOTAL_METRICS, Digest, Slice, Total

CHINESE_NUMBERS = "一二三四五六七八九十"
GAP = "—"
COVERAGE_LEGEND = (
    "每格依次为：发布数（微信文章篇数与微博条数合计）、微信阅读次数、微博转发次数；"
    "“—”表示该单位该项活动暂无发布；“未采集”表示数据尚未采集，不等于0；"
    "带*的数字只含已采集的部分。"
)


@dataclass(frozen=True)
class Cell:
    text: str
    gap: bool = False  # nothing published: shaded so gaps show at a glance


def activity_label(number: int) -> str:
    return f"（{CHINESE_NUMBERS[number - 1]}）"


def shown(total: Total) -> str:
    """A figure as staff read it: 未采集 when nothing was collected, * when partly."""
    if total.value is None:
        return "未采集"
    return f"{total.value}*" if total.missing else str(total.value)


def figures_rows(digest: Digest) -> list[tuple[str, str, str]]:
    """(指标, 数值, 说明) for the figures table."""
    keys = ["units_publishing", "accounts_publishing", "activities_held", "wechat_articles",
            "weibo_posts", *[k for k, *_ in TOTAL_METRICS], "followers_gained",
            "followers_gained_wechat", "followers_gained_weibo", "followers_lost"]
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
    if part.wechat.value:
        lines.append(f"阅{shown(part.reads)}")
    if part.weibo.value:
        lines.append(f"转{shown(part.reposts)}")
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
