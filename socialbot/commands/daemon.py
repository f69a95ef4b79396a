"""``socialbot run / pause / resume / audit``: the daemon and its controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from socialbot.commands.context import EXIT_ATTENTION, AppContext, pass_app, staff_errors
from socialbot.commands.layout import Col, records, say
from socialbot.commands.output import console, setup_logging
from socialbot.daemon_defaults import DEFAULT_CAP, TICK_SECONDS
from socialbot.errors import Problem, SocialbotError
from socialbot.shown_records import audit_json, shown
from socialbot.store import audit as audit_log
from socialbot.store import open_store, pauses
from socialbot.store.db import utcnow
from socialbot.store.times import show
from socialbot.store_rules import rules_of
from socialbot.times import json_text
from socialbot.wording.labels import action_label, actor_label, scope_label

if TYPE_CHECKING:
    from socialbot.pipeline import Report

MIN_TICK, MAX_TICK = 0.1, 3600.0


@click.command("run")
@click.option("--once", is_flag=True, help="只发布现在到期的稿件，然后退出")
@click.option("--tick", type=float, default=TICK_SECONDS, show_default=True,
              help="检查队列的间隔（秒）")
@click.option("--parallel", type=click.IntRange(1, 256), default=DEFAULT_CAP, show_default=True,
              help="最多同时发送的账号数（每个账号同一时刻只发一条；到期的账号同时发送）")
@click.option("--name", "worker_name", help="工作进程名称（日志和审计中显示）")
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志")
@pass_app
@staff_errors
def run(app: AppContext, once: bool, tick: float, parallel: int, worker_name: str | None,
        verbose: bool) -> None:
    """按时发布已审核的稿件（后台常驻；Ctrl+C 或 SIGTERM 安全停止）。

    \b
    示例：
      socialbot run            # 常驻，按时发布
      socialbot run --once     # 发布现在到期的，然后退出（可放进 cron）

    \b
    配置了 [alerts] 负责人时，常驻运行还会每分钟检查需要人工处理的情况（发布失败、
    审核即将过期、授权到期、账号长期未更新等），按摘要通知负责人；--once 在发布之后
    检查一次并立即发出（同一件事只提醒一次，放进 cron 每分钟运行也不会重复）。

    \b
    --once 的退出码：0 到期的都已发出（或没有到期的）；
    3 需要人工处理（有失败、结果未知、已错过，或这次一条也没发出），详见 socialbot status。
    """
    if not MIN_TICK <= tick <= MAX_TICK:  # 0 or less makes APScheduler spin and eat memory
        problem = Problem("--tick",
                          f"检查间隔应在 {MIN_TICK:g} 到 {MAX_TICK:g} 秒之间，现为 {tick:g}")
        raise SocialbotError(problem, title="守护进程没有启动")
    settings = app.settings
    setup_logging(settings.tz, verbose=verbose, prints_reports=once)
    from socialbot import attention, channel_source  # the platforms and the scheduler
    from socialbot.pipeline import PassResult
    from socialbot.scheduler import Daemon
    from socialbot.store.claims import worker_identity

    store = open_store(settings)
    if not once:
        # What each account may do, said once at the daemon's start. Off the start-up path:
        # an unreachable platform costs its timeouts here, never the first sends.
        import threading

        from socialbot.abilities import log_abilities

        threading.Thread(target=log_abilities, args=(settings, store.kv()),
                         name="abilities", daemon=True).start()

    def show_report(report: Report) -> None:
        if once:
            say(console, report.line())

    worker = worker_identity(worker_name)
    alerts = None
    if settings.alerts.owners:  # --once: one alert pass after publishing
        from socialbot.alerts.job import AlertJob

        alerts = AlertJob(settings, store, worker=worker)
    daemon = Daemon(settings, store, channel_source.default_channels(settings), tick_seconds=tick,
                    worker=worker, on_report=show_report,
                    cap=parallel, stats=not once, alerts=alerts,
                    on_stats_unavailable=lambda account, reason: attention
                    .report_stats_unavailable(store, account, reason, utcnow()),
                    on_stats_available=lambda account: attention
                    .clear_stats_unavailable(store, account))
    try:
        if once:
            result = PassResult.of(daemon.run_once())
            say(console, result.line())
        else:
            daemon.run()
    finally:
        store.dispose()
    if once and result.needs_person:
        raise SystemExit(EXIT_ATTENTION)


@click.command("pause")
@click.option("--account", help="只暂停这个账号（默认：全部账号）")
@click.option("--reason", default="", help="暂停原因")
@click.option("--by", help="操作人（默认：当前系统用户）")
@pass_app
@staff_errors
def pause(app: AppContext, account: str | None, reason: str, by: str | None) -> None:
    """紧急暂停：冻结所有待发布的稿件（正在发送的一条会完成并记录）。"""
    settings = app.settings
    frozen = pauses.pause(open_store(settings), rules_of(settings), by or audit_log.os_user(),
                          utcnow(), account=account, reason=reason)
    scope = f"账号 {account}" if account else "全部账号"
    say(console, f"⏸ 已暂停{scope}，{frozen} 个待发布目标被冻结。"
                 f"恢复：socialbot resume{' --account ' + account if account else ''}")


@click.command("resume")
@click.option("--account", help="只恢复这个账号（默认：解除全部暂停）")
@click.option("--by", help="操作人（默认：当前系统用户）")
@pass_app
@staff_errors
def resume(app: AppContext, account: str | None, by: str | None) -> None:
    """解除暂停；超过补发时限的稿件会标为“已错过”，需要改期。"""
    store = open_store(app.settings)
    lifted = pauses.resume(store, by or audit_log.os_user(), utcnow(), account=account)
    if not lifted:
        say(console, "当前没有对应的暂停。")
        return
    names = "、".join("全部账号" if s == "*" else s for s in lifted)
    say(console, f"▶ 已恢复：{names}")
    left = pauses.active_pauses(store)
    if left:
        say(console, f"  仍在暂停：{'、'.join(scope_label(p.scope) for p in left)}")


@click.command("audit")
@click.option("--post", "post_id", type=int, help="只看这篇稿件（队列编号）")
@click.option("--account", help="只看这个账号")
@click.option("--limit", type=int, default=200, show_default=True, help="最多显示多少条（最新的）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_app
@staff_errors
def audit(app: AppContext, post_id: int | None, account: str | None, limit: int,
          as_json: bool) -> None:
    """审计日志：谁在什么时候对哪篇稿件做了什么（只增不改）。"""
    settings = app.settings
    entries = audit_log.entries(open_store(settings), post=post_id, account=account, limit=limit)
    if as_json:
        click.echo(json_text([audit_json(e) for e in entries], settings.tz))
        return
    rows = [[show(e.at, settings.tz), actor_label(e.actor), action_label(e.action),
             str(e.post or ""), e.account or "", (e.content_hash or "")[:12], shown(e.detail)]
            for e in entries]
    records(console, f"审计日志（最近 {len(entries)} 条）", [
        Col("时间", atom=True), Col("操作人", atom=True), Col("操作", atom=True),
        Col("编号", atom=True), Col("账号", atom=True), Col("内容指纹", atom=True),
        Col("详情")], rows)


COMMANDS: list[click.Command] = [run, pause, resume, audit]
