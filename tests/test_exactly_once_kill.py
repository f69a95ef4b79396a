"""Crash safety: SIGKILL a publishing worker at random moments, 50 times, and restart it.

Every kill lands while the worker is publishing: between a claim and its platform call,
in the middle of a multi-step WeChat delivery, or after the platform acted but before
the result was written. On restart the worker reconciles what it left in ``sending``
before anything else. At the end no post has reached followers twice and none is lost:
each delivery is sent, or unknown and reported by ``socialbot status``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import time
from collections import Counter

import pytest
from sqlalchemy import func, select
from test_store_helpers import (
    entry,
    platform_records,
    practice_settings,
    socialbot_cmd,
    tiny_rendered,
)

from socialbot.store import open_store
from socialbot.store.queue import add_entries
from socialbot.store.schema import attempts, deliveries
from socialbot.store_rules import rules_of
from socialbot_practice import PracticePlatform
from tests.processes import wait_for

KILLS = 50
PLANNED = 1200  # posts planned; only as many are queued as the kills consume
LOW_WATER, BATCH = 20, 30  # top the queue up to at least this much open work
START_S = 120.0  # bounds only (a loaded 2-core machine starts Python slowly)
RUN_ONCE_S = 300.0
FINISH_S = 600.0

# pytest-timeout is a last resort (about four times a run on a loaded 2-core machine);
# the children fixture kills every worker whichever way the test ends.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ACCOUNTS = {
    "wx_pub_a": dict(platform="wechat", kind="service", reach="publish",
                     appid="wx00000000000000a1", secret_env="SB_K_A", requires_approval=False),
    "wx_pub_b": dict(platform="wechat", kind="subscription", reach="publish",
                     appid="wx00000000000000b2", secret_env="SB_K_B", requires_approval=False),
    "wx_mass_sub": dict(platform="wechat", kind="subscription", reach="mass_send",
                        appid="wx00000000000000d4", secret_env="SB_K_D", requires_approval=False),
    "wx_mass_svc": dict(platform="wechat", kind="service", reach="mass_send",
                        appid="wx00000000000000e5", secret_env="SB_K_E", requires_approval=False),
    "wb_main": dict(platform="weibo", uid="5800000009", token_env="SB_K_W",
                    safe_domains=["scjgj.sh.gov.cn"], rip="127.0.0.1", requires_approval=False),
}


def plan(count: int) -> list[str]:
    """Which account each post goes to, within every platform quota.

    The mass-send posts come first, in the first batch: they form each account's message
    of the day (a post queued for today after that message went would wait for tomorrow).
    """
    mass = ["wx_mass_sub"] * 2 + ["wx_mass_svc"] * 4
    targets = ["wb_main"] * 30
    while len(targets) + len(mass) < count:
        targets.append(("wx_pub_a", "wx_pub_b")[len(targets) % 2])
    random.Random(7).shuffle(targets)
    return mass + targets


def last_attempt(db) -> int:
    with db.tx(write=False) as conn:
        return int(conn.execute(select(func.max(attempts.c.id))).scalar() or 0)


def open_work(db) -> int:
    with db.tx(write=False) as conn:
        return int(conn.execute(select(func.count()).select_from(deliveries).where(
            deliveries.c.state.in_(["approved", "due", "sending"]))).scalar() or 0)


class Feed:
    """Queues the planned posts a batch at a time, so a worker always finds work.

    Topping up before each kill (instead of queueing everything at the start) keeps
    the amount of work left for the final clean run small, whatever the machine's
    speed: a slow machine sends fewer posts per kill and simply queues fewer.
    """

    def __init__(self, db, settings, targets: list[str]):
        self.db, self.settings, self.targets = db, settings, targets
        self.entries: list = []

    def top_up(self) -> None:
        while open_work(self.db) < LOW_WATER:
            i = len(self.entries)
            assert i < len(self.targets), "planned more posts than the kills could send"
            now = dt.datetime.now(dt.UTC)
            batch = [entry(tiny_rendered(f"k{n:03d}", f"测试稿件{n:03d}", seed=n),
                           [self.targets[n]], now)
                     for n in range(i, min(i + BATCH, len(self.targets)))]
            add_entries(self.db, rules_of(self.settings), batch, now, actor="张三")
            self.entries += batch


def test_sigkill_at_random_points_never_duplicates_or_loses_a_post(tmp_path, children):
    rng = random.Random(20220609)
    with PracticePlatform(port=0) as platform:
        settings = practice_settings(tmp_path, platform, accounts=ACCOUNTS)
        db = open_store(settings)
        feed = Feed(db, settings, plan(PLANNED))
        log_path = tmp_path / "workers.log"
        with log_path.open("w", encoding="utf-8") as log:
            for kill in range(KILLS):
                feed.top_up()
                before = last_attempt(db)
                proc = children.start(socialbot_cmd(settings.path, "run", "--tick", "0.2"),
                                      stdout=log, stderr=subprocess.STDOUT)

                def publishing(proc=proc, before=before, kill=kill) -> bool:
                    assert proc.poll() is None, f"worker exited on its own (kill {kill})"
                    return last_attempt(db) > before

                wait_for(publishing, timeout=START_S, interval=0.005,
                         what=f"worker {kill} to start publishing")
                time.sleep(rng.uniform(0.0, 0.3))  # where the kill lands, not a wait
                children.kill(proc)
            assert open_work(db) > 0, "there was still work when the last kill landed"

            # Clean runs finish the work (reconciling first), for as long as it takes.
            def finished() -> bool:
                children.run(socialbot_cmd(settings.path, "run", "--once"), stdout=log,
                             stderr=subprocess.STDOUT, timeout=RUN_ONCE_S)
                return open_work(db) == 0

            wait_for(finished, timeout=FINISH_S, what="the clean runs to finish the work")
        status = children.run(socialbot_cmd(settings.path, "status", "--json"),
                              capture_output=True, text=True, timeout=RUN_ONCE_S)
        records = platform_records(platform, settings)

    entries = feed.entries
    with db.tx(write=False) as conn:
        rows = conn.execute(select(deliveries.c.state, deliveries.c.post)).all()
    db.dispose()
    counts = Counter(title for _a, title, _ts in records)
    assert [t for t, n in counts.items() if n > 1] == [], "a post reached followers twice"
    titles = {e.queue_id: e.rendered.title for e in entries if e.rendered}
    states = Counter(state for state, _post in rows)
    assert set(states) <= {"sent", "unknown"}, states
    sent = {titles[post] for state, post in rows if state == "sent"}
    unknown = {titles[post] for state, post in rows if state == "unknown"}
    assert sent <= set(counts) and set(counts) <= sent | unknown, "sent means received, once"
    assert len(sent) + len(unknown) == len(entries), "no post lost"
    report = json.loads(status.stdout)
    reported = {item["post"] for item in report["attention"] if item["state"] == "unknown"}
    assert len(reported) == len(unknown)
    assert status.returncode == (3 if unknown else 0)
