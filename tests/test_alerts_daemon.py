"""The daemon's alert job end to end: real publishes against the practice platform, the
findings they leave in a real SQLite queue, local robots and a local mail server.

Time is a hand-moved clock (``FakeClock``): the job, the dispatcher and the pipeline's
``now`` all read it, so a digest window, a retry wait or a day boundary is crossed by
moving the clock, never by waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from test_store_helpers import add, practice_settings, tiny_rendered

from socialbot.alerts.dispatcher import Outcome
from socialbot.alerts.job import AlertJob
from socialbot.alerts.transport import Status
from socialbot.alerts.wecom import WecomRobot
from socialbot.alerts.wiring import transports_by_owner
from socialbot.channel_source import default_channels
from socialbot.config import Settings
from socialbot.config_file import load_settings
from socialbot.redact import install_redaction
from socialbot.runner import run_due
from socialbot.scheduler import Daemon
from socialbot.store import open_store
from socialbot.store.alert_log import StoreAlertLog
from socialbot.store.models import State
from socialbot.store.sql import SqlStore
from socialbot_practice import PracticePlatform
from tests.alerts_support import (
    ALERT_ENV,
    CANARIES,
    FakeClock,
    Mailbox,
    RobotServer,
    alerts_toml,
    text_of,
)

pytest_plugins = ["tests.alerts_fixtures"]
pytestmark = pytest.mark.timeout(300)

ACCOUNTS = {
    "wb_main": dict(platform="weibo", name="上海市场监管微博", uid="5800000009",
                    token_env="SB_P_W", safe_domains=["scjgj.sh.gov.cn"], rip="127.0.0.1",
                    requires_approval=False),
    "wb_pudong": dict(platform="weibo", name="浦东市场监管微博", uid="5800000010",
                      token_env="SB_P_WP", safe_domains=["scjgj.sh.gov.cn"], rip="127.0.0.1",
                      requires_approval=False),
}
UNITS = {"wb_main": "shsmr", "wb_pudong": "pudong"}

UNITS_TOML = """
[units.shsmr]
name = "上海市市场监督管理局"
[units.pudong]
name = "浦东新区市场监督管理局"
"""

BEIJING = dt.timezone(dt.timedelta(hours=8))
DUE = dt.datetime(2022, 6, 9, 9, 0, tzinfo=BEIJING)  # the clock fixture's start
TOO_LONG = 20012  # Weibo: text over 140 characters, a refusal a person must fix


@pytest.fixture
def platform() -> Iterator[PracticePlatform]:
    with PracticePlatform(port=0) as p:
        yield p


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ALERT_ENV.items():
        monkeypatch.setenv(name, value)


def configure(root: Path, platform: PracticePlatform, robots: RobotServer, mailbox: Mailbox,
              *, silent_days: int = 10, window: int = 60) -> Settings:
    """Accounts on the practice platform, in two units, each unit with its own owner."""
    practice_settings(root, platform, accounts=ACCOUNTS)
    path = root / "config.toml"
    text = path.read_text("utf-8")
    for account, unit in UNITS.items():
        text = text.replace(f"[accounts.{account}]\n", f'[accounts.{account}]\nunit = "{unit}"\n')
    text += UNITS_TOML + alerts_toml(
        robots.base, mailbox.port, silent_days=silent_days, window=window,
        office_scope='units = ["shsmr"]', team="pudong", team_name="浦东局办公室",
        team_scope='accounts = ["wb_pudong"]')
    path.write_text(text, "utf-8")
    return load_settings(path)


@pytest.fixture
def store(tmp_path: Path, platform: PracticePlatform, robots: RobotServer, mailbox: Mailbox,
          env: None) -> Iterator[SqlStore]:
    s = open_store(configure(tmp_path, platform, robots, mailbox))
    yield s
    s.dispose()


def settings_of(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "config.toml")


def job(settings: Settings, store: SqlStore, clock: FakeClock) -> AlertJob:
    """The alert job as the daemon builds it, on the hand-moved clock (a "process start")."""
    transports = transports_by_owner(settings, sleep=clock.sleep, wall_clock=clock.wall)
    return AlertJob(settings, store, transports=transports, clock=clock)


def publish_failing(settings: Settings, store: SqlStore, platform: PracticePlatform,
                    count: int, account: str = "wb_main",
                    at: dt.datetime = DUE, first: int = 1) -> list[int]:
    """Queue ``count`` posts and publish them for real while Weibo refuses each one."""
    platform.inject("weibo", "statuses/share", "error", times=count, error_code=TOO_LONG)
    ids = [add(store, settings, tiny_rendered(f"0609-news-{n}", f"认可日新闻{n}", seed=n),
               [account], at, now=at - dt.timedelta(days=1))
           for n in range(first, first + count)]
    for _ in range(count + 1):  # one pass per delivery at most
        if not run_due(settings, store, default_channels(settings), now=at):
            break
    for queue_id in ids:
        assert [d.state for d in store.deliveries_of(queue_id)] == [State.FAILED]
    return ids


class Told(NamedTuple):
    settings: Settings
    queue_id: int
    job: AlertJob
    at_once: list[Outcome]  # what the first tick sent
    a_minute_later: list[Outcome]


def tell_one_failure(tmp_path: Path, store: SqlStore, platform: PracticePlatform,
                     clock: FakeClock) -> Told:
    """One post refused by Weibo, then the alert job's first two ticks a minute apart."""
    settings = settings_of(tmp_path)
    [queue_id] = publish_failing(settings, store, platform, 1)
    alerts = job(settings, store, clock)
    first = alerts.tick()
    clock.advance(60)
    return Told(settings, queue_id, alerts, first, alerts.tick())


