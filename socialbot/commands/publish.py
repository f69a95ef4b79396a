"""Urgent publishing and reviewer previews, outside the schedule but with the same checks."""

from __future__ import annotations

from pathlib import Path

import click

from socialbot.checks.model import Finding, warnings_fingerprint
from socialbot.checks.runner import ContentError, as_problem, checker_for
from socialbot.commands.context import EXIT_ATTENTION, AppContext, pass_app, staff_errors
from socialbot.commands.layout import say
from socialbot.commands.output import console, err_console
from socialbot.config import Account, Settings
from socialbot.delivery import OUTCOME_LABELS, DeliveryResult, Outcome
from socialbot.errors import Problem, PublishError
from socialbot.post_file import load_post
from socialbot.publishing import preview_send, publish_now
from socialbot.rendered import RenderedPost, delivery_key
from socialbot.rendering import render_post
from socialbot.store import open_store
from socialbot.store.audit import os_user
from socialbot.store.chain import same_person
from socialbot.wording.labels import label


def _render(app: AppContext, post_path: Path, account_id: str):  # type: ignore[no-untyped-def]
    settings = app.settings
    account = settings.account(account_id)
    post = load_post(post_path, assets_dir=settings.assets_dir)
    return render_post(post, settings, [account])


def _content_warnings(app: AppContext, post_path: Path, override: str | None) -> list[Finding]:
    """Blocks refuse; warnings need the approver's written reason (as in the queue)."""
    settings = app.settings
    report = checker_for(settings).check_post(load_post(post_path, assets_dir=settings.assets_dir))
    if report.blocks:
        raise ContentError(report.blocks)
    if report.warnings and not (override or "").strip():
        listed = [as_problem(w) for w in report.warnings]
        raise PublishError([*listed, Problem(
            "--override-warnings", f"有 {len(report.warnings)} 条内容检查提醒（见上）：请修改稿件，"
                                   "或由审核人确认无误后注明理由：--override-warnings \"理由\"")],
            title="内容检查有提醒，未发布")
    return list(report.warnings)


NOT_QUEUED = (Outcome.RESCHEDULE, Outcome.RETRY)
# Promises the daemon keeps for a queued delivery; outside the queue nobody keeps them.
QUEUE_ONLY = ("。系统会先核对结果，不会直接重发", "，多次重试仍未成功，稍后会自动再试",
              "，稍后会自动再试", "系统会先核对结果，不会直接重发")
HEADLINES = {
    Outcome.FAILED: "✗ 未发布到 {account}",
    Outcome.UNKNOWN: "✗ 不确定是否已发布到 {account}",
    Outcome.RESCHEDULE: "✗ 未发布到 {account}：平台暂不接受，紧急发布不会自动改期或重试",
    Outcome.RETRY: "✗ 未发布到 {account}：平台暂不接受，紧急发布不会自动改期或重试",
    Outcome.DRAFTED: "! 已存入 {account} 的草稿箱，待人工群发（没有推送给粉丝）",
}
NEXT_STEP = {
    Outcome.FAILED: "请按上面的原因处理后，重新执行本命令。",
    Outcome.UNKNOWN: ("请先到平台上查看是否已经发出，不要手动再发。需要再试时，重新执行同一条命令："
                      "它会先向平台核实，已发出的不会重发。"),
    Outcome.RESCHEDULE: ("请按上面的时间重新执行本命令，"
                         "或用 socialbot queue add 加入发布队列按时发布。"),
    Outcome.RETRY: ("请稍后重新执行同一条命令（它会先向平台核实，不会重复发布），"
                    "或用 socialbot queue add 加入发布队列按时发布。"),
    Outcome.DRAFTED: "请登录公众号后台 → 草稿箱，找到这篇手动群发；不要重新执行本命令。",
}


def _label(result: DeliveryResult) -> str:
    """The outcome in words; outside the queue nothing is rescheduled or retried on its own."""
    if result.outcome in NOT_QUEUED:
        return "未发布：平台暂不接受，紧急发布不会自动改期或重试"
    return OUTCOME_LABELS[result.outcome]


def _message(result: DeliveryResult) -> str:
    """The channel's explanation without the queue's promises ("已改到…" becomes "请改到…")."""
    text = result.message
    for promise in QUEUE_ONLY:
        text = text.replace(promise, "")
    if result.outcome in NOT_QUEUED:
        text = text.replace("已改到", "请改到")
    return text.strip()


def _platform_code(result: DeliveryResult) -> str:
    """The platform's error number, for support, unless the explanation already has it."""
    codes = [a.code for a in result.attempts if a.code.lstrip("-").isdigit() and a.code != "0"]
    return codes[-1] if codes and codes[-1] not in result.message else ""


def _report(result: DeliveryResult, account: Account) -> None:
    """What staff need: what was sent (and where), or what failed and what to do now."""
    if result.outcome is Outcome.SENT:
        say(console, f"✓ 已发布到 {account.id}：{_message(result)}", style="green")
        if result.url:
            say(console, f"  链接：{result.url}")
        return
    say(err_console, HEADLINES[result.outcome].format(account=account.id), style="red")
    if _message(result):
        say(err_console, f"  原因：{_message(result)}")
    if _platform_code(result):
        say(err_console, f"  平台返回的代码：{_platform_code(result)}")
    say(err_console, f"  下一步：{NEXT_STEP[result.outcome]}")
    raise SystemExit(EXIT_ATTENTION)


