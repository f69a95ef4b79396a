"""The storage interface: everything the service layer may ask of the queue's storage.

``open_store(url)`` returns an implementation (today one: ``SqlStore``, SQLite or
PostgreSQL over SQLAlchemy Core). Nothing outside ``socialbot.store`` touches SQL;
a second backend implements this class. Each method is one transaction unless its
docstring says otherwise; times are aware datetimes (stored in UTC); records are the
plain dataclasses of ``store.models``. The store keeps states, codes and data: no
rendering, no platform vocabulary and no staff-facing wording is decided here.

The queue's write operations with rules of their own live in the store's modules and
take a ``Store`` as their first argument: ``queue.add_entries`` (all or nothing),
``review`` (approve, reject, edit), ``actions`` (cancel, reschedule, retry), ``pauses``
(the kill switch), ``claims`` (claim, renew, promote due, extend series), ``outcomes``
(the state transitions that record a platform's answer) and ``audit``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from socialbot.quota_rules import QuotaRule
from socialbot.rendered import RenderedPost
from socialbot.store.models import DeliveryRecord, Pause, PostRecord


@dataclass(frozen=True)
class AttemptRecord:
    """One platform call sequence as the history keeps it (``queue show``)."""

    id: int
    delivery: int
    kind: str  # publish | reconcile
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str | None
    message: str
    remote_id: str
    calls: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """Plain values for JSON; times stay datetimes for ``socialbot.times.json_text``."""
        return {
            "id": self.id, "delivery": self.delivery, "kind": self.kind, "worker": self.worker,
            "started_at": self.started_at, "finished_at": self.finished_at,
            "outcome": self.outcome, "message": self.message, "remote_id": self.remote_id,
            "calls": [_call_times(call) for call in self.calls],
        }


def _call_times(call: dict[str, Any]) -> dict[str, Any]:
    """A stored platform call (its time kept as ISO text) with its time as a datetime."""
    at = call.get("at")
    if not isinstance(at, str):
        return call
    try:
        return {**call, "at": dt.datetime.fromisoformat(at)}
    except ValueError:
        return call


@dataclass(frozen=True)
class BucketUse:
    """How full one quota bucket is: sends recorded plus deliveries still planned in it."""

    bucket: str
    sent: int
    planned: int
    exhausted: bool


class Store(ABC):
    """The queue's storage (huey's ``BaseStorage`` is the model: small, documented)."""

    url: str

    # --- lifecycle ----------------------------------------------------------------------

    @abstractmethod
    def version(self) -> int:
        """The schema version the storage is at (migrations run on open)."""

    @abstractmethod
    def dispose(self) -> None:
        """Let go of connections; the handle must not be used afterwards."""

    @abstractmethod
    def kv(self) -> Any:
        """The key-value data (tokens, upload memos, leases) in this same storage.

        Returns an object with ``get/set/delete/add/delete_if/delete_many``.
        """

    @abstractmethod
    def alert_log(self) -> Any:
        """What alerts went to whom (``store.alert_log.StoreAlertLog``: ``seen/record/
        forget_before/entries``), in this same storage."""

    # --- reading the queue ---------------------------------------------------------------

    @abstractmethod
    def post(self, queue_id: int) -> PostRecord:
        """One post; ``StoreError`` naming the id when there is none."""

    @abstractmethod
    def deliveries_of(self, queue_id: int) -> list[DeliveryRecord]:
        """A post's deliveries, soonest first."""

    @abstractmethod
    def rendered(self, queue_id: int) -> RenderedPost:
        """What a post renders to, images included, exactly as it was queued."""

    @abstractmethod
    def attempts_of(self, delivery_ids: Collection[int]) -> list[AttemptRecord]:
        """The call history of some deliveries, oldest first."""

    @abstractmethod
    def list_queue(self, *, include_finished: bool = False, state: str | None = None,
                   offset: int = 0, limit: int | None = None
                   ) -> tuple[list[tuple[PostRecord, list[DeliveryRecord]]], int]:
        """One page of posts with their deliveries, soonest first, and how many there are.

        Finished posts (every delivery sent or cancelled) only when asked for.
        """

    @abstractmethod
    def live_work(self) -> list[tuple[DeliveryRecord, str]]:
        """Deliveries not finished (pending, sending, or needing a person), with titles."""

    @abstractmethod
    def holding(self, delivery_key: str) -> DeliveryRecord | None:
        """The open delivery (pending, sending, unknown) with this key, if the queue has one."""

    @abstractmethod
    def state_counts(self) -> dict[str, int]:
        """How many deliveries are in each state."""

    @abstractmethod
    def next_wake(self, after: dt.datetime) -> dt.datetime | None:
        """The earliest time after ``after`` when work may be due.

        That is a due time (approved or due, not paused), a lease end or a reconcile
        check; None when nothing is scheduled.
        """

    @abstractmethod
    def pauses(self) -> list[Pause]:
        """The pause switches that are on (``*`` = every account)."""

    @abstractmethod
    def bucket_use(self, account: str, rule: QuotaRule, when: dt.datetime) -> BucketUse:
        """How full ``account``'s quota bucket holding ``when`` is under ``rule``."""

    @abstractmethod
    def last_sent(self) -> dict[str, dt.datetime]:
        """Each account's latest successful send (accounts that never sent are absent)."""

    @abstractmethod
    def first_post_at(self) -> dt.datetime | None:
        """When the queue received its first post (None: it never has)."""

    # --- writing ------------------------------------------------------------------------

    @abstractmethod
    def audit(self, *, actor: str, action: str, post: int | None = None,
              account: str | None = None, content_hash: str | None = None,
              detail: str = "", at: dt.datetime | None = None) -> None:
        """Append one entry to the append-only audit log (for actions outside the queue)."""
