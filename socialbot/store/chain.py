"""The review chain of a post: which tiers approved its current content, and comments.

An account asks for one to three tiers (``review_tiers``); a post needs the most any
of its review-requiring targets asks. Tier n+1 may approve only after tier n, each by a
different person who is not the author, each bound to the exact content hash. The
chain is *live* while nothing voided it: an edit that changes the content, new
content-check warnings, or a rejection void every live approval of the post. Only
when the last tier approves does the post become approved (``posts.approved_hash``),
which is what ``policy.may_send`` checks; so the send rule stays one rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from socialbot.errors import StoreError
from socialbot.notices import notice, problem
from socialbot.store import audit
from socialbot.store.db import Database, inserted_id
from socialbot.store.models import PostRecord
from socialbot.store.policy import tiers_required
from socialbot.store.queue import get_post
from socialbot.store.review_schema import approvals, comments
from socialbot.store.rules import StoreRules
from socialbot.store.schema import posts

EDITED, REJECTED, WARNINGS = "edited", "rejected", "warnings"
MAX_COMMENT = 2000


def same_person(a: str, b: str) -> bool:
    """Four-eyes: the same name, ignoring case and surrounding spaces."""
    return a.strip().casefold() == b.strip().casefold()


@dataclass(frozen=True)
class Approval:
    tier: int
    reviewer: str
    at: dt.datetime
    content_hash: str
    voided_at: dt.datetime | None = None
    void_reason: str | None = None


@dataclass(frozen=True)
class ChainState:
    """Where a post's review chain stands for its current content."""

    needed: int  # tiers this post needs (0: none of its targets needs review)
    approvals: tuple[Approval, ...]  # live approvals of the current content, tier order
    restarted: str | None = None  # why the last chain was voided, while none is live

    @property
    def complete(self) -> bool:
        return len(self.approvals) >= max(self.needed, 1)

    @property
    def next_tier(self) -> int | None:
        """The tier whose approval the post waits for (None once complete)."""
        return None if self.complete else len(self.approvals) + 1

    def reviewed_by(self, name: str) -> Approval | None:
        return next((a for a in self.approvals if same_person(a.reviewer, name)), None)


def needed_tiers(rules: StoreRules, post: PostRecord) -> int:
    return tiers_required(rules.accounts, post.targets, has_warnings=bool(post.warnings))


def _approval(row: object) -> Approval:
    m = row._mapping  # type: ignore[attr-defined]
    return Approval(tier=int(m["tier"]), reviewer=m["reviewer"], at=m["at"],
                    content_hash=m["content_hash"], voided_at=m["voided_at"],
                    void_reason=m["void_reason"])


def lock_post(conn: Connection, queue_id: int) -> PostRecord:
    """The post, its row held until commit (PostgreSQL ``FOR UPDATE``): two reviewers
    deciding at once are served one after the other (SQLite's write lock does the same)."""
    row = conn.execute(select(posts).where(posts.c.id == queue_id).with_for_update()).first()
    if row is None:
        return get_post(conn, queue_id)  # raises the staff's "no such post"
    return PostRecord.from_row(row)


def live_chain(conn: Connection, post: PostRecord) -> list[Approval]:
    """Live approvals of the post's current content, lowest tier first."""
    rows = conn.execute(select(approvals).where(
        approvals.c.post == post.id, approvals.c.voided_at.is_(None),
        approvals.c.content_hash == post.content_hash).order_by(approvals.c.tier)).all()
    return [_approval(r) for r in rows]


def state_in(conn: Connection, rules: StoreRules, post: PostRecord) -> ChainState:
    live = live_chain(conn, post)
    restarted = None
    if not live:
        last = conn.execute(select(approvals.c.void_reason).where(
            approvals.c.post == post.id, approvals.c.voided_at.is_not(None))
            .order_by(approvals.c.voided_at.desc(), approvals.c.id.desc()).limit(1)).scalar()
        restarted = None if last is None else str(last)
    return ChainState(needed_tiers(rules, post), tuple(live), restarted)


