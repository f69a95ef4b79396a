"""The ``socialbot`` command: a thin layer over importable functions."""

from __future__ import annotations

from pathlib import Path

import click

from socialbot import __version__
from socialbot.commands import zh
from socialbot.commands.context import AppContext
from socialbot.commands.plugins import PluginGroup
from socialbot.redact import install_redaction

zh.install()  # before the decorators below: Click words some help texts as they run
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=PluginGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="socialbot")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SOCIALBOT_CONFIG",
    help="配置文件路径（默认：当前目录的 config.toml）",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """socialbot：世界认可日等宣传活动的微信公众号、微博稿件排版、审核与定时发布工具。"""
    install_redaction()  # before any command can log a URL with a token in it
    ctx.obj = AppContext(config_path=config_path)


def _register() -> None:
    from socialbot.commands import alerts, content, daemon, publish, queue, report

    for module in (content, publish, queue, daemon, alerts, report):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="socialbot")
