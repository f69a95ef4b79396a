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

Audit details are notices (``socialbot.notices``); refusals and notes are worded from
``socialbot.wording`` by code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, update

from socialbot.checks.model import Finding, warnings_fingerprint
from socialbot.errors import Problem, StoreError
from socialbot.notices import Value, notice, problem
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
from socialbot.store.queue import deliveries_of, get_post, make_key, warnings_notice
from socialbot.store.rules import StoreRules
from socialbot.store.schema import deliveries, posts


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
    return TIER_LABELS.get(tier) or notice("review.tier_n", tier=tier).text()


def _account(account: str) -> str:
    return notice("review.account", account=account).text()


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
        raise StoreError(problem("--by", "review.reviewer_missing"))
    with db.tx() as conn:
        post = chain.lock_post(conn, queue_id)
        ds = deliveries_of(conn, queue_id, lock=True)
        state = chain.state_in(conn, rules, post)
        problems = []
        if rules.four_eyes and same_person(by, post.author):
            problems.append(problem("@review.reviewer", "review.own_post", by=by))
        if expect_hash and not post.content_hash.startswith(expect_hash.strip().lower()):
            problems.append(problem("--hash", "review.hash_changed",
                                    now=post.content_hash[:12], asked=expect_hash))
        if not any(d.state in PENDING for d in ds) and not (post.cron and post.active):
            problems.append(problem("@review.state", "review.nothing_pending"))
        earlier = state.reviewed_by(by)
        if earlier and not post.approved:
            problems.append(problem("@review.reviewer", "review.already_reviewed", by=by,
                                    tier=tier_name(earlier.tier)))
        if tier is not None and state.next_tier is not None and tier != state.next_tier:
            problems.append(problem("@review.tier", "review.wrong_tier",
                                    waiting=tier_name(state.next_tier), asked=tier_name(tier)))
        if post.warnings and not override:
            problems += _override_needed(post)
        if problems:
            raise StoreError(problems, title=notice("review.title.approve").text())
        if post.approved and post.approved_by:
            return ReviewResult(queue_id, post.content_hash, 0,
                                (notice("review.already_approved", by=post.approved_by).text(),),
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
        step: dict[str, Value] = {"tier_name": tier_name(this_tier), "tier": this_tier,
                                  "tiers": tiers, "title": post.title}
        detail = (notice("review.audit.approved", title=post.title) if tiers == 1
                  else notice("review.audit.step_final" if final else "review.audit.step", **step))
        audit.record(conn, actor=by, action="approve", post=queue_id,
                     content_hash=post.content_hash, detail=detail.encode(), at=now)
        expired = [d for d in deliveries_of(conn, queue_id)
                   if final and d.state == State.QUEUED and d.due_at < now]
    notes: tuple[str, ...] = ()
    if not final:
        notes += (notice("review.more_tiers", tier_name=tier_name(this_tier + 1),
                         tier=this_tier + 1, tiers=tiers).text(),)
    notes += tuple(notice("review.expired", account=d.account, at=d.due_at.astimezone(rules.tz),
                          queue_id=queue_id).text() for d in expired)
    if override and not post.warnings:
        notes += (notice("review.override_unused").text(),)
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
    listed = [problem(w.where, "review.warning", label=w.label, message=w.message)
              for w in post.warnings]
    return [*listed, problem("--override-warnings", "review.override_needed",
                             count=len(post.warnings), post=post.id)]


def _override_detail(post: PostRecord, reason: str) -> str:
    """Reason, the fingerprint of (content, warnings) and every warning let through."""
    fingerprint = warnings_fingerprint(post.content_hash, post.warnings)
    items = notice("review.warning_sep").text().join(
        notice("review.warning_item", where=w.where, message=w.message).text()
        for w in post.warnings)
    return notice("review.audit.override", reason=reason, fingerprint=fingerprint[:16],
                  count=len(post.warnings), items=items).encode()


def reject(db: Database, rules: StoreRules, queue_id: int, by: str, reason: str,
           now: dt.datetime) -> ReviewResult:
    """Send the post back: nothing of it goes out until it is edited and approved again."""
    if not reason.strip():
        raise StoreError(problem("--reason", "review.reason_missing"))
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        if any(d.state == State.SENDING for d in deliveries_of(conn, queue_id, lock=True)):
            raise StoreError(problem("", "review.sending"))
        conn.execute(update(posts).where(posts.c.id == queue_id).values(
            review="rejected", approved_hash=None, approved_by=None, approved_at=None,
            review_note=reason.strip(), updated_at=now))
        chain.void_chain(conn, queue_id, chain.REJECTED, now)
        post = get_post(conn, queue_id)
        changed = refresh_pending(conn, rules, post, now)
        audit.record(conn, actor=by, action="reject", post=queue_id,
                     content_hash=post.content_hash, at=now,
                     detail=notice("review.audit.rejected", reason=reason.strip()).encode())
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
            raise StoreError([problem(_account(d.account), "review.busy", state=str(d.state))
                              for d in busy], title=notice("review.title.edit").text())
        if not any(d.state in PENDING for d in ds) and not (post.cron and post.active):
            raise StoreError(problem("", "review.nothing_to_edit"))
        same_warnings = _keys(warnings) == _keys(post.warnings)
        if new_hash == post.content_hash and same_warnings:
            return ReviewResult(queue_id, new_hash, 0, (notice("review.unchanged").text(),))
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
                     detail=notice("review.audit.edited", old=post.content_hash[:12],
                                   new=new_hash[:12]).encode(), at=now)
        if warnings:
            audit.record(conn, actor=by, action="warnings", post=queue_id,
                         content_hash=new_hash, detail=warnings_notice(warnings).encode(), at=now)
        notes = []
        undone = chain.void_chain(conn, queue_id, chain.EDITED, now)
        names = _names(undone) or (post.approved_by if post.approved_hash else "")
        if names:
            voided = notice("review.audit.voided", names=names, old=post.content_hash[:12])
            audit.record(conn, actor=by, action="void", post=queue_id, content_hash=new_hash,
                         detail=voided.encode(), at=now)
            notes.append(notice("review.voided_note", names=names, first=tier_name(1)).text())
    return ReviewResult(queue_id, new_hash, changed, tuple(notes))


def _names(undone: list[chain.Approval]) -> str:
    """The reviewers whose approvals were voided, each with their tier's name."""
    return notice("review.name_sep").text().join(
        notice("review.named_reviewer", tier=tier_name(a.tier), reviewer=a.reviewer).text()
        for a in undone)


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
    detail = (warnings_notice(warnings).encode() if warnings
              else notice("review.audit.warnings_cleared").encode())
    audit.record(conn, actor=by, action="warnings", post=post.id,
                 content_hash=post.content_hash, detail=detail, at=now)
    notes = [notice("review.warnings_changed").text()]
    if voids:
        names = _names(live) or str(post.approved_by)
        audit.record(conn, actor=by, action="void", post=post.id, content_hash=post.content_hash,
                     detail=notice("review.audit.voided_warnings", names=names).encode(), at=now)
        notes.append(notice("review.voided_warnings_note", names=names).text())
    return ReviewResult(post.id, post.content_hash, changed, tuple(notes))
