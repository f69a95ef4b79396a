"""Each transport against its local stand-in: payload shape, signature, errors, size limits."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from socialbot.alerts import message
from socialbot.alerts.dingtalk import DingtalkRobot, sign
from socialbot.alerts.mail import EmailTransport
from socialbot.alerts.model import Alert, AlertKind, beijing_time
from socialbot.alerts.settings import SmtpServer
from socialbot.alerts.transport import Status
from socialbot.alerts.wecom import WecomRobot
from socialbot.config import Secret
from tests.alerts_support import (
    DING_SECRET,
    DING_TOKEN,
    SMTP_PASSWORD,
    WECOM_KEY,
    FakeClock,
    Mailbox,
    RobotServer,
    text_of,
)

pytest_plugins = ["tests.alerts_fixtures"]


def alert(at: dt.datetime, n: int = 1, title: str = "世界认可日主题宣传") -> Alert:
    return Alert(AlertKind.DELIVERY_UNKNOWN, "微博接口超时，无法确认是否已发出", at,
                 account_id="shsmr_weibo", account="上海市场监管（微博）",
                 post_id=f"p{n}", post_title=f"{title}{n}")


def test_beijing_time_as_staff_write_it() -> None:
    assert beijing_time(dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC)) == "2022-06-09 09:00"
    assert beijing_time(dt.datetime(2022, 6, 8, 16, 5, tzinfo=dt.UTC)) == "2022-06-09 00:05"


def test_dingtalk_signed_markdown_accepted(robots: RobotServer, clock: FakeClock) -> None:
    robot = DingtalkRobot(Secret(DING_TOKEN, "t"), Secret(DING_SECRET, "t"),
                          api_base=robots.base, sleep=clock.sleep, wall_clock=clock.wall)
    [msg] = robot.compose([alert(clock())], "王老师")
    assert robot.deliver(msg).status is Status.SENT
    [call] = robots.of("dingtalk")  # the server verified the signature itself
    assert call.query["timestamp"] == str(int(clock.wall() * 1000))
    assert call.body["msgtype"] == "markdown"
    assert call.body["markdown"]["title"] == "socialbot 提醒：发布结果不明 《世界认可日主题宣传1》"
    assert "queue retry 会先向平台核实" in call.text


def test_dingtalk_signature_is_url_encoded_base64() -> None:
    # '+', '/' and '=' of base64 must travel percent-encoded.
    signature = sign(1654736400000, "SECexample")
    assert "+" not in signature and "/" not in signature and "=" not in signature
    assert "%" in signature


def test_dingtalk_wrong_secret_is_reported(robots: RobotServer, clock: FakeClock) -> None:
    robot = DingtalkRobot(Secret(DING_TOKEN, "t"), Secret("SECwrong-secret-000", "t"),
                          api_base=robots.base, sleep=clock.sleep, wall_clock=clock.wall)
    [msg] = robot.compose([alert(clock())], "王老师")
    result = robot.deliver(msg)
    assert result.status is Status.FAILED
    assert "签名校验失败" in result.reason and "310000" in result.reason
    assert len(robots.of("dingtalk")) == 1


def test_dingtalk_too_frequent_waits_ten_minutes(robots: RobotServer, clock: FakeClock) -> None:
    robots.always["dingtalk"] = {"errcode": 130101, "errmsg": "send too fast"}
    robot = DingtalkRobot(Secret(DING_TOKEN, "t"), Secret(DING_SECRET, "t"),
                          api_base=robots.base, sleep=clock.sleep, wall_clock=clock.wall)
    [msg] = robot.compose([alert(clock())], "王老师")
    result = robot.deliver(msg)
    assert (result.status, result.retry_after) == (Status.RETRY_LATER, 600.0)
    assert "限流 10 分钟" in result.reason


def test_wecom_busy_then_ok_is_retried_with_backoff(robots: RobotServer,
                                                    clock: FakeClock) -> None:
    robots.script["wecom"] = [{"errcode": -1, "errmsg": "system busy"}] * 2
    robot = WecomRobot(Secret(WECOM_KEY, "t"), api_base=robots.base, sleep=clock.sleep)
    [msg] = robot.compose([alert(clock())], "王老师")
    result = robot.deliver(msg)
    assert (result.status, result.attempts) == (Status.SENT, 3)
    assert clock.slept == [2.0, 4.0]


def test_unreachable_robot_is_retried_then_left_for_later(clock: FakeClock) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    robot = WecomRobot(Secret(WECOM_KEY, "t"), api_base=f"http://127.0.0.1:{port}",
                       sleep=clock.sleep)
    [msg] = robot.compose([alert(clock())], "王老师")
    result = robot.deliver(msg)
    assert result.status is Status.RETRY_LATER and result.attempts == 3
    assert "无法连接企业微信服务器" in result.reason and WECOM_KEY not in result.reason


def test_long_digest_splits_between_alerts_within_4096_bytes(clock: FakeClock) -> None:
    alerts = [alert(clock(), n, title="很长的稿件标题" * 4) for n in range(1, 41)]
    robot = WecomRobot(Secret(WECOM_KEY, "t"))
    messages = robot.compose(alerts, "王老师")
    assert len(messages) > 1
    assert sum(m.count for m in messages) == 40
    for number, m in enumerate(messages, 1):
        content = m.payload["markdown"]["content"]
        assert len(content.encode("utf-8")) <= 4096
        assert f"（第 {number}/{len(messages)} 部分）" in content
    joined = "".join(m.payload["markdown"]["content"] for m in messages)
    for n in range(1, 41):
        assert f"### {n}. 发布结果不明" in joined


def test_markdown_keeps_titles_from_restyling() -> None:
    a = alert(dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC), title="**加粗**`代码`")
    [part] = message.markdown_parts([a], "王老师", 4096)
    assert "《＊＊加粗＊＊｀代码｀1》" in part.text


def test_email_chinese_subject_text_and_html(mailbox: Mailbox, clock: FakeClock) -> None:
    server = SmtpServer(host=mailbox.host, port=mailbox.port, security="none",
                        sender="socialbot@example.cn")
    transport = EmailTransport(server, ["a@example.cn", "b@example.cn"], sleep=clock.sleep)
    [msg] = transport.compose([alert(clock(), title="<b>标题</b>")], "王老师")
    assert transport.deliver(msg).status is Status.SENT
    [mail] = mailbox.received
    assert mail["Subject"] == "socialbot 提醒：发布结果不明 《<b>标题</b>1》"
    assert "socialbot" in mail["From"] and "socialbot@example.cn" in mail["From"]
    plain, html = text_of(mail)
    assert "王老师，您好" in plain and "2022-06-09 09:00" in plain
    assert "&lt;b&gt;标题&lt;/b&gt;1" in html  # escaped, not markup
    assert mailbox.envelopes == [("socialbot@example.cn", ["a@example.cn", "b@example.cn"])]


def test_email_server_down_is_left_for_later(clock: FakeClock) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = SmtpServer(host="127.0.0.1", port=port, security="none", sender="s@example.cn",
                        timeout=5)
    transport = EmailTransport(server, ["a@example.cn"], sleep=clock.sleep)
    [msg] = transport.compose([alert(clock())], "王老师")
    result = transport.deliver(msg)
    assert result.status is Status.RETRY_LATER
    assert f"无法连接邮件服务器 127.0.0.1:{port}" in result.reason


def test_email_login(mailbox_with_login: Mailbox, clock: FakeClock) -> None:
    server = SmtpServer(host=mailbox_with_login.host, port=mailbox_with_login.port,
                        security="none", username="socialbot@example.cn",
                        password_env="X", sender="socialbot@example.cn", timeout=5)
    good = EmailTransport(server, ["a@example.cn"], Secret(SMTP_PASSWORD, "t"),
                          sleep=clock.sleep)
    [msg] = good.compose([alert(clock())], "王老师")
    assert good.deliver(msg).status is Status.SENT
    bad = EmailTransport(server, ["a@example.cn"], Secret("not-the-password", "t"),
                         sleep=clock.sleep)
    result = bad.deliver(msg)
    assert result.status is Status.FAILED
    assert "发信邮箱登录失败" in result.reason and "not-the-password" not in result.reason
    assert len(mailbox_with_login.received) == 1


@pytest.mark.parametrize(("security", "fixture"), [("ssl", "mailbox_ssl"),
                                                   ("starttls", "mailbox_starttls")])
def test_email_over_tls(security: str, fixture: str, request: pytest.FixtureRequest,
                        clock: FakeClock) -> None:
    box: Mailbox = request.getfixturevalue(fixture)
    tls = request.getfixturevalue("tls")
    server = SmtpServer(host=box.host, port=box.port, security=security,
                        sender="socialbot@example.cn", timeout=5)
    transport = EmailTransport(server, ["a@example.cn"], sleep=clock.sleep,
                               ssl_context=tls.client)
    [msg] = transport.compose([alert(clock())], "王老师")
    assert transport.deliver(msg).status is Status.SENT
    [mail] = box.received
    assert mail["Subject"] == "socialbot 提醒：发布结果不明 《世界认可日主题宣传1》"


def test_email_refuses_an_untrusted_certificate(mailbox_ssl: Mailbox, clock: FakeClock) -> None:
    server = SmtpServer(host=mailbox_ssl.host, port=mailbox_ssl.port, security="ssl",
                        sender="socialbot@example.cn", timeout=5)
    transport = EmailTransport(server, ["a@example.cn"], sleep=clock.sleep)  # system CAs
    [msg] = transport.compose([alert(clock())], "王老师")
    result = transport.deliver(msg)
    assert result.status is Status.FAILED and mailbox_ssl.received == []
    assert "的证书无法验证" in result.reason and result.attempts == 1
