"""``socialbot queue …``: add, review and manage scheduled posts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from socialbot import channel_source, review_rules
from socialbot.checks.model import Finding
from socialbot.commands.context import AppContext, StaffError, pass_app, staff_errors
from socialbot.commands.layout import Col, records, say
from socialbot.commands.output import console
from socialbot.config import Settings
from socialbot.delivery import OUTCOME_LABELS
from socialbot.errors import Problem, StoreError
from socialbot.platforms import platform
from socialbot.shown_records import delivery_json, shown
from socialbot.store import actions, audit, chain, open_store, people, review, versions
from socialbot.store.db import utcnow
from socialbot.store.models import DeliveryRecord, PostRecord, State
from socialbot.store.queue import (
    Entry,
    QueueRefused,
    add_entries,
)
from socialbot.store.sql import SqlStore
from socialbot.store.times import parse_time, show
from socialbot.store_rules import rules_of
from socialbot.times import json_text
from socialbot.wording.labels import actor_label, label, review_label

if TYPE_CHECKING:
    from socialbot.store.sql import SqlStore

PAGE_SIZE = 50  # posts per page of queue list: a screenful that still shows the next days


def _time(text: str | None, settings: Settings, where: str) -> dt.datetime | None:
    if not text:
        return None
    parsed = parse_time(text, settings.tz, where)
    if isinstance(parsed, Problem):
        raise StoreError(parsed)
    return parsed


def _targets(to: str | None) -> tuple[str, ...] | None:
    if not to:
        return None
    return tuple(a.strip() for a in to.replace("，", ",").split(",") if a.strip())


def _targets_line(ds: list[DeliveryRecord], settings: Settings) -> str:
    parts = []
    for d in ds:
        flag = "（暂停）" if d.paused else ""
        parts.append(f"{d.account}：{label(d.state)}{flag}")
    return "\n".join(parts)


def _added_line(entry: Entry, settings: Settings) -> str:
    assert entry.rendered is not None and entry.first_due is not None
    when = show(entry.first_due, settings.tz)
    series = f"，周期 {entry.cron}" if entry.cron else ""
    targets = "、".join(entry.targets)
    return (f"已加入队列：编号 {entry.queue_id}《{entry.rendered.title}》→ {targets}，"
            f"{'首次' if entry.cron else ''}发布时间 {when}{series}")


def _review_hint(settings: Settings, entry: Entry) -> str:
    if entry.warnings:
        return (f"有 {len(entry.warnings)} 条内容检查提醒（见上），所有账号都需审核人确认后放行："
                f"socialbot queue approve {entry.queue_id} --by 审核人 "
                f"--override-warnings \"理由\"")
    needs = [a for a in entry.targets if settings.accounts[a].requires_approval]
    if not needs:
        return ""
    return (f"需要审核后才会发布（{'、'.join(needs)}）：socialbot queue approve {entry.queue_id} "
            f"--by 审核人")


def _print_warnings(warnings: list[Finding] | tuple[Finding, ...]) -> None:
    for w in warnings:
        say(console, f"  ! {w}", style="yellow")


@click.group("queue")
def queue() -> None:
    """发布队列：加入、审核、改期、取消、重试稿件。"""


@queue.command("add")
@click.argument("post")
@click.option("--at", "at_text",
              help="发布时间（配置的时区），如 \"2022-06-09 09:00\"；与 --cron 同用时为开始时间")
@click.option("--to", "to",
              help="发布账号，多个用逗号分隔（默认：稿件头信息中的 accounts，没写则发到全部账号）")
@click.option("--cron", help="周期发布（crontab 五段），如 \"0 9 * * 1\" 表示每周一 9:00")
@click.option("--until", "until_text", help="周期发布的截止时间")
@click.option("--position", type=click.IntRange(1, 8),
              help="在当天公众号群发消息中的位置（1 为头条，最多 8 篇；默认按加入队列的顺序）")
@click.option("--by", help="作者（默认：当前系统用户）")
@pass_app
@staff_errors
def add(app: AppContext, post: str, at_text: str | None, to: str | None, cron: str | None,
        until_text: str | None, position: int | None, by: str | None) -> None:
    """排版、检查并加入发布队列；有任何问题则全部列出，不加入。

    \b
    示例：
      socialbot queue add campaign/posts/0609-world-accreditation-day.md \\
          --at "2022-06-09 09:00" --to shsmr_wechat,shsmr_weibo --by 张三
      socialbot queue add 0613-training-series --cron "0 9 * * 1" --to shsmr_weibo
    """
    settings = app.settings
    problems: list[Problem] = []
    at = until = None
    for text, where, slot in ((at_text, "--at", "at"), (until_text, "--until", "until")):
        if text:
            parsed = parse_time(text, settings.tz, where)
            if isinstance(parsed, Problem):
                problems.append(parsed)
            elif slot == "at":
                at = parsed
            else:
                until = parsed
    author = by or audit.os_user()
    store = open_store(settings)  # first: it creates the database folder the channels share
    from socialbot.intake import prepare  # rendering: only when adding

    entry = prepare(settings, post, targets=_targets(to), at=at, author=author,
                    channels=channel_source.default_channels(settings), cron=cron, until=until,
                    problems=problems)
    entry.position = position
    now = utcnow()
    add_entries(store, rules_of(settings), [entry], now, actor=author)
    _keep_version(store, settings, entry.queue_id, entry.source, author, now,
                  entry.rendered.content_hash if entry.rendered else "", "命令行加入队列")
    say(console, f"✓ {_added_line(entry, settings)}")
    for note in entry.notes:
        say(console, f"  ! {note}", style="yellow")
    say(console, f"  内容指纹：{entry.rendered.content_hash[:12] if entry.rendered else ''}")
    _print_warnings(entry.warnings)
    hint = _review_hint(settings, entry)
    if hint:
        say(console, f"  {hint}")


def _keep_version(store: SqlStore, settings: Settings, queue_id: int | None, source: str,
                  actor: str, now: dt.datetime, content_hash: str, note: str) -> None:
    """The post file as queued, for the console's version history (unreadable: skipped)."""
    from socialbot.intake import source_path

    if queue_id is None:
        return
    try:
        text = source_path(settings, source).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return
    versions.record(store, post=queue_id, actor=actor, at=now, source=text,
                    content_hash=content_hash, note=note)


