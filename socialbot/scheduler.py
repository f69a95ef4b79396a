"""The daemon: APScheduler 3.x wakes the work; the queue decides what the work is.

Two jobs call the same function, ``Daemon.wake``: a short interval tick (new posts,
expired leases, recurring occurrences) and a one-off date job set to the next due time,
so a post goes out within moments of its time instead of up to a tick late. Both jobs
coalesce and run one instance at a time; a lock keeps them from overlapping, and a
wake that arrives while work is running makes that work take one more pass.

With ``stats=True`` (``socialbot run``) a third job collects reach statistics once a
day at 10:30 Beijing time (WeChat finishes the previous day's data between about 08:00
and 10:00); when data was delayed or a call failed it tries again two hours later, at
most three times a (local) day. ``add_jobs`` registers the jobs without starting the
scheduler and the daemon reads the time from ``now``, so tests drive the job functions
with their own clock instead of running the signal-handling loop. Accounts without
statistics access are logged and handed to ``on_stats_unavailable(account_id, reason)``
once per collection (the alerts hook); ``on_stats_available(account_id)`` hears of
every other account collected.

Another job, when ``[alerts]`` names owners, runs the alert job every minute
(``socialbot.alerts.job``): what needs a person goes to the owner who can act, and a
one-off date job sends a digest when its window closes.

SIGTERM/SIGINT: the platform call in flight finishes and is recorded, nothing new is
started, and the process exits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from socialbot.channel_source import ChannelSource
from socialbot.config import Settings
from socialbot.errors import SocialbotError
from socialbot.pipeline import Report
from socialbot.redact import describe_exception
from socialbot.runner import DEFAULT_CAP, TICK_SECONDS, run_due
from socialbot.store import claims
from socialbot.store.base import Store
from socialbot.store.db import utcnow

if TYPE_CHECKING:
    from socialbot.alerts.job import AlertJob

log = logging.getLogger("socialbot.daemon")

WAKE_JOB = "wake-at-next-due"
TICK_JOB = "tick"
STATS_JOB = "daily-stats"
STATS_RETRY_JOB = "stats-again"
STATS_AT = dt.time(10, 30)  # local (settings.tz) time of the daily collection
STATS_RETRY_AFTER = dt.timedelta(hours=2)
STATS_RETRIES = 3  # per day, when data was delayed or a call failed
SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while others wait (Python's default is 0.005).

The runner claims a burst's deliveries one by one on its own thread while the calls
already claimed run on the pool; after every database round trip the claiming thread
waits for the GIL behind busy publishing threads. At 5 ms a turn, the last claims of a
20-account burst started most of a second late."""
ALERT_JOB = "alerts"
ALERT_FLUSH_JOB = "alerts-digest-due"


def next_due(store: Store, after: dt.datetime) -> dt.datetime | None:
    """The earliest future time something may need work: a due time, a lease end, a re-check."""
    return store.next_wake(after)


