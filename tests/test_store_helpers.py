"""Shared helpers for the queue tests: settings, tiny rendered posts, a recording channel.

Imported by the other ``test_store*``/``test_worker``/``test_exactly_once*`` modules
(pytest puts ``tests/`` on ``sys.path``); it holds no tests itself.
"""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import func, select

from socialbot.config import Account, Settings
from socialbot.config_file import load_settings
from socialbot.errors import Problem
from socialbot.platforms.base import DeliveryResult, Outcome, PlannedCall
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.rendered import ImageAsset, RenderedPost
from socialbot.store.db import Database
from socialbot.store.queue import Entry, add_entries
from socialbot.store.schema import attempts, audit, deliveries, posts
from socialbot.store_rules import rules_of
from tests.helpers import CONFIG_HEADER

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 6, 8, 10, 0, tzinfo=SH)

CONFIG = CONFIG_HEADER + """[paths]
posts = "posts"
assets = "assets"
secrets_file = "secrets.toml"
[database]
{database}
[schedule]
misfire_grace_seconds = {misfire}
lease_seconds = {lease}
[review]
four_eyes = {four_eyes}
{accounts}
"""

ACCOUNTS = {
    "sub_wechat": dict(platform="wechat", kind="subscription", reach="mass_send",
                       appid="wx0000000000000001", secret_env="SB_T_SUB",
                       api_base="http://127.0.0.1:9/wechat", requires_approval=True),
    "svc_wechat": dict(platform="wechat", kind="service", reach="publish",
                       appid="wx0000000000000002", secret_env="SB_T_SVC",
                       api_base="http://127.0.0.1:9/wechat", requires_approval=True),
    "mass_service": dict(platform="wechat", kind="service", reach="mass_send",
                         appid="wx0000000000000003", secret_env="SB_T_MS",
                         api_base="http://127.0.0.1:9/wechat", requires_approval=False),
    "city_weibo": dict(platform="weibo", uid="5800000001", token_env="SB_T_WB",
                       safe_domains=["scjgj.sh.gov.cn"], rip="127.0.0.1",
                       api_base="http://127.0.0.1:9/weibo", requires_approval=False),
}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, int):
        return str(v)
    return f'"{v}"'


def accounts_toml(accounts: dict[str, dict[str, Any]]) -> str:
    out = []
    for name, table in accounts.items():
        out.append(f"[accounts.{name}]")
        out += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(out)


