"""Review: approvals bound to the exact content hash, rejections, and edits that void them.

An approval records the content hash the reviewer saw. A delivery to an account that
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
from socialbot.config import Settings
from socialbot.errors import Problem, StoreError
from socialbot.rendered import RenderedPost
from socialbot.store import audit
from socialbot.store.content import dump_rendered
from socialbot.store.db import Database
from socialbot.store.models import (
    OPEN_OUTCOME,
    PENDING,
    PostRecord,
    State,
    dump_warnings,
    label,
)
from socialbot.store.queue import (
    deliveries_of,
    get_post,
    make_key,
    refresh_pending,
    warnings_detail,
)
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
            *, expect_hash: str | None = None, override: str | None = None) -> ReviewResult:
    """Approve the post's current content; four-eyes refuses the author's own approval.

    ``override`` is the reviewer's reason for letting the post's warnings through;
    a post with warnings cannot be approved without one.
    """
    by = by.strip()
    override = (override or "").strip()
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
        if post.warnings and not override:
            problems += _override_needed(post)
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
        if post.warnings:
            audit.record(conn, actor=by, action="override", post=queue_id,
                         content_hash=post.content_hash, at=now,
                         detail=_override_detail(post, override))
        audit.record(conn, actor=by, action="approve", post=queue_id,
                     content_hash=post.content_hash, detail=f"审核通过：{post.title}", at=now)
        late = [d for d in deliveries_of(conn, queue_id)
                if d.state == State.APPROVED
                and (now - d.due_at).total_seconds() > settings.misfire_grace_seconds]
    notes = tuple(f"{d.account} 原定 {show(d.due_at, settings.tz)} 已过补发时限，将被标为“已错过”；"
                  f"请用 queue reschedule {queue_id} --at … 改期" for d in late)
    if override and not post.warnings:
        notes += ("这篇稿件没有内容检查提醒，--override-warnings 的理由未使用",)
    return ReviewResult(queue_id, post.content_hash, changed, notes)


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


def reject(db: Database, settings: Settings, queue_id: int, by: str, reason: str,
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
        post = get_post(conn, queue_id)
        changed = refresh_pending(conn, settings, post, now)
        audit.record(conn, actor=by, action="reject", post=queue_id,
                     content_hash=post.content_hash, detail=f"退回：{reason.strip()}", at=now)
    return ReviewResult(queue_id, post.content_hash, changed)


def edit(db: Database, settings: Settings, queue_id: int, rendered: RenderedPost, by: str,
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
            return _new_warnings(conn, settings, post, warnings, by, now)
        review = "pending" if post.review in ("approved", "rejected") else post.review
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            rendered=dump_rendered(conn, rendered), content_hash=new_hash, title=rendered.title,
            review=review, updated_at=now, warnings=dump_warnings(warnings)))
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
        if warnings:
            audit.record(conn, actor=by, action="warnings", post=queue_id,
                         content_hash=new_hash, detail=warnings_detail(warnings), at=now)
        notes = []
        if post.approved_hash:
            voided = f"内容已修改，{post.approved_by} 的审核（{post.approved_hash[:12]}）作废"
            audit.record(conn, actor=by, action="void", post=queue_id, content_hash=new_hash,
                         detail=voided, at=now)
            notes.append(f"内容已变化，{post.approved_by} 的审核已作废，需要重新审核")
    return ReviewResult(queue_id, new_hash, changed, tuple(notes))


def _keys(warnings: list[Finding] | tuple[Finding, ...]) -> list[str]:
    return sorted(w.key() for w in warnings)


def _new_warnings(conn: Connection, settings: Settings, post: PostRecord,
                  warnings: list[Finding], by: str, now: dt.datetime) -> ReviewResult:
    """Same content, different warnings (the word lists changed): an override is void."""
    voids = bool(post.approved_hash) and bool(warnings)
    values: dict[str, object] = {"warnings": dump_warnings(warnings), "updated_at": now}
    if voids:
        values |= {"review": "pending", "approved_hash": None, "approved_by": None,
                   "approved_at": None}
    conn.execute(update(posts).where(posts.c.id == post.id).values(**values))
    changed = refresh_pending(conn, settings, get_post(conn, post.id), now)
    detail = warnings_detail(warnings) if warnings else "内容检查提醒已全部消除"
    audit.record(conn, actor=by, action="warnings", post=post.id,
                 content_hash=post.content_hash, detail=detail, at=now)
    notes = ["内容没有变化，但内容检查提醒有变化（词表或规则已更新）"]
    if voids:
        audit.record(conn, actor=by, action="void", post=post.id, content_hash=post.content_hash,
                     detail=f"内容检查提醒有变化，{post.approved_by} 的审核作废", at=now)
        notes.append(f"{post.approved_by} 的审核已作废，需要重新审核并注明放行理由")
    return ReviewResult(post.id, post.content_hash, changed, tuple(notes))
