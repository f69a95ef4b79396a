"""Staff actions on queued posts: cancel, reschedule, retry, mark as sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select, update

from socialbot.errors import Problem, StoreError
from socialbot.store import audit, quota, slots
from socialbot.store.db import Database
from socialbot.store.models import OPEN_OUTCOME, PENDING, DeliveryRecord, PostRecord, State
from socialbot.store.policy import desired_state
from socialbot.store.queue import deliveries_of, get_post
from socialbot.store.rules import StoreRules
from socialbot.store.schema import attempts, deliveries, posts
from socialbot.store.times import in_past, show
from socialbot.wording.labels import label


@dataclass(frozen=True)
class ActionResult:
    queue_id: int
    changed: tuple[DeliveryRecord, ...]
    notes: tuple[str, ...] = ()


def _set(conn: Connection, d: DeliveryRecord, now: dt.datetime, **values: object) -> bool:
    """Update one delivery only if nobody changed its state meanwhile."""
    result = conn.execute(update(deliveries).where(and_(
        deliveries.c.id == d.id, deliveries.c.state == str(d.state)))
        .values(updated_at=now, **values))
    return result.rowcount == 1


def _pick(ds: list[DeliveryRecord], account: str | None) -> list[DeliveryRecord]:
    if account is None:
        return ds
    picked = [d for d in ds if d.account == account]
    if not picked:
        raise StoreError(Problem("--account", f"这篇稿件没有发往 {account} 的目标"))
    return picked


def cancel(db: Database, queue_id: int, by: str, now: dt.datetime, *,
           account: str | None = None) -> ActionResult:
    """Stop every delivery that has not gone out (a series stops making occurrences)."""
    cancellable = (*PENDING, State.FAILED, State.MISSED, *OPEN_OUTCOME)
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = _pick(deliveries_of(conn, queue_id), account)
        changed = [d for d in ds if d.state in cancellable and _set(
            conn, d, now, state=str(State.CANCELLED), message=f"{by} 取消")]
        notes = [f"{d.account} {label(d.state)}，无法取消" for d in ds if d.state == State.SENDING]
        notes += [f"{d.account} 的结果未知（可能已发出），已停止跟踪；请到平台上核实"
                  for d in changed if d.state in OPEN_OUTCOME]
        stopped_series = bool(post.cron and post.active and account is None)
        if stopped_series:
            conn.execute(update(posts).where(posts.c.id == queue_id).values(
                active=False, updated_at=now))
        if not changed and not stopped_series:
            raise StoreError("没有可以取消的目标（已发送、已取消或正在发送）")
        for d in changed:
            audit.record(conn, actor=by, action="cancel", post=queue_id, account=d.account,
                         content_hash=d.content_hash, detail=f"原状态：{label(d.state)}", at=now)
        if stopped_series:
            audit.record(conn, actor=by, action="cancel", post=queue_id,
                         content_hash=post.content_hash, detail=f"停止周期发布 {post.cron}", at=now)
    return ActionResult(queue_id, tuple(changed), tuple(notes))


def reschedule(db: Database, rules: StoreRules, queue_id: int, at: dt.datetime, by: str,
               now: dt.datetime, *, account: str | None = None) -> ActionResult:
    """Move pending (or missed) deliveries to ``at``; checked against the quota ledger."""
    if in_past(at, now):
        raise StoreError(Problem("--at", f"新时间 {show(at, rules.tz)} 已经过去"))
    # "Now" typed to the minute means now: a slot after the review that just finished.
    at = max(at, now)
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        if post.cron:
            raise StoreError("周期稿件不能整体改期；请 queue cancel 后用新的 --cron 重新加入")
        ds = [d for d in _pick(deliveries_of(conn, queue_id), account)
              if d.state in (*PENDING, State.MISSED)]
        if not ds:
            raise StoreError("没有可以改期的目标（只有待发布或已错过的目标可以改期）")
        placed = {d.id: _new_place(conn, rules, d, at, now) for d in ds}
        problems = [p for d in ds for p in _slot_problems(rules, d, placed[d.id])]
        problems += _quota_problems(conn, rules, [
            d for d in ds if not _joins(conn, d, placed[d.id])], at)
        if problems:
            raise StoreError(problems, title="不能改到这个时间")
        changed = []
        for d in ds:
            where = placed[d.id]
            due = where.due_at if where else at
            # The approval is checked against the slot the delivery now has.
            state = desired_state(rules.accounts.get(d.account), post, d.content_hash, due)
            moved = dict(message_slot=where.slot) if where else {}
            if _set(conn, d, now, due_at=due, **moved, planned_at=at, state=str(state),
                    message=""):
                changed.append(d)
                audit.record(conn, actor=by, action="reschedule", post=queue_id,
                             account=d.account, content_hash=d.content_hash, at=now,
                             detail=f"{show(d.due_at, rules.tz)} → {show(at, rules.tz)}")
    return ActionResult(queue_id, tuple(changed))


def _new_place(conn: Connection, rules: StoreRules, d: DeliveryRecord, at: dt.datetime,
               now: dt.datetime) -> slots.Placement | None:
    """The day's send a rescheduled delivery joins (None: the account sends one by one)."""
    policy = rules.accounts.get(d.account)
    if policy is None or not policy.grouped:
        return None
    alone = (d.message_slot or "").partition("/")[2] or None
    return slots.place(conn, policy, rules.tz, d.account, at, now, alone_key=alone,
                       exclude=(d.id,))


