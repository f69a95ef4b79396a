"""The one small interface every platform channel implements.

A channel turns a :class:`RenderedPost` into platform API calls for one account:
``plan`` lists the calls (dry run), ``publish`` makes them, ``reconcile`` asks the
platform what happened when an earlier outcome is unknown. Expected platform
failures come back as values (:class:`DeliveryResult`), never as exceptions, so the
queue can record them and the daemon keeps running.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from socialbot.config import Account
from socialbot.delivery import (  # re-exported: the channels' shared vocabulary
    OUTCOME_LABELS,
    REDACTED,
    Attempt,
    DeliveryResult,
    Outcome,
    PlannedCall,
)
from socialbot.errors import Problem
from socialbot.rendered import RenderedPost

__all__ = [
    "OUTCOME_LABELS",
    "REDACTED",
    "Attempt",
    "Channel",
    "DeliveryResult",
    "KeyValueStore",
    "Outcome",
    "PlannedCall",
]


class KeyValueStore(Protocol):
    """Shared storage for tokens and upload memos, visible to every bot process."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int | None = None) -> None: ...
    def delete(self, key: str) -> None: ...


class Channel(Protocol):
    platform: ClassVar[str]
    account: Account

    def check(self, rendered: RenderedPost) -> list[Problem]:
        """Platform rules this content breaks for this account (empty = fine)."""
        ...

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        """The calls ``publish`` would make, in order, without touching the network."""
        ...

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        """Make the calls. ``delivery_key`` identifies (post, account, content) for dedupe."""
        ...

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        """Find out from the platform whether an earlier unknown attempt went through."""
        ...
