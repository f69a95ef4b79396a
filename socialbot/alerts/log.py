"""The record of which alerts have gone out, so each alert key is sent once.

An entry names one alert key for one owner's channel (see
:func:`socialbot.alerts.dispatcher.entry_key`): the same failure may reach the owner by
WeCom and by e-mail, and one channel failing must not make the other send twice.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol


class AlertLog(Protocol):
    """Where the dispatcher remembers what it has already told people.

    A persistent implementation (a table in the store, written by the service layer)
    must:

    - survive restarts and be shared by every process that runs a dispatcher, so a
      restarted daemon does not repeat yesterday's alerts;
    - make :meth:`record` idempotent (an upsert on ``entry``): recording twice is harmless;
    - answer :meth:`seen` from committed data only;
    - keep entries at least as long as their key can recur: dated keys
      (``silent:<account>:<Beijing date>``) for two days, delivery keys for the
      statistics window (30 days); :meth:`forget_before` prunes older ones.

    The dispatcher records an entry only after the platform accepted the message (or
    after it gave up and reported the failure), so a crash in between repeats an alert
    rather than losing it: at least once, never silently dropped.
    """

    def seen(self, entry: str) -> bool: ...

    def record(self, entry: str, at: dt.datetime, outcome: str, *, key: str = "",
               owner: str = "", channel: str = "", kind: str = "", account: str = "",
               post: str = "", reason: str = "") -> None:
        """``outcome`` is ``sent`` or ``failed``; the keywords say what went to whom
        (for the log a person reads), and ``reason`` why a channel gave up."""

    def forget_before(self, when: dt.datetime) -> int: ...


class MemoryAlertLog:
    """The in-process log, for tests and ``alerts test``; forgets on restart.

    The daemon uses ``socialbot.store.alert_log.StoreAlertLog`` instead."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[dt.datetime, str]] = {}
        self._lock = threading.Lock()

    def seen(self, entry: str) -> bool:
        with self._lock:
            return entry in self._entries

    def record(self, entry: str, at: dt.datetime, outcome: str, **_details: str) -> None:
        with self._lock:
            self._entries[entry] = (at, outcome)

    def forget_before(self, when: dt.datetime) -> int:
        with self._lock:
            old = [e for e, (at, _) in self._entries.items() if at < when]
            for entry in old:
                del self._entries[entry]
            return len(old)

    def outcome(self, entry: str) -> str | None:
        with self._lock:
            found = self._entries.get(entry)
            return found[1] if found else None
