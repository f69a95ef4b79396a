"""The APScheduler daemon: wakes at the due time, coalesces, stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time

import pytest
from sqlalchemy import select
from test_store_helpers import FakeChannels, add, tiny_rendered

from socialbot.scheduler import TICK_JOB, Daemon, next_due
from socialbot.store import pauses
from socialbot.store.models import State
from socialbot.store.schema import attempts, deliveries
from socialbot.store_rules import rules_of

pytestmark = pytest.mark.timeout(300)
SAFETY_NET_S = 120.0  # stops a daemon whose test is already failing; never reached otherwise


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Watch:
    """Runs ``daemon.run()`` and stops it as soon as ``done()`` holds (or at the safety net).

    The test then knows whether its condition was met or the net had to fire, instead
    of guessing how many seconds the work takes on this machine.
    """

    def __init__(self, daemon: Daemon, done, *, poll: float = 0.02):
        self.daemon, self.done, self.poll = daemon, done, poll
        self.met = self.netted = False
        self._thread = threading.Thread(target=self._watch, name="watch", daemon=True)

    def _watch(self) -> None:
        deadline = time.monotonic() + SAFETY_NET_S
        while not self.daemon.stop.is_set():
            if self.done():
                self.met = True
                break
            if time.monotonic() > deadline:
                self.netted = True
                break
            time.sleep(self.poll)
        self.daemon.request_stop()

    def run(self) -> bool:
        self._thread.start()
        try:
            self.daemon.run()
        finally:
            self.daemon.request_stop()
            self._thread.join()
        return self.met


def running(daemon: Daemon) -> bool:
    return daemon.scheduler.running


def test_scheduler_runs_in_the_configured_zone_with_one_coalescing_tick(settings, db):
    daemon = Daemon(settings, db, FakeChannels(settings), tick_seconds=5)
    assert str(daemon.scheduler.timezone) == "Asia/Shanghai"
    defaults = daemon.scheduler._job_defaults
    assert defaults["coalesce"] is True and defaults["max_instances"] == 1


def test_posts_go_out_at_their_time_not_at_the_next_tick(settings, db):
    channels = FakeChannels(settings)
    start = now()
    due = [start + dt.timedelta(seconds=s) for s in (0.8, 1.6)]
    for n, at in enumerate(due):
        add(db, settings, tiny_rendered(f"p{n}"), ["city_weibo"], at, now=start)
    tick = 600.0  # the tick alone would be ten minutes late
    daemon = Daemon(settings, db, channels, tick_seconds=tick)
    assert Watch(daemon, lambda: len(channels("city_weibo").published) == 2).run()
    published = channels("city_weibo").published
    for (_post, _key, at), planned in zip(published, due, strict=True):
        lateness = (at - planned).total_seconds()
        # Woken by the due time, not the tick: never early, and far from a tick late
        # (a generous bound, so a loaded machine's slow wake-up is not a failure).
        assert 0 <= lateness < tick / 10, lateness


def test_misfire_on_start_within_grace_is_sent_beyond_is_missed(settings, db):
    channels = FakeChannels(settings)
    t = now()
    ok = add(db, settings, tiny_rendered("a"), ["city_weibo"], t - dt.timedelta(minutes=30),
             now=t - dt.timedelta(hours=3))
    late = add(db, settings, tiny_rendered("b"), ["mass_service"], t - dt.timedelta(hours=2),
               now=t - dt.timedelta(hours=3))
    reports = Daemon(settings, db, channels).run_once()
    assert {(r.post, r.state) for r in reports} == {(ok, State.SENT), (late, State.MISSED)}


def test_sigterm_finishes_the_call_in_flight_and_takes_no_new_work(settings, db):
    channels = FakeChannels(settings)
    t = now()
    for n in range(3):
        add(db, settings, tiny_rendered(f"p{n}"), ["city_weibo"], t, now=t)
    channel = channels("city_weibo")
    original = channel.publish
    started = threading.Event()

    def slow_publish(rendered, key):
        started.set()
        time.sleep(0.6)  # SIGTERM arrives while this call is in flight
        return original(rendered, key)

    channel.publish = slow_publish  # type: ignore[method-assign]
    daemon = Daemon(settings, db, channels, tick_seconds=600)
    threading.Thread(target=lambda: started.wait(SAFETY_NET_S)
                     and os.kill(os.getpid(), signal.SIGTERM), daemon=True).start()
    watch = Watch(daemon, lambda: False)
    watch.run()
    assert not watch.netted, "stopped by SIGTERM, not by the safety net"
    with db.tx(write=False) as conn:
        states = sorted(conn.execute(select(deliveries.c.state)).scalars())
        unfinished = conn.execute(select(attempts.c.id).where(
            attempts.c.finished_at.is_(None))).all()
    assert states == ["due", "due", "sent"]
    assert unfinished == []
    assert signal.getsignal(signal.SIGTERM) is not daemon.request_stop


def test_next_due_skips_paused_and_past_work(settings, db):
    t = now()
    add(db, settings, tiny_rendered("a"), ["city_weibo"], t + dt.timedelta(minutes=5), now=t)
    add(db, settings, tiny_rendered("b"), ["svc_wechat"], t + dt.timedelta(minutes=2), now=t)
    assert next_due(db, t) == t + dt.timedelta(minutes=5)  # svc_wechat is not approved yet
    pauses.pause(db, rules_of(settings), "x", t, account="city_weibo")
    assert next_due(db, t) is None


def test_tick_job_is_registered_when_running(settings, db):
    daemon = Daemon(settings, db, FakeChannels(settings), tick_seconds=0.2)
    assert Watch(daemon, lambda: running(daemon)
                 and TICK_JOB in [job.id for job in daemon.scheduler.get_jobs()]).run()


def test_demo_queues_approves_and_publishes_sample_posts(tmp_path):
    from pathlib import Path

    from test_store_helpers import platform_records, practice_settings

    from socialbot_practice import PracticePlatform
    from socialbot_practice.demo import run_demo_queue

    posts = Path(__file__).parents[1] / "campaign" / "posts"
    samples = [posts / name for name in ("0601-campaign-launch.md", "0602-epidemic-stories.md",
                                         "0606-industry-initiative.md")]
    lines: list[str] = []
    with PracticePlatform(port=0) as platform:
        settings = practice_settings(tmp_path, platform)
        result = run_demo_queue(settings, samples, platform=platform, say=lines.append)
        records = platform_records(platform, settings)
    assert result.all_sent and len(result.queued) == 3
    assert len(records) == sum(len(e.targets) for e in result.queued)
    assert any("已加入并审核" in line for line in lines)
