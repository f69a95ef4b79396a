"""What the shared store remembers about one delivery, so no step is repeated by mistake.

Keys are ``delivery:<delivery_key>:<name>``. A delivery marked ``done`` is never sent
again. Markers such as ``sendall_at`` are written just before a publishing call, so a
later reconcile knows a call may have gone out and when.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.times import show_text

MARKER_TTL = 7 * 24 * 3600


Pending = dict[str, tuple[str, float | None]]  # key -> (value, ttl)


class DeliveryMemo:
    """The memo of one delivery (one channel operation, one thread).

    ``buffered=True`` writes only where the store must hold the progress before an
    irreversible call: :meth:`mark` (and ``set(..., at_once=True)``) write everything
    pending in one transaction; other writes wait for :meth:`flush`, which the channel
    calls when the operation ends, however it ends. A crash before the flush loses only
    what a reconcile can find out again (the draft box, the publish record). :meth:`load`
    reads the memo and any other keys the operation will need in one read, and values
    read or written are kept for the rest of the operation.
    """

    def __init__(self, kv: Any, delivery_key: str, now: Callable[[], dt.datetime], *,
                 buffered: bool = False):
        self.kv = kv
        self.key = delivery_key
        self.now = now
        self.buffered = buffered
        self._seen: dict[str, str | None] = {}
        self._pending: Pending = {}

    def _k(self, name: str) -> str:
        return f"delivery:{self.key}:{name}"

    # -- reads -------------------------------------------------------------------------

    def load(self, names: Iterable[str], keys: Iterable[str] = ()) -> None:
        """Read the memo's ``names`` and other store ``keys`` at once (kept for later)."""
        wanted = [k for k in [*(self._k(n) for n in names), *keys] if k not in self._seen]
        if not wanted:
            return
        many = getattr(self.kv, "get_many", None)
        found = {k: self.kv.get(k) for k in wanted} if many is None else many(wanted)
        for key in wanted:
            value = found.get(key)
            self._seen[key] = str(value) if value else None

    def lookup(self, key: str) -> str | None:
        """A store key's value: as loaded or written in this operation, else read now."""
        if key in self._seen:
            return self._seen[key]
        value = self.kv.get(key)
        self._seen[key] = str(value) if value else None
        return self._seen[key]

    def get(self, name: str) -> str | None:
        return self.lookup(self._k(name))

    # -- writes ------------------------------------------------------------------------

    def put(self, key: str, value: str, ttl: float | None = None, *,
            at_once: bool = False) -> None:
        """Write a store key; buffered until the next flush unless ``at_once``."""
        self._seen[key] = value
        self._pending[key] = (value, ttl)
        if at_once or not self.buffered:
            self.flush()

    def set(self, name: str, value: str, ttl: float | None = MARKER_TTL, *,
            at_once: bool = False) -> None:
        self.put(self._k(name), value, ttl, at_once=at_once)

    def forget(self, *names: str) -> None:
        """Delete markers now (with whatever is pending, first)."""
        keys = [self._k(name) for name in names]
        for key in keys:
            self._seen[key] = None
            self._pending.pop(key, None)
        self.flush()
        many = getattr(self.kv, "delete_many", None)
        if many is not None:  # one transaction, not one per marker
            many(keys)
            return
        for key in keys:
            self.kv.delete(key)

    def mark(self, name: str) -> None:
        """Record "about to make this call, now" (read back by :meth:`marked_at`).

        Written at once, with everything pending: the store holds the progress before
        the call goes out.
        """
        self.set(name, self.now().isoformat(), at_once=True)

    def flush(self) -> None:
        """Write what is pending, in one transaction when the store can."""
        if not self._pending:
            return
        items = [(k, v, t) for k, (v, t) in self._pending.items()]
        many = getattr(self.kv, "set_many", None)
        if many is not None and len(items) > 1:
            many(items)
        else:
            for key, value, ttl in items:
                self.kv.set(key, value, ttl=ttl)
        self._pending.clear()

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
