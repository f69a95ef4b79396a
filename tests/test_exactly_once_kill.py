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
import signal
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
from socialbot_practice import PracticePlatform

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

KILLS = 50
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
    """Which account each post goes to, within every platform quota."""
    targets = ["wx_mass_sub"] + ["wx_mass_svc"] * 4 + ["wb_main"] * 30
    while len(targets) < count:
        targets.append(("wx_pub_a", "wx_pub_b")[len(targets) % 2])
    random.Random(7).shuffle(targets)
    return targets


def last_attempt(db) -> int:
    with db.tx(write=False) as conn:
        return int(conn.execute(select(func.max(attempts.c.id))).scalar() or 0)


def open_work(db) -> int:
    with db.tx(write=False) as conn:
        return int(conn.execute(select(func.count()).select_from(deliveries).where(
            deliveries.c.state.in_(["approved", "due", "sending"]))).scalar() or 0)


def test_sigkill_at_random_points_never_duplicates_or_loses_a_post(tmp_path):
    rng = random.Random(20220609)
    with PracticePlatform(port=0) as platform:
        settings = practice_settings(tmp_path, platform, accounts=ACCOUNTS)
        db = open_store(settings)
        now = dt.datetime.now(dt.UTC)
        targets = plan(600)
        entries = [entry(tiny_rendered(f"k{i:03d}", f"测试稿件{i:03d}", seed=i), [account], now)
                   for i, account in enumerate(targets)]
        add_entries(db, settings, entries, now, actor="张三")
        log = (tmp_path / "workers.log").open("w", encoding="utf-8")
        kills_while_busy = 0
        for _ in range(KILLS):
            before = last_attempt(db)
            proc = subprocess.Popen(socialbot_cmd(settings.path, "run", "--tick", "0.2"),
                                    stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 20
            while last_attempt(db) == before and time.monotonic() < deadline:
                assert proc.poll() is None, "worker exited on its own"
                time.sleep(0.005)
            kills_while_busy += last_attempt(db) > before
            time.sleep(rng.uniform(0.0, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        assert kills_while_busy == KILLS, "every kill landed while publishing"
        assert open_work(db) > 0, "there was still work when the last kill landed"

        # A last, clean run finishes the work (reconciling first).
        for _ in range(20):
            subprocess.run(socialbot_cmd(settings.path, "run", "--once"), check=True,
                           stdout=log, stderr=subprocess.STDOUT, timeout=120)
            if open_work(db) == 0:
                break
        status = subprocess.run(socialbot_cmd(settings.path, "status", "--json"),
                                capture_output=True, text=True, timeout=60)
        records = platform_records(platform, settings)

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