def make_settings(root: Path, *, database_url: str | None = None,
                  accounts: dict[str, dict[str, Any]] | None = None,
                  misfire_grace_seconds: int = 3600, lease_seconds: int = 300,
                  four_eyes: bool = True) -> Settings:
    """A config.toml in ``root`` (so subprocesses read the same settings), loaded."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "posts").mkdir(exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    database = f'url = "{database_url}"' if database_url else 'path = "queue.db"'
    text = CONFIG.format(database=database, accounts=accounts_toml(accounts or ACCOUNTS),
                         misfire=misfire_grace_seconds, lease=lease_seconds,
                         four_eyes=_toml_value(four_eyes))
    (root / "config.toml").write_text(text, encoding="utf-8")
    return load_settings(root / "config.toml")


def _png(seed: int, size: tuple[int, int] = (8, 8)) -> ImageAsset:
    img = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return ImageAsset("img", buf.getvalue(), "png", *size)


def tiny_rendered(post_id: str = "0609-test", title: str = "世界认可日测试", *,
                  seed: int = 1, body: str = "正文") -> RenderedPost:
    """A RenderedPost with 8×8 images: enough for the queue, fast to store."""
    cover = _png(seed, (90, 50))  # crops below: 90x38 (2.35:1) and 50x50
    article = WeChatArticle(
        title=title, author="上海市场监管", digest="摘要", content_html=f"<p>{body}</p>",
        content_source_url="https://scjgj.sh.gov.cn/", cover=cover,
        crop_235_1="0_0.1170_1_0.8830", crop_1_1="0.2222_0_0.7778_1",
    )
    status = WeiboStatus(text=f"{title} https://scjgj.sh.gov.cn/", image=_png(seed + 1000))
    return RenderedPost(post_id=post_id, source=f"{post_id}.md", template="news", title=title,
                        date="2022-06-09", organiser="上海市市场监督管理局",
                        parts={"wechat": article, "weibo": status})


def entry(rendered: RenderedPost, targets: Iterable[str], at: dt.datetime | None, *,
          author: str = "作者甲", cron: str | None = None,
          until: dt.datetime | None = None) -> Entry:
    return Entry(label=rendered.source, source=f"posts/{rendered.source}",
                 post_id=rendered.post_id, targets=tuple(targets), author=author, at=at,
                 cron=cron, until=until, rendered=rendered)


def add(db: Database, settings: Settings, rendered: RenderedPost, targets: Iterable[str],
        at: dt.datetime | None, *, now: dt.datetime = NOW, **kw: Any) -> int:
    e = entry(rendered, targets, at, **kw)
    add_entries(db, rules_of(settings), [e], now, actor=e.author)
    assert e.queue_id is not None
    return e.queue_id


def snapshot(db: Database) -> dict[str, Any]:
    """Row counts and the full delivery table: to prove a refusal changed nothing."""
    with db.tx(write=False) as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                  for t in (posts, deliveries, attempts, audit)}
        rows = [tuple(r) for r in conn.execute(select(deliveries).order_by(deliveries.c.id))]
        post_rows = [tuple(r) for r in conn.execute(select(posts).order_by(posts.c.id))]
    return {"counts": counts, "deliveries": rows, "posts": post_rows}


@dataclass
class FakeChannel:
    """A channel that records every call; outcomes can be scripted per call."""

    account: Account
    script: list[DeliveryResult | Exception] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    published: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    delivered: set[str] = field(default_factory=set)  # keys the "platform" really has
    messages: list[list[str]] = field(default_factory=list)  # post ids of each send of several
    platform: ClassVar[str] = "fake"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, rendered: RenderedPost) -> list[Problem]:
        return list(self.problems)

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        return []

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        with self.lock:
            self.published.append((rendered.post_id, delivery_key, dt.datetime.now(dt.UTC)))
            step = self.script.pop(0) if self.script else DeliveryResult(
                Outcome.SENT, "已群发", remote_id=f"m-{len(self.published)}")
        if isinstance(step, Exception):
            raise step
        if step.outcome == Outcome.SENT or step.details.get("went_through"):
            self.delivered.add(delivery_key)
        return step

    def publish_message(self, posts: list[RenderedPost], key: str) -> DeliveryResult:
        """A send of several posts: recorded, then answered like one publish."""
        with self.lock:
            self.messages.append([p.post_id for p in posts])
        return self.publish(posts[0], key)

    def reconcile_message(self, posts: list[RenderedPost], key: str) -> DeliveryResult:
        return self.reconcile(posts[0], key)

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        self.reconciled.append(delivery_key)
        if delivery_key in self.delivered:
            return DeliveryResult(Outcome.SENT, "平台上已有这条", remote_id="found")
        return DeliveryResult(Outcome.RETRY, "平台上没有这条")


class FakeChannels:
    """A channel per account, built on demand (what publish_due receives)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.by_account: dict[str, FakeChannel] = {}

    def __call__(self, account_id: str) -> FakeChannel:
        if account_id not in self.by_account:
            self.by_account[account_id] = FakeChannel(self.settings.accounts[account_id])
        return self.by_account[account_id]

    def all_published(self) -> list[tuple[str, str, dt.datetime]]:
        return [p for ch in self.by_account.values() for p in ch.published]


# --- several real worker processes against the practice platform ------------------------

WORKER_START_S = 180.0  # bounds only: a loaded 2-core machine imports slowly
WORKER_STOP_S = 120.0
SEND_ALL_S = 420.0
SCENARIO_TIMEOUT_S = 900  # pytest-timeout for tests running the scenario: above the sum


def socialbot_cmd(config: Path, *args: str) -> list[str]:
    """``socialbot --config CONFIG ARGS`` in a fresh interpreter, as staff would run it."""
    return [sys.executable, "-m", "socialbot", "--config", str(config), *args]