def _joins(conn: Connection, d: DeliveryRecord, where: slots.Placement | None) -> bool:
    """Whether the delivery joins a send already planned (so it costs no quota)."""
    return where is not None and slots.members(conn, d.account, where.slot, (d.id,)) > 0


def _slot_problems(rules: StoreRules, d: DeliveryRecord,
                   where: slots.Placement | None) -> list[Problem]:
    if where is None or where.full is None:
        return []
    capacity = rules.accounts[d.account].message_capacity
    return [Problem(f"账号 {d.account}", (
        f"{d.account} 在 {where.full:%Y-%m-%d}（北京时间）的群发消息已有 {capacity} 篇文章，"
        f"达到上限。下一个还有空位的日期：{where.day:%Y-%m-%d}"))]


def set_position(db: Database, queue_id: int, position: int | None, by: str,
                 now: dt.datetime) -> ActionResult:
    """Move a post within its day's send (1 = first); only before that send is made."""
    with db.tx() as conn:
        get_post(conn, queue_id)
        ds = [d for d in deliveries_of(conn, queue_id) if d.message_slot]
        if not ds:
            raise StoreError(Problem("--position", "这篇稿件的目标账号不是按天合并群发的公众号，"
                                                   "没有消息内的位置可调"))
        changed = [d for d in ds if d.state in PENDING and _set(conn, d, now, position=position)]
        notes = tuple(f"{d.account} 的当天消息{label(d.state)}，位置不能再改" for d in ds
                      if d.state not in PENDING)
        if not changed:
            raise StoreError("没有可以调整位置的目标（当天的消息已经发出或正在发送）")
        shown = "按加入队列的顺序" if position is None else f"第 {position} 篇"
        for d in changed:
            audit.record(conn, actor=by, action="position", post=queue_id, account=d.account,
                         content_hash=d.content_hash, at=now,
                         detail=f"{slots.day_of(d.message_slot or '')} 的消息中排{shown}")
    return ActionResult(queue_id, tuple(changed), notes)


def _quota_problems(conn: Connection, rules: StoreRules, ds: list[DeliveryRecord],
                    at: dt.datetime) -> list[Problem]:
    problems = []
    for d in ds:
        policy = rules.accounts.get(d.account)
        if policy is None:
            problems.append(Problem(f"账号 {d.account}", "已不在配置文件中"))
            continue
        if policy.quota is None:
            continue
        usage = quota.usage_in(conn, d.account, policy.quota, at, exclude=(d.id,))
        if usage.exhausted or usage.sent + usage.planned >= usage.rule.limit:
            free = quota.next_free_in(conn, d.account, policy.quota, at, exclude=(d.id,))
            hint = f"下一个可用时间：{show(free, rules.tz)}" if free else "近期没有可用额度"
            problems.append(Problem(f"账号 {d.account}",
                                    f"{usage.rule.label}，该时段已排满。{hint}"))
    return problems


