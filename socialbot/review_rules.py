"""Who may decide a post at its current review tier: one rule for the console and the CLI.

A post waits for one tier at a time (``socialbot.store.chain``). A person may approve
or reject it when, for every unit whose accounts ask for that tier, they hold the
reviewer role *at that tier*; when they did not write it; and when they have not
approved it already in this chain. The store enforces the chain itself again (order,
four eyes, one approval per person, the exact content hash).
"""

from __future__ import annotations

from socialbot.config import Settings
from socialbot.people import TIER_LABELS, Person
from socialbot.store.chain import ChainState, same_person
from socialbot.store.models import PostRecord
from socialbot.store.policy import review_required
from socialbot.store_rules import rules_of


def tier_label(tier: int | None) -> str:
    return TIER_LABELS.get(tier or 0, "审核")


def tier_units(settings: Settings, post: PostRecord, tier: int) -> set[str]:
    """Units that must supply a reviewer at ``tier``: those with a target asking that many."""
    policies = rules_of(settings).accounts
    units = set()
    for account in post.targets:
        policy = policies.get(account)
        if not review_required(policy, has_warnings=bool(post.warnings)):
            continue
        asked = policy.tiers if policy is not None and policy.requires_review else 1
        if asked >= tier:
            units.add(settings.unit_of(account))
    return units


def is_author(person: Person, post: PostRecord) -> bool:
    return same_person(person.username, post.author) or same_person(person.display_name,
                                                                    post.author)


def decision_refusal(person: Person, settings: Settings, post: PostRecord,
                     state: ChainState) -> str | None:
    """Why this person may not approve or reject the post now (None: they may)."""
    if state.needed == 0:
        return "这篇稿件的目标账号都不需要审核"
    tier = state.next_tier
    if tier is None:
        return "这篇稿件已完成全部审核"
    units = tier_units(settings, post, tier)
    missing = sorted(u for u in units if not person.reviews_at(u, tier))
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
