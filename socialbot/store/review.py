"""Review: approvals bound to the exact content hash, rejections, and edits that void them.

An approval records the content hash the reviewer saw. A delivery to an account that
``requires_approval`` may only be claimed while the post's approved hash equals the
delivery's content hash, so any later edit (a new hash) silently un-approves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, update

from socialbot.config import Settings
from socialbot.errors import Problem, StoreError
from socialbot.rendered import RenderedPost
from socialbot.store import audit
from socialbot.store.content import dump_rendered
from socialbot.store.db import Database
from socialbot.store.models import PENDING, State, label
from socialbot.store.queue import deliveries_of, get_post, make_key, refresh_pending
from socialbot.store.schema import deliveries, posts
from socialbot.store.times import show


@dataclass(frozen=True)
class ReviewResult:
    queue_id: int
    content_hash: str
    changed: int
    notes: tuple[str, ...] = ()


def same_person(a: str, b: str) -> bool:
    """Four-eyes: the same name, ignoring case and surrounding spaces."""
    return a.strip().casefold() == b.strip().casefold()


def approve(db: Database, settings: Settings, queue_id: int, by: str, now: dt.datetime,
            *, expect_hash: str | None = None) -> ReviewResult:
    """Approve the post's current content; four-eyes refuses the author's own approval."""
    by = by.strip()
    if not by:
        raise StoreError(Problem("--by", "请写明审核人姓名"))
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = deliveries_of(conn, queue_id)
        problems = []
        if settings.four_eyes and same_person(by, post.author):
            problems.append(Problem("审核人", f"“{by}”是这篇稿件的作者；按双人审核规定，"
                                             "作者不能审核自己的稿件，请另一位同事审核"))
        if expect_hash and not post.content_hash.startswith(expect_hash.strip().lower()):
            problems.append(Problem("--hash", f"稿件内容已变化（现在是 {post.content_hash[:12]}，"
                                             f"不是 {expect_hash}），请重新预览后再审核"))
        if not any(d.state in PENDING for d in ds) and not (post.cron and post.active):
            problems.append(Problem("状态", "这篇稿件没有等待发布的目标，无需审核"))
        if problems:
            raise StoreError(problems, title="不能审核通过")
        if post.approved and post.approved_by:
            return ReviewResult(queue_id, post.content_hash, 0,
                                (f"已由 {post.approved_by} 审核通过，无需重复审核",))
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            review="approved", approved_hash=post.content_hash, approved_by=by,
            approved_at=now, review_note="", updated_at=now))
        post = get_post(conn, queue_id)
        changed = refresh_pending(conn, settings, post, now)
        audit.record(conn, actor=by, action="approve", post=queue_id,
                     content_hash=post.content_hash, detail=f"审核通过：{post.title}", at=now)
        late = [d for d in deliveries_of(conn, queue_id)
                if d.state == State.APPROVED
                and (now - d.due_at).total_seconds() > settings.misfire_grace_seconds]
    notes = tuple(f"{d.account} 原定 {show(d.due_at, settings.tz)} 已过补发时限，将被标为“已错过”；"
                  f"请用 queue reschedule {queue_id} --at … 改期" for d in late)
    return ReviewResult(queue_id, post.content_hash, changed, notes)


def reject(db: Database, settings: Settings, queue_id: int, by: str, reason: str,
           now: dt.datetime) -> ReviewResult:
    """Send the post back: nothing of it goes out until it is edited and approved again."""
    if not reason.strip():
        raise StoreError(Problem("--reason", "请写明退回原因，方便作者修改"))
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        if any(d.state == State.SENDING for d in deliveries_of(conn, queue_id)):
            raise StoreError("这篇稿件正在发送中，无法退回；请稍后用 queue show 查看结果")
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            review="rejected", approved_hash=None, approved_by=None, approved_at=None,
            review_note=reason.strip(), updated_at=now))
        post = get_post(conn, queue_id)
        changed = refresh_pending(conn, settings, post, now)
        audit.record(conn, actor=by, action="reject", post=queue_id,
                     content_hash=post.content_hash, detail=f"退回：{reason.strip()}", at=now)
    return ReviewResult(queue_id, post.content_hash, changed)


def edit(db: Database, settings: Settings, queue_id: int, rendered: RenderedPost, by: str,
         now: dt.datetime) -> ReviewResult:
    """Replace the post's content; a new hash voids the approval and needs a new review."""
    new_hash = rendered.content_hash
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        ds = deliveries_of(conn, queue_id)
        busy = [d for d in ds if d.state in (State.SENDING, State.UNKNOWN)]
        if busy:
            raise StoreError([Problem(f"账号 {d.account}",
                                      f"{label(d.state)}，请等结果确定后再修改")
                              for d in busy], title="现在不能修改")
        if not any(d.state in PENDING for d in ds) and not (post.cron and post.active):
            raise StoreError("这篇稿件已没有等待发布的目标，修改不会生效；如需重发请重新加入队列")
        if new_hash == post.content_hash:
            return ReviewResult(queue_id, new_hash, 0, ("内容没有变化，审核状态保持不变",))
        review = "pending" if post.review in ("approved", "rejected") else post.review
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            rendered=dump_rendered(conn, rendered), content_hash=new_hash, title=rendered.title,
            review=review, updated_at=now))
        for d in ds:
            if d.state in PENDING:
                conn.execute(update(deliveries).where(and_(
                    deliveries.c.id == d.id, deliveries.c.state == str(d.state))).values(
                    content_hash=new_hash, updated_at=now,
                    delivery_key=make_key(post.post_id, d.account, d.occurrence, new_hash)))
        updated = get_post(conn, queue_id)
        changed = refresh_pending(conn, settings, updated, now)
        audit.record(conn, actor=by, action="edit", post=queue_id, content_hash=new_hash,
                     detail=f"内容由 {post.content_hash[:12]} 改为 {new_hash[:12]}", at=now)
        notes = []
        if post.approved_hash:
            voided = f"内容已修改，{post.approved_by} 的审核（{post.approved_hash[:12]}）作废"
            audit.record(conn, actor=by, action="void", post=queue_id, content_hash=new_hash,
                         detail=voided, at=now)
            notes.append(f"内容已变化，{post.approved_by} 的审核已作废，需要重新审核")
    return ReviewResult(queue_id, new_hash, changed, tuple(notes))
