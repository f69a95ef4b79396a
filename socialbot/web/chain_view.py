"""What the review panel and the review list show: the chain, expired slots, comments.

Who may decide is ``socialbot.review_rules`` (the CLI asks the same); every answer is
checked again by the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from socialbot.config import Settings
from socialbot.notices import notice
from socialbot.people import Person
from socialbot.review_rules import decision_refusal
from socialbot.store import State
from socialbot.store import chain as chain_store
from socialbot.store.chain import Comment
from socialbot.store.models import DeliveryRecord, PostRecord
from socialbot.store.sql import SqlStore
from socialbot.store_rules import rules_of
from socialbot.web import access


def expired(ds: list[DeliveryRecord], now: dt.datetime) -> list[DeliveryRecord]:
    """Deliveries whose slot came before the review chain finished (过期未审)."""
    return [d for d in ds if d.expired_unreviewed(now)]


@dataclass
class Thread:
    comment: Comment
    replies: list[Thread] = field(default_factory=list)


def threads(comments: list[Comment]) -> list[Thread]:
    """Comments as trees: each reply under the comment it answers, oldest first."""
    nodes = {c.id: Thread(c) for c in comments}
    roots: list[Thread] = []
    for c in comments:
        parent = nodes.get(c.parent) if c.parent is not None else None
        (parent.replies if parent else roots).append(nodes[c.id])
    return roots


def panel_context(store: SqlStore, settings: Settings, person: Person, post: PostRecord,
                  ds: list[DeliveryRecord], now: dt.datetime) -> dict[str, Any]:
    """What the review panel and the comments need; replaces the tier-blind refusal."""
    state = chain_store.chain_state(store, rules_of(settings), post.id)
    awaiting = access.awaiting_review(post, ds)
    return {
        "chain": state,
        "refusal": decision_refusal(person, settings, post, state),
        "awaiting": awaiting,
        "expired": expired(ds, now) if awaiting else [],
        "restart_note": (notice("review.restart").text()
                         if state.restarted == chain_store.EDITED else ""),
        "threads": threads(chain_store.comments_of(store, post.id)),
        "queued_state": State.QUEUED,
    }