def retry(db: Database, rules: StoreRules, queue_id: int, by: str, now: dt.datetime, *,
          account: str | None = None, force: bool = False) -> ActionResult:
    """Failed or missed: try again now. Unknown: ask the platform again (``force``: resend)."""
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = _pick(deliveries_of(conn, queue_id), account)
        again = [d for d in ds if d.state in (State.FAILED, State.MISSED)]
        unknown = [d for d in ds if d.state in OPEN_OUTCOME]
        if not again and not unknown:
            raise StoreError("没有需要重试的目标（只有失败、已错过或结果未知的目标可以重试）")
        problems = _quota_problems(conn, rules, again + (unknown if force else []), now)
        if problems:
            raise StoreError(problems, title="现在不能重试")
        changed, notes = [], []
        for d in again + (unknown if force else []):
            if _resend(conn, rules, post, d, now):
                changed.append(d)
                audit.record(conn, actor=by, action="retry", post=queue_id, account=d.account,
                             content_hash=d.content_hash, at=now,
                             detail=("人工确认平台上没有这条，重新发送" if d.state in OPEN_OUTCOME
                                     else f"原状态：{label(d.state)}，立即重试"))
        if not force:
            for d in unknown:
                if _set(conn, d, now, state=str(State.UNKNOWN), next_check_at=now):
                    changed.append(d)
                    audit.record(conn, actor=by, action="retry", post=queue_id,
                                 account=d.account, content_hash=d.content_hash, at=now,
                                 detail="请求立即向平台核实结果")
            if unknown:
                notes.append("结果未知的目标会先向平台核实，确认没有发出才会重发"
                             "（确认平台上确实没有时，可加 --force 直接重发）")
    return ActionResult(queue_id, tuple(changed), tuple(notes))


def _resend(conn: Connection, rules: StoreRules, post: PostRecord, d: DeliveryRecord,
            now: dt.datetime) -> bool:
    state = desired_state(rules.accounts.get(d.account), post, d.content_hash, now)
    # Due now: a retry is a person's decision, so the misfire grace starts again.
    target = State.DUE if state == State.APPROVED else state
    return _set(conn, d, now, due_at=now, state=str(target), message="", next_check_at=None,
                claimed_by=None, claim_token=None, lease_until=None)


def mark_sent(db: Database, rules: StoreRules, delivery_id: int, by: str, now: dt.datetime,
              *, url: str = "") -> ActionResult:
    """An open outcome a person found published on the platform: record it as sent.

    Reconciling stops, the send counts in the quota bucket of its last publish attempt
    (when the platform acted), and the audit names the person who checked.
    """
    with db.tx() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)
                           .with_for_update()).first()
        if row is None:
            raise StoreError(Problem("编号", f"没有编号为 {delivery_id} 的发布目标"))
        d = DeliveryRecord.from_row(row)
        if d.state not in OPEN_OUTCOME:
            raise StoreError(Problem(f"账号 {d.account}", f"{label(d.state)}：只有结果未知或"
                                                         "需人工核实的发布可以标为已发出"))
        started = conn.execute(select(attempts.c.started_at).where(
            attempts.c.delivery == d.id, attempts.c.kind == "publish")
            .order_by(attempts.c.id.desc())).first()
        sent_at = started[0] if started else now
        link = url.strip()
        if not _set(conn, d, now, state=str(State.SENT), sent_at=sent_at, url=link,
                    next_check_at=None, message=f"{by} 人工核实：平台上已发出"):
            raise StoreError("这个发布刚被别人改动过，请刷新后重试")
        policy = rules.accounts.get(d.account)
        if policy is not None and policy.quota is not None:
            quota.record_send_in(conn, d.account, policy.quota, d.id, sent_at)
        audit.record(conn, actor=by, action="mark_sent", post=d.post, account=d.account,
                     content_hash=d.content_hash, at=now,
                     detail=f"人工核实平台上已发出（原状态：{label(d.state)}）"
                            + (f"，链接 {link}" if link else ""))
    return ActionResult(d.post, (d,))
