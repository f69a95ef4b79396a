"""``socialbot report``: the 活动总结 draft, its documents, the coverage table, report.json."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from socialbot.commands.context import staff_errors
from socialbot.errors import Problem
from socialbot.explain import os_reason
from socialbot.report.build import build_report
from socialbot.report.load import ReportError, load_figures

BEIJING = ZoneInfo("Asia/Shanghai")
LABELS = {
    "docx": "活动总结初稿（Word）",
    "pdf": "活动总结初稿（PDF，电子版报送用）",
    "coverage_csv": "覆盖情况表（CSV，可用 Excel 打开）",
    "coverage_html": "覆盖情况表（网页）",
    "chart_activity": "图表：各项活动阅读量",
    "chart_unit": "图表：各单位阅读量",
    "json": "全部数字及其来源（report.json）",
}


def _day(value: str | None) -> date:
    if value is None:
        return datetime.now(BEIJING).date()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ReportError(Problem("--date", f"日期应写成 2022-06-24，实际为“{value}”")) from None


@click.command("report")
@click.option("--figures", "figures_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="数据文件（JSON）：各单位、账号、已发布稿件及其阅读、转发等数据")
@click.option("--unit", default=None, metavar="单位名称",
              help="只为这个单位生成总结（默认：全市汇总）")
@click.option("--out", "out_dir", default="out/report", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="输出文件夹")
@click.option("--activities", "activities_path", default="campaign/activities.toml",
              show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="通知部署的八项重点活动清单")
@click.option("--date", "day", default=None, metavar="日期",
              help="落款日期，如 2022-06-24（默认：今天）")
@staff_errors
def report(figures_path: Path, unit: str | None, out_dir: Path, activities_path: Path,
           day: str | None) -> None:
    """生成活动总结初稿（约500字，Word 和 PDF）、覆盖情况表和 report.json。

    \b
    总结正文只写数据文件中有的内容：开展了哪些活动、哪些单位和账号发布、
    发布篇数、阅读转发等数字和阅读量居前的文章；未采集的数据注明“未采集”，
    不会当作 0。每个数字在 report.json 中列明由哪些稿件、哪天的数据相加而来。
    生成的是初稿，请工作人员修改定稿后报送。

    \b
    目前数据从 --figures 指定的 JSON 文件读取；
    今后由统计采集（stats collect）写入数据库后即可直接生成。
    """
    when = _day(day)
    figures = load_figures(figures_path, activities_path)
    if unit is not None:
        if unit not in figures.units:
            known = "、".join(figures.units)
            raise ReportError(Problem("--unit", f"数据文件中没有单位“{unit}”，可选：{known}"))
        figures = figures.for_unit(unit)
    try:
        written = build_report(figures, out_dir, when, figures_path.name)
    except OSError as exc:
        problem = Problem(str(out_dir), f"无法写入输出文件夹（{os_reason(exc)}）")
        raise ReportError(problem) from None
    summary = written.summary
    click.echo(f"已生成“{summary.title}”初稿（{summary.unit}）："
               f"正文 {summary.han_characters} 个汉字（只计汉字，不计标点和数字）。")
    if written.length_note:
        click.secho(written.length_note, fg="yellow")
    for key, path in written.files.items():
        click.echo(f"  {LABELS[key]}：{path}")
    click.echo("这是初稿，请核对修改后再报送。")


COMMANDS = [report]
