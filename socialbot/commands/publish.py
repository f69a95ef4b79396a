"""Urgent publishing and reviewer previews, outside the schedule but with the same checks."""

from __future__ import annotations

from pathlib import Path

import click

from socialbot.channels.base import DeliveryResult, Outcome
from socialbot.commands.context import EXIT_PROBLEMS, AppContext, pass_app, staff_errors
from socialbot.post import load_post
from socialbot.publishing import preview_send, publish_now
from socialbot.render import render_post

OUTCOME_LABELS = {
    Outcome.SENT: "已发布",
    Outcome.FAILED: "发布失败，需要人工处理",
    Outcome.UNKNOWN: "结果未知，需先核对，切勿重复发布",
    Outcome.RESCHEDULE: "平台暂不接受（额度已满），请改期",
    Outcome.RETRY: "暂时失败，可稍后重试",
}


def _render(app: AppContext, post_path: Path, account_id: str):  # type: ignore[no-untyped-def]
    settings = app.settings
    account = settings.account(account_id)
    post = load_post(post_path, assets_dir=settings.assets_dir)
    return render_post(post, settings, [account])


def _report(result: DeliveryResult) -> None:
    colour = "green" if result.outcome is Outcome.SENT else "red"
    click.secho(OUTCOME_LABELS[result.outcome], fg=colour)
    if result.message:
        click.echo(result.message)
    if result.url:
        click.echo(f"链接：{result.url}")
    for attempt in result.attempts:
        code = f"（代码 {attempt.code}）" if attempt.code else ""
        click.echo(f"  · {attempt.request}{code} {attempt.reaction}")
    if result.outcome is not Outcome.SENT:
        raise SystemExit(EXIT_PROBLEMS)


@click.command()
@click.argument("post", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--account", "-a", "account_id", required=True, help="发布账号（config.toml 中的账号名）"
)
@click.option(
    "--now", is_flag=True, required=True, help="立即发布（紧急情况使用；常规稿件请走发布队列）"
)
@pass_app
@staff_errors
def publish(app: AppContext, post: Path, account_id: str, now: bool) -> None:
    """紧急发布：立即把一篇稿件发布到一个账号（排版和平台限制检查与队列相同）。

    \b
    示例：
      socialbot publish campaign/posts/0609-world-accreditation-day.md --account shsmr_weibo --now
    """
    rendered = _render(app, post, account_id)
    _report(publish_now(app.settings, rendered, account_id))


@click.command("preview-send")
@click.argument("post", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--account", "-a", "account_id", required=True, help="微信公众号账号名")
@click.option("--to", "wechat_id", required=True, help="接收预览的审核人微信号（或 OpenID）")
@pass_app
@staff_errors
def preview_send_command(app: AppContext, post: Path, account_id: str, wechat_id: str) -> None:
    """把真实文章发到审核人的手机上预览（微信“预览”接口，粉丝收不到）。"""
    rendered = _render(app, post, account_id)
    result = preview_send(app.settings, rendered, account_id, wechat_id)
    if result.outcome is Outcome.SENT:
        click.secho(f"预览已发送给 {wechat_id}，请在手机微信中查看。", fg="green")
    else:
        _report(result)


COMMANDS = [publish, preview_send_command]
