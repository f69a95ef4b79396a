"""The dispatcher against real local robots and a real SMTP server, on a hand-moved clock."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from socialbot.alerts.dingtalk import DingtalkRobot
from socialbot.alerts.dispatcher import Dispatcher
from socialbot.alerts.log import MemoryAlertLog
from socialbot.alerts.mail import EmailTransport
from socialbot.alerts.model import Alert, AlertKind
from socialbot.alerts.settings import (
    AlertSettings,
    DingtalkChannel,
    EmailChannel,
    Owner,
    SmtpServer,
    WecomChannel,
)
from socialbot.alerts.transport import Status, Transport
from socialbot.alerts.wecom import WecomRobot
from socialbot.config import Secret
from socialbot.redact import install_redaction
from tests.alerts_support import (
    CANARIES,
    DING_SECRET,
    DING_TOKEN,
    WECOM_KEY,
    FakeClock,
    Mailbox,
    RobotServer,
    text_of,
)

pytest_plugins = ["tests.alerts_fixtures"]

OWNER = Owner(
    id="office", name="宣传处王老师", accounts=("shsmr_wechat",), units=("上海市市场监督管理局",),
    channels=(WecomChannel("K"), DingtalkChannel("T", "S"), EmailChannel(("wang@example.cn",))),
)


def settings(window: int = 60) -> AlertSettings:
    return AlertSettings(digest_window_seconds=window, owners={"office": OWNER})


def wecom(robots: RobotServer, clock: FakeClock) -> WecomRobot:
    return WecomRobot(Secret(WECOM_KEY, "test"), api_base=robots.base, sleep=clock.sleep)


def dingtalk(robots: RobotServer, clock: FakeClock) -> DingtalkRobot:
    return DingtalkRobot(Secret(DING_TOKEN, "test"), Secret(DING_SECRET, "test"),
                         api_base=robots.base, sleep=clock.sleep, wall_clock=clock.wall)


def mail(box: Mailbox, clock: FakeClock) -> EmailTransport:
    server = SmtpServer(host=box.host, port=box.port, security="none",
                        sender="socialbot@example.cn")
    return EmailTransport(server, ["wang@example.cn"], sleep=clock.sleep)


def dispatcher(transports: list[Transport], clock: FakeClock,
               log: MemoryAlertLog | None = None, window: int = 60) -> Dispatcher:
    return Dispatcher(settings(window), {"office": transports}, log or MemoryAlertLog(),
                      clock=clock)


def failed(clock: FakeClock, n: int = 1) -> Alert:
    return Alert(
        kind=AlertKind.DELIVERY_FAILED,
        reason=f"微信返回 45028：今日群发次数已用完（第 {n} 次）",
        at=clock(),
        account_id="shsmr_wechat",
        account="上海市场监管（订阅号）",
        unit="上海市市场监督管理局",
        post_id=f"p{n}",
        post_title=f"世界认可日直播预告{n}",
    )


def test_failure_alert_arrives_once_on_wecom_and_by_email(
    robots: RobotServer, mailbox: Mailbox, clock: FakeClock
) -> None:
    d = dispatcher([wecom(robots, clock), mail(mailbox, clock)], clock)
    assert d.submit(failed(clock)) == 2
    assert d.flush() == []  # the digest window is still open
    assert robots.calls == [] and mailbox.received == []
    clock.advance(60)
    outcomes = d.flush()
    assert [o.status for o in outcomes] == [Status.SENT, Status.SENT]
    # Told again, later, and flushed again: nothing new goes out.
    assert d.submit(failed(clock)) == 0
    clock.advance(120)
    assert d.flush() == []

    [call] = robots.of("wecom")
    assert call.query["key"] == WECOM_KEY
    assert call.body["msgtype"] == "markdown"
    text = call.text
    for fact in ("发布失败", "《世界认可日直播预告1》", "上海市场监管（订阅号）",
                 "45028：今日群发次数已用完", "queue retry", "2022-06-09 09:00"):
        assert fact in text
    assert len(text.encode()) <= WecomRobot.max_bytes

    [received] = mailbox.received
    assert received["Subject"] == "socialbot 提醒：发布失败 《世界认可日直播预告1》"
    assert "=?utf-8?" in mailbox_raw_subject(received).lower()
    plain, html = text_of(received)
    for body in (plain, html):
        for fact in ("发布失败", "世界认可日直播预告1", "上海市场监管（订阅号）",
                     "45028：今日群发次数已用完", "queue retry", "2022-06-09 09:00"):
            assert fact in body
    assert mailbox.envelopes == [("socialbot@example.cn", ["wang@example.cn"])]


def mailbox_raw_subject(mail: object) -> str:
    """The Subject header as it travelled (RFC 2047 encoded words)."""
    raw = mail.as_bytes(policy=mail.policy.clone(cte_type="7bit"))  # type: ignore[attr-defined]
    line = next(x for x in raw.split(b"\n") if x.lower().startswith(b"subject:"))
    return line.decode("ascii")


def test_ten_alerts_in_a_minute_arrive_as_one_digest(
    robots: RobotServer, mailbox: Mailbox, clock: FakeClock
) -> None:
    d = dispatcher([wecom(robots, clock), dingtalk(robots, clock), mail(mailbox, clock)], clock)
    for n in range(1, 11):
        d.submit(failed(clock, n))
        clock.advance(5)  # ten alerts over 50 seconds
    assert d.next_due() == dt.datetime(2022, 6, 9, 1, 1, tzinfo=dt.UTC)
    clock.advance(10)
    outcomes = d.flush()
    assert {(o.channel, o.status, o.alerts) for o in outcomes} == {
        ("企业微信群机器人", Status.SENT, 10),
        ("钉钉群机器人", Status.SENT, 10),
        ("电子邮件", Status.SENT, 10),
    }
    [wx] = robots.of("wecom")
    [ding] = robots.of("dingtalk")
    [received] = mailbox.received
    assert "10 条" in wx.text and "10 条" in ding.body["markdown"]["title"]
    assert "10 条" in received["Subject"]
    plain, _ = text_of(received)
    for n in range(1, 11):
        assert f"《世界认可日直播预告{n}》" in wx.text
        assert f"《世界认可日直播预告{n}》" in ding.text
        assert f"世界认可日直播预告{n}" in plain
    assert d.pending() == 0 and d.next_due() is None


def test_alerts_after_a_digest_start_a_new_window(robots: RobotServer,
                                                  clock: FakeClock) -> None:
    d = dispatcher([wecom(robots, clock)], clock)
    d.submit(failed(clock, 1))
    clock.advance(60)
    assert len(d.flush()) == 1
    clock.advance(1)
    d.submit(failed(clock, 2))  # the same burst, a second late
    clock.advance(9)
    d.submit(failed(clock, 3))
    assert d.flush() == []  # not one message per straggler
    assert d.next_due() == dt.datetime(2022, 6, 9, 1, 2, 1, tzinfo=dt.UTC)
    clock.now = dt.datetime(2022, 6, 9, 1, 2, 1, tzinfo=dt.UTC)
    [second] = d.flush()
    assert second.alerts == 2
    first_call, second_call = robots.of("wecom")
    assert "预告2》" in second_call.text and "预告3》" in second_call.text
    assert "预告2》" not in first_call.text


def test_robot_error_code_is_retried_then_reported(
    robots: RobotServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    robots.always["wecom"] = {"errcode": -1, "errmsg": "system busy"}
    log = MemoryAlertLog()
    d = dispatcher([wecom(robots, clock)], clock, log)
    d.submit(failed(clock))
    clock.advance(60)
    with caplog.at_level(logging.WARNING, logger="socialbot.alerts"):
        first = d.flush()
        # Three tries with backoff (2 s, 4 s), then the digest waits and is tried again.
        assert len(robots.of("wecom")) == WecomRobot.max_attempts
        assert clock.slept == [2.0, 4.0]
        assert [o.status for o in first] == [Status.RETRY_LATER]
        rounds = 1
        while d.pending():
            due = d.next_due()
            assert due is not None
            clock.now = due
            last = d.flush()
            rounds += 1
    assert rounds == Dispatcher.max_deferrals + 1
    assert len(robots.of("wecom")) == WecomRobot.max_attempts * rounds
    [outcome] = last
    assert outcome.status is Status.FAILED
    assert "多次重试仍未送达" in outcome.reason and "企业微信返回错误 -1" in outcome.reason
    assert "宣传处王老师（企业微信群机器人）：1 条提醒发送失败" in outcome.describe()
    assert "提醒发送失败" in caplog.text
    assert log.outcome("delivery_failed:shsmr_wechat:p1|office|wecom") == "failed"


def test_permanent_error_is_reported_at_once_in_chinese(
    robots: RobotServer, clock: FakeClock
) -> None:
    robots.always["wecom"] = {"errcode": 93000, "errmsg": "invalid webhook url"}
    d = dispatcher([wecom(robots, clock)], clock)
    d.submit(failed(clock))
    [outcome] = d.flush(force=True)
    assert outcome.status is Status.FAILED
    assert "机器人地址无效" in outcome.reason
    assert len(robots.of("wecom")) == 1  # a wrong key is not hammered


def test_frequency_limit_waits_then_sends(robots: RobotServer, clock: FakeClock) -> None:
    robots.script["wecom"] = [{"errcode": 45009, "errmsg": "api freq out of limit"}]
    d = dispatcher([wecom(robots, clock)], clock)
    d.submit(failed(clock))
    [first] = d.flush(force=True)
    assert first.status is Status.RETRY_LATER and "发送太频繁" in first.reason
    assert clock.slept == []  # not retried inline: the robot asked us to wait
    d.submit(failed(clock, 2))  # arrives while waiting: merges into the same digest
    clock.advance(30)
    assert d.flush() == []
    assert d.next_due() == dt.datetime(2022, 6, 9, 1, 1, tzinfo=dt.UTC)
    clock.advance(30)
    [sent] = d.flush()
    assert (sent.status, sent.alerts) == (Status.SENT, 2)
    assert len(robots.of("wecom")) == 2


def test_same_silent_key_is_sent_once_a_day(robots: RobotServer, clock: FakeClock) -> None:
    d = dispatcher([wecom(robots, clock)], clock)

    def silent() -> Alert:
        return Alert.silent_account(
            account_id="shsmr_wechat", account="上海市场监管（订阅号）",
            unit="上海市市场监督管理局", days=10,
            last_post=dt.datetime(2022, 5, 30, 1, 0, tzinfo=dt.UTC), at=clock(),
        )

    for _tick in range(48):  # the daemon checks every 30 minutes for a whole day
        d.submit(silent())
        clock.advance(30 * 60)
        d.flush()
    # Day one (from 09:00) and day two (from 00:00 Beijing) each told once.
    calls = robots.of("wecom")
    assert len(calls) == 2
    assert "已连续 10 天没有发布新内容（上次发布是 2022-05-30 09:00）" in calls[0].text
    assert "账号长期未更新" in calls[0].text and "一票否决" in calls[0].text
    assert silent().key == "silent:shsmr_wechat:2022-06-10"


def test_more_digests_than_the_robot_allows_wait_for_the_bucket(
    robots: RobotServer, clock: FakeClock
) -> None:
    """25 owners share one robot: 20 messages go now, 5 in the next half minute, none lost."""
    owners = {f"o{i}": Owner(id=f"o{i}", name=f"负责人{i}", accounts=(f"acct{i}",),
                             channels=(WecomChannel("K"),)) for i in range(25)}
    robot = wecom(robots, clock)
    d = Dispatcher(AlertSettings(owners=owners), {o: [robot] for o in owners},
                   MemoryAlertLog(), clock=clock)
    for i in range(25):
        d.submit(Alert(AlertKind.QUOTA_EXHAUSTED, "今日群发次数已用完", clock(),
                       account_id=f"acct{i}", account=f"账号{i}"))
    clock.advance(60)
    assert len(d.flush()) == 20
    assert d.pending() == 5
    due = d.next_due()
    assert due is not None and due == clock() + dt.timedelta(seconds=3)
    clock.advance(15)  # 20 a minute: one token every 3 seconds
    assert len(d.flush()) == 5
    assert len(robots.of("wecom")) == 25 and d.pending() == 0


def test_unrouted_alert_is_reported_not_dropped_silently(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    d = dispatcher([], clock)
    with caplog.at_level(logging.WARNING, logger="socialbot.alerts"):
        assert d.submit(Alert(AlertKind.TOKEN_EXPIRING, "授权 5 天后到期", clock(),
                              account_id="other", account="其他账号")) == 0
    assert "提醒无人接收" in caplog.text and "其他账号" in caplog.text


def test_owner_without_a_usable_channel_is_reported(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    d = dispatcher([], clock)
    with caplog.at_level(logging.ERROR, logger="socialbot.alerts"):
        assert d.submit(failed(clock)) == 0
    assert "提醒无法送达：负责人 宣传处王老师 没有可用的提醒渠道" in caplog.text


def test_default_owner_receives_unmatched_alerts() -> None:
    s = AlertSettings(owners={"office": OWNER}, default_owner="office")
    assert s.owners_for("someone_else", "") == [OWNER]
    assert s.owners_for("", "上海市市场监督管理局") == [OWNER]


def test_secrets_never_show(
    robots: RobotServer, mailbox: Mailbox, clock: FakeClock,
    caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction()
    robots.always["dingtalk"] = {"errcode": 310000, "errmsg": f"sign not match {DING_SECRET}"}
    robots.script["wecom"] = [{"errcode": 93000, "errmsg": f"invalid webhook url key={WECOM_KEY}"}]
    transports = [wecom(robots, clock), dingtalk(robots, clock)]
    d = dispatcher(transports, clock)
    d.submit(failed(clock))
    with caplog.at_level(logging.DEBUG):
        outcomes = d.flush(force=True)
    assert {o.status for o in outcomes} == {Status.FAILED}
    seen = caplog.text + repr(outcomes) + repr(transports) + repr(d.__dict__)
    seen += "".join(o.describe() for o in outcomes)
    for canary in CANARIES:
        assert canary not in seen
    assert "签名校验失败" in seen
