"""Write every report file for one set of figures: the draft, documents, table, JSON.

``build_report`` is what the CLI calls; it returns the paths it wrote and the summary,
so the caller can tell staff where to look and whether the length is off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from socialbot.report.charts import Bar, bar_chart
from socialbot.report.coverage import write_coverage_csv, write_coverage_html
from socialbot.report.docx_writer import write_docx
from socialbot.report.model import Figures, Item, ReportSpec
from socialbot.report.pdf_writer import write_pdf
from socialbot.report.summary import (
    BODY_MAX,
    BODY_MIN,
    COUNTING_RULE,
    Summary,
    write_summary,
)
from socialbot.report.tables import activity_label
from socialbot.report.totals import Digest, Slice, digest

DRAFT_NOTE = "初稿：由数据自动生成，供工作人员修改定稿；所有数字可在本文件中逐项追溯。"


@dataclass(frozen=True)
class Written:
    summary: Summary
    files: dict[str, Path]

    @property
    def length_note(self) -> str:
        n = self.summary.han_characters
        if self.summary.length_ok:
            return ""
        short = n < BODY_MIN
        return (f"正文共 {n} 个汉字，不在 {BODY_MIN}–{BODY_MAX} 字之间"
                f"（{'数据较少' if short else '数据较多'}），请人工{'补充' if short else '删减'}。")


def _no_bar(part: Slice, spec: ReportSpec) -> str:
    """Why a bar is empty, when it is not for want of collected figures."""
    if not part.published:
        return "暂无发布"
    return "" if part.count(spec).value else f"无{spec.noun}"


def write_charts(d: Digest, out: Path) -> list[Path]:
    """The headline figure by activity and by unit (none without a headline platform)."""
    spec = d.figures.headline
    if spec is None:
        return []
    by_activity = [
        Bar(f"{activity_label(a.number)}{a.title}", d.by_activity[a.number].reach(spec).value,
            _no_bar(d.by_activity[a.number], spec))
        for a in d.figures.campaign.activities
    ]
    by_unit = [Bar(unit, d.by_unit[unit].reach(spec).value, _no_bar(d.by_unit[unit], spec))
               for unit in d.figures.units]
    what = f"{spec.noun}{spec.reach_metric.said}量"
    return [
        bar_chart(f"各项活动{what}", by_activity, out / f"chart-{spec.reach}-by-activity.png"),
        bar_chart(f"各单位{what}", by_unit, out / f"chart-{spec.reach}-by-unit.png"),
    ]


def report_json(summary: Summary, d: Digest, source: str) -> dict[str, Any]:
    f = d.figures
    return {
        "note": DRAFT_NOTE,
        "figures_file": source,
        "reporting_unit": f.reporting_unit,
        "units": list(f.units),
        "campaign": {"name": f.campaign.name, "theme": f.campaign.theme,
                     "start": f.campaign.start.isoformat(), "end": f.campaign.end.isoformat(),
                     "notice": f.campaign.notice},
        "summary": {
            "title": summary.title,
            "paragraphs": summary.paragraphs,
            "han_characters": summary.han_characters,
            "counting_rule": COUNTING_RULE,
            "within_range": summary.length_ok,
            "figures_used": summary.used,
        },
        "totals": {key: total.to_json() for key, total in d.totals.items()},
        "by_activity": [
            {"activity": a.number, "title": a.title, "organisers": a.organisers,
             **d.by_activity[a.number].to_json()} for a in f.campaign.activities
        ],
        "by_unit": [{"unit": u, **d.by_unit[u].to_json()} for u in f.units],
        "coverage": [
            {"unit": u, "activity": a.number, **d.cells[(u, a.number)].to_json()}
            for u in f.units for a in f.campaign.activities
        ],
        **{s.best_key: [_item(i, s.reach) for i in d.best[s.platform]] for s in d.platforms},
    }


def _item(item: Item, metric: str) -> dict[str, Any]:
    figure = item.metric(metric)
    assert figure is not None  # best items are ranked by this figure
    return {"id": item.id, "title": item.title, "unit": item.unit, "account": item.account,
            metric: figure.value, "source": figure.source}


def build_report(figures: Figures, out: Path, day: date, source: str = "") -> Written:
    """Write the summary (.docx, .pdf), charts, coverage table and report.json to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    d = digest(figures)
    summary = write_summary(d)
    charts = write_charts(d, out)
    files = {
        "docx": write_docx(summary, d, charts, out / "活动总结-初稿.docx", day),
        "pdf": write_pdf(summary, d, charts, out / "活动总结-初稿.pdf", day),
        "coverage_csv": write_coverage_csv(d, out / "覆盖情况.csv"),
        "coverage_html": write_coverage_html(d, "各单位开展八项重点活动覆盖情况",
                                             out / "覆盖情况.html"),
    }
    files.update(zip(("chart_activity", "chart_unit"), charts, strict=False))
    report = out / "report.json"
    report.write_text(json.dumps(report_json(summary, d, source), ensure_ascii=False, indent=2)
                      + "\n", "utf-8")
    files["json"] = report
    return Written(summary, files)
