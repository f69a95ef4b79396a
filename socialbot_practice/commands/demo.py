"""``socialbot demo``: the README main job, self-contained.

Preview, queue, approve and publish the sample campaign to a practice platform this
command starts, with settings of its own (see ``socialbot_practice.demo.own_settings``):
whatever ``SOCIALBOT_*`` variables, ``SOCIALBOT_CONFIG`` or secrets file the shell holds,
the demo runs the same. It says 完成 only when every delivery was sent.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from socialbot.commands.context import EXIT_ATTENTION, staff_errors


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="输出目录",
)
@click.pass_context
@staff_errors
def demo(ctx: click.Context, out_dir: Path) -> None:
    """演示完整流程：预览样例活动稿件，按活动日程加入队列并审核，逐日发布到本机练习平台。

    使用当前目录的 config.toml（或 --config 指定的文件）；演示自己启动练习平台、自己生成
    练习密钥和发布队列，不读取 SOCIALBOT_ 开头的环境变量和密钥文件。
    """
    # Imported here, not at the top: `socialbot --help` should not load the platform.
    from socialbot.config_file import load_settings
    from socialbot.preview import write_preview
    from socialbot.preview.writer import campaign_posts
    from socialbot.store import open_store
    from socialbot_practice import PracticePlatform
    from socialbot_practice.config_accounts import is_practice_account, register_accounts
    from socialbot_practice.demo import create_demo_users, own_settings, run_demo_queue
    from socialbot_practice.saved_page import save_page

    settings = load_settings(_config_given(ctx), environ={})
    real = [a.id for a in settings.accounts.values() if not is_practice_account(a)]
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
        settings = own_settings(settings, platform, f"sqlite:///{database.resolve()}")
        register_accounts(platform, settings, settings.accounts.values())
        click.echo(f"   {platform.url}（本次演示专用，密钥为临时生成）")

        click.secho("③ 按活动日程加入发布队列、审核，逐日发布"
                    "（公众号同一天的稿件合成一条群发消息）", bold=True)
        calendar = settings.posts_dir.parent / "calendar.csv"
        result = run_demo_queue(
            settings, posts, platform=platform,
            calendar=calendar if calendar.is_file() else None,
            say=lambda line: click.echo(f"   {line}"),
        )
        page = save_page(platform, out_dir / "followers")

    store = open_store(settings)
    try:
        users = create_demo_users(store, settings, out_dir / "demo-users.txt")
    finally:
        store.dispose()

    if result.all_sent:
        click.secho("\n完成。", fg="green", bold=True)
    else:
        total = sum(result.states.values())
        click.secho(f"\n演示有发送失败：{total} 条中有 {total - result.sent} 条没有发送成功，"
                    "原因见上方各条记录。", fg="red", bold=True)
    click.echo(f"预览（粉丝将看到的样子）：{preview.index}")
    click.echo(f"发布计划（将调用的接口）：{preview.plan}")
    click.echo(f"粉丝实际收到的内容（练习平台）：{page.resolve()}")
    click.echo(f"发布队列：{database}，查看方法：")
    click.echo(f"  SOCIALBOT_DATABASE_URL=sqlite:///{database} .venv/bin/socialbot queue list")
    if users:
        click.echo(f"发布控制台（在这个演示库上）：SOCIALBOT_DATABASE_URL=sqlite:///{database} "
                   ".venv/bin/socialbot web，浏览器打开 http://127.0.0.1:8800/")
        click.echo(f"演示账号（密码每次重新生成，也写在 {out_dir / 'demo-users.txt'}）：")
        for u in users:
            click.echo(f"  {u.username:<13} {u.password}  {u.name}（{u.role}）")
    if not result.all_sent:
        raise SystemExit(EXIT_ATTENTION)


def _config_given(ctx: click.Context) -> Path | None:
    """The config named by ``--config`` on the command line; None means ./config.toml.

    ``SOCIALBOT_CONFIG`` is ignored on purpose: the demo is the same whatever the shell
    holds."""
    root = ctx.find_root()
    if root.get_parameter_source("config_path") is ParameterSource.COMMANDLINE:
        given: Path | None = root.params.get("config_path")
        return given
    return None