@queue.command("list")
@click.option("--all", "show_all", is_flag=True, help="包括已全部发送或取消的稿件")
@click.option("--state", help="只看某个状态：queued/approved/due/sending/sent/failed/unknown/"
                              "cancelled/missed")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="第几页（最早发布的在前）")
@click.option("--limit", type=click.IntRange(1, 10_000), default=None,
              help=f"每页显示多少篇稿件（默认 {PAGE_SIZE}；--json 默认输出全部）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（供脚本使用）")
@pass_app
@staff_errors
def list_(app: AppContext, show_all: bool, state: str | None, page: int, limit: int | None,
          as_json: bool) -> None:
    """列出队列中的稿件及每个账号的状态。"""
    if limit is None and not (as_json and page == 1):
        limit = PAGE_SIZE
    settings = app.settings
    if state and state not in {str(s) for s in State}:
        choices = "、".join(f"{s}（{label(s)}）" for s in State)
        raise StoreError(Problem("--state", f"未知状态“{state}”，可用：{choices}"))
    store = open_store(settings)
    items, total = store.list_queue(
        include_finished=show_all, state=state, offset=(page - 1) * (limit or 0), limit=limit)
    if as_json:
        click.echo(json_text([{**p.to_json(), "deliveries": [delivery_json(d) for d in ds]}
                              for p, ds in items], settings.tz))
        return
    if not items:
        if total:
            say(console, f"第 {page} 页没有稿件（共 {total} 篇，每页 {limit} 篇）。")
            return
        say(console, "队列中没有待处理的稿件（已完成的用 --all 查看）。" if not state
            else f"没有状态为 {state} 的目标。")
        return
    limit = limit or max(1, total)
    pages = (total + limit - 1) // limit
    title = f"发布队列（{_zone(settings)}）"
    if pages > 1:
        title += f"　第 {page}/{pages} 页，共 {total} 篇"
    rows = []
    chains = chain.chain_states(store, rules_of(settings), [p for p, _ds in items])
    for post, ds in items:
        times = sorted({show(d.due_at, settings.tz) for d in ds})
        when = times[0] + (f"\n等 {len(times)} 次" if len(times) > 1 else "")
        rows.append([str(post.id), post.post_id, post.title, when,
                     _targets_line(ds, settings), _review_text(post, chains[post.id])])
    records(console, title, [
        Col("编号", atom=True), Col("稿件", atom=True), Col("标题"), Col("发布时间", atom=True),
        Col("账号与状态", atom=True), Col("审核")], rows)
    if page < pages:
        say(console, f"下一页：socialbot queue list --page {page + 1}"
                     + (f" --limit {limit}" if limit != PAGE_SIZE else ""))


