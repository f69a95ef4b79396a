"""The [alerts] config section and ``socialbot alerts test``, run as staff run them."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.alerts.settings import DingtalkChannel, EmailChannel, WecomChannel
from socialbot.alerts.wiring import transports_by_owner
from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.errors import ConfigError
from tests.alerts_support import (
    ALERT_ENV,
    CANARIES,
    SMTP_PASSWORD,
    WECOM_KEY,
    Mailbox,
    RobotServer,
    alerts_toml,
    text_of,
)
from tests.helpers import write_config

pytest_plugins = ["tests.alerts_fixtures"]

@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in ALERT_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)


def configured(tmp_path: Path, robots: RobotServer, mailbox: Mailbox) -> Path:
    robots.clock = None  # the command signs with the real time
    return write_config(tmp_path, alerts_toml(robots.base, mailbox.port))


def run(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_alerts_section_parsed(tmp_path: Path, robots: RobotServer, mailbox: Mailbox,
                               env: None) -> None:
    alerts = load_settings(configured(tmp_path, robots, mailbox)).alerts
    assert (alerts.silent_days, alerts.digest_window_seconds) == (10, 60)
    office = alerts.owners["office"]
    assert office.channels == (
        WecomChannel("SB_ALERT_WECOM_KEY", robots.base),
        EmailChannel(("wang@example.cn",)),
    )
    assert alerts.owners["weibo_team"].channels == (
        DingtalkChannel("SB_ALERT_DING_TOKEN", "SB_ALERT_DING_SECRET", robots.base),
    )
    assert alerts.owners_for("shsmr_weibo", "") == [alerts.owners["weibo_team"]]


def test_no_alerts_section_is_fine(tmp_path: Path) -> None:
    alerts = load_settings(write_config(tmp_path)).alerts
    assert alerts.owners == {} and alerts.silent_days == 10


def test_every_alerts_problem_reported_at_once(tmp_path: Path) -> None:
    path = write_config(tmp_path, f"""
[alerts]
silent_days = 20
digest_window_seconds = -5
default_owner = "nobody"
[alerts.owners.Bad-Id]
name = "某人"
accounts = ["no_such_account"]
[alerts.owners.ok]
name = "负责人"
[alerts.owners.ok.wecom]
key_env = "{WECOM_KEY}-oops pasted"
webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
[alerts.owners.ok.email]
to = ["not-an-address"]
""")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = info.value.render()
    for expected in (
        "[alerts]：silent_days 不应超过 14 天",
        "digest_window_seconds 应为不小于 0 的整数（秒），现为“-5”",
        "default_owner“nobody”不是已配置的负责人",
        "[alerts.owners.Bad-Id]：负责人编号只能用小写字母",
        "“no_such_account”不是已配置的账号",
        "[alerts.owners.Bad-Id]：至少需要一种提醒方式",
        "[alerts.owners.ok.wecom]：key_env 应为环境变量名",
        "未知配置项 webhook（密钥请用 *_env 指定环境变量名）",
        "[alerts.owners.ok.email]：to 应为至少一个收件人邮箱地址的列表",
    ):
        assert expected in text, expected
    assert "config.toml [alerts" in text
    assert WECOM_KEY not in text  # a pasted secret is not echoed back


def test_email_owner_needs_smtp(tmp_path: Path) -> None:
    path = write_config(tmp_path, """
