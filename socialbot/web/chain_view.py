"""Who may decide a post at its current review tier, and what the review panel shows.

A post waits for one tier at a time (``socialbot.store.chain``). A person may approve
or reject it when, for every unit whose accounts ask for that tier, they hold the
reviewer role *at that tier*; when they did not write it; and when they have not
approved it already in this chain. Every answer here is checked again by the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from socialbot.config import Settings
from socialbot.people import REVIEWER, TIER_LABELS, Person
from socialbot.store import State
from socialbot.store import chain as chain_store
from socialbot.store.chain import ChainState, Comment
from socialbot.store.models import DeliveryRecord, PostRecord
from socialbot.store.policy import policies_of, review_required
from socialbot.store.review import RESTART, same_person
from socialbot.store.sql import SqlStore
from socialbot.web import access


def tier_label(tier: int | None) -> str:
    return TIER_LABELS.get(tier or 0, "审核")


def tier_units(settings: Settings, post: PostRecord, tier: int) -> set[str]:
    """Units that must supply a reviewer at ``tier``: those with a target asking that many."""
    policies = policies_of(settings)
    units = set()
    for account in post.targets:
        policy = policies.get(account)
        if not review_required(policy, has_warnings=bool(post.warnings)):
            continue
        asked = policy.tiers if policy is not None and policy.requires_review else 1
        if asked >= tier:
            units.add(settings.unit_of(account))
    return units


def reviews_at(person: Person, unit: str, tier: int) -> bool:
    return any(r.role == REVIEWER and r.unit == unit and r.tier == tier for r in person.roles)


def is_author(person: Person, post: PostRecord) -> bool:
    return same_person(person.username, post.author) or same_person(person.display_name,
                                                                    post.author)


def decision_refusal(person: Person, settings: Settings, post: PostRecord,
                     state: ChainState) -> str | None:
    """Why this person may not approve or reject the post now (None: they may)."""
    if state.needed == 0 and not access.review_units(settings, post):
        return "这篇稿件的目标账号都不需要审核"
    tier = state.next_tier
    if tier is None:
        return "这篇稿件已完成全部审核"
    units = tier_units(settings, post, tier)
    missing = sorted(u for u in units if not reviews_at(person, u, tier))
    if missing:
        names = "、".join(settings.units[u].name if u in settings.units else (u or "未分配单位")
                         for u in missing)
        return f"这篇稿件现在等待{tier_label(tier)}；你不是{names}的审核人（{tier_label(tier)}）"
    if is_author(person, post):
        return "你是这篇稿件的作者；按双人审核规定，作者不能审核自己的稿件，请另一位同事审核"
    earlier = state.reviewed_by(person.username) or state.reviewed_by(person.display_name)
    if earlier:
        return (f"你已在本轮审核中做过{tier_label(earlier.tier)}；同一审核链中每人只能审核一次，"
                f"请另一位同事做{tier_label(tier)}")
    return None


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
    state = chain_store.chain_state(store, settings, post.id)
    awaiting = access.awaiting_review(post, ds)
    return {
        "chain": state,
        "refusal": decision_refusal(person, settings, post, state),
        "awaiting": awaiting,
        "expired": expired(ds, now) if awaiting else [],
        "restart_note": RESTART if state.restarted == chain_store.EDITED else "",
        "threads": threads(chain_store.comments_of(store, post.id)),
        "queued_state": State.QUEUED,
    }