def _zone(settings: Settings) -> str:
    return "北京时间" if settings.timezone == "Asia/Shanghai" else settings.timezone


def _review_text(post: PostRecord, state: chain.ChainState | None = None) -> str:
    if post.approved:
        return f"已通过（{post.approved_by}）"
    text = review_label(post.review)
    if state is not None and state.approvals and state.next_tier:
        done = review.tier_name(state.approvals[-1].tier)
        text = f"{done}已通过，待{review.tier_name(state.next_tier)}"
    if post.warnings:
        text += f"（{len(post.warnings)} 条提醒待放行）"
    return f"{text}：{post.review_note}" if post.review_note else text


def _chain_lines(store: SqlStore, settings: Settings, post: PostRecord) -> list[str]:
    """The review chain when the post needs more than one tier, or one is under way."""
    state = chain.chain_state(store, rules_of(settings), post.id)
    if state.needed <= 1 and not state.approvals:
        return []
    done = "；".join(f"{review.tier_name(a.tier)} {a.reviewer}（{show(a.at, settings.tz)}）"
                    for a in state.approvals) or "尚无"
    waiting = (f"；等待{review.tier_name(state.next_tier)}" if state.next_tier else "")
    return [f"  审核链：共 {state.needed} 级；已通过：{done}{waiting}"]


