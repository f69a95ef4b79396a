"""``socialbot report``: the 活动总结 draft, its documents, the coverage table, report.json."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from socialbot.commands.context import AppContext, pass_app, staff_errors
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
@click.option("--campaign", "whole", is_flag=True,
              help="全部单位汇总（默认即为全市汇总；与 --unit 二选一）")
@click.option("--figures", "figures_path", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="改从数据文件（JSON）读取数据（离线整理的数据）；默认读数据库中的发布记录和统计数据")
@click.option("--unit", default=None, metavar="单位名称",
              help="只为这个单位生成总结（单位名称或配置中的单位代号；默认：全市汇总）")
@click.option("--out", "out_dir", default="out/report", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="输出文件夹")
@click.option("--activities", "activities_path", default="campaign/activities.toml",
              show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="通知部署的八项重点活动清单（含各项活动对应的稿件）")
@click.option("--date", "day", default=None, metavar="日期",
              help="落款日期，如 2022-06-24（默认：今天）")
@pass_app
@staff_errors
def report(app: AppContext, whole: bool, figures_path: Path | None, unit: str | None,
           out_dir: Path, activities_path: Path, day: str | None) -> None:
    """生成活动总结初稿（约500字，Word 和 PDF）、覆盖情况表和 report.json。

    \b
    默认从数据库读取：发布队列中已发布的稿件（哪些活动、哪些单位和账号、
    发布篇数）和 stats collect 采集的阅读、分享、在看、点赞、评论、转发、
    新增关注等数据。总结正文只写这些数据中有的内容；未采集的数据注明
    “未采集”，不会当作 0。每个数字在 report.json 中列明由哪些稿件、
    哪个接口哪天的数据相加而来。生成的是初稿，请工作人员修改定稿后报送。

    \b
    示例：
      socialbot stats collect          # 先采集统计数据
      socialbot report --out out/report
      socialbot report --unit 上海市检验检测认证协会
    """
    if whole and unit is not None:
        raise ReportError(Problem("--unit", "--campaign（全市汇总）和 --unit 只能选一个"))
    when = _day(day)
    if figures_path is not None:
        figures = load_figures(figures_path, activities_path)
        source = figures_path.name
        if unit is not None and unit not in figures.units:
            known = "、".join(figures.units)
            raise ReportError(Problem("--unit", f"数据文件中没有单位“{unit}”，可选：{known}"))
    else:
        from socialbot.reach_report import figures_from_store, unit_named
        from socialbot.store import open_store

        settings = app.settings
        store = open_store(settings)
        try:
            figures = figures_from_store(settings, store, activities_path)
        finally:
            store.dispose()
        source = "数据库（发布队列和 stats collect 采集的统计数据）"
        if unit is not None:
            unit = unit_named(settings, figures, unit)
    if unit is not None:
        figures = figures.for_unit(unit)
    try:
        written = build_report(figures, out_dir, when, source)
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
