"""``socialbot alerts test`` and ``alerts log``: check the channels; see what was sent."""

from __future__ import annotations

import click

from socialbot.alerts.model import AlertKind
from socialbot.alerts.probe import probe
from socialbot.alerts.settings import CHANNEL_LABELS
from socialbot.alerts.wiring import open_channels
from socialbot.commands.context import AppContext, StaffError, pass_app, staff_errors
from socialbot.commands.layout import Col, records
from socialbot.commands.output import console
from socialbot.store import open_store
from socialbot.times import json_text, show

EXIT_SEND_FAILED = 1


@click.group("alerts")
def alerts() -> None:
    """提醒：发布失败、授权到期、账号长期未更新等情况通知负责人。"""


@alerts.command("test")
@click.option("--owner", "owner_ids", multiple=True, metavar="负责人编号",
              help="只测试这位负责人的提醒渠道（可重复；默认全部负责人）")
@pass_app
@staff_errors
def test(app: AppContext, owner_ids: tuple[str, ...]) -> None:
    """向负责人的每个提醒渠道发送一条测试消息，并逐个报告是否送达。"""
    settings = app.settings
    owners = settings.alerts.owners
    if not owners:
        raise StaffError("尚未配置提醒负责人：请在 config.toml 中添加 [alerts.owners.编号]，"
                         "并为其配置 wecom、dingtalk 或 email 提醒方式。")
    unknown = [o for o in owner_ids if o not in owners]
    if unknown:
        raise StaffError(f"未知负责人：{'、'.join(unknown)}（已配置：{'、'.join(owners)}）")
    chosen = [owners[o] for o in owner_ids] if owner_ids else list(owners.values())
    channels = [c for owner in chosen for c in open_channels(settings, owner)]
    click.echo(f"正在向 {len(chosen)} 位负责人的 {len(channels)} 个提醒渠道发送测试消息……")
    results = probe(channels, {a.id: a.name for a in settings.accounts.values()})
    for result in results:
        click.echo(result.describe())
    failed = sum(not r.ok for r in results)
    if failed:
        click.echo(f"有 {failed} 个渠道未送达，请按上面的原因检查配置后再试。", err=True)
        raise click.exceptions.Exit(EXIT_SEND_FAILED)
    click.echo("全部送达。请到群聊或邮箱确认已收到测试消息。")


OUTCOMES = {"sent": "已送达", "failed": "发送失败"}


@alerts.command("log")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True,
              help="最多显示多少条（最新的）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_app
@staff_errors
def log_(app: AppContext, limit: int, as_json: bool) -> None:
    """已发出的提醒：什么时候、发给哪位负责人、哪个渠道、结果（守护进程据此不重复提醒）。"""
    settings = app.settings
    entries = open_store(settings).alert_log().entries(limit=limit)
    if as_json:
        click.echo(json_text([e.to_json() for e in entries], settings.tz))
        return
    if not entries:
        click.echo("还没有发出过提醒。")
        return
    owners = settings.alerts.owners
    rows = [[show(e.at, settings.tz), owners[e.owner].name if e.owner in owners else e.owner,
             CHANNEL_LABELS.get(e.channel, e.channel), _kind_label(e.kind), e.account,
             e.post, OUTCOMES.get(e.outcome, e.outcome), e.reason] for e in entries]
    records(console, f"已发出的提醒（最近 {len(entries)} 条）", [
        Col("时间", atom=True), Col("负责人"), Col("渠道", atom=True), Col("提醒", atom=True),
        Col("账号", atom=True), Col("编号", atom=True), Col("结果", atom=True), Col("原因")],
        rows)


def _kind_label(kind: str) -> str:
    try:
        return AlertKind(kind).label
    except ValueError:
        return kind


COMMANDS: list[click.Command] = [alerts]