@queue.command("show")
@click.argument("queue_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_app
@staff_errors
def show_(app: AppContext, queue_id: int, as_json: bool) -> None:
    """查看一篇稿件：内容摘要、各账号状态和每次发送的记录。"""
    settings = app.settings
    store = open_store(settings)
    post = store.post(queue_id)
    ds = store.deliveries_of(queue_id)
    history = store.attempts_of([d.id for d in ds])
    rendered = store.rendered(queue_id)
    if as_json:
        click.echo(json_text({
            **post.to_json(), "deliveries": [delivery_json(d) for d in ds],
            "attempts": [h.to_json() for h in history],
        }, settings.tz))
        return
    say(console, f"编号 {post.id}《{post.title}》", style="bold")
    for line in (f"  稿件文件：{post.source}", f"  作者：{post.author}",
                 f"  加入时间：{show(post.created_at, settings.tz)}",
                 f"  内容指纹：{post.content_hash[:12]}", f"  审核：{_review_text(post)}",
                 *_chain_lines(store, settings, post)):
        say(console, line)
    if post.warnings:
        say(console, f"  内容检查提醒（{len(post.warnings)} 条）：")
        _print_warnings(post.warnings)
        for entry in audit.entries(store, post=queue_id, limit=None):
            if entry.action == "override" and entry.content_hash == post.content_hash:
                say(console, f"  已由 {actor_label(entry.actor)} 放行："
                                 f"{shown(entry.detail).split('；')[0]}")
    if post.cron:
        state = "进行中" if post.active else "已停止"
        say(console, f"  周期：{post.cron}（{state}）")
    for name, part in rendered.parts.items():
        for what, value in platform(name).describe(part):
            say(console, f"  {what}：{value}")
    rows = []
    for d in ds:
        when = show(d.due_at, settings.tz)
        if d.due_at != d.planned_at:
            when += f"\n（原定 {show(d.planned_at, settings.tz)}）"
        state = label(d.state) + ("（暂停）" if d.paused else "")
        if d.message_slot:  # travels in that day's message
            place = f"第 {d.position} 篇" if d.position else "按加入顺序"
            when += f"\n（{d.message_slot[:10]} 的群发消息，{place}）"
        rows.append([d.account, when, state, str(d.attempts),
                     "\n".join(x for x in (d.remote_id, d.url) if x), shown(d.message)])
    console.print()
    records(console, "发布目标", [
        Col("账号", atom=True), Col("时间", atom=True), Col("状态", atom=True),
        Col("次数", atom=True), Col("平台编号/链接", atom=True), Col("说明")], rows)
    if history:
        by_id = {d.id: d.account for d in ds}
        rows = []
        for h in history:
            kind = "发送" if h.kind == "publish" else "核对"
            outcome = OUTCOME_LABELS.get(h.outcome or "", h.outcome or "")
            rows.append([show(h.started_at, settings.tz), by_id[h.delivery], kind,
                         outcome or "（进行中或中断）", shown(h.message), h.worker])
        console.print()
        records(console, "发送记录", [
            Col("开始", atom=True), Col("账号", atom=True), Col("类型", atom=True),
            Col("结果", atom=True), Col("说明"), Col("执行者", atom=True)], rows)


def _notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        say(console, f"  ! {note}")


def _console_user_may_decide(store: SqlStore, settings: Settings, queue_id: int,
                             by: str) -> None:
    """``--by`` naming a console user: the console's rule for their roles and tier applies.

    A name that is no console user (a CLI-only office) is checked by the store's chain
    rules alone: order, four eyes, one approval per person, the exact content.
    """
    person = people.get_person(store, by)
    post = store.post(queue_id)
    if person is None or post.approved:
        return
    refusal = review_rules.decision_refusal(person, settings, post,
                                            chain.chain_state(store, rules_of(settings), queue_id))
    if refusal:
        raise StoreError(Problem("--by", refusal.replace("你", f"“{person.username}”", 1)),
                         title="不能审核")


@queue.command("approve")
@click.argument("queue_id", type=int)
@click.option("--by", required=True, help="审核人姓名")
@click.option("--hash", "expect_hash", help="预览时看到的内容指纹（前几位即可），不一致则拒绝")
@click.option("--override-warnings", "override",
              help="稿件有内容检查提醒时必填：确认无误、放行的理由（写入审计日志）")
@pass_app
@staff_errors
def approve(app: AppContext, queue_id: int, by: str, expect_hash: str | None,
            override: str | None) -> None:
    """审核通过（绑定当前内容；之后内容一改，审核即作废）。

    \b
    稿件有内容检查提醒时，须注明放行理由：
      socialbot queue approve 3 --by 李审核 --override-warnings "引用文件原文，名称照录"
    """
    store = open_store(app.settings)
    _console_user_may_decide(store, app.settings, queue_id, by)
    result = review.approve(store, rules_of(app.settings), queue_id, by, utcnow(),
                            expect_hash=expect_hash, override=override)
    step = (f"{review.tier_name(result.tier)}通过（第 {result.tier} 级，共 {result.tiers} 级）"
            if result.tiers > 1 and result.tier else "已审核通过")
    say(console, f"✓ 编号 {queue_id} {step}（内容指纹 {result.content_hash[:12]}）")
    _notes(result.notes)


@queue.command("reject")
@click.argument("queue_id", type=int)
@click.option("--by", required=True, help="审核人姓名")
@click.option("--reason", required=True, help="退回原因")
@pass_app
@staff_errors
def reject(app: AppContext, queue_id: int, by: str, reason: str) -> None:
    """退回稿件：修改（queue edit）并重新审核前不会发布。"""
    store = open_store(app.settings)
    _console_user_may_decide(store, app.settings, queue_id, by)
    review.reject(store, rules_of(app.settings), queue_id, by, reason, utcnow())
    say(console, f"↩ 编号 {queue_id} 已退回：{reason}")


@queue.command("cancel")
@click.argument("queue_id", type=int)
@click.option("--account", help="只取消发往这个账号的")
@click.option("--by", help="操作人（默认：当前系统用户）")
@pass_app
@staff_errors
def cancel(app: AppContext, queue_id: int, account: str | None, by: str | None) -> None:
    """取消尚未发出的发布（周期稿件同时停止）。"""
    result = actions.cancel(open_store(app.settings), queue_id, by or audit.os_user(), utcnow(),
                            account=account)
    names = "、".join(d.account for d in result.changed) or "周期发布"
    say(console, f"✓ 编号 {queue_id} 已取消：{names}")
    _notes(result.notes)


@queue.command("reschedule")
@click.argument("queue_id", type=int)
@click.option("--at", "at_text", required=True, help="新的发布时间，如 \"2022-06-10 09:00\"")
@click.option("--account", help="只改发往这个账号的")
@click.option("--by", help="操作人（默认：当前系统用户）")
@pass_app
@staff_errors
def reschedule(app: AppContext, queue_id: int, at_text: str, account: str | None,
               by: str | None) -> None:
    """改期（待发布或已错过的目标），同样检查额度。"""
    settings = app.settings
    at = _time(at_text, settings, "--at")
    assert at is not None
    result = actions.reschedule(open_store(settings), rules_of(settings), queue_id, at,
                                by or audit.os_user(), utcnow(), account=account)
    say(console, f"✓ 编号 {queue_id} 改到 {show(at, settings.tz)}："
                 f"{'、'.join(d.account for d in result.changed)}")


@queue.command("retry")
@click.argument("queue_id", type=int)
@click.option("--account", help="只重试发往这个账号的")
@click.option("--force", is_flag=True, help="结果未知的目标：已人工确认平台上没有，直接重发")
@click.option("--by", help="操作人（默认：当前系统用户）")
@pass_app
@staff_errors
def retry(app: AppContext, queue_id: int, account: str | None, force: bool, by: str | None) -> None:
    """重试失败或已错过的目标；结果未知的先向平台核实。"""
    result = actions.retry(open_store(app.settings), rules_of(app.settings), queue_id,
                           by or audit.os_user(), utcnow(), account=account, force=force)
    names = "、".join(d.account for d in result.changed)
    say(console, f"✓ 编号 {queue_id} 将重试：{names}")
    _notes(result.notes)


@queue.command("mark-sent")
@click.argument("queue_id", type=int)
@click.option("--account", required=True, help="发往这个账号的目标")
@click.option("--url", default="", help="平台上的链接（可选，记入队列和审计日志）")
@click.option("--by", help="核实人（默认：当前系统用户）")
@pass_app
@staff_errors
def mark_sent(app: AppContext, queue_id: int, account: str, url: str, by: str | None) -> None:
    """结果未知的目标：已到平台上核实确已发出，标为已发送（不再核实，计入额度）。"""
    settings = app.settings
    store = open_store(settings)
    ds = [d for d in store.deliveries_of(queue_id) if d.account == account]
    if not ds:
        raise StoreError(Problem("--account", f"编号 {queue_id} 没有发往 {account} 的目标"))
    open_ = [d for d in ds if d.state in (State.UNKNOWN, State.NEEDS_PERSON)]
    if len(open_) > 1:
        raise StoreError(Problem("--account", f"{account} 有 {len(open_)} 个结果未知的目标"
                                              "（周期稿件），请在控制台看板上逐个核实"))
    target = open_[0] if open_ else ds[-1]
    actions.mark_sent(store, rules_of(settings), target.id, by or audit.os_user(), utcnow(),
                      url=url)
    say(console, f"✓ 编号 {queue_id} → {account} 已标为已发送")


@queue.command("edit")
@click.argument("queue_id", type=int)
@click.option("--position", type=click.IntRange(0, 8),
              help="只调整在当天公众号群发消息中的位置（1 为头条；0 表示恢复按加入队列的顺序），"
                   "不重新排版")
@click.option("--by", help="操作人（默认：当前系统用户）")
@pass_app
@staff_errors
def edit(app: AppContext, queue_id: int, position: int | None, by: str | None) -> None:
    """按稿件文件重新排版；内容有变化时原审核作废，需要重新审核。"""
    settings = app.settings
    store = open_store(settings)
    if position is not None:
        moved = actions.set_position(store, queue_id, position or None,
                                     by or audit.os_user(), utcnow())
        where = f"第 {position} 篇" if position else "按加入队列的顺序"
        say(console, f"✓ 编号 {queue_id} 在当天群发消息中改为{where}："
                     f"{'、'.join(d.account for d in moved.changed)}")
        _notes(moved.notes)
        return
    post = store.post(queue_id)
    from socialbot.intake import render_file, source_path  # rendering: only to edit

    path = source_path(settings, post.source)
    if not path.is_file():
        raise StoreError(Problem(post.source, "稿件文件不存在，无法重新排版"))
    rendered, problems, warnings = render_file(settings, path, post.targets,
                                               channel_source.default_channels(settings))
    if problems or rendered is None:
        raise StoreError(problems, title="修改后的稿件有误，队列未改变")
    now = utcnow()
    result = review.edit(store, rules_of(settings), queue_id, rendered, by or audit.os_user(), now,
                         warnings=warnings)
    if result.changed or result.content_hash != post.content_hash:
        _keep_version(store, settings, queue_id, post.source, by or audit.os_user(), now,
                      result.content_hash, "；".join(("命令行重新排版", *result.notes)))
    say(console, f"✓ 编号 {queue_id} 已重新排版（内容指纹 {result.content_hash[:12]}）")
    _print_warnings(warnings)
    _notes(result.notes)


@queue.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", help="作者（默认：当前系统用户；日程中的 by 列优先）")
@pass_app
@staff_errors
def import_(app: AppContext, file: Path, by: str | None) -> None:
    """按活动日程（CSV 或 TOML）一次性加入多篇稿件；任何一行有误则全部不加入。

    \b
    CSV 表头：post,time,accounts（多个账号用分号分隔），可选 by、cron、until、position
    TOML：[[entry]] post = "…"  time = "2022-06-09 09:00"  accounts = ["…"]  position = 1
    position：同一天发往同一公众号的稿件合成一条群发消息，1 为头条，最多 8 篇
    """
    settings = app.settings
    store = open_store(settings)
    try:
        from socialbot.calendar_import import import_calendar  # rendering: only to import

        entries = import_calendar(store, settings, file, utcnow(), author=by or audit.os_user(),
                                  channels=channel_source.default_channels(settings))
    except QueueRefused as exc:
        _import_table(exc.entries, settings, refused=True)
        bad = sum(1 for e in exc.entries if e.problems)
        raise StaffError(f"{bad} 条有误，整个日程都没有加入队列；请修改后重新导入。") from None
    _import_table(entries, settings, refused=False)
    say(console, f"✓ 已加入 {len(entries)} 篇稿件。")


def _import_table(entries: list[Entry], settings: Settings, *, refused: bool) -> None:
    rows = []
    for e in entries:
        when = e.cron or show(e.at, settings.tz)
        if e.problems:
            result = "✗ " + "\n".join(str(p) for p in e.problems)
        elif refused:
            result = "✓ 无问题（因其他条目有误，未加入）"
        else:
            result = f"✓ 编号 {e.queue_id}" + "".join(f"\n! {n}" for n in e.notes)
        if e.warnings and not e.problems:
            result += f"\n! {len(e.warnings)} 条内容提醒，审核时需注明理由放行"
        rows.append([e.label, e.source, when, "\n".join(e.targets), result])
    records(console, "日程导入" + ("（未导入）" if refused else ""), [
        Col("条目", atom=True), Col("稿件", atom=True), Col("时间", atom=True),
        Col("账号", atom=True), Col("结果")], rows)


COMMANDS: list[click.Command] = [queue]