def test_a_failed_publish_is_told_once_by_wecom_and_email(
    tmp_path: Path, store: SqlStore, platform: PracticePlatform, robots: RobotServer,
    mailbox: Mailbox, clock: FakeClock
) -> None:
    settings, queue_id, alerts, at_once, outcomes = tell_one_failure(tmp_path, store,
                                                                     platform, clock)
    assert at_once == []  # the digest window was open
    assert {(o.channel, o.status, o.alerts) for o in outcomes} == {
        ("企业微信群机器人", Status.SENT, 1), ("电子邮件", Status.SENT, 1)}
    for _minute in range(5):  # the failure stays in the queue; the owner is not told again
        clock.advance(60)
        assert alerts.tick() == []
    alerts.release()  # the daemon stops ...
    restarted = job(settings, store, clock)  # ... and a new process starts on the same queue
    clock.advance(60)
    assert restarted.tick() == []
    clock.advance(60)
    assert restarted.tick() == []

    [call] = robots.of("wecom")
    assert robots.of("dingtalk") == []  # the Pudong owner does not hear about the city's post
    assert call.body["msgtype"] == "markdown"
    [mail] = mailbox.received
    plain, html = text_of(mail)
    for text in (call.text, plain, html):
        for fact in ("发布失败", "《认可日新闻1》", f"编号 {queue_id}", "上海市场监管微博",
                     "上海市市场监督管理局", "微博正文超过 140 字", f"queue retry {queue_id}",
                     "2022-06-09 09:00"):
            assert fact in text, (fact, text)
    assert mail["Subject"] == "socialbot 提醒：发布失败 《认可日新闻1》"
    [entry, mailed] = sorted(StoreAlertLog(store).entries(), key=lambda e: e.channel)
    assert (entry.channel, entry.owner, entry.outcome, entry.account, entry.post) == (
        "email", "office", "sent", "wb_main", str(queue_id))
    assert (mailed.channel, mailed.kind) == ("wecom", "delivery_failed")


def test_ten_failures_in_a_minute_arrive_as_one_digest(
    tmp_path: Path, store: SqlStore, platform: PracticePlatform, robots: RobotServer,
    mailbox: Mailbox, clock: FakeClock
) -> None:
    settings = settings_of(tmp_path)
    alerts = job(settings, store, clock)
    ids = publish_failing(settings, store, platform, 4)
    alerts.tick()
    clock.advance(20)
    ids += publish_failing(settings, store, platform, 6, at=DUE + dt.timedelta(seconds=20),
                           first=5)
    alerts.tick()
    clock.advance(40)
    outcomes = alerts.tick()
    assert {(o.channel, o.alerts) for o in outcomes} == {("企业微信群机器人", 10),
                                                         ("电子邮件", 10)}
    clock.advance(120)
    assert alerts.tick() == []
    [call] = robots.of("wecom")
    [mail] = mailbox.received
    assert "10 条" in call.text and "10 条" in mail["Subject"]
    plain, _ = text_of(mail)
    for queue_id in ids:
        assert f"（编号 {queue_id}）" in call.text and f"（编号 {queue_id}）" in plain
    assert len(call.text.encode()) <= WecomRobot.max_bytes


