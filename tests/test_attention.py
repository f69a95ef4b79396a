"""What needs a person, read from a real SQLite queue; the alert log table; owners by unit."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from test_store_helpers import NOW, SH, FakeChannels, add, tiny_rendered

from socialbot import attention
from socialbot.alerts.model import AlertKind
from socialbot.config import Account, Settings
from socialbot.errors import ConfigError
from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.runner import run_due
from socialbot.store import open_store, quota, review
from socialbot.store.alert_log import StoreAlertLog
from socialbot.store.migrations import MIGRATIONS
from socialbot.store.sql import SqlStore
from socialbot.store_rules import rules_of
from tests.helpers import write_config

AT = dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)


def kinds(found: list[attention.Finding], kind: AlertKind) -> list[attention.Finding]:
    return [f for f in found if f.kind is kind]


def no_tokens(account: Account, settings: Settings, kv: object) -> dt.datetime | None:
    return None


def find(settings: Settings, db: SqlStore, now: dt.datetime) -> list[attention.Finding]:
    return attention.findings(settings, db, now, token_expiry=no_tokens)


def test_a_quiet_queue_needs_nobody(db: SqlStore, settings: Settings) -> None:
    assert find(settings, db, NOW) == []
    add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    assert find(settings, db, NOW) == []


def test_a_post_near_its_slot_without_review(db: SqlStore, settings: Settings) -> None:
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    assert kinds(find(settings, db, AT - dt.timedelta(hours=3)),
                 AlertKind.APPROVAL_EXPIRING) == []
    [near] = find(settings, db, AT - dt.timedelta(minutes=90))
    assert near.kind is AlertKind.APPROVAL_EXPIRING and near.post == queue_id
    assert near.reason == "计划 2022-06-09 09:00 发布（还有 1 小时 30 分钟），稿件还没有审核通过"
    assert f"socialbot queue approve {queue_id} --by 审核人" in near.action
    assert "在 2022-06-09 09:00 之前审核完" in near.action  # after the slot it waits
    [late] = find(settings, db, AT + dt.timedelta(minutes=5))
    assert late.reason.startswith("计划 2022-06-09 09:00 发布的时间已到")
    assert "过期未审" in late.reason and f"queue reschedule {queue_id}" in late.action
    assert late.key == near.key  # the same news: told once
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    assert find(settings, db, AT - dt.timedelta(minutes=30)) == []


def test_a_rejected_post_near_its_slot(db: SqlStore, settings: Settings) -> None:
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.reject(db, rules_of(settings), queue_id, "李四", "标题不准确", NOW)
    [found] = find(settings, db, AT - dt.timedelta(minutes=30))
    assert "稿件已被退回（标题不准确）" in found.reason
    assert f"queue edit {queue_id}" in found.action


def test_failed_missed_and_unresolved_deliveries(db: SqlStore, settings: Settings) -> None:
    channels = FakeChannels(settings)
    channels("city_weibo").script.append(DeliveryResult(Outcome.FAILED, "微博正文超过 140 字"))
    failed = add(db, settings, tiny_rendered("a", "失败的稿件"), ["city_weibo"], AT)
    missed = add(db, settings, tiny_rendered("b", "错过的稿件", seed=2), ["mass_service"],
                 AT - dt.timedelta(hours=1), now=NOW)
    run_due(settings, db, channels, AT + dt.timedelta(hours=1))
    found = find(settings, db, AT + dt.timedelta(hours=1))
    [f] = kinds(found, AlertKind.DELIVERY_FAILED)
    assert (f.post, f.post_title, f.account_id) == (failed, "失败的稿件", "city_weibo")
    assert f.reason == "微博正文超过 140 字（原定 2022-06-09 09:00 发布）"
    assert f"socialbot queue retry {failed}" in f.action
    [m] = kinds(found, AlertKind.DELIVERY_MISSED)
    assert m.post == missed and f"queue reschedule {missed}" in m.action
    # A retry that fails again is news again.
    from socialbot.store import actions

    actions.retry(db, rules_of(settings), failed, "张三", AT + dt.timedelta(hours=1))
    channels("city_weibo").script.append(DeliveryResult(Outcome.FAILED, "微博正文超过 140 字"))
    run_due(settings, db, channels, AT + dt.timedelta(hours=1, minutes=1))
    [again] = kinds(find(settings, db, AT + dt.timedelta(hours=2)), AlertKind.DELIVERY_FAILED)
    assert again.key != f.key


def test_an_outcome_still_being_checked_is_shown_but_not_alerted(
    db: SqlStore, settings: Settings
) -> None:
    channels = FakeChannels(settings)
    channels("city_weibo").script.append(DeliveryResult(Outcome.UNKNOWN, "网络中断（测试）"))
    queue_id = add(db, settings, tiny_rendered("u", "结果未知的稿件"), ["city_weibo"], AT)
    run_due(settings, db, channels, AT)
    later = AT + dt.timedelta(minutes=5)
    assert kinds(find(settings, db, later), AlertKind.DELIVERY_UNKNOWN) == []  # the alerts
    [shown] = attention.findings(settings, db, later, token_expiry=no_tokens, checking=True)
    assert (shown.kind, shown.post, shown.account_id) == (
        AlertKind.DELIVERY_UNKNOWN, queue_id, "city_weibo")
    assert "系统正在自动向平台核实：网络中断（测试）" in shown.reason
    assert f"queue mark-sent {queue_id} --account city_weibo" in shown.action
    assert "请勿手工重发" in shown.action


def test_a_full_quota_bucket_is_news_only_when_the_platform_said_so(
    db: SqlStore, settings: Settings
) -> None:
    add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    assert kinds(find(settings, db, AT), AlertKind.QUOTA_EXHAUSTED) == []  # planned 1 of 1
    with db.tx() as conn:
        quota.mark_full(conn, "sub_wechat", rules_of(settings).accounts["sub_wechat"].quota, AT)
    [full] = kinds(find(settings, db, AT), AlertKind.QUOTA_EXHAUSTED)
    assert full.account_id == "sub_wechat" and full.key == "quota:sub_wechat:day:2022-06-09"
    assert "平台答复今天的发送次数已用完（订阅号每天（北京时间）最多群发 1 次）" in full.reason
    assert "2022-06-10 00:00 起" in full.action
    assert kinds(find(settings, db, AT + dt.timedelta(days=1)), AlertKind.QUOTA_EXHAUSTED) == []


def test_tokens_expiring_within_seven_days(db: SqlStore, settings: Settings) -> None:
    expiry = {"city_weibo": AT + dt.timedelta(days=5, hours=1),
              "sub_wechat": AT + dt.timedelta(days=8)}

    def lookup(account: Account, settings: Settings, kv: object) -> dt.datetime | None:
        return expiry.get(account.id)

    [soon] = attention.tokens_expiring(settings, db, AT, token_expiry=lookup)
    assert soon.account_id == "city_weibo"
    assert soon.reason == "授权将于 2022-06-14 10:00 过期（还剩 5 天），过期后将无法发布"
    assert "SB_T_WB" in soon.action  # where the new token goes, never the token
    [tomorrow] = attention.tokens_expiring(settings, db, AT + dt.timedelta(days=1),
                                           token_expiry=lookup)
    assert tomorrow.key != soon.key  # a reminder a day while it lasts
    later = attention.tokens_expiring(settings, db, AT + dt.timedelta(days=6),
                                      token_expiry=lookup)
    gone = next(f for f in later if f.account_id == "city_weibo")
    assert {f.account_id for f in later} == {"city_weibo", "sub_wechat"}
    assert gone.reason == "授权已于 2022-06-14 10:00 过期，这个账号现在无法发布"


def test_statistics_reported_unavailable_until_cleared(db: SqlStore, settings: Settings) -> None:
    attention.report_stats_unavailable(db, "sub_wechat", "未认证账号没有数据接口权限（48001）", AT)
    attention.report_stats_unavailable(db, "sub_wechat", "未认证账号没有数据接口权限（48001）",
                                       AT + dt.timedelta(hours=6))
    [found] = find(settings, db, AT + dt.timedelta(hours=7))
    assert found.kind is AlertKind.STATS_UNAVAILABLE and found.account_id == "sub_wechat"
    assert found.reason == ("自 2022-06-09 09:00 起无法获取阅读、转发等统计数据："
                            "未认证账号没有数据接口权限（48001）")
    attention.clear_stats_unavailable(db, "sub_wechat")
    assert find(settings, db, AT + dt.timedelta(hours=8)) == []


def test_silence_counts_from_the_last_send_or_the_first_post(
    db: SqlStore, settings: Settings
) -> None:
    last = dt.datetime(2022, 5, 29, 9, 0, tzinfo=SH)
    add(db, settings, tiny_rendered(), ["city_weibo"], last, now=last - dt.timedelta(days=2))
    run_due(settings, db, FakeChannels(settings), last)
    found = attention.silent_accounts(settings, db, AT)
    by_account = {f.account_id: f for f in found}
    assert set(by_account) == set(settings.accounts)  # 11 and 13 days: all over 10
    assert by_account["city_weibo"].reason == (
        "已连续 11 天没有发布新内容（上次发布是 2022-05-29 09:00）")
    assert "启用以来尚无发布记录" in by_account["sub_wechat"].reason
    assert "一票否决" in by_account["sub_wechat"].action
    assert by_account["city_weibo"].key == "silent:city_weibo:2022-06-09"
    nine_days = attention.silent_accounts(settings, db, last + dt.timedelta(days=9))
    assert "city_weibo" not in {f.account_id for f in nine_days}  # the others: 11 days


def test_a_finding_becomes_an_alert_and_json(db: SqlStore, settings: Settings) -> None:
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    [f] = find(settings, db, AT - dt.timedelta(minutes=10))
    alert = f.alert(AT)
    assert (alert.kind, alert.post_id, alert.dedupe_key, alert.what_to_do) == (
        f.kind, str(queue_id), f.key, f.action)
    data = f.to_json()
    assert data["kind"] == "approval_expiring" and data["label"] == "审核即将过期"
    assert data["post"] == queue_id


def test_the_alert_log_is_migration_6_and_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    store = open_store(url)
    assert [m[0] for m in MIGRATIONS][-1] == store.version()
    log = StoreAlertLog(store)
    assert not log.seen("failed:1:1|office|wecom")
    log.record("failed:1:1|office|wecom", NOW, "failed", key="failed:1:1", owner="office",
               channel="wecom", kind="delivery_failed", account="city_weibo", post="1",
               reason="企业微信返回错误 -1")
    log.record("failed:1:1|office|wecom", NOW, "sent", key="failed:1:1", owner="office",
               channel="wecom")  # recording again is an update, not a second row
    store.migrate()  # idempotent
    store.dispose()
    again = open_store(url)
    [entry] = StoreAlertLog(again).entries()
    assert StoreAlertLog(again).seen("failed:1:1|office|wecom")
    assert (entry.outcome, entry.owner, entry.channel, entry.at) == ("sent", "office", "wecom",
                                                                     NOW)
    assert StoreAlertLog(again).forget_before(NOW + dt.timedelta(seconds=1)) == 1
    again.dispose()
    with sqlite3.connect(tmp_path / "q.db") as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"alert_log", "ix_alert_log_at"} <= names


UNITS = """
[units.shsmr]
name = "上海市市场监督管理局"
[alerts.owners.office]
name = "宣传处"
units = [{units}]
[alerts.owners.office.email]
to = ["wang@example.cn"]
[alerts.smtp]
host = "127.0.0.1"
security = "none"
sender = "socialbot@example.cn"
"""


def test_owner_units_name_configured_units(tmp_path: Path) -> None:
    from socialbot.config_file import load_settings

    settings = load_settings(write_config(tmp_path, UNITS.format(units='"shsmr"')))
    assert settings.alerts.owners["office"].units == ("上海市市场监督管理局",)
    assert settings.alerts.owners_for("", "上海市市场监督管理局")[0].id == "office"
    by_name = load_settings(write_config(tmp_path, UNITS.format(units='"上海市市场监督管理局"')))
    assert by_name.alerts.owners["office"].units == ("上海市市场监督管理局",)
    with pytest.raises(ConfigError) as refused:
        load_settings(write_config(tmp_path, UNITS.format(units='"pudong"')))
    assert "units 中的“pudong”不是已配置的单位（[units] 中有：shsmr）" in str(refused.value)


def test_approval_lead_is_configurable(tmp_path: Path) -> None:
    from socialbot.config_file import load_settings

    text = "[alerts]\napproval_lead_minutes = 30\n"
    assert load_settings(write_config(tmp_path, text)).alerts.approval_lead_minutes == 30
    with pytest.raises(ConfigError) as refused:
        load_settings(write_config(tmp_path, "[alerts]\napproval_lead_minutes = 0\n"))
    assert "approval_lead_minutes 应为不小于 1 的整数（分钟）" in str(refused.value)


def test_status_shows_what_needs_a_person_without_the_daemon(
    db: SqlStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from socialbot import status_reads
    from socialbot.cli import cli
    from socialbot.commands import status as status_command

    last = AT - dt.timedelta(days=12)
    add(db, settings, tiny_rendered(), ["city_weibo"], last, now=last - dt.timedelta(days=1))
    run_due(settings, db, FakeChannels(settings), last)
    attention.report_stats_unavailable(db, "sub_wechat", "未认证账号没有数据接口权限（48001）",
                                       AT - dt.timedelta(hours=2))
    monkeypatch.setattr(status_command, "utcnow", lambda: AT)
    expiring = {"city_weibo": AT + dt.timedelta(days=2)}
    monkeypatch.setattr(status_reads, "token_expiry_hook",
                        lambda account, _settings, _kv: expiring.get(account.id))
    monkeypatch.setenv("COLUMNS", "240")

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["--config", str(settings.root / "config.toml"),
                                        "status", *args], catch_exceptions=False)

    shown = run()
    assert shown.exit_code == 3, shown.output
    found = attention.for_status(settings, db, AT,
                                 token_expiry=lambda a, _s, _kv: expiring.get(a.id))
    assert f"需要有人处理的提醒（{len(found)}）" in shown.output
    assert {f.kind for f in found} == set(attention.STATUS_KINDS)
    for f in found:
        assert f"! {f.label}｜{f.account}" in shown.output
    assert "统计数据无法获取" in shown.output and "48001" in shown.output
    assert "已连续 12 天没有发布新内容（上次发布是 2022-05-28 09:00）" in shown.output
    assert "授权将于 2022-06-11 09:00 过期（还剩 2 天）" in shown.output
    data = json.loads(run("--json").output)
    assert sorted(r["kind"] for r in data["reminders"]) == sorted(f.kind.value for f in found)

    attention.clear_stats_unavailable(db, "sub_wechat")
    expiring.clear()
    assert "统计数据无法获取" not in run().output