PRACTICE_ACCOUNTS = {
    "wx_pub_a": dict(platform="wechat", kind="service", reach="publish",
                     appid="wx00000000000000a1", secret_env="SB_P_A", requires_approval=True),
    "wx_pub_b": dict(platform="wechat", kind="subscription", reach="publish",
                     appid="wx00000000000000b2", secret_env="SB_P_B", requires_approval=False),
    "wx_pub_c": dict(platform="wechat", kind="service", reach="publish",
                     appid="wx00000000000000c3", secret_env="SB_P_C", requires_approval=True),
    "wb_main": dict(platform="weibo", uid="5800000009", token_env="SB_P_W",
                    safe_domains=["scjgj.sh.gov.cn"], rip="127.0.0.1", requires_approval=False),
}


def practice_settings(root: Path, platform: Any, *,
                      accounts: dict[str, dict[str, Any]] | None = None,
                      database_url: str | None = None, **overrides: Any) -> Settings:
    """Settings whose accounts all live on ``platform``, registered there (no poll waits).

    The secrets go where ``socialbot sandbox`` puts them, the config's secrets file, so
    worker subprocesses read them the normal way too.
    """
    from socialbot_practice.config_accounts import provide_secrets, register_accounts

    chosen = {}
    for name, table in (accounts or PRACTICE_ACCOUNTS).items():
        base = platform.wechat_base if table["platform"] == "wechat" else platform.weibo_base
        chosen[name] = {**table, "api_base": base}
    settings = make_settings(root, database_url=database_url, accounts=chosen, **overrides)
    provide_secrets(settings, settings.accounts.values())
    register_accounts(platform, settings, settings.accounts.values(), publish_polls=0)
    return settings


def platform_records(platform: Any, settings: Settings) -> list[tuple[str, str, float]]:
    """(account, post title, platform time) for everything that reached followers or went live."""
    out = []
    for account in settings.accounts.values():
        if account.platform == "weibo":
            for post in platform.received(account.uid):
                out.append((account.id, post["text"].split(" ")[0], post["timestamp"]))
        else:
            items = (platform.received(account.appid) if account.reach == "mass_send"
                     else platform.published(account.appid))
            # A message of several articles (the day's message) delivers each of them.
            out += [(account.id, article["title"], item["timestamp"])
                    for item in items for article in item["articles"]]
    return out


def worker_log(logs: Path, n: int) -> str:
    return (logs / f"worker{n}.log").read_text("utf-8")


def start_workers(children: Any, config: Path, count: int, logs: Path, *args: str) -> list[Any]:
    """Start ``count`` daemons (tracked by ``children``) and wait until each says it runs."""
    from tests.processes import wait_for

    logs.mkdir(parents=True, exist_ok=True)
    procs = []
    for n in range(count):
        with (logs / f"worker{n}.log").open("w", encoding="utf-8") as log:
            procs.append(children.start(
                socialbot_cmd(config, "run", "--tick", "0.5", "--name", f"w{n}", *args),
                stdout=log, stderr=subprocess.STDOUT))

    def all_running() -> bool:
        for n, proc in enumerate(procs):
            assert proc.poll() is None, worker_log(logs, n)
        return all("守护进程已启动" in worker_log(logs, n) for n in range(count))

    wait_for(all_running, timeout=WORKER_START_S, what="the workers to start")
    return procs


