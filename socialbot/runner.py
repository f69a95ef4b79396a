"""Runs the pipeline for everything due: in parallel across accounts, one call per account.

``run_due`` is all the daemon does on each wake-up, and all ``socialbot run --once``
does. It owns what ``pipeline.work_send`` must not care about:

- **order**: open outcomes are reconciled before anything new is published;
- **concurrency**: one delivery in flight per account (a platform answers one account's
  calls in order, and its quota is per account), as many accounts side by side as are
  due, up to ``cap`` threads — a 09:00 burst over 20 accounts takes one call's time;
- **leases**: one keeper thread renews the leases of every call in flight, so a slow
  platform call is never taken over by another worker;
- **stop**: once ``stop`` is set no new claim is made; the calls in flight finish and
  are recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager

from socialbot.channel_source import ChannelSource, channel_for
from socialbot.config import Settings
from socialbot.daemon_defaults import DEFAULT_CAP, TICK_SECONDS
from socialbot.delivery import DeliveryResult
from socialbot.pipeline import PRINTED, ChannelFor, Report, missed_report, work_send
from socialbot.recording import record
from socialbot.store import claims
from socialbot.store.claims import Claim
from socialbot.store.db import Database, utcnow
from socialbot.store.models import DeliveryRecord
from socialbot.store_rules import rules_of

log = logging.getLogger("socialbot.runner")

__all__ = ["DEFAULT_CAP", "TICK_SECONDS", "run_due"]


Clock = Callable[[], dt.datetime]

CLAIM_BATCH = 8
"""Deliveries claimed in one transaction at most: a 09:00 burst over thousands of
accounts is claimed with an eighth of the commits, and the first call of a batch waits
for no more than seven other claims."""


def run_due(settings: Settings, store: Database, channels: ChannelSource,
            now: dt.datetime | None = None, *, worker: str | None = None,
            stop: threading.Event | None = None, clock: Clock | None = None,
            cap: int = DEFAULT_CAP) -> list[Report]:
    """Publish (and reconcile) everything due at ``now`` (default: the clock, as work goes on).

    With a fixed ``now`` this is one pass. With the real clock it passes again while
    the last pass found work, so posts that fell due meanwhile go out without waiting
    for the next wake-up.
    """
    if clock is None:
        clock = (lambda: now) if now is not None else utcnow
    runner = _Runner(settings, store, channel_for(channels), worker or claims.worker_identity(),
                     stop or threading.Event(), clock, max(1, cap), promote_on=now is None)
    reports: list[Report] = []
    while not runner.stop.is_set():
        found = runner.one_pass()
        reports += found
        if not found or now is not None:
            break
    return reports


class _Runner:
    def __init__(self, settings: Settings, store: Database, channel: ChannelFor, worker: str,
                 stop: threading.Event, clock: Clock, cap: int, *, promote_on: bool = True):
        self.settings = settings
        self.store = store
        self.channel = channel
        self.worker = worker
        self.stop = stop
        self.clock = clock
        self.cap = cap
        self._recovering = True  # until the first pass finds nothing left to reconcile
        self._promote_on = promote_on  # a pass at a fixed time promotes once, at its start
        self._next_promotion: dt.datetime | None = None

    def one_pass(self) -> list[Report]:
        """Due housekeeping, then every claimable delivery, each account in turn."""
        self._recovering = True
        claims.extend_series(self.store, rules_of(self.settings), self.clock())
        return self._promote() + self._drain()

    def _promote(self) -> list[Report]:
        """Make what fell due claimable; report what was missed.

        Also done while a pass drains, each time the next waiting delivery falls due: a
        long pass (a backlog after a big burst) must not hold the next burst back until
        every call in flight has ended.
        """
        now = self.clock()
        reports = [missed_report(d, self.settings.tz)
                   for d in claims.promote_due(self.store, rules_of(self.settings), now)]
        for report in reports:
            log.warning(report.line(), extra=PRINTED)
        if self._promote_on:
            self._next_promotion = claims.next_promotion(self.store, now)
        return reports

    def _promotion_due(self) -> bool:
        return self._next_promotion is not None and self.clock() >= self._next_promotion

    def _until_promotion(self) -> float | None:
        """Seconds until the next promotion, to wake a wait for calls in flight."""
        if self._next_promotion is None or self.stop.is_set():
            return None
        return max(0.0, (self._next_promotion - self.clock()).total_seconds())

    def _claim(self, busy: set[str], room: int) -> list[Claim]:
        """Reconcile before publishing; never a second call for a busy account.

        Open outcomes appear only when a lease runs out or a check falls due, so once
        none is left this pass asks only for new work (the next pass looks again). New
        work is claimed a few at a time (``CLAIM_BATCH``, one transaction), up to ``room``.
        """
        now = self.clock()
        if self._recovering:
            claim = claims.claim_recovery(self.store, rules_of(self.settings), self.worker, now,
                                          busy)
            if claim is not None:
                return [claim]
            self._recovering = False
        return claims.claim_due(self.store, rules_of(self.settings), self.worker, now, busy,
                                limit=min(room, CLAIM_BATCH))

    def _record(self, claim: Claim, result: DeliveryResult) -> DeliveryRecord:
        return record(self.store, self.settings, claim, result, self.clock())

    def _recorder(self, held: _Held, claim: Claim) -> Callable[[Claim, DeliveryResult],
                                                              DeliveryRecord]:
        """``_record``, letting go of ``claim``'s lease first: once its outcome is being
        written the keeper no longer renews it, so a renewal that finds it settled is
        never taken for a lease another worker took over."""

        def record_part(part: Claim, result: DeliveryResult) -> DeliveryRecord:
            held.discard(claim)
            return self._record(part, result)

        return record_part

    def _drain(self) -> list[Report]:
        reports: list[Report] = []
        in_flight: dict[Future[list[Report]], Claim] = {}
        with (ThreadPoolExecutor(self.cap, thread_name_prefix="publish") as pool,
              _leases_kept(self.settings, self.store, self.clock) as held):
            while True:
                if not self.stop.is_set() and self._promotion_due():
                    reports += self._promote()
                busy = {c.delivery.account for c in in_flight.values()}
                claimed: list[Claim] = []
                if not self.stop.is_set() and len(in_flight) < self.cap:
                    claimed = self._claim(busy, self.cap - len(in_flight))
                for claim in claimed:
                    held.add(claim)
                    in_flight[pool.submit(work_send, claim, self.channel,
                                          self._recorder(held, claim))] = claim
                if claimed:
                    continue
                if not in_flight:
                    return reports
                done, _ = wait(in_flight, timeout=self._until_promotion(),
                               return_when=FIRST_COMPLETED)
                for future in done:
                    held.discard(in_flight.pop(future))
                    reports += future.result()  # work_send never raises


class _Held:
    """The claims whose leases the keeper renews."""

    def __init__(self) -> None:
        self._claims: dict[int, Claim] = {}
        self._lock = threading.Lock()

    def add(self, claim: Claim) -> None:
        with self._lock:
            self._claims[claim.id] = claim

    def discard(self, claim: Claim) -> bool:
        """Stop renewing ``claim``; False if it was no longer held."""
        with self._lock:
            return self._claims.pop(claim.id, None) is not None

    def snapshot(self) -> list[Claim]:
        with self._lock:
            return list(self._claims.values())


@contextmanager
def _leases_kept(settings: Settings, store: Database, clock: Clock) -> Iterator[_Held]:
    """One thread renews every held lease while its platform call runs."""
    held = _Held()
    done = threading.Event()
    interval = max(0.5, settings.lease_seconds / 3)

    def keep() -> None:
        while not done.wait(interval):
            current = held.snapshot()
            if not current:
                continue
            try:
                for lost in claims.renew_all(store, rules_of(settings), current, clock()):
                    if not held.discard(lost):
                        continue  # its outcome was written meanwhile: not lost, done
                    log.warning("编号 %s → %s 的租约已被接管", lost.delivery.post,
                                lost.delivery.account)
            except Exception:
                log.exception("续租失败")

    thread = threading.Thread(target=keep, name="lease-keeper", daemon=True)
    thread.start()
    try:
        yield held
    finally:
        done.set()
        thread.join()

