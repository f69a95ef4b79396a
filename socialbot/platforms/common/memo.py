"""What the shared store remembers about one delivery, so no step is repeated by mistake.

Keys are ``delivery:<delivery_key>:<name>``. A delivery marked ``done`` is never sent
again. Markers such as ``sendall_at`` are written just before a publishing call, so a
later reconcile knows a call may have gone out and when.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.times import show_text

MARKER_TTL = 7 * 24 * 3600


class DeliveryMemo:
    def __init__(self, kv: Any, delivery_key: str, now: Callable[[], dt.datetime]):
        self.kv = kv
        self.key = delivery_key
        self.now = now

    def _k(self, name: str) -> str:
        return f"delivery:{self.key}:{name}"

    def get(self, name: str) -> str | None:
        value = self.kv.get(self._k(name))
        return str(value) if value else None

    def set(self, name: str, value: str, ttl: float | None = MARKER_TTL) -> None:
        self.kv.set(self._k(name), value, ttl=ttl)

    def forget(self, *names: str) -> None:
        keys = [self._k(name) for name in names]
        many = getattr(self.kv, "delete_many", None)
        if many is not None:  # one transaction, not one per marker
            many(keys)
            return
        for key in keys:
            self.kv.delete(key)

    def mark(self, name: str) -> None:
        """Record "about to make this call, now" (read back by :meth:`marked_at`)."""
        self.set(name, self.now().isoformat())

    def marked_at(self, name: str) -> dt.datetime | None:
        value = self.get(name)
        return dt.datetime.fromisoformat(value) if value else None

    def done(self) -> DeliveryResult | None:
        """The earlier SENT result, if this delivery already went out."""
        raw = self.get("done")
        if not raw:
            return None
        done = json.loads(raw)
        return DeliveryResult(
            Outcome.SENT, f"这条已经发布过（{show_text(done.get('at'))}），没有重复发布",
            remote_id=done.get("remote_id", ""), url=done.get("url", ""),
            details={**done.get("details", {}), "already": True},
        )

    def sent(self, message: str, *, remote_id: str = "", url: str = "",
             details: dict[str, Any]) -> DeliveryResult:
        """Remember the delivery as done (for good) and return its SENT result."""
        record = {"remote_id": remote_id, "url": url, "details": details,
                  "at": self.now().isoformat(timespec="seconds")}
        self.set("done", json.dumps(record, ensure_ascii=False), ttl=None)
        return DeliveryResult(Outcome.SENT, message, remote_id=remote_id, url=url, details=details)
