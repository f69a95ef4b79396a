"""``socialbot stats collect``: fetch reach figures from the platforms into the database."""

from __future__ import annotations

import datetime as dt

import click

from socialbot.commands.context import EXIT_ATTENTION, AppContext, pass_app, staff_errors
from socialbot.errors import Problem, SocialbotError
from socialbot.stats import CollectRun, collect, default_range
from socialbot.store import open_store


@click.group("stats")
def stats() -> None:
    """统计：从平台采集阅读、转发、关注等数据，存入数据库，供活动总结使用。"""


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SocialbotError(Problem(option, f"日期应写成 2022-06-09，实际为“{value}”"),
                             title="统计没有开始") from None


@stats.command("collect")
@click.option("--since", default=None, metavar="日期",
              help="从这一天起（北京时间，含当天）；默认：截止日前 30 天")
@click.option("--until", default=None, metavar="日期",
              help="统计到这一天（含）；默认：昨天（平台次日上午才算完前一天的数据）")
@click.option("--account", "accounts", multiple=True, metavar="账号",
              help="只采集这个账号（可重复；默认全部账号）")
@pass_app
@staff_errors
def collect_command(app: AppContext, since: str | None, until: str | None,
                    accounts: tuple[str, ...]) -> None:
    """采集各账号已发布稿件的阅读、分享、在看、点赞、评论、转发和关注人数。

    \b
    数据尚未算完的（微信 is_delay）不保存、不记为 0，下次采集时再取；
    没有数据权限的账号（未认证、授权过期、缺少密钥）每次只报告一次，不反复重试，
    并记入数据库：socialbot status 和提醒会列出它，直到数据恢复采集。
    退出码：0 完成（可能有尚未算完、下次再取的数据）；2 参数有误；
    3 有账号没有权限或采集失败，需要人工处理。
    """
    settings = app.settings
    unknown = [a for a in accounts if a not in settings.accounts]
    if unknown:
        raise SocialbotError(Problem("--account", f"没有账号“{'、'.join(unknown)}”，"
                                     f"可选：{'、'.join(settings.accounts)}"),
                             title="统计没有开始")
    start, end = default_range(settings.tz, since=_day(since, "--since"),
                               until=_day(until, "--until"))
    if start > end:
        raise SocialbotError(Problem("--since", f"开始日期 {start} 晚于截止日期 {end}"),
                             title="统计没有开始")
    from socialbot import attention
    from socialbot.kv import open_kv
    from socialbot.store.db import utcnow

    store = open_store(settings)
    try:
        run = collect(settings, store, open_kv(settings), since=start, until=end,
                      accounts=list(accounts) or None,
                      on_unavailable=lambda account, reason: attention
                      .report_stats_unavailable(store, account, reason, utcnow()))
        for done in run.accounts:  # as the daemon's job: status and alerts see the same
            if not done.unavailable:
                attention.clear_stats_unavailable(store, done.account)
    finally:
        store.dispose()
    _print(run)
    if run.needs_person:
        raise SystemExit(EXIT_ATTENTION)


def _print(run: CollectRun) -> None:
    click.echo(f"统计范围：{run.since} 至 {run.until}（北京时间）")
    for a in run.accounts:
        if a.unavailable:
            click.secho(f"  {a.name}（{a.account}）：没有数据权限，已跳过：{a.unavailable}",
                        fg="red")
            continue
        if a.failed:
            click.secho(f"  {a.name}（{a.account}）：本次采集失败，下次再试：{a.failed}", fg="red")
            continue
        click.echo(f"  {a.name}（{a.account}）：已发布 {a.items} 条，保存数据 {a.stored} 条")
        for note in a.delayed:
            click.secho(f"    尚未算完，下次再取：{note}", fg="yellow")
        for note in a.unmatched:
            click.secho(f"    未找到：{note}", fg="yellow")
    if not run.accounts:
        click.echo("没有可采集统计数据的账号。")
    elif run.needs_person:
        click.secho("有账号需要人工处理（见上）。", fg="red")
    else:
        click.echo("完成。")


COMMANDS: list[click.Command] = [stats]
