"""``socialbot alerts test``: check that every alert channel reaches its owner."""

from __future__ import annotations

import click

from socialbot.alerts.probe import probe
from socialbot.alerts.wiring import open_channels
from socialbot.commands.context import AppContext, StaffError, pass_app, staff_errors

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


COMMANDS: list[click.Command] = [alerts]
