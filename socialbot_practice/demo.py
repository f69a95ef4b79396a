"""The queue half of ``make demo``: queue the sample campaign, approve it, publish it day by day.

The caller starts the practice platform and gives the demo its own settings for it
(:func:`own_settings`); this module adds every post at its place in the campaign
calendar (one transaction, quotas and the day's message respected), approves it through
every review tier, each tier by another person, and publishes the calendar on a
campaign clock: the practice platform's clock and the runner's ``now`` jump together to
each due time, so a month of WeChat daily messages (one mass send a day) plays in
seconds, and nothing is dropped. It also makes the demo's console users
(:func:`create_demo_users`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from socialbot.calendar_import import read_calendar
from socialbot.channel_source import Channels, ChannelSource
from socialbot.config import Settings
from socialbot.errors import Problem, StoreError
from socialbot.intake import prepare
from socialbot.passwords import hash_password
from socialbot.people import TIER_LABELS, Role
from socialbot.pipeline import Report
from socialbot.runner import run_due
from socialbot.store import open_store, people, review
from socialbot.store.base import Store
from socialbot.store.models import PENDING, State
from socialbot.store.queue import Entry, add_entries
from socialbot.store.sql import SqlStore
from socialbot.store.times import parse_time, show
from socialbot.store_rules import rules_of
from socialbot.wording.labels import label
from socialbot_practice.config_accounts import new_secret
from socialbot_practice.practice import PracticePlatform

DEFAULT_START = dt.datetime(2022, 6, 1, 9, 0)  # posts not in a calendar: one a day from here
MAX_STEPS = 500  # campaign-clock steps before the demo gives up (retries included)


@dataclass
class DemoResult:
    queued: list[Entry] = field(default_factory=list)
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


@dataclass(frozen=True)
class Slot:
    """Where the campaign calendar puts one post: when, to whom, in which place."""

    at: dt.datetime
    targets: tuple[str, ...] | None = None  # None: the post's own accounts (or all)
    position: int | None = None


def schedule(settings: Settings, posts: list[Path], calendar: Path | None) -> list[Slot]:
    """Each post's slot: its calendar row, else one a day after the calendar's last day."""
    rows = {Path(r.post).name: r for r in read_calendar(calendar)} if calendar else {}
    slots, taken = [], []
    for path in posts:
        row = rows.get(path.name)
        if row is None:
            slots.append(None)
            continue
        when = parse_time(str(row.time), settings.tz, f"{calendar} {row.label}") \
            if row.time is not None else None
        if not isinstance(when, dt.datetime):
            raise StoreError(Problem(f"{calendar} {row.label}", "缺少或无法识别发布时间"))
        slots.append(Slot(when, row.accounts or None,
                          int(row.position) if row.position.strip().isdigit() else None))
        taken.append(when)
    next_day = (max(taken) + dt.timedelta(days=1)) if taken else \
        DEFAULT_START.replace(tzinfo=settings.tz)
    filled = []
    for slot in slots:
        if slot is None:
            slot, next_day = Slot(next_day), next_day + dt.timedelta(days=1)
        filled.append(slot)
    return filled


def run_demo_queue(settings: Settings, posts: list[Path], *, platform: PracticePlatform,
                   calendar: Path | None = None, database_url: str | None = None,
                   channels: ChannelSource | None = None, author: str = "演示作者",
                   reviewers: tuple[str, ...] = ("演示初审人", "演示复审人", "演示终审人"),
                   say: Callable[[str], None] = print) -> DemoResult:
    """Queue ``posts`` at their calendar times, approve them, and publish day by day."""
    if database_url:
        settings = replace(settings, database_url=database_url)
    store = open_store(settings)
    source = channels or Channels(settings)
    lookup = source if callable(source) else source.__getitem__
    result = DemoResult()
    slots = schedule(settings, posts, calendar)
    entries = []
    for path, slot in zip(posts, slots, strict=True):
        e = prepare(settings, str(path), targets=slot.targets, author=author, channels=lookup,
                    at=slot.at)
        e.position = slot.position
        entries.append(e)
    now = min(s.at for s in slots) - dt.timedelta(hours=1) if slots else DEFAULT_START
    _platform_time(platform, now, settings)
    add_entries(store, rules_of(settings), entries, now, actor=author)
    result.queued = entries
    for e in entries:
        assert e.queue_id is not None
        tiers = _approve_chain(store, settings, e.queue_id, reviewers, now)
        say(f"已加入并审核（{'→'.join(tiers)}）：编号 {e.queue_id}"
            f"《{e.rendered.title if e.rendered else e.label}》"
            f"→ {'、'.join(e.targets)}，{show(e.at, settings.tz)}")
        for note in e.notes:
            say(f"  （{note}）")
    say("按活动日程逐日发布（练习平台与发布程序的时钟一起跳到每个发布时间）……")
    last: tuple[dt.datetime | None, int] = (None, -1)
    for _ in range(MAX_STEPS):
        when = _next_due(store)
        if when is None or last == (when, 0):  # nothing left, or nothing moves any more
            break
        _platform_time(platform, when, settings)
        say(f"—— {show(when, settings.tz)} ——")
        reports = run_due(settings, store, source, now=when)
        for r in reports:
            say(r.line())
        result.reports += reports
        last = (when, len(reports))
    result.states = store.state_counts()
    say("结果：" + "，".join(f"{label(s)} {n}" for s, n in result.states.items()))
    store.dispose()
    if _unfinished(result.states):
        raise StoreError("演示未能发完：仍有稿件未发布，请查看 socialbot status")
    return result


def _approve_chain(store: SqlStore, settings: Settings, queue_id: int,
                   reviewers: tuple[str, ...], now: dt.datetime) -> list[str]:
    """Every tier the post needs, each by the next reviewer; returns the tiers' names.

    The approvals land at the campaign clock's ``now``, before every slot, so the
    before-the-slot rule (过期未审) never holds a demo post back.
    """
    done = []
    for reviewer in reviewers:
        result = review.approve(store, rules_of(settings), queue_id, reviewer, now)
        done.append(TIER_LABELS.get(result.tier, "审核"))
        if result.final:
            break
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


def _platform_time(platform: PracticePlatform, when: dt.datetime, settings: Settings) -> None:
    """The practice platform's clock (naive = Beijing time) at the campaign's ``when``."""
    platform.set_clock(when.astimezone(settings.tz).replace(tzinfo=None), frozen=True)


def _next_due(store: Store) -> dt.datetime | None:
    """When the next delivery falls due (None: nothing left to publish)."""
    times = [d.due_at for d, _title in store.live_work()
             if d.state in (*PENDING, State.SENDING)]
    return min(times) if times else None


def _unfinished(states: dict[str, int]) -> bool:
    return any(s in states for s in (*(str(p) for p in PENDING), str(State.SENDING)))