def _check_review(settings: Settings, account: Account, by: str, approved_by: str | None) -> None:
    """Urgent is not unreviewed: an account that needs approval needs a named approver."""
    if not account.requires_approval:
        return
    if not approved_by:
        raise PublishError(Problem("--approved-by", f"账号 {account.id} 要求审核：请写明审核人"))
    if settings.four_eyes and same_person(approved_by, by):
        raise PublishError(Problem("--approved-by", "审核人不能是发布人本人（双人审核）"))


def _check_not_queued(settings: Settings, rendered: RenderedPost, account: Account) -> None:
    """The queue owns a delivery it holds: publishing it here too could race the daemon."""
    key = delivery_key(rendered.post_id, account.id, rendered.content_hash)
    store = open_store(settings)
    try:
        row = store.holding(key)
    finally:
        store.dispose()
    if row is not None:
        raise PublishError(
            Problem(
                f"账号 {account.id}",
                f"这篇稿件已在发布队列中（编号 {row.post}，状态：{label(row.state)}），"
                f"请用 queue reschedule {row.post} --at 现在的时间 提前发布，避免重复发布",
            )
        )


def _audit(
    settings: Settings,
    rendered: RenderedPost,
    account: Account,
    actor: str,
    action: str,
    detail: str,
) -> None:
    store = open_store(settings)
    try:
        store.audit(actor=actor, action=action, account=account.id,
                    content_hash=rendered.content_hash, detail=detail)
    finally:
        store.dispose()


@click.command()
@click.argument("post", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--account", "-a", "account_id", required=True, help="发布账号（config.toml 中的账号名）"
)
@click.option(
    "--now", is_flag=True, required=True, help="立即发布（紧急情况使用；常规稿件请走发布队列）"
)
@click.option("--by", default=None, help="发布人（默认：当前系统用户）")
@click.option("--approved-by", default=None, help="审核人（账号要求审核时必填，不能是发布人本人）")
@click.option("--override-warnings", "override", default=None,
              help="稿件有内容检查提醒时必填：审核人确认放行的理由（写入审计日志）")
@pass_app
@staff_errors
def publish(
    app: AppContext, post: Path, account_id: str, now: bool, by: str | None,
    approved_by: str | None, override: str | None,
) -> None:
    """紧急发布：立即把一篇稿件发布到一个账号（排版、平台限制和审核要求与队列相同）。

    发布尝试与结果都会写入审计日志。退出码：0 已发布；2 稿件或参数有误（没有调用平台）；
    3 没有发布成功或结果未知，需要人工处理。

    \b
    示例：
      socialbot publish campaign/posts/0609-world-accreditation-day.md \\
          --account shsmr_weibo --now --approved-by 李审核
    """
    settings = app.settings
    account = settings.account(account_id)
    actor = by or os_user()
    _check_review(settings, account, actor, approved_by)
    warnings = _content_warnings(app, post, override)
    if warnings and not approved_by:
        raise PublishError(Problem("--approved-by", "放行内容检查提醒需要写明审核人"))
    rendered = _render(app, post, account_id)
    _check_not_queued(settings, rendered, account)
    if warnings:
        fingerprint = warnings_fingerprint(rendered.content_hash, warnings)
        items = "；".join(f"{w.where}：{w.message}" for w in warnings)
        _audit(settings, rendered, account, approved_by or actor, "override",
               f"理由：{(override or '').strip()}；放行指纹 {fingerprint[:16]}；"
               f"内容检查提醒 {len(warnings)} 条：{items}")
    _audit(
        settings,
        rendered,
        account,
        actor,
        "claim",
        f"紧急发布《{rendered.title}》（{rendered.source}），审核人：{approved_by or '无需审核'}",
    )
    result = publish_now(settings, rendered, account_id)
    _audit(
        settings,
        rendered,
        account,
        actor,
        "publish",
        f"紧急发布结果：{_label(result)}：{_message(result)}".rstrip("："),
    )
    _report(result, account)


@click.command("preview-send")
@click.argument("post", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--account", "-a", "account_id", required=True, help="微信公众号账号名")
@click.option("--to", "receiver", required=True, help="接收预览的审核人微信号（或 OpenID）")
@pass_app
@staff_errors
def preview_send_command(app: AppContext, post: Path, account_id: str, receiver: str) -> None:
    """把真实文章发到审核人的手机上预览（微信“预览”接口，粉丝收不到）。"""
    rendered = _render(app, post, account_id)
    result = preview_send(app.settings, rendered, account_id, receiver)
    if result.outcome is Outcome.SENT:
        say(console, f"✓ 预览已发送给 {receiver}，请在手机微信中查看。", style="green")
    else:
        _report(result, app.settings.account(account_id))


COMMANDS = [publish, preview_send_command]
