"""The practice platform command: the WeChat and Weibo APIs, imitated on this machine."""

from __future__ import annotations

import threading

import click

from socialbot.commands.context import AppContext, pass_app, staff_errors
from socialbot.practice import configured_port, register_accounts
from socialbot.sandbox import PracticePlatform


@click.command()
@click.option(
    "--port", type=int, default=None, help="端口（默认取配置中练习账号的端口，通常 8900）"
)
@pass_app
@staff_errors
def sandbox(app: AppContext, port: int | None) -> None:
    """启动本机练习平台：模拟微信公众号和微博接口，可查看粉丝收到的内容，按 Ctrl-C 停止。"""
    settings = app.settings
    platform = PracticePlatform(port=port or configured_port(settings))
    try:
        platform.start()
    except OSError as exc:
        raise click.ClickException(
            f"端口 {platform.port} 无法使用（{exc.strerror}），请用 --port 换一个"
        ) from None
    added = register_accounts(platform, settings)
    click.echo(f"练习平台已启动：{platform.url}（在浏览器打开可查看粉丝收到的内容）")
    click.echo(f"已按配置添加 {added} 个练习账号。按 Ctrl-C 停止。")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("\n练习平台已停止。")
    finally:
        platform.stop()


COMMANDS = [sandbox]