def stop_workers(children: Any, procs: list[Any], logs: Path) -> None:
    """SIGTERM every worker; each must finish what it was doing and exit cleanly (code 0)."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)  # all at once: they stop side by side
    for n, proc in enumerate(procs):
        try:
            code = proc.wait(timeout=WORKER_STOP_S)
        except subprocess.TimeoutExpired:
            children.kill(proc)
            raise AssertionError(f"worker {n} did not stop:\n{worker_log(logs, n)}") from None
        assert code == 0, worker_log(logs, n)
        assert "守护进程已停止" in worker_log(logs, n)


def exactly_once_scenario(root: Path, platform: Any, settings: Settings, children: Any,
                          workers: int, posts_count: int = 200) -> dict[str, Any]:
    """Queue ``posts_count`` posts over 4 accounts while ``workers`` daemons run; verify.

    Every approved post reaches the platform exactly once, none before its due time, and
    no unapproved post reaches it at all. Nothing here depends on how fast the machine
    is: posts to accounts without review may already be out by the time the reviewer
    gets to the others (so only posts that need review are approved), each approval is
    recorded at the moment the posts were queued (an approval must land before the
    slot; a slow reviewer loop must not turn approved posts into expired ones here:
    that rule has its own tests in test_review_chain), and the test waits for the
    database to show every approved post sent rather than for a number of seconds.
    """
    from collections import Counter

    from socialbot.store import open_store
    from socialbot.store.queue import add_entries
    from socialbot.store.review import approve
    from tests.processes import wait_for

    db = open_store(settings)
    logs = root / "logs"
    procs = start_workers(children, settings.path, workers, logs)
    try:
        now = dt.datetime.now(dt.UTC)
        start = now + dt.timedelta(seconds=2)
        entries, due, unapproved = [], {}, set()
        for i in range(posts_count):
            account = "wb_main" if i % 10 == 9 else ("wx_pub_a", "wx_pub_b", "wx_pub_c")[i % 3]
            title = f"测试稿件{i:03d}"
            at = start + dt.timedelta(seconds=4 * i / posts_count)
            entries.append(entry(tiny_rendered(f"p{i:03d}", title, seed=i), [account], at,
                                 author="张三"))
            due[title] = at.timestamp()
            if settings.accounts[account].requires_approval and i % 7 == 0:
                unapproved.add(title)
        add_entries(db, rules_of(settings), entries, now, actor="张三")
        for e in entries:
            assert e.rendered is not None and e.targets
            needs_review = settings.accounts[e.targets[0]].requires_approval
            if needs_review and e.rendered.title not in unapproved:
                approve(db, rules_of(settings), e.queue_id or 0, "李四", now)
        expected = set(due) - unapproved

        def all_sent() -> bool:
            for n, proc in enumerate(procs):
                assert proc.poll() is None, worker_log(logs, n)
            with db.tx(write=False) as conn:
                open_work = conn.execute(select(func.count()).select_from(deliveries).where(
                    deliveries.c.state.in_(["approved", "due", "sending"]))).scalar()
            return open_work == 0

        wait_for(all_sent, timeout=SEND_ALL_S, what="every approved post to be sent",
                 interval=0.2)
    finally:
        stop_workers(children, procs, logs)  # in-flight calls finish before we look
    records = platform_records(platform, settings)
    counts = Counter(title for _account, title, _ts in records)
    with db.tx(write=False) as conn:
        states = Counter(r[0] for r in conn.execute(select(deliveries.c.state)))
        tries = conn.execute(select(attempts.c.delivery, attempts.c.kind, attempts.c.worker)).all()
    db.dispose()
    return {"expected": expected, "unapproved": unapproved, "due": due, "records": records,
            "counts": counts, "states": states, "attempts": tries}


def assert_exactly_once(result: dict[str, Any], workers: int) -> None:
    from collections import Counter

    counts = result["counts"]
    assert [t for t, n in counts.items() if n > 1] == [], "a post reached followers twice"
    assert set(counts) == result["expected"], "every approved post, and only those"
    assert not set(counts) & result["unapproved"]
    early = [(t, ts - result["due"][t]) for _a, t, ts in result["records"] if ts < result["due"][t]]
    assert early == [], "published before its time"
    assert result["states"]["sent"] == len(result["expected"])
    assert result["states"]["queued"] == len(result["unapproved"])
    per_delivery = Counter(d for d, kind, _w in result["attempts"] if kind == "publish")
    assert set(per_delivery.values()) == {1}, "each delivery claimed by exactly one worker"
    workers_seen = {w.rsplit("/", 1)[-1] for _d, _k, w in result["attempts"]}
    assert len(workers_seen) == workers, f"all {workers} workers took part: {workers_seen}"
