"""Review: approvals bound to the exact content hash, rejections, and edits that void them.

Approvals form a chain of one to three tiers (``socialbot.store.chain``); the post is
approved when its last tier approves. An approval records the content hash the reviewer
saw. A delivery to an account that
``requires_approval`` may only be claimed while the post's approved hash equals the
delivery's content hash, so any later edit (a new hash) silently un-approves it.

Content-check warnings are stored with the content they were found in. A post with
warnings needs an approval on every account, and that approval needs a written
reason (``override``); the audit log records the reason, the content hash and the
fingerprint of exactly the warnings it covers. New content or new warnings void it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, update

from socialbot.checks.model import Finding, warnings_fingerprint
from socialbot.errors import Problem, StoreError
from socialbot.people import TIER_LABELS
from socialbot.rendered import RenderedPost
from socialbot.store import audit, chain
from socialbot.store.chain import same_person
from socialbot.store.content import dump_rendered
from socialbot.store.db import Database
from socialbot.store.models import (
    OPEN_OUTCOME,
    PENDING,
    PostRecord,
    State,
    dump_warnings,
)
from socialbot.store.policy import desired_state
from socialbot.store.queue import deliveries_of, get_post, make_key, warnings_detail
from socialbot.store.rules import StoreRules
from socialbot.store.schema import deliveries, posts
from socialbot.store.times import show
from socialbot.wording.labels import label


@dataclass(frozen=True)
class ReviewResult:
    queue_id: int
    content_hash: str
    changed: int
    notes: tuple[str, ...] = ()
    tier: int = 0  # the tier this approval filled (0: nothing recorded)
    tiers: int = 1  # tiers the post needs
    final: bool = False  # the chain is complete: the post is approved


def tier_name(tier: int) -> str:
    return TIER_LABELS.get(tier, f"第 {tier} 级审核")


def approve(db: Database, rules: StoreRules, queue_id: int, by: str, now: dt.datetime,
            *, expect_hash: str | None = None, override: str | None = None,
            tier: int | None = None) -> ReviewResult:
    """Approve the post's current content at its next tier.

    Four-eyes refuses the author's own approval; nobody approves twice in one chain.
    ``tier`` is the tier the reviewer meant (the console sends the one its page showed):
    if the chain moved on meanwhile, nothing is recorded. ``override`` is the reviewer's
    reason for letting the post's warnings through; a post with warnings cannot be
    approved at any tier without one.
    """
    by = by.strip()
    override = (override or "").strip()
    if not by:
        raise StoreError(Problem("--by", "请写明审核人姓名"))
    with db.tx() as conn:
        post = chain.lock_post(conn, queue_id)
        ds = deliveries_of(conn, queue_id, lock=True)
        state = chain.state_in(conn, rules, post)
        problems = []
        if rules.four_eyes and same_person(by, post.author):
            problems.append(Problem("审核人", f"“{by}”是这篇稿件的作者；按双人审核规定，"
                                             "作者不能审核自己的稿件，请另一位同事审核"))
        if expect_hash and not post.content_hash.startswith(expect_hash.strip().lower()):
            problems.append(Problem("--hash", f"稿件内容已变化（现在是 {post.content_hash[:12]}，"
                                             f"不是 {expect_hash}），请重新预览后再审核"))
        if not any(d.state in PENDING for d in ds) and not (post.cron and post.active):
            problems.append(Problem("状态", "这篇稿件没有等待发布的目标，无需审核"))
        earlier = state.reviewed_by(by)
        if earlier and not post.approved:
            problems.append(Problem("审核人", f"“{by}”已在本轮审核中做过{tier_name(earlier.tier)}；"
                                             "同一审核链中每人只能审核一次，请另一位同事审核"))
        if tier is not None and state.next_tier is not None and tier != state.next_tier:
            problems.append(Problem("审级", f"这篇稿件现在等待{tier_name(state.next_tier)}，"
                                           f"不是{tier_name(tier)}；请刷新后再审核"))
        if post.warnings and not override:
            problems += _override_needed(post)
        if problems:
            raise StoreError(problems, title="不能审核通过")
        if post.approved and post.approved_by:
            return ReviewResult(queue_id, post.content_hash, 0,
                                (f"已由 {post.approved_by} 审核通过，无需重复审核",),
                                tiers=state.needed, final=True)
        this_tier = state.next_tier or 1
        tiers = max(state.needed, 1)
        final = this_tier >= tiers
        chain.record_approval(conn, post, this_tier, by, now)
        if final:
            conn.execute(update(posts).where(posts.c.id == queue_id).values(
                review="approved", approved_hash=post.content_hash, approved_by=by,
                approved_at=now, review_note="", updated_at=now))
        else:
            conn.execute(update(posts).where(posts.c.id == queue_id).values(
                review="pending", review_note="", updated_at=now))
        post = get_post(conn, queue_id)
        changed = refresh_pending(conn, rules, post, now)
        if post.warnings:
            audit.record(conn, actor=by, action="override", post=queue_id,
                         content_hash=post.content_hash, at=now,
                         detail=_override_detail(post, override))
        step = "" if tiers == 1 else f"{tier_name(this_tier)}（第 {this_tier} 级，共 {tiers} 级）"
        detail = (f"{step}：{post.title}" if step and not final
                  else f"{step}，审核完成：{post.title}" if step else f"审核通过：{post.title}")
        audit.record(conn, actor=by, action="approve", post=queue_id,
                     content_hash=post.content_hash, detail=detail, at=now)
        expired = [d for d in deliveries_of(conn, queue_id)
                   if final and d.state == State.QUEUED and d.due_at < now]
    notes: tuple[str, ...] = ()
    if not final:
        notes += (f"还需{tier_name(this_tier + 1)}（第 {this_tier + 1} 级，共 {tiers} 级）"
                  "通过后才会发布",)
    notes += tuple(f"{d.account} 原定 {show(d.due_at, rules.tz)} 已过，审核晚于发布时间"
                   f"（过期未审），不会发布；请用 queue reschedule {queue_id} --at … 改期"
                   for d in expired)
    if override and not post.warnings:
        notes += ("这篇稿件没有内容检查提醒，--override-warnings 的理由未使用",)
    return ReviewResult(queue_id, post.content_hash, changed, notes, this_tier, tiers, final)


def refresh_pending(conn: Connection, rules: StoreRules, post: PostRecord,
                    now: dt.datetime) -> int:
    """Re-derive queued/approved for a post's pending deliveries after its review changed;
    returns how many changed."""
    changed = 0
    for d in deliveries_of(conn, post.id):
        if d.state not in PENDING:
            continue
        want = desired_state(rules.accounts.get(d.account), post, d.content_hash, d.due_at)
        if want == State.APPROVED and d.state == State.DUE:
            continue
        if want != d.state:
            conn.execute(update(deliveries).where(and_(
                deliveries.c.id == d.id, deliveries.c.state == str(d.state)))
                .values(state=str(want), updated_at=now))
            changed += 1
    return changed


def _override_needed(post: PostRecord) -> list[Problem]:
    listed = [Problem(w.where, f"[提醒·{w.label}] {w.message}") for w in post.warnings]
    return [*listed, Problem("--override-warnings", (
        f"这篇稿件有 {len(post.warnings)} 条内容检查提醒（见上）。请修改稿件后 queue edit，"
        f"或确认无误后注明理由放行：queue approve {post.id} --by 审核人 "
        "--override-warnings \"理由\""))]


def _override_detail(post: PostRecord, reason: str) -> str:
    """Reason, the fingerprint of (content, warnings) and every warning let through."""
    fingerprint = warnings_fingerprint(post.content_hash, post.warnings)
    return (f"理由：{reason}；放行指纹 {fingerprint[:16]}；"
            + warnings_detail(post.warnings).replace("（审核时需注明理由放行）", ""))


def reject(db: Database, rules: StoreRules, queue_id: int, by: str, reason: str,
           now: dt.datetime) -> ReviewResult:
    """Send the post back: nothing of it goes out until it is edited and approved again."""
    if not reason.strip():
        raise StoreError(Problem("--reason", "请写明退回原因，方便作者修改"))
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        if any(d.state == State.SENDING for d in deliveries_of(conn, queue_id, lock=True)):
            raise StoreError("这篇稿件正在发送中，无法退回；请稍后用 queue show 查看结果")
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            review="rejected", approved_hash=None, approved_by=None, approved_at=None,
            review_note=reason.strip(), updated_at=now))
        chain.void_chain(conn, queue_id, chain.REJECTED, now)
        post = get_post(conn, queue_id)
        changed = refresh_pending(conn, rules, post, now)
        audit.record(conn, actor=by, action="reject", post=queue_id,
                     content_hash=post.content_hash, detail=f"退回：{reason.strip()}", at=now)
    return ReviewResult(queue_id, post.content_hash, changed)


def edit(db: Database, rules: StoreRules, queue_id: int, rendered: RenderedPost, by: str,
         now: dt.datetime, *, warnings: list[Finding] | None = None) -> ReviewResult:
    """Replace the post's content; a new hash voids the approval and needs a new review.

    ``warnings`` are the content checks' warnings for the new content; when they differ
    from the stored ones, an approval that overrode the old ones is void too.
    """
    new_hash = rendered.content_hash
    warnings = list(warnings or [])
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = deliveries_of(conn, queue_id, lock=True)
        busy = [d for d in ds if d.state in (State.SENDING, *OPEN_OUTCOME)]
        if busy:
            raise StoreError([Problem(f"账号 {d.account}",
                                      f"{label(d.state)}，请等结果确定后再修改")
                              for d in busy], title="现在不能修改")
        if not any(d.state in PENDING for d in ds) and not (post.cron and post.active):
            raise StoreError("这篇稿件已没有等待发布的目标，修改不会生效；如需重发请重新加入队列")
        same_warnings = _keys(warnings) == _keys(post.warnings)
        if new_hash == post.content_hash and same_warnings:
            return ReviewResult(queue_id, new_hash, 0, ("内容没有变化，审核状态保持不变",))
        if new_hash == post.content_hash:
            return _new_warnings(conn, rules, post, warnings, by, now)
        review = "pending" if post.review in ("approved", "rejected") else post.review
        # The approval goes with the old content: editing back to it later revives nothing.
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            rendered=dump_rendered(conn, rendered), content_hash=new_hash, title=rendered.title,
            review=review, updated_at=now, warnings=dump_warnings(warnings),
            approved_hash=None, approved_by=None, approved_at=None))
        for d in ds:
            if d.state in PENDING:
                conn.execute(update(deliveries).where(and_(
                    deliveries.c.id == d.id, deliveries.c.state == str(d.state))).values(
                    content_hash=new_hash, updated_at=now,
                    delivery_key=make_key(post.post_id, d.account, d.occurrence, new_hash)))
        updated = get_post(conn, queue_id)
        changed = refresh_pending(conn, rules, updated, now)
        audit.record(conn, actor=by, action="edit", post=queue_id, content_hash=new_hash,
                     detail=f"内容由 {post.content_hash[:12]} 改为 {new_hash[:12]}", at=now)
        if warnings:
            audit.record(conn, actor=by, action="warnings", post=queue_id,
                         content_hash=new_hash, detail=warnings_detail(warnings), at=now)
        notes = []
        undone = chain.void_chain(conn, queue_id, chain.EDITED, now)
        names = _names(undone) or (post.approved_by if post.approved_hash else "")
        if names:
            voided = (f"{RESTART}：{names} 的审核（内容 {post.content_hash[:12]}）作废")
            audit.record(conn, actor=by, action="void", post=queue_id, content_hash=new_hash,
                         detail=voided, at=now)
            notes.append(f"{RESTART}：{names} 的审核已作废，需要从{tier_name(1)}重新审核")
    return ReviewResult(queue_id, new_hash, changed, tuple(notes))


RESTART = "内容已修改，审核需重新开始"


def _names(undone: list[chain.Approval]) -> str:
    return "、".join(f"{tier_name(a.tier)} {a.reviewer}" for a in undone)


def _keys(warnings: list[Finding] | tuple[Finding, ...]) -> list[str]:
    return sorted(w.key() for w in warnings)


def _new_warnings(conn: Connection, rules: StoreRules, post: PostRecord,
                  warnings: list[Finding], by: str, now: dt.datetime) -> ReviewResult:
    """Same content, different warnings (the word lists changed): an override is void."""
    live = chain.live_chain(conn, post)
    voids = (bool(post.approved_hash) or bool(live)) and bool(warnings)
    values: dict[str, object] = {"warnings": dump_warnings(warnings), "updated_at": now}
    if voids:
        values |= {"review": "pending", "approved_hash": None, "approved_by": None,
                   "approved_at": None}
        chain.void_chain(conn, post.id, chain.WARNINGS, now)
    conn.execute(update(posts).where(posts.c.id == post.id).values(**values))
    changed = refresh_pending(conn, rules, get_post(conn, post.id), now)
    detail = warnings_detail(warnings) if warnings else "内容检查提醒已全部消除"
    audit.record(conn, actor=by, action="warnings", post=post.id,
                 content_hash=post.content_hash, detail=detail, at=now)
    notes = ["内容没有变化，但内容检查提醒有变化（词表或规则已更新）"]
    if voids:
        names = _names(live) or str(post.approved_by)
        audit.record(conn, actor=by, action="void", post=post.id, content_hash=post.content_hash,
                     detail=f"内容检查提醒有变化，{names} 的审核作废", at=now)
        notes.append(f"{names} 的审核已作废，需要重新审核并注明放行理由")
    return ReviewResult(post.id, post.content_hash, changed, tuple(notes))
