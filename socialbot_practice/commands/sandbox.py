"""``socialbot sandbox``: the WeChat and Weibo APIs, imitated on this machine.

The config's accounts that point at this machine are added to the platform; each gets
the secret the bot already has, or a new one written into the config's secrets file.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from socialbot.commands.context import AppContext, pass_app, staff_errors
from socialbot.explain import os_reason

if TYPE_CHECKING:
    from socialbot.config import Account
    from socialbot_practice.config_accounts import Origin


@click.command()
@click.option(
    "--port", type=int, default=None,
    help="端口（默认取配置中练习账号的端口，通常 8900；0 表示任选一个空闲端口）",
)
@pass_app
@staff_errors
def sandbox(app: AppContext, port: int | None) -> None:
    """启动本机练习平台：模拟微信公众号和微博接口，可查看粉丝收到的内容，按 Ctrl-C 停止。

    配置中指向本机的账号会加入练习平台。还没有密钥的账号由练习平台生成练习密钥，
    写入配置中 paths.secrets_file 指定的密钥文件，socialbot run 等命令会自动读取。
    """
    # Imported here, not at the top: `socialbot --help` should not load the platform.
    from socialbot_practice import PracticePlatform
    from socialbot_practice.config_accounts import (
        configured_port,
        practice_accounts,
        provide_secrets,
        register_accounts,
    )

    settings = app.settings
    platform = PracticePlatform(port=configured_port(settings) if port is None else port)
    try:
        platform.start()
    except OSError as exc:
        raise click.ClickException(
            f"端口 {platform.port} 无法使用（{os_reason(exc)}），请用 --port 换一个"
        ) from None
    try:
        accounts = practice_accounts(settings)
        origins = provide_secrets(settings, accounts)
        added = register_accounts(platform, settings, accounts)
        click.echo(f"练习平台已启动：{platform.url}（在浏览器打开可查看粉丝收到的内容）")
        click.echo(f"已按配置添加 {added} 个练习账号。")
        _tell_secrets(origins, settings.secrets_file)
        click.echo("按 Ctrl-C 停止。")
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("\n练习平台已停止。")
    finally:
        platform.stop()


def _tell_secrets(origins: list[tuple[Account, Origin]], secrets_file: Path | None) -> None:
    """Say where each account's secret is (names only, never a value)."""
    by_origin: dict[str, dict[str, None]] = {}  # an ordered set: accounts may share a name
    for account, origin in origins:
        by_origin.setdefault(origin, {})[account.secret_name] = None
    shown = _shown(secrets_file) if secrets_file else ""
    if "new" in by_origin:
        click.echo(f"已生成练习密钥并写入密钥文件 {shown}：{'、'.join(by_origin['new'])}"
                   "（机器人会自动读取；只在本机练习平台有效，不要提交到 git）")
    if "file" in by_origin:
        click.echo(f"沿用密钥文件 {shown} 中的密钥：{'、'.join(by_origin['file'])}")
    if "environment" in by_origin:
        click.echo(f"沿用环境变量中的密钥：{'、'.join(by_origin['environment'])}"
                   "（环境变量优先于密钥文件；运行机器人时请保持相同的环境变量）")


def _shown(path: Path) -> str:
    """The path as staff typed it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

