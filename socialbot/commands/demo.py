"""The main job on the embedded default: preview, queue, approve and publish the sample
campaign to a practice platform on this machine — no credentials, no network."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from socialbot.commands.context import AppContext, pass_app, staff_errors
from socialbot.config import Settings
from socialbot.demo import run_demo_queue
from socialbot.practice import register_accounts, save_page
from socialbot.preview import write_preview
from socialbot.preview.writer import campaign_posts
from socialbot.sandbox import PracticePlatform


def _on_platform(settings: Settings, platform: PracticePlatform) -> Settings:
    """The same settings with every practice account pointed at ``platform``."""
    accounts = {
        key: dataclasses.replace(
            a, api_base=platform.wechat_base if a.platform == "wechat" else platform.weibo_base
        )
        if a.on_practice_platform
        else a
        for key, a in settings.accounts.items()
    }
    return dataclasses.replace(settings, accounts=accounts)


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="输出目录",
)
@pass_app
@staff_errors
def demo(app: AppContext, out_dir: Path) -> None:
    """演示完整流程：预览样例活动稿件，加入队列并审核，由守护进程定时发布到本机练习平台。"""
    settings = app.settings
    real = [a.id for a in settings.accounts.values() if not a.on_practice_platform]
    if real:
        raise click.ClickException(
            f"演示只使用本机练习平台，但账号 {'、'.join(real)} 指向真实平台；请换用练习配置"
        )
    posts = campaign_posts(settings)
    out_dir.mkdir(parents=True, exist_ok=True)

    click.secho("① 预演：排版并生成预览（不调用任何接口）", bold=True)
    preview = write_preview(settings, posts, out_dir / "preview")
    click.echo(f"   {len(preview.posts)} 篇稿件 → {preview.index}")
    for path, exc in preview.failures:
        click.secho(f"   ✗ {path.name}\n{exc.render()}", fg="red")
    if preview.failures:
        raise SystemExit(2)

    click.secho("② 启动本机练习平台（模拟微信公众号和微博接口）", bold=True)
    database = out_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    with PracticePlatform(port=0) as platform:
        settings = _on_platform(settings, platform)
        register_accounts(platform, settings)
        click.echo(f"   {platform.url}")

        click.secho("③ 加入发布队列、审核，由守护进程按时发布", bold=True)
        result = run_demo_queue(
            settings,
            posts,
            database_url=f"sqlite:///{database.resolve()}",
            spacing=0.5,
            say=lambda line: click.echo(f"   {line}"),
        )
        page = save_page(platform, out_dir / "followers")

    click.secho("\n完成。", fg="green", bold=True)
    click.echo(f"预览（粉丝将看到的样子）：{preview.index}")
    click.echo(f"发布计划（将调用的接口）：{preview.plan}")
    click.echo(f"粉丝实际收到的内容（练习平台）：{page.resolve()}")
    click.echo(f"发布队列：{database}，查看方法：")
    click.echo(f"  SOCIALBOT_DATABASE_URL=sqlite:///{database} .venv/bin/socialbot queue list")
    if not result.all_sent:
        raise SystemExit(3)


COMMANDS = [demo]