def test_a_robot_answering_an_error_is_retried_then_reported(
    tmp_path: Path, store: SqlStore, platform: PracticePlatform, robots: RobotServer,
    mailbox: Mailbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction()
    settings = settings_of(tmp_path)
    publish_failing(settings, store, platform, 1)
    robots.always["wecom"] = {"errcode": -1, "errmsg": "system busy"}  # with HTTP 200
    alerts = job(settings, store, clock)
    with caplog.at_level(logging.INFO, logger="socialbot.alerts"):
        alerts.tick()
        clock.advance(60)
        first = alerts.tick()
        while alerts.dispatcher.pending():  # what the daemon's digest job does
            due = alerts.next_due()
            assert due is not None
            clock.now = due
            last = alerts.flush()
    assert {(o.channel, o.status) for o in first} == {
        ("企业微信群机器人", Status.RETRY_LATER), ("电子邮件", Status.SENT)}
    assert len(robots.of("wecom")) > WecomRobot.max_attempts  # retried, inline and later
    [gave_up] = last
    assert gave_up.status is Status.FAILED and "企业微信返回错误 -1" in gave_up.reason
    assert "提醒发送失败：宣传处王老师（企业微信群机器人）" in caplog.text
    wecom_entry = next(e for e in StoreAlertLog(store).entries() if e.channel == "wecom")
    assert wecom_entry.outcome == "failed" and "多次重试仍未送达" in wecom_entry.reason
    assert len(mailbox.received) == 1  # the e-mail went out regardless
    calls = len(robots.of("wecom"))
    clock.advance(3600)
    alerts.tick()
    clock.advance(60)
    alerts.tick()
    assert len(robots.of("wecom")) == calls  # reported once, not retried forever
    seen = caplog.text + repr([e.to_json() for e in StoreAlertLog(store).entries()])
    for canary in CANARIES:
        assert canary not in seen


def test_a_silent_account_is_told_once_a_day_not_once_a_tick(
    tmp_path: Path, store: SqlStore, platform: PracticePlatform, robots: RobotServer,
    mailbox: Mailbox, clock: FakeClock
) -> None:
    settings = settings_of(tmp_path)
    last = dt.datetime(2022, 5, 29, 9, 0, tzinfo=BEIJING)  # eleven days before the clock
    queue_id = add(store, settings, tiny_rendered("0529-news", "五月新闻"), ["wb_main"], last,
                   now=last - dt.timedelta(days=1))
    run_due(settings, store, default_channels(settings), now=last)
    assert [d.state for d in store.deliveries_of(queue_id)] == [State.SENT]

    alerts = job(settings, store, clock)
    for tick in range(6 * 30):  # every ten minutes from 09:00 to 15:00 the next day
        if tick == 60:
            alerts.release()
            alerts = job(settings, store, clock)  # the daemon restarts in the evening
        alerts.tick()
        clock.advance(600)
    office = robots.of("wecom")
    pudong = robots.of("dingtalk")
    assert len(office) == 2 and len(pudong) == 2  # day one, and day two from 00:00 Beijing
    assert len(mailbox.received) == 2
    assert "已连续 11 天没有发布新内容（上次发布是 2022-05-29 09:00）" in office[0].text
    assert "时间：2022-06-10 00:00" in office[1].text  # the new Beijing day's first tick
    assert "上海市场监管微博" in office[0].text and "浦东" not in office[0].text
    assert "浦东市场监管微博" in pudong[0].text and "尚无发布记录" in pudong[0].text
    for text in (office[0].text, pudong[0].text):
        assert "账号长期未更新" in text and "一票否决" in text


def test_the_daemon_runs_the_alert_job(
    tmp_path: Path, platform: PracticePlatform, robots: RobotServer, mailbox: Mailbox,
    env: None
) -> None:
    """``socialbot run`` with owners configured: the job is scheduled and reaches the robot."""
    settings = configure(tmp_path, platform, robots, mailbox, window=0)
    robots.clock = None  # real time throughout
    store = open_store(settings)
    try:
        publish_failing(settings, store, platform, 1)
        daemon = Daemon(settings, store, default_channels(settings), tick_seconds=30,
                        alerts=AlertJob(settings, store))
        told = threading.Event()

        def watch() -> None:
            deadline = time.monotonic() + 120  # a safety net: never reached when it works
            while not daemon.stop.is_set() and time.monotonic() < deadline:
                if robots.of("wecom") and mailbox.received:
                    told.set()
                    break
                time.sleep(0.05)
            daemon.request_stop()

        watcher = threading.Thread(target=watch, name="alert-watch")
        watcher.start()
        try:
            daemon.run()
        finally:
            daemon.request_stop()
            watcher.join()
    finally:
        store.dispose()
    assert told.is_set()
    [call] = robots.of("wecom")
    assert "发布失败" in call.text and "《认可日新闻1》" in call.text


def test_an_alert_nobody_receives_is_logged_once_not_every_minute(
    tmp_path: Path, store: SqlStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    from socialbot.alerts.model import AlertKind
    from socialbot.attention import Finding

    orphan = Finding(AlertKind.TOKEN_EXPIRING, "token:other:x", "授权 5 天后到期", "请重新授权",
                     account_id="other", account="其他账号")
    alerts = AlertJob(settings_of(tmp_path), store, transports={}, clock=clock,
                      findings=lambda now: [orphan])
    with caplog.at_level(logging.WARNING, logger="socialbot.alerts"):
        for _minute in range(5):
            alerts.tick()
            clock.advance(60)
    assert caplog.text.count("提醒无人接收") == 1 and "其他账号" in caplog.text


def test_alerts_log_shows_what_went_to_whom(
    tmp_path: Path, store: SqlStore, platform: PracticePlatform, robots: RobotServer,
    mailbox: Mailbox, clock: FakeClock
) -> None:
    from click.testing import CliRunner

    from socialbot.cli import cli

    queue_id = tell_one_failure(tmp_path, store, platform, clock).queue_id
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "alerts",
                                      "log"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for text in ("宣传处王老师", "企业微信群机器人", "电子邮件", "发布失败", "wb_main",
                 str(queue_id), "已送达", "2022-06-09 09:01"):
        assert text in result.output, text
    as_json = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "alerts",
                                       "log", "--json"], catch_exceptions=False)
    assert '"at": "2022-06-09T09:01:00+08:00"' in as_json.output


