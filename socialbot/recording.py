"""The pipeline's record step: what a platform's answer means for the delivery.

``decide`` reads a ``DeliveryResult`` (the platforms' shared vocabulary) against the
facts the store hands over and returns the ``Transition`` the store writes:

- publish → sent, failed (a person acts), unknown (checked again on a bounded
  schedule), reschedule (quota: later, never failed), retry (transient: later, with
  back-off, up to ``MAX_PUBLISH_ATTEMPTS``);
- reconcile → sent, failed, unknown (or, after ``RECONCILE_LIMIT`` checks, needs a
  person), or "not there", which makes the delivery due again with the same key (or
  missed, past the misfire grace).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from socialbot.config import Settings
from socialbot.delivery import DeliveryResult, Outcome
from socialbot.notices import decode, notice
from socialbot.store import outcomes
from socialbot.store.claims import PUBLISH, Claim
from socialbot.store.db import Database
from socialbot.store.models import DeliveryRecord, State
from socialbot.store.outcomes import CallLog, Decide, Facts, Transition
from socialbot.store.policy import review_allows
from socialbot.store_rules import rules_of

MAX_PUBLISH_ATTEMPTS = 5
RETRY_BASE = dt.timedelta(seconds=30)
CHECK_BASE = dt.timedelta(seconds=60)
CHECK_MAX = dt.timedelta(hours=1)
RECONCILE_LIMIT = 10
"""Checks of one open outcome before a person must look: 1, 2, 4 … 32 min, then hourly,
about 5 h in all, and at most 10 calls against a platform's daily budget (Weibo ~100)."""


@dataclass(frozen=True)
class Rules:
    """The settings the record step needs: the misfire grace and the staff's time zone."""

    misfire_grace: dt.timedelta
    tz: ZoneInfo


def call_log(result: DeliveryResult) -> CallLog:
    """The attempt history the store keeps for a result."""
    return CallLog(str(result.outcome), result.message, result.remote_id,
                   [a.to_json() for a in result.attempts])


def backoff(base: dt.timedelta, n: int, cap: dt.timedelta | None = None) -> dt.timedelta:
    delay: dt.timedelta = base * (2 ** max(0, min(n - 1, 10)))
    return min(delay, cap) if cap else delay


def decide(claim: Claim, result: DeliveryResult, rules: Rules, now: dt.datetime) -> Decide:
    """The transition for ``result``, given the facts the store reads when recording."""

    def transition(facts: Facts) -> Transition:
        t = _transition(claim, result, rules, now, facts)
        said = t.message or result.message
        detail = notice("record.audit" if said else "record.audit_state", state=str(t.state),
                        message=decode(t.message) or said)
        lost = notice("record.lost_lease", outcome=str(result.outcome), message=result.message)
        return Transition(**{**t.__dict__, "audit_detail": detail.encode(),
                             "lost_note": lost.encode()})

    return transition


def _transition(claim: Claim, result: DeliveryResult, rules: Rules, now: dt.datetime,
                facts: Facts) -> Transition:
    d = facts.delivery
    outcome, message = result.outcome, result.message
    if outcome == Outcome.SENT:
        return Transition(State.SENT, message, remote_id=result.remote_id, url=result.url)
    if outcome == Outcome.FAILED:
        return Transition(State.FAILED, message or notice("record.refused").encode())
    if outcome == Outcome.DRAFTED:  # never retried: the account may not send by API
        return Transition(State.DRAFTED, message, remote_id=result.remote_id)
    if outcome == Outcome.UNKNOWN:
        why = message or notice("record.no_clear_answer").encode()
        if claim.kind != PUBLISH and facts.checks >= RECONCILE_LIMIT:
            return Transition(State.NEEDS_PERSON, notice(
                "record.needs_person", checks=facts.checks, why=decode(why) or why,
                post=d.post).encode())
        return Transition(State.UNKNOWN, why,
                          next_check_at=now + backoff(CHECK_BASE, facts.checks, CHECK_MAX))
    if claim.kind != PUBLISH:
        # Reconcile says it is not on the platform: publish again (same delivery key).
        if now - d.due_at > rules.misfire_grace:
            return Transition(State.MISSED, notice(
                "record.not_there_missed", planned=d.due_at.astimezone(rules.tz)).encode())
        return Transition(State.DUE, notice("record.not_there_again").encode())
    allowed = review_allows(facts.post.review, facts.post.approved_hash, d.content_hash,
                            facts.policy, approved_at=facts.post.approved_at,
                            due_at=d.due_at)
    want = State.APPROVED if allowed else State.QUEUED
    if outcome == Outcome.RESCHEDULE:
        rule = facts.policy.quota if facts.policy else None
        # "No quota until the next bucket" teaches the ledger that this bucket is full (a
        # console send may have used it); a shorter wait (a daily API cap) does not.
        full = bool(rule and (result.retry_at is None or result.retry_at >= rule.bucket(now)[2]))
        start = rule.next_bucket_same_time(now) if (rule and full) else now
        when = result.retry_at or facts.next_free(start)
        when = max(when or now + dt.timedelta(hours=1), now + dt.timedelta(seconds=1))
        at = when.astimezone(rules.tz)
        return Transition(want, notice("record.not_now", message=message, at=at).encode(),
                          due_at=when, bucket_full=full, quota_note=notice(
                              "record.not_now_quota", message=message, at=at).encode())
    # Outcome.RETRY: safe to try again later, up to the limit.
    if d.attempts + 1 >= MAX_PUBLISH_ATTEMPTS:
        return Transition(State.FAILED, notice(
            "record.gave_up", attempts=d.attempts + 1, message=message).encode())
    when = result.retry_at or now + backoff(RETRY_BASE, d.attempts + 1)
    return Transition(want, notice("record.retry_later", message=message,
                                   at=when.astimezone(rules.tz)).encode(), due_at=when)


def record(store: Database, settings: Settings, claim: Claim, result: DeliveryResult,
           now: dt.datetime) -> DeliveryRecord:
    """Write ``result`` for ``claim``: the record step of the pipeline."""
    rules = Rules(dt.timedelta(seconds=settings.misfire_grace_seconds), settings.tz)
    policy = rules_of(settings).accounts.get(claim.delivery.account)
    return outcomes.finish(store, claim, call_log(result), decide(claim, result, rules, now),
                           policy, now)
