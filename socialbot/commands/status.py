"""``socialbot status``: run by staff, cron and monitoring, so it starts light.

On SQLite it reads through ``store.lite`` (the standard library's ``sqlite3``) and
imports neither SQLAlchemy nor the rendering stack; PostgreSQL, or a database the full
store must first create or migrate, goes through ``open_store`` as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from socialbot.commands.context import EXIT_ATTENTION, AppContext, pass_app, staff_errors
from socialbot.commands.layout import Col, records, say
from socialbot.commands.output import console
from socialbot.status import collect
from socialbot.store import open_reader
from socialbot.times import show, utcnow
from socialbot.wording.labels import label, scope_label

if TYPE_CHECKING:
    from socialbot.config import Settings
    from socialbot.status import Status


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_app
@staff_errors
def status(app: AppContext, as_json: bool) -> None:
    """运行状况：即将发布、需要处理的问题、剩余额度、授权到期；有问题时退出码为 3。"""
    settings = app.settings
    reader = open_reader(settings)
    try:
        report = collect(settings, reader, utcnow())
    finally:
        reader.dispose()
    if as_json:
        click.echo(report.dumps(settings))
    else:
        print_status(report, settings)
    if report.needs_attention:
        raise SystemExit(EXIT_ATTENTION)


ID, ACCOUNT, TITLE, TIME, STATE = (Col("编号", atom=True), Col("账号", atom=True), Col("标题"),
                                   Col("时间", atom=True), Col("状态", atom=True))


def print_status(report: Status, settings: Settings) -> None:
    """The report as staff read it: pauses, what needs a person, what is next, quota, tokens."""
    tz = settings.tz
    for p in report.pauses:
        say(console, f"⏸ 已暂停：{scope_label(p.scope)}（{p.by}，{show(p.at, tz)}"
                     f"{'，' + p.reason if p.reason else ''}）", style="yellow")
    if report.attention:
        rows = [[str(i.delivery.post), i.delivery.account, i.title, show(i.delivery.due_at, tz),
                 label(i.delivery.state), i.reason] for i in report.attention]
        records(console, f"需要处理（{len(report.attention)}）",
                [ID, ACCOUNT, TITLE, TIME, STATE, Col("原因")], rows)
    for warning in report.warnings:
        say(console, f"! {warning}", style="red")
    if report.drafts:
        rows = [[str(i.delivery.post), i.delivery.account, i.title, show(i.delivery.due_at, tz),
                 label(i.delivery.state), i.reason] for i in report.drafts]
        records(console, f"已存草稿，待人工群发（{len(report.drafts)}）",
                [ID, ACCOUNT, TITLE, TIME, STATE, Col("请这样处理")], rows)
    if report.reminders:
        say(console, f"需要有人处理的提醒（{len(report.reminders)}）：", style="red")
        for f in report.reminders:
            where = f"{f.account}（{f.unit}）" if f.unit else f.account
            say(console, f"! {f.label}｜{where}：{f.reason}", style="red")
            say(console, f"  处理：{f.action}")
    if report.next_due:
        rows = [[str(i.delivery.post), i.delivery.account, i.title, show(i.delivery.due_at, tz),
                 label(i.delivery.state) + ("（暂停）" if i.delivery.paused else ""),
                 i.reason] for i in report.next_due]
        records(console, "即将发布", [ID, ACCOUNT, TITLE, TIME, STATE, Col("说明")], rows)
    else:
        say(console, "没有待发布的稿件。")
    if report.quota:
        rows = [[q.account, q.rule, q.window, f"{q.used}/{q.limit}", str(q.left)]
                for q in report.quota]
        records(console, "发送额度", [ACCOUNT, Col("规则"), Col("时段", atom=True),
                                      Col("已用", atom=True), Col("剩余", atom=True)], rows)
    known = {a: t for a, t in report.tokens.items() if t}
    for account, expires in known.items():
        say(console, f"授权到期：{account} {show(expires, tz)}")
    if not report.needs_attention:
        say(console, "✓ 一切正常。", style="green")


COMMANDS: list[click.Command] = [status]
