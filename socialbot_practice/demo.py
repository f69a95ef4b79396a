"""The queue half of ``make demo``: queue the sample campaign, approve it, let the daemon publish.

The caller starts the practice platform and gives the demo its own settings for it
(:func:`own_settings`); this module adds every post (one transaction, quotas respected),
approves it through every review tier, each tier by another person, runs the real
daemon until every delivery has an outcome, and reports what happened. It also makes
the demo's console users (:func:`create_demo_users`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from socialbot.channel_source import Channels, ChannelSource
from socialbot.config import Settings
from socialbot.errors import StoreError
from socialbot.passwords import hash_password
from socialbot.people import TIER_LABELS, Role
from socialbot.pipeline import Report
from socialbot.scheduler import Daemon
from socialbot.store import actions, open_store, people, quota, review
from socialbot.store.base import Store
from socialbot.store.intake import prepare
from socialbot.store.models import PENDING, State, label
from socialbot.store.queue import Entry, add_entries
from socialbot.store.sql import SqlStore
from socialbot.store.times import show
from socialbot_practice.config_accounts import new_secret
from socialbot_practice.practice import PracticePlatform


@dataclass
class DemoResult:
    queued: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # targets left out to respect quotas
    reports: list[Report] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)

    @property
    def all_sent(self) -> bool:
        return set(self.states) == {str(State.SENT)}

    @property
    def sent(self) -> int:
        return self.states.get(str(State.SENT), 0)


def own_settings(settings: Settings, platform: PracticePlatform, database_url: str) -> Settings:
    """The demo's own settings: every account on ``platform`` with a secret made for this
    run, its own queue, and nothing read from the environment or a secrets file, so the
    shell's ``SOCIALBOT_*`` variables and a ``secrets.toml`` lying around change nothing."""
    accounts = {
        key: replace(a, api_base=platform.wechat_base if a.platform == "wechat"
                     else platform.weibo_base)
        for key, a in settings.accounts.items()
    }
    secrets = {a.secret_name: new_secret() for a in accounts.values()}
    return replace(settings, accounts=accounts, secrets_file=None,
                   environ=MappingProxyType(secrets), database_url=database_url)


def _fit_quotas(settings: Settings, entries: list[Entry], result: DemoResult) -> None:
    """Drop targets a platform would refuse (e.g. a 2nd mass send the same day), with a note."""
    used: dict[tuple[str, str], int] = {}
    for e in entries:
        kept = []
        for account_id in e.targets:
            account = settings.accounts.get(account_id)
            rule = quota.rule_for(account) if account else None
            if rule is None or e.at is None:
                kept.append(account_id)
                continue
            bucket = rule.bucket(e.at)[0]
            if used.get((account_id, bucket), 0) < rule.limit:
                used[(account_id, bucket)] = used.get((account_id, bucket), 0) + 1
                kept.append(account_id)
            else:
                result.skipped.append(f"{e.label} → {account_id}：{rule.label}，演示中不发这一条")
        e.targets = tuple(kept)