[alerts.owners.a]
name = "甲"
[alerts.owners.a.email]
to = ["a@example.cn"]
""")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "未配置发信服务器 [alerts.smtp]" in info.value.render()


def test_alerts_test_reaches_every_channel(tmp_path: Path, robots: RobotServer,
                                           mailbox: Mailbox, env: None) -> None:
    result = run(configured(tmp_path, robots, mailbox), "alerts", "test")
    assert result.exit_code == 0, result.output
    assert "✓ 宣传处王老师 · 企业微信群机器人：已送达" in result.output
    assert "✓ 宣传处王老师 · 电子邮件：已送达" in result.output
    assert "✓ 微博编辑组 · 钉钉群机器人：已送达" in result.output
    assert "全部送达" in result.output
    [wx] = robots.of("wecom")
    [ding] = robots.of("dingtalk")
    assert "测试消息" in wx.text and "宣传处王老师" in wx.text
    assert "测试消息" in ding.text and "微博编辑组" in ding.text
    [mail] = mailbox.received
    assert mail["Subject"] == "socialbot 提醒：测试消息 上海市场监管"
    assert "测试消息" in text_of(mail)[0]
    for canary in CANARIES:
        assert canary not in result.output


def test_alerts_test_one_owner_and_failures(tmp_path: Path, robots: RobotServer,
                                            mailbox: Mailbox, env: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = configured(tmp_path, robots, mailbox)
    monkeypatch.delenv("SB_ALERT_DING_SECRET")
    result = run(config, "alerts", "test", "--owner", "weibo_team")
    assert result.exit_code == 1
    assert ("✗ 微博编辑组 · 钉钉群机器人：发送失败——缺少密钥：请设置环境变量 "
            "SB_ALERT_DING_SECRET") in result.output
    assert "有 1 个渠道未送达" in result.output
    assert robots.calls == [] and mailbox.received == []  # the other owner was not asked

    robots.always["wecom"] = {"errcode": 93000, "errmsg": "invalid webhook url"}
    result = run(config, "alerts", "test", "--owner", "office")
    assert result.exit_code == 1
    assert "✗ 宣传处王老师 · 企业微信群机器人：发送失败——企业微信返回错误 93000" in result.output
    assert "✓ 宣传处王老师 · 电子邮件：已送达" in result.output
    assert WECOM_KEY not in result.output and SMTP_PASSWORD not in result.output


def test_alerts_test_unknown_owner_or_none_configured(tmp_path: Path, robots: RobotServer,
                                                       mailbox: Mailbox, env: None) -> None:
    result = run(configured(tmp_path, robots, mailbox), "alerts", "test", "--owner", "zhang")
    assert result.exit_code == 2
    assert "未知负责人：zhang（已配置：office、weibo_team）" in result.output
    bare = tmp_path / "bare"
    bare.mkdir()
    result = run(write_config(bare), "alerts", "test")
    assert result.exit_code == 2 and "尚未配置提醒负责人" in result.output


def test_transports_by_owner_leaves_out_unusable_channels(
    tmp_path: Path, robots: RobotServer, mailbox: Mailbox, env: None,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(configured(tmp_path, robots, mailbox))
    monkeypatch.delenv("SB_ALERT_WECOM_KEY")
    (tmp_path / "secrets.toml").write_text(f'SB_ALERT_WECOM_KEY = "{WECOM_KEY}"\n', "utf-8")
    with_file = dataclasses.replace(settings, secrets_file=tmp_path / "secrets.toml")
    assert [t.kind for t in transports_by_owner(with_file)["office"]] == ["wecom", "email"]
    with caplog.at_level(logging.ERROR, logger="socialbot.alerts"):
        found = transports_by_owner(settings)
    assert [t.kind for t in found["office"]] == ["email"]
    assert "提醒渠道无法使用：宣传处王老师（企业微信群机器人）" in caplog.text


def test_alert_secrets_come_from_the_settings_environment(
    tmp_path: Path, robots: RobotServer, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ALERT_ENV:
        monkeypatch.delenv(name, raising=False)
    path = configured(tmp_path, robots, mailbox)
    settings = load_settings(path, environ=dict(ALERT_ENV))
    found = transports_by_owner(settings)
    assert [t.kind for t in found["office"]] == ["wecom", "email"]
    assert [t.kind for t in found["weibo_team"]] == ["dingtalk"]
    assert transports_by_owner(load_settings(path, environ={}))["weibo_team"] == []
