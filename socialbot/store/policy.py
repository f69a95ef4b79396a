"""May this delivery go out now? The one answer, in Python and as the SQL filter claims use.

``may_send`` is the definition. ``may_send_filter`` is the same rule as a SQLAlchemy
condition for the claim query; a test runs both over every combination of the inputs
and requires them to agree. Queue, review, due promotion and claims all ask here.

Per-account rules arrive as plain values (``AccountPolicy``), never as the settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_

from socialbot.quota_rules import QuotaRule
from socialbot.store.models import PostRecord, State
from socialbot.store.schema import GLOBAL_SCOPE, deliveries, posts

REJECTED = "rejected"


@dataclass(frozen=True)
class AccountPolicy:
    """What the queue must know about one account to decide for it."""

    requires_review: bool
    quota: QuotaRule | None = None
    message_capacity: int = 1  # posts one send may carry
    push_time: dt.time | None = None  # when a send carrying several posts goes (local time)
    tiers: int = 1  # reviewers who approve one after another (初审, 复审, 终审)

    @property
    def grouped(self) -> bool:
        """Posts of one local day travel together in one send (the day's message)."""
        return self.message_capacity > 1


def review_allows(review: str, approved_hash: str | None, content_hash: str,
                  policy: AccountPolicy | None, *, approved_at: dt.datetime | None,
                  due_at: dt.datetime, has_warnings: bool = False) -> bool:
    """The review's part: never when rejected; approved content where review is required.

    Review is required by the account's policy, for an account no longer configured
    (``policy`` None), and for content with content-check warnings (a reviewer's
    override, on every account). ``approved_hash`` is set only when the whole review
    chain (every tier) approved this content, and the approval must have landed by the
    delivery's slot: an approval after ``due_at`` leaves it waiting, expired (过期未审),
    until someone reschedules it.
    """
    if review == REJECTED:
        return False
    if not review_required(policy, has_warnings=has_warnings):
        return True
    return approved_hash == content_hash and approved_at is not None and approved_at <= due_at


def review_required(policy: AccountPolicy | None, *, has_warnings: bool = False) -> bool:
    """Whether a delivery to this account waits for a reviewer's approval.

    Yes for an account no longer configured (``policy`` None), for one whose policy
    requires review, and for content with content-check warnings.
    """
    return policy is None or policy.requires_review or has_warnings


def tiers_required(policies: Mapping[str, AccountPolicy], accounts: Collection[str], *,
                   has_warnings: bool = False) -> int:
    """How many tiers must approve a post for these accounts: the most any of them asks.

    0 when none needs review. An account no longer configured, or content with
    content-check warnings, needs at least one tier.
    """
    needed = 0
    for account in accounts:
        policy = policies.get(account)
        if review_required(policy, has_warnings=has_warnings):
            asked = policy.tiers if policy is not None and policy.requires_review else 1
            needed = max(needed, asked)
    return needed


def desired_state(policy: AccountPolicy | None, post: PostRecord, content_hash: str,
                  due_at: dt.datetime) -> State:
    """A pending delivery's state: QUEUED while its review is missing, refused or came
    after its slot; else APPROVED (the claim's due promotion makes it DUE)."""
    allowed = review_allows(post.review, post.approved_hash, content_hash, policy,
                            approved_at=post.approved_at, due_at=due_at,
                            has_warnings=bool(post.warnings))
    return State.APPROVED if allowed else State.QUEUED


def may_send(*, state: str, paused: bool, due_at: dt.datetime, account: str, review: str,
             approved_hash: str | None, approved_at: dt.datetime | None, content_hash: str,
             has_warnings: bool, policy: AccountPolicy | None, pauses: Collection[str],
             now: dt.datetime) -> bool:
    """Whether a delivery may be claimed and published at ``now``."""
    return (policy is not None and state == State.DUE and not paused and due_at <= now
            and GLOBAL_SCOPE not in pauses and account not in pauses
            and review_allows(review, approved_hash, content_hash, policy,
                              approved_at=approved_at, due_at=due_at,
                              has_warnings=has_warnings))


def may_send_filter(policies: Mapping[str, AccountPolicy], pauses: Collection[str],
                    now: dt.datetime) -> Any:
    """``may_send`` as a condition on ``deliveries`` joined with ``posts``."""
    if GLOBAL_SCOPE in pauses:
        return false()
    known = [a for a in policies if a not in pauses]
    reviewed = [a for a in known if policies[a].requires_review]
    return and_(
        deliveries.c.state == str(State.DUE),
        deliveries.c.paused.is_(False),
        deliveries.c.due_at <= now,
        deliveries.c.account.in_(known),
        posts.c.review != REJECTED,
        or_(and_(deliveries.c.account.not_in(reviewed), posts.c.warnings.is_(None)),
            and_(posts.c.approved_hash == deliveries.c.content_hash,
                 posts.c.approved_at <= deliveries.c.due_at)),
    )