def test_of_two_daemons_on_one_queue_only_one_sends_alerts(
    tmp_path: Path, store: SqlStore, platform: PracticePlatform, robots: RobotServer,
    mailbox: Mailbox, clock: FakeClock
) -> None:
    settings = settings_of(tmp_path)
    publish_failing(settings, store, platform, 1)
    first, second = job(settings, store, clock), job(settings, store, clock)
    for _minute in range(3):
        first.tick()
        second.tick()
        clock.advance(60)
    assert len(robots.of("wecom")) == 1 and len(mailbox.received) == 1
    assert second.dispatcher.pending() == 0  # it never queued anything
    first.release()
    assert second.tick() == []  # takes over; the failure was told already
    publish_failing(settings, store, platform, 1, first=2)
    second.tick()
    clock.advance(60)
    second.tick()
    assert len(robots.of("wecom")) == 2


def test_run_once_tells_owners_in_one_pass_and_not_again(
    tmp_path: Path, platform: PracticePlatform, robots: RobotServer, mailbox: Mailbox,
    env: None
) -> None:
    """``socialbot run --once`` (e.g. from cron): after publishing, one alert pass whose
    digests leave at once; the next run tells nothing already told."""
    from click.testing import CliRunner

    from socialbot.cli import cli

    settings = configure(tmp_path, platform, robots, mailbox)  # digest window: a minute
    robots.clock = None  # real time throughout
    store = open_store(settings)
    try:
        publish_failing(settings, store, platform, 1)
    finally:
        store.dispose()

    def run_once() -> None:
        ran = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "run",
                                       "--once"], catch_exceptions=False)
        assert ran.exit_code == 0, ran.output  # nothing was due: this pass failed nothing

    run_once()
    office = robots.of("wecom")
    assert len(office) == 1  # one digest for the owner of the failed post's unit
    assert "发布失败" in office[0].text and "《认可日新闻1》" in office[0].text
    assert len(mailbox.received) >= 1
    mails = len(mailbox.received)
    calls = len(robots.calls)

    run_once()
    assert (len(robots.calls), len(mailbox.received)) == (calls, mails)  # told once
    store = open_store(settings)
    try:
        assert store.kv().get("alerts:sender") is None  # the lease went with the process
    finally:
        store.dispose()
