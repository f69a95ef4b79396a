"""``may_send`` and its SQL twin agree on every combination of what decides it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import insert, select
from test_postgres import pg_url  # noqa: F401  (the PostgreSQL schema fixture)

from socialbot.store import open_store
from socialbot.store.models import State
from socialbot.store.policy import AccountPolicy, may_send, may_send_filter, review_allows
from socialbot.store.schema import deliveries, posts

NOW = dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC)
POLICIES = {
    "reviewed": AccountPolicy(requires_review=True),
    "open": AccountPolicy(requires_review=False),
    "stopped": AccountPolicy(requires_review=False),  # paused below
}
ACCOUNTS = [*POLICIES, "gone"]  # "gone": no longer configured


@pytest.mark.parametrize("pauses", [set(), {"stopped"}, {"*"}])
def test_python_and_sql_agree(tmp_path, pauses):
    python_and_sql_agree(f"sqlite:///{tmp_path / 'policy.db'}", pauses)


@pytest.mark.postgres
def test_python_and_sql_agree_on_postgresql(request):
    """The approval-time comparison (timestamps without zone) included."""
    python_and_sql_agree(request.getfixturevalue("pg_url"), {"stopped"})


def python_and_sql_agree(url: str, pauses: set[str]) -> None:
    db = open_store(url)
    grid = list(itertools.product(
        [str(State.DUE), str(State.APPROVED), str(State.QUEUED)],  # state
        [False, True],  # paused flag
        [NOW - dt.timedelta(minutes=1), NOW + dt.timedelta(minutes=1)],  # due_at
        ACCOUNTS,
        ["pending", "approved", "rejected"],  # review
        ["h", "other", None],  # approved hash (the content hash is "h")
        # approved before either slot, between them (late for the earlier one), or never
        [NOW - dt.timedelta(hours=1), NOW, None],
        [None, '[{"w": 1}]'],  # content-check warnings (JSON) or none
    ))
    expected = set()
    with db.tx() as conn:
        for n, (state, paused, due, account, review, approved, approved_at,
                warnings) in enumerate(grid):
            post = conn.execute(insert(posts).values(
                post_id=f"p{n}", source="s", title="t", author="a", created_at=NOW,
                updated_at=NOW, content_hash="h", rendered="{}", targets="[]", review=review,
                approved_hash=approved, approved_at=approved_at, review_note="", active=True,
                warnings=warnings)).inserted_primary_key[0]
            delivery = conn.execute(insert(deliveries).values(
                post=post, account=account, occurrence="", planned_at=due, due_at=due,
                state=state, paused=paused, content_hash="h", delivery_key=f"k{n}", attempts=0,
                remote_id="", url="", message="", updated_at=NOW)).inserted_primary_key[0]
            if may_send(state=state, paused=paused, due_at=due, account=account, review=review,
                        approved_hash=approved, approved_at=approved_at, content_hash="h",
                        has_warnings=warnings is not None,
                        policy=POLICIES.get(account), pauses=pauses, now=NOW):
                expected.add(delivery)
        found = set(conn.execute(
            select(deliveries.c.id).join(posts, posts.c.id == deliveries.c.post)
            .where(may_send_filter(POLICIES, pauses, NOW))).scalars())
    db.dispose()
    assert found == expected
    assert expected or pauses == {"*"}  # the grid does hold deliveries that may go


def test_review_rule():
    reviewed, open_ = POLICIES["reviewed"], POLICIES["open"]
    at = {"approved_at": NOW, "due_at": NOW}
    assert review_allows("approved", "h", "h", reviewed, **at)
    assert not review_allows("approved", "old", "h", reviewed, **at)  # content changed since
    assert review_allows("pending", None, "h", open_, **at)
    assert not review_allows("rejected", "h", "h", open_, **at)
    assert not review_allows("pending", None, "h", None, **at)  # an account no longer configured
    assert not review_allows("pending", None, "h", open_, has_warnings=True, **at)
    assert review_allows("approved", "h", "h", open_, has_warnings=True, **at)


def test_an_approval_after_the_slot_does_not_count():
    """过期未审: the chain finished after the slot, so the delivery waits for a new time."""
    reviewed = POLICIES["reviewed"]
    late = {"approved_at": NOW + dt.timedelta(seconds=1), "due_at": NOW}
    assert not review_allows("approved", "h", "h", reviewed, **late)
    assert review_allows("approved", "h", "h", POLICIES["open"], **late)  # no review needed
    assert not review_allows("approved", "h", "h", reviewed, approved_at=None, due_at=NOW)
