"""The ``socialbot`` command: a thin layer over importable functions.

Commands are imported when they run, not when ``socialbot --help`` lists them: the
listing reads the table below, so help needs neither the database nor the HTTP stack.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from socialbot import __version__
from socialbot.commands import zh
from socialbot.commands.context import AppContext
from socialbot.commands.plugins import PluginGroup

zh.install()  # before the decorators below: Click words some help texts as they run
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name → (module in socialbot.commands, attribute, one-line help as the command states it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "alerts": ("alerts", "alerts", "提醒：发布失败、授权到期、账号长期未更新等情况通知负责人。"),
    "audit": ("daemon", "audit", "审计日志：谁在什么时候对哪篇稿件做了什么（只增不改）。"),
    "check": ("content", "check", "检查配置、模板和稿件，列出所有问题及其位置（不生成文件）。"),
    "pause": ("daemon", "pause", "紧急暂停：冻结所有待发布的稿件（正在发送的一条会完成并记录）。"),
    "preview": ("content", "preview",
                "预演：排版全部稿件（或指定稿件），生成手机预览页面和发布计划，不调用任何接口。"),
    "preview-send": ("publish", "preview_send_command",
                     "把真实文章发到审核人的手机上预览（微信“预览”接口，粉丝收不到）。"),
    "publish": ("publish", "publish", "紧急发布：立即把一篇稿件发布到一个账号"
                                      "（排版、平台限制和审核要求与队列相同）。"),
    "queue": ("queue", "queue", "发布队列：加入、审核、改期、取消、重试稿件。"),
    "report": ("report", "report",
               "生成活动总结初稿（约500字，Word 和 PDF）、覆盖情况表和 report.json。"),
    "stats": ("stats", "stats",
              "统计：从平台采集阅读、转发、关注等数据，存入数据库，供活动总结使用。"),
    "resume": ("daemon", "resume", "解除暂停；超过补发时限的稿件会标为“已错过”，需要改期。"),
    "run": ("daemon", "run", "按时发布已审核的稿件（后台常驻；Ctrl+C 或 SIGTERM 安全停止）。"),
    "web": ("web", "web",
            "网页控制台：在浏览器中审核稿件、查看待处理事项（与命令行共用配置和数据库）。"),
    "users": ("users", "users",
              "工作人员账号：添加、列出、停用、启用，修改密码（控制台登录用）。"),
    "status": ("status", "status", "运行状况：即将发布、需要处理的问题、剩余额度、授权到期；"
                                   "有问题时退出码为 3。"),
}


class LazyGroup(PluginGroup):
    """The product's commands imported on first use; installed add-ons as they come."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(super().list_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        module = importlib.import_module(f"socialbot.commands.{entry[0]}")
        command = getattr(module, entry[1])
        assert isinstance(command, click.Command)
        return command

    def _short_help(self, ctx: click.Context, name: str, width: int) -> str | None:
        if name in COMMANDS:
            return COMMANDS[name][2]
        command = self.get_command(ctx, name)  # an add-on: light by contract
        return None if command is None or command.hidden else command.get_short_help_str(width)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        width = formatter.width - 6 - max(map(len, self.list_commands(ctx)), default=0)
        rows = [(name, text) for name in self.list_commands(ctx)
                if (text := self._short_help(ctx, name, width)) is not None]
        if rows:
            with formatter.section(zh.MESSAGES.get("Commands", "Commands")):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
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
    # Imported here: `socialbot --help` never gets this far and needs neither.
    from socialbot.commands.output import setup_logging
    from socialbot.redact import install_redaction

    install_redaction()  # before any command can log a URL with a token in it
    setup_logging()  # warnings staff have not been shown, in Chinese; `run` widens it
    ctx.obj = AppContext(config_path=config_path)


def main(**kwargs: Any) -> None:
    cli(prog_name="socialbot", **kwargs)