def run_demo_queue(settings: Settings, posts: list[Path], *, database_url: str | None = None,
                   channels: ChannelSource | None = None, spacing: float = 1.0,
                   author: str = "演示作者",
                   reviewers: tuple[str, ...] = ("演示初审人", "演示复审人", "演示终审人"),
                   timeout: float = 120.0, say: Callable[[str], None] = print) -> DemoResult:
    """Queue ``posts`` a few seconds apart, approve them, and publish them with the daemon."""
    if database_url:
        settings = replace(settings, database_url=database_url)
    store = open_store(settings)
    source = channels or Channels(settings)
    lookup = source if callable(source) else source.__getitem__
    result = DemoResult()
    entries = [prepare(settings, str(path), targets=None, author=author, channels=lookup,
                       at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
               for path in posts]
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)  # after rendering, however slow
    for n, e in enumerate(entries):
        e.at = start + dt.timedelta(seconds=n * spacing)
    _fit_quotas(settings, entries, result)
    entries = [e for e in entries if e.targets]
    add_entries(store, settings, entries, dt.datetime.now(dt.UTC), actor=author)
    result.queued = entries
    for e in entries:
        assert e.queue_id is not None
        tiers = _approve_chain(store, settings, e.queue_id, reviewers)
        say(f"已加入并审核（{'→'.join(tiers)}）：编号 {e.queue_id}"
            f"《{e.rendered.title if e.rendered else e.label}》"
            f"→ {'、'.join(e.targets)}，{show(e.at, settings.tz)}")
    for note in result.skipped:
        say(f"  （{note}）")

    def report(r: Report) -> None:
        result.reports.append(r)
        say(r.line())

    daemon = Daemon(settings, store, source, tick_seconds=1.0, on_report=report)
    deadline = time.monotonic() + timeout

    def watch() -> None:
        while not daemon.stop.is_set():
            if _open_work(store) == 0 or time.monotonic() > deadline:
                daemon.request_stop()
                return
            time.sleep(0.3)

    threading.Thread(target=watch, name="demo-watch", daemon=True).start()
    say("守护进程运行中：到点自动发布……")
    daemon.run()
    result.states = store.state_counts()
    say("结果：" + "，".join(f"{label(s)} {n}" for s, n in result.states.items()))
    store.dispose()
    if _unfinished(result.states):
        raise StoreError("演示超时：仍有稿件未发布，请查看 socialbot status")
    return result


def _approve_chain(store: SqlStore, settings: Settings, queue_id: int,
                   reviewers: tuple[str, ...]) -> list[str]:
    """Every tier the post needs, each by the next reviewer; returns the tiers' names.

    An approval must land before the slot (or the delivery waits, expired); on a busy
    machine the demo may approve a second late, so it then moves the post to now.
    """
    done = []
    for reviewer in reviewers:
        result = review.approve(store, settings, queue_id, reviewer, dt.datetime.now(dt.UTC))
        done.append(TIER_LABELS.get(result.tier, "审核"))
        if result.final:
            break
    if any(d.state == State.QUEUED for d in store.deliveries_of(queue_id)):
        now = dt.datetime.now(dt.UTC)
        actions.reschedule(store, settings, queue_id, now, reviewers[0], now)
    return done


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str  # what the user does, in Chinese
    password: str


def create_demo_users(store: SqlStore, settings: Settings, path: Path) -> list[DemoUser]:
    """An editor, a 初审 and a 复审 reviewer and an admin of the first unit, for the console.

    Fresh random passwords each run, written to ``path`` (the demo's out folder, which
    git ignores; readable by its owner only) and returned for the command to show.
    """
    unit = next((u for u in settings.units.values() if u.sees_all),
                next(iter(settings.units.values()), None))
    if unit is None:
        return []
    plan = [("demo-editor", "演示编辑", [Role(unit.id, "editor")], "编辑"),
            ("demo-review1", "演示初审", [Role(unit.id, "reviewer", 1)], "初审"),
            ("demo-review2", "演示复审", [Role(unit.id, "reviewer", 2)], "复审"),
            ("demo-admin", "演示管理员", [Role(unit.id, "admin")], "管理员")]
    now = dt.datetime.now(dt.UTC)
    made = []
    for username, name, roles, what in plan:
        password = secrets.token_urlsafe(12)
        people.add_user(store, username, name, hash_password(password), roles, now, by="demo")
        made.append(DemoUser(username, name, f"{unit.name}·{what}", password))
    lines = ["# socialbot demo 控制台账号（每次 make demo 重新生成；只在本机演示库有效）"]
    lines += [f"{u.username}\t{u.password}\t{u.name}\t{u.role}" for u in made]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return made


def _open_work(store: Store) -> int:
    counts = store.state_counts()
    return sum(counts.get(str(s), 0) for s in (*PENDING, State.SENDING))


def _unfinished(states: dict[str, int]) -> bool:
    return any(s in states for s in (*(str(p) for p in PENDING), str(State.SENDING)))