class Daemon:
    """``socialbot run``: publish approved posts when due, until told to stop."""

    def __init__(self, settings: Settings, store: Any, channels: ChannelSource, *,
                 tick_seconds: float = TICK_SECONDS, worker: str | None = None,
                 on_report: Callable[[Report], None] | None = None, cap: int = DEFAULT_CAP,
                 stats: bool = False,
                 on_stats_unavailable: Callable[[str, str], None] | None = None,
                 on_stats_available: Callable[[str], None] | None = None,
                 alerts: AlertJob | None = None, alert_seconds: float = 60.0,
                 now: Callable[[], dt.datetime] = utcnow):
        self.settings = settings
        self.store = store
        self.channels = channels
        self.tick_seconds = tick_seconds
        self.worker = worker or claims.worker_identity()
        self.on_report = on_report
        self.cap = cap
        self.stats = stats
        self.on_stats_unavailable = on_stats_unavailable
        self.on_stats_available = on_stats_available
        self.now = now  # the statistics job's clock (tests pass their own)
        self._stats_retries: tuple[dt.date, int] | None = None  # (local day, retries so far)
        self.alerts = alerts
        self.alert_seconds = alert_seconds
        self.stop = threading.Event()
        self._busy = threading.Lock()
        self._again = threading.Event()
        self.scheduler = BlockingScheduler(
            timezone=settings.tz,
            executors={"default": ThreadPoolExecutor(4)},  # wake/tick, stats, alerts, digest
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": None},
        )
        self.scheduler.add_listener(self._job_error, EVENT_JOB_ERROR)

    def wake(self) -> None:
        """Do all the work that is due; never overlaps itself."""
        if not self._busy.acquire(blocking=False):
            self._again.set()  # the running pass will look once more
            return
        try:
            while not self.stop.is_set():
                self._again.clear()
                reports = run_due(self.settings, self.store, self.channels,
                                  worker=self.worker, stop=self.stop, cap=self.cap)
                for report in reports:
                    if self.on_report:
                        self.on_report(report)
                if not self._again.is_set():
                    break
            self._plan_wake()
        finally:
            self._busy.release()

    def _plan_wake(self) -> None:
        """A date job at the next due time, so lateness does not depend on the tick."""
        if self.stop.is_set() or not self.scheduler.running:
            return
        now = utcnow()
        when = next_due(self.store, now)
        if when is None or when - now > dt.timedelta(seconds=self.tick_seconds):
            return  # nothing soon: the tick will get there first
        self.scheduler.add_job(self.wake, "date", run_date=when, id=WAKE_JOB,
                               replace_existing=True)

    def collect_stats(self, *, retry: bool = False) -> None:
        """The daily statistics job (and its retries when data was not ready yet)."""
        from socialbot.kv import open_kv
        from socialbot.stats import collect, default_range

        now = self.now()
        since, until = default_range(self.settings.tz, now)
        run = collect(self.settings, self.store, open_kv(self.settings), since=since,
                      until=until, on_unavailable=self.on_stats_unavailable)
        for account, reason in run.unavailable:
            log.warning("账号 %s 没有统计数据权限，已跳过：%s", account, reason)
        if self.on_stats_available is not None:  # figures flow again: the alert is over
            for done in run.accounts:
                if not done.unavailable:
                    self.on_stats_available(done.account)
        for account, reason in run.failed:
            log.warning("账号 %s 的统计数据本次采集失败：%s", account, reason)
        stored = sum(a.stored for a in run.accounts)
        log.info("统计数据已%s（%s 至 %s）：保存 %d 条", "重新采集" if retry else "采集",
                 since, until, stored)
        if (run.delayed or run.failed) and not self.stop.is_set():
            self._plan_stats_retry(now)

    def _plan_stats_retry(self, now: dt.datetime) -> None:
        """Collect again in two hours, unless this local day had its three retries."""
        today = now.astimezone(self.settings.tz).date()
        day, used = self._stats_retries or (today, 0)
        if day != today:
            used = 0
        if used >= STATS_RETRIES:
            log.info("今天的统计数据已重试 %d 次，明天 %s 再采集", used, STATS_AT.strftime("%H:%M"))
            return
        self._stats_retries = (today, used + 1)
        self.scheduler.add_job(self.collect_stats, "date", kwargs={"retry": True},
                               run_date=now + STATS_RETRY_AFTER, id=STATS_RETRY_JOB,
                               replace_existing=True)

    def alert_tick(self) -> None:
        """The alert job: tell owners what needs them, then plan the next digest."""
        if self.alerts is None or self.stop.is_set():
            return
        try:
            self.alerts.tick()
        except Exception as exc:  # alerts must never stop publishing
            log.error("本次提醒检查没有完成，下次重试：%s", _describe(exc))
        self._plan_alert_flush()

    def alert_flush(self) -> None:
        if self.alerts is None or self.stop.is_set():
            return
        try:
            self.alerts.flush()
        except Exception as exc:
            log.error("提醒发送没有完成，下次重试：%s", _describe(exc))
        self._plan_alert_flush()

    def _plan_alert_flush(self) -> None:
        """A date job when the next digest is due, if that is before the next alert tick."""
        if self.alerts is None or self.stop.is_set() or not self.scheduler.running:
            return
        when = self.alerts.next_due()
        now = utcnow()
        if when is None or when - now >= dt.timedelta(seconds=self.alert_seconds):
            return
        self.scheduler.add_job(self.alert_flush, "date", run_date=max(when, now),
                               id=ALERT_FLUSH_JOB, replace_existing=True)

    def _job_error(self, event: JobExecutionEvent) -> None:
        exc = event.exception
        text = exc.render() if isinstance(exc, SocialbotError) else describe_exception(exc)
        log.error("本次检查没有完成，下次唤醒时重试：%s", text)

    def request_stop(self, *_args: Any) -> None:
        """Signal handler: finish the call in flight, record it, take no new work."""
        if self.stop.is_set():
            return
        log.info("正在停止：正在进行的发送完成并记录后退出，不再开始新的发送")  # as asked
        self.stop.set()
        with contextlib.suppress(Exception):  # not running yet, or already stopped
            self.scheduler.shutdown(wait=False)

    def add_jobs(self, start: dt.datetime) -> None:
        """Register the daemon's jobs (tick and alerts first at ``start``); ``run`` starts them."""
        self.scheduler.add_job(self.wake, "interval", seconds=self.tick_seconds,
                               id=TICK_JOB, next_run_time=start)
        if self.stats:
            self.scheduler.add_job(self.collect_stats, "cron", hour=STATS_AT.hour,
                                   minute=STATS_AT.minute, id=STATS_JOB)
        if self.alerts is not None and self.alerts.enabled:
            self.scheduler.add_job(self.alert_tick, "interval", seconds=self.alert_seconds,
                                   id=ALERT_JOB, next_run_time=start)

    def run(self) -> None:
        """Block until SIGTERM/SIGINT; then wait for the work in flight and return."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, SWITCH_INTERVAL))
        try:
            self.add_jobs(utcnow() + dt.timedelta(milliseconds=50))
            log.info("守护进程已启动（%s，时区 %s，每 %g 秒检查一次）", self.worker,
                     self.settings.timezone, self.tick_seconds)
            if not self.stop.is_set():
                self.scheduler.start()
        finally:
            self.stop.set()
            with self._busy:  # the delivery in flight is finished and recorded
                pass
            if self.alerts is not None:
                with contextlib.suppress(Exception):  # the lease runs out by itself anyway
                    self.alerts.release()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            sys.setswitchinterval(switch)
            log.info("守护进程已停止")

    def run_once(self) -> list[Report]:
        """``run --once``: what is due now, then one alert pass, then return (stop
        signals honoured). The alert pass comes after the sends, so a failure of this
        very pass is told in it."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            reports = run_due(self.settings, self.store, self.channels,
                              worker=self.worker, stop=self.stop, cap=self.cap)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.on_report:
            for report in reports:
                self.on_report(report)
        self.alert_once()
        return reports

    def alert_once(self) -> None:
        """One alert pass, digests sent at once (``run --once``); never fails the run."""
        if self.alerts is None or not self.alerts.enabled or self.stop.is_set():
            return
        try:
            self.alerts.once()
        except Exception as exc:  # alerts must never stop publishing
            log.error("本次提醒检查没有完成，下次运行时重试：%s", _describe(exc))


def _describe(exc: BaseException) -> str:
    return exc.render() if isinstance(exc, SocialbotError) else describe_exception(exc)
