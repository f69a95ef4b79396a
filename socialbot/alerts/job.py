"""The daemon's alert job: every minute, what needs a person goes to the owner who can act.

:meth:`AlertJob.tick` reads the findings (``socialbot.attention``), hands each to the
:class:`~socialbot.alerts.dispatcher.Dispatcher` as an alert and sends whatever digest
is due. The dispatcher keeps the digest window, the robots' per-minute limits and the
retries; the persistent alert log in the store (``StoreAlertLog``) remembers what went
out, so a finding that lasts is told once (once a day for dated keys), also across a
restart. Between ticks the daemon calls :meth:`AlertJob.flush` at :meth:`next_due`, so a
digest leaves when its window closes rather than up to a tick later. ``run --once``
calls :meth:`AlertJob.once` after its publishing pass: the same reading, sent at once.

Several ``socialbot run`` processes may share one queue; only one of them sends alerts.
It holds a lease in the store's key-value table (``LEADER_KEY``), renews it every tick
and lets it go when it stops; if it dies, another takes over when the lease runs out.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from socialbot import attention
from socialbot.alerts.dispatcher import Clock, Dispatcher, Outcome, utc_now
from socialbot.alerts.log import AlertLog
from socialbot.alerts.transport import Transport
from socialbot.config import Settings
from socialbot.redact import describe_exception
from socialbot.status_reads import key_values
from socialbot.store.base import Store
from socialbot.store.claims import worker_identity

log = logging.getLogger("socialbot.alerts")

ALERT_TICK_SECONDS = 60.0
LEADER_KEY = "alerts:sender"
LEASE_SECONDS = 180.0  # three ticks: a live sender renews it long before it runs out
KEEP_LOG = dt.timedelta(days=40)  # longer than any key can recur (statistics: 30 days)


class AlertJob:
    """Findings → alerts → owners, on a clock the caller may move by hand."""

    def __init__(self, settings: Settings, store: Store, *,
                 transports: Mapping[str, Sequence[Transport]] | None = None,
                 alert_log: AlertLog | None = None, clock: Clock = utc_now,
                 findings: Callable[[dt.datetime], list[attention.Finding]] | None = None,
                 worker: str | None = None):
        from socialbot.alerts.wiring import transports_by_owner

        self.settings = settings
        self.store = store
        self.clock = clock
        self.worker = worker or worker_identity()
        self.log: AlertLog = alert_log or store.alert_log()
        self._findings = findings or self._read
        self.dispatcher = Dispatcher(
            settings.alerts,
            transports if transports is not None else transports_by_owner(settings),
            self.log, clock=clock)
        self._lock = threading.Lock()
        self._pruned: dt.date | None = None
        # Keys handed to the dispatcher today: not handed again every minute (the
        # dispatcher would find them pending or logged anyway, and would log an alert
        # nobody is set to receive once a minute).
        self._submitted: set[str] = set()
        self._day: dt.date | None = None
        self._kv: Any = None

    @property
    def enabled(self) -> bool:
        """Whether anyone is configured to hear alerts."""
        return bool(self.settings.alerts.owners)

    def _read(self, now: dt.datetime) -> list[attention.Finding]:
        if self._kv is None:  # where tokens are remembered; opened once, not every minute
            self._kv = key_values(self.settings, self.store)
        return attention.findings(self.settings, self.store, now, kv=self._kv)

    def tick(self) -> list[Outcome]:
        """Read what needs a person, queue what is new, send what is due."""
        with self._lock:
            if not self._lead():
                return []
            now = self.clock()
            if self._day != now.date():
                self._day = now.date()
                self._submitted.clear()
            found = [f for f in self._findings(now) if f.key not in self._submitted]
            queued = 0
            for finding in found:
                queued += self.dispatcher.submit(finding.alert(now))
                self._submitted.add(finding.key)
            if queued:
                log.info("发现 %d 项需要人工处理的新情况，%d 条提醒将按摘要发送",
                         len(found), queued)
            self._prune(now)
        return self.flush()

    def _lead(self) -> bool:
        """Whether this process is the one that sends alerts (taking or renewing the lease)."""
        kv = self.store.kv()
        if kv.add(LEADER_KEY, self.worker, ttl=LEASE_SECONDS):
            log.info("本进程负责发送提醒（%s）", self.worker)
            return True
        if kv.get(LEADER_KEY) == self.worker:
            kv.set(LEADER_KEY, self.worker, ttl=LEASE_SECONDS)
            return True
        return False

    def release(self) -> None:
        """Stopping: let another process send alerts at once (digests still open are
        told again by whoever sends next, as nothing of them was logged)."""
        self.store.kv().delete_if(LEADER_KEY, self.worker)

    def flush(self) -> list[Outcome]:
        """Send the digests that are due (the dispatcher logs each outcome)."""
        return self.dispatcher.flush()

    def once(self) -> list[Outcome]:
        """One pass for ``run --once``: read, queue, and send every digest now (a process
        about to exit has no window to wait for; one pass is one digest per owner and
        channel anyway), then let the lease go. What a robot's limit holds back is not
        logged, so the next pass (or the daemon) tells it."""
        try:
            outcomes = self.tick()
            return outcomes + self.dispatcher.flush(force=True)
        finally:
            self.release()

    def next_due(self) -> dt.datetime | None:
        return self.dispatcher.next_due()

    def _prune(self, now: dt.datetime) -> None:
        """Once a day, forget log entries older than any key can recur."""
        if self._pruned == now.date():
            return
        self._pruned = now.date()
        try:
            self.log.forget_before(now - KEEP_LOG)
        except Exception as exc:  # pruning is housekeeping: never stop the alerts for it
            log.warning("清理提醒记录未完成，下次再试：%s", describe_exception(exc))