def chain_state(db: Database, rules: StoreRules, queue_id: int) -> ChainState:
    with db.tx(write=False) as conn:
        return state_in(conn, rules, get_post(conn, queue_id))


def chain_states(db: Database, rules: StoreRules,
                 posts: Collection[PostRecord]) -> dict[int, ChainState]:
    """Each post's chain in one query (for lists of posts)."""
    by_id = {p.id: p for p in posts}
    if not by_id:
        return {}
    with db.tx(write=False) as conn:
        rows = conn.execute(select(approvals).where(
            approvals.c.post.in_(list(by_id)), approvals.c.voided_at.is_(None))
            .order_by(approvals.c.post, approvals.c.tier)).all()
    live: dict[int, list[Approval]] = {i: [] for i in by_id}
    for row in rows:
        post = by_id[int(row._mapping["post"])]
        if row._mapping["content_hash"] == post.content_hash:
            live[post.id].append(_approval(row))
    return {i: ChainState(needed_tiers(rules, by_id[i]), tuple(live[i])) for i in by_id}


def void_chain(conn: Connection, queue_id: int, reason: str, now: dt.datetime) -> list[Approval]:
    """Void every live approval of the post; returns them (for the audit and the notes)."""
    rows = conn.execute(select(approvals).where(
        approvals.c.post == queue_id, approvals.c.voided_at.is_(None))
        .order_by(approvals.c.tier)).all()
    if rows:
        conn.execute(update(approvals).where(
            approvals.c.post == queue_id, approvals.c.voided_at.is_(None)).values(
            voided_at=now, void_reason=reason))
    return [_approval(r) for r in rows]


def record_approval(conn: Connection, post: PostRecord, tier: int, reviewer: str,
                    now: dt.datetime) -> None:
    conn.execute(insert(approvals).values(post=post.id, tier=tier,
                                          content_hash=post.content_hash, reviewer=reviewer,
                                          at=now, voided_at=None, void_reason=None))


# --- comments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    id: int
    post: int
    parent: int | None
    author: str
    body: str
    content_hash: str
    at: dt.datetime


def add_comment(db: Database, queue_id: int, author: str, body: str, now: dt.datetime, *,
                parent: int | None = None) -> Comment:
    """A comment on the post (or a reply to one of its comments), about its current content."""
    body = body.strip()
    if not body:
        raise StoreError(problem("@chain.comment", "chain.comment_empty"))
    if len(body) > MAX_COMMENT:
        raise StoreError(problem("@chain.comment", "chain.comment_too_long", max=MAX_COMMENT,
                                 length=len(body)))
    with db.tx() as conn:
        post = get_post(conn, queue_id)
        if parent is not None:
            owner = conn.execute(select(comments.c.post).where(comments.c.id == parent)).scalar()
            if owner is None or int(owner) != queue_id:
                raise StoreError(problem("@chain.reply", "chain.no_such_comment", id=parent))
        comment_id = inserted_id(conn, insert(comments).values(
            post=queue_id, parent=parent, author=author, body=body,
            content_hash=post.content_hash, at=now))
        audit.record(conn, actor=author, action="comment", post=queue_id,
                     content_hash=post.content_hash, at=now,
                     detail=notice("chain.audit.reply" if parent else "chain.audit.comment",
                                   text=body[:60]).encode())
    return Comment(comment_id, queue_id, parent, author, body, post.content_hash, now)


def comments_of(db: Database, queue_id: int) -> list[Comment]:
    """The post's comments, oldest first (threads are built by whoever shows them)."""
    with db.tx(write=False) as conn:
        rows = conn.execute(select(comments).where(comments.c.post == queue_id)
                            .order_by(comments.c.at, comments.c.id)).all()
    return [Comment(id=int(r.id), post=int(r.post),
                    parent=None if r.parent is None else int(r.parent), author=r.author,
                    body=r.body, content_hash=r.content_hash, at=r.at) for r in rows]
