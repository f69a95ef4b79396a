"""The queue and daemon commands as staff run them: Chinese messages, exit codes, no half-adds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import NEWS_POST
from test_store_helpers import FakeChannels, make_settings, snapshot

from socialbot import channel_source, runner
from socialbot.cli import cli
from socialbot.commands import status as status_command
from socialbot.commands.output import StaffLogFormatter
from socialbot.errors import Problem
from socialbot.store import open_store
from socialbot.store_rules import rules_of

POST = NEWS_POST


def write_post(root: Path, name: str, title: str = "传递质量信任，服务绿色发展",
               body: str = "") -> Path:
    path = root / "posts" / name
    path.write_text(POST.format(title=title, body=body), encoding="utf-8")
    return path


class Env:
    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.root = root
        self.settings = make_settings(root)
        self.channels = FakeChannels(self.settings)
        monkeypatch.setattr(channel_source, "default_channels", lambda _settings: self.channels)
        monkeypatch.setenv("COLUMNS", "240")
        self.db = open_store(self.settings)
        write_post(root, "0609-wad.md")
        write_post(root, "0610-forum.md", title="品牌论坛")
        write_post(root, "0613-training.md", title="系列宣贯培训")

    def run(self, *args: str, by_user: str | None = None):
        runner = CliRunner()
        return runner.invoke(cli, ["--config", str(self.root / "config.toml"), *args],
                             catch_exceptions=False)

    def later(self, **delta: float) -> str:
        when = dt.datetime.now(self.settings.tz) + dt.timedelta(**delta)
        return when.strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = Env(tmp_path, monkeypatch)
    yield e
    e.db.dispose()


def test_add_list_show_approve_audit(env):
    at = env.later(days=2)
    result = env.run("queue", "add", "0609-wad", "--at", at, "--to", "sub_wechat,city_weibo",
                     "--by", "张三")
    assert result.exit_code == 0, result.output
    assert "已加入队列：编号 1" in result.output and "需要审核" in result.output
    listed = env.run("queue", "list")
    assert "0609-wad" in listed.output and "sub_wechat：待审核" in listed.output
    data = json.loads(env.run("queue", "list", "--json").output)
    assert data[0]["deliveries"][1]["state"] in ("queued", "approved")
    own = env.run("queue", "approve", "1", "--by", "张三")
    assert own.exit_code == 2 and "作者不能审核自己的稿件" in own.output
    ok = env.run("queue", "approve", "1", "--by", "李四")
    assert ok.exit_code == 0 and "已审核通过" in ok.output
    shown = env.run("queue", "show", "1")
    assert "已通过（李四）" in shown.output and "微博正文" in shown.output
    audit = json.loads(env.run("audit", "--json").output)
    assert [(a["action"], a["actor"]) for a in audit][-1] == ("approve", "李四")
    assert {a["action"] for a in audit} >= {"add", "approve"}
    table = env.run("audit")
    assert "审核通过" in table.output and "加入队列" in table.output


@pytest.mark.parametrize(("args", "reason"), [
    (("0609-wad", "--at", "2020-01-01 09:00", "--to", "city_weibo"), "已经过去"),
    (("0609-wad", "--at", "+2d", "--to", "nobody"), "未知账号 nobody"),
    (("0609-wad", "--at", "明天上午", "--to", "city_weibo"), "无法识别的时间"),
    (("missing-post", "--at", "+2d", "--to", "city_weibo"), "稿件文件不存在"),
    (("0609-bad", "--at", "+2d", "--to", "city_weibo"), "稿件 0609-bad 的头信息"),
])
def test_refusals_are_in_chinese_and_leave_the_queue_unchanged(env, args, reason):
    (env.root / "posts" / "0609-bad.md").write_text("---\ntitle: [未闭合\n---\n正文\n", "utf-8")
    env.run("queue", "add", "0610-forum", "--at", env.later(days=3), "--to", "city_weibo")
    before = snapshot(env.db)
    args = tuple(env.later(days=2) if a == "+2d" else a for a in args)
    result = env.run("queue", "add", *args)
    assert result.exit_code == 2
    assert "未加入队列" in result.output or "有误" in result.output
    if reason.startswith("稿件 0609-bad"):
        assert "0609-bad.md 第 2 行：方括号 [ ] 没有正确结束" in result.output
    else:
        assert reason in result.output
    assert snapshot(env.db) == before


def test_all_reasons_are_listed_at_once(env):
    env.channels("city_weibo").problems = [Problem("微博正文", "超过 140 字")]
    result = env.run("queue", "add", "0609-wad", "--at", "2020-01-01 09:00",
                     "--to", "city_weibo,ghost")
    assert result.exit_code == 2
    for reason in ("已经过去", "ghost", "超过 140 字"):
        assert reason in result.output


def test_same_day_joins_the_message_and_a_used_up_day_is_refused(env):
    from socialbot.store import quota

    day = (dt.datetime.now(env.settings.tz) + dt.timedelta(days=2)).strftime("%Y-%m-%d")
    first = env.run("queue", "add", "0609-wad", "--at", f"{day} 09:00", "--to", "sub_wechat")
    assert first.exit_code == 0, first.output
    second = env.run("queue", "add", "0610-forum", "--at", f"{day} 18:00", "--to", "sub_wechat",
                     "--position", "1")
    assert second.exit_code == 0, second.output  # the day's message carries both
    later = dt.date.fromisoformat(day) + dt.timedelta(days=3)
    with env.db.tx() as conn:  # a send made from the 公众号 backend used that day up
        quota.mark_full(conn, "sub_wechat", rules_of(env.settings).accounts["sub_wechat"].quota,
                        dt.datetime.combine(later, dt.time(12), tzinfo=env.settings.tz))
    before = snapshot(env.db)
    third = env.run("queue", "add", "0613-training", "--at", f"{later} 18:00", "--to", "sub_wechat")
    assert third.exit_code == 2
    next_day = (later + dt.timedelta(days=1)).isoformat()
    assert "订阅号每天" in third.output and f"下一个可用时间：{next_day} 18:00" in third.output
    assert snapshot(env.db) == before


def test_unapproved_post_is_held_and_reported_by_status(env, monkeypatch):
    env.run("queue", "add", "0609-wad", "--at", env.later(minutes=2), "--to", "sub_wechat")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    monkeypatch.setattr(runner, "utcnow", lambda: later)
    monkeypatch.setattr(status_command, "utcnow", lambda: later)
    before = snapshot(env.db)
    ran = env.run("run", "--once")
    assert ran.exit_code == 0 and "现在没有到期的稿件" in ran.output
    assert env.channels.all_published() == []
    assert snapshot(env.db) == before  # held as it was: still queued, nothing attempted
    status = env.run("status")
    assert status.exit_code == 3 and "还没有审核通过" in status.output
    data = json.loads(env.run("status", "--json").output)
    assert data["needs_attention"] and data["attention"][0]["account"] == "sub_wechat"


def test_run_once_publishes_what_is_due(env, monkeypatch):
    env.run("queue", "add", "0609-wad", "--at", env.later(minutes=2), "--to", "city_weibo")
    assert env.run("status").exit_code == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    monkeypatch.setattr(runner, "utcnow", lambda: later)
    ran = env.run("run", "--once")
    assert "city_weibo：已发送" in ran.output and "已发送 1 项" in ran.output
    assert len(env.channels("city_weibo").published) == 1
    again = env.run("run", "--once")
    assert "现在没有到期的稿件" in again.output


def test_edit_voids_approval_when_content_changes(env):
    env.run("queue", "add", "0609-wad", "--at", env.later(days=2), "--to", "sub_wechat",
            "--by", "张三")
    env.run("queue", "approve", "1", "--by", "李四")
    same = env.run("queue", "edit", "1")
    assert "内容没有变化" in same.output
    write_post(env.root, "0609-wad.md", body="新增一句话。")
    changed = env.run("queue", "edit", "1", "--by", "张三")
    assert changed.exit_code == 0 and "审核已作废" in changed.output
    assert "sub_wechat：待审核" in env.run("queue", "list").output
    (env.root / "posts" / "0609-wad.md").write_text("---\ntemplate: news\n---\n", "utf-8")
    before = snapshot(env.db)
    broken = env.run("queue", "edit", "1")
    assert broken.exit_code == 2 and "队列未改变" in broken.output
    assert snapshot(env.db) == before


def test_reject_cancel_reschedule_retry_messages(env):
    env.run("queue", "add", "0609-wad", "--at", env.later(days=2), "--to", "svc_wechat,city_weibo")
    rejected = env.run("queue", "reject", "1", "--by", "李四", "--reason", "标题需要修改")
    assert "已退回：标题需要修改" in rejected.output
    assert "已退回：标题需要修改" in env.run("queue", "list").output
    moved = env.run("queue", "reschedule", "1", "--at", env.later(days=3))
    assert moved.exit_code == 0 and "改到" in moved.output
    past = env.run("queue", "reschedule", "1", "--at", "2020-01-01 09:00")
    assert past.exit_code == 2 and "已经过去" in past.output
    nothing = env.run("queue", "retry", "1")
    assert nothing.exit_code == 2 and "没有需要重试的目标" in nothing.output
    cancelled = env.run("queue", "cancel", "1", "--account", "city_weibo")
    assert "已取消：city_weibo" in cancelled.output
    missing = env.run("queue", "show", "99")
    assert missing.exit_code == 2 and "没有编号 99" in missing.output


def test_pause_resume_and_status_json(env):
    env.run("queue", "add", "0609-wad", "--at", env.later(days=2), "--to", "city_weibo")
    paused = env.run("pause", "--reason", "突发事件")
    assert "已暂停全部账号，1 个待发布目标被冻结" in paused.output
    data = json.loads(env.run("status", "--json").output)
    assert data["paused"][0]["reason"] == "突发事件"
    assert data["next_due"][0]["paused"] is True
    assert "（暂停）" in env.run("queue", "list").output
    resumed = env.run("resume")
    assert "已恢复：全部账号" in resumed.output
    assert "当前没有对应的暂停" in env.run("resume").output
    assert [q["account"] for q in data["quota"]] == ["sub_wechat", "mass_service", "city_weibo"]


def test_recurring_add_creates_a_series(env):
    result = env.run("queue", "add", "0613-training", "--cron", "0 9 * * 1",
                     "--to", "city_weibo")
    assert result.exit_code == 0, result.output
    assert "周期 0 9 * * 1" in result.output and "首次发布时间" in result.output
    bad = env.run("queue", "add", "0610-forum", "--cron", "0 9 * *", "--to", "city_weibo")
    assert bad.exit_code == 2 and "应有 5 段" in bad.output


def test_import_csv_all_or_nothing(env):
    t1, t2 = env.later(days=2), env.later(days=3)
    good = env.root / "calendar.csv"
    good.write_text(f"post,time,accounts\n0609-wad,{t1},city_weibo\n"
                    f"0610-forum,{t2},\"city_weibo;svc_wechat\"\n", encoding="utf-8")
    bad = env.root / "bad.csv"
    bad.write_text(f"post,time,accounts\n0613-training,{t1},city_weibo\n"
                   f"0610-forum,2020-01-01 09:00,city_weibo\nnope,{t2},ghost\n", encoding="utf-8")
    before = snapshot(env.db)
    refused = env.run("queue", "import", str(bad))
    assert refused.exit_code == 2
    out = refused.output
    assert "第 3 行" in out and "已经过去" in out and "第 4 行" in out and "ghost" in out
    assert "因其他条目有误，未加入" in out and "整个日程都没有加入队列" in out
    assert snapshot(env.db) == before
    imported = env.run("queue", "import", str(good))
    assert imported.exit_code == 0, imported.output
    assert "已加入 2 篇稿件" in imported.output
    assert len(json.loads(env.run("queue", "list", "--json").output)) == 2


def test_import_toml(env):
    calendar = env.root / "calendar.toml"
    calendar.write_text(
        f'[[entry]]\npost = "posts/0609-wad.md"\ntime = "{env.later(days=2)}"\n'
        f'accounts = ["city_weibo"]\nby = "张三"\n\n'
        f'[[entry]]\npost = "0613-training"\ncron = "0 9 * * 1"\naccounts = ["city_weibo"]\n',
        encoding="utf-8")
    result = env.run("queue", "import", str(calendar))
    assert result.exit_code == 0, result.output
    audit = json.loads(env.run("audit", "--json").output)
    assert {a["action"] for a in audit} == {"import"}
    assert "张三" in {a["actor"] for a in audit}


def test_calendar_that_cannot_be_read_is_a_message(env):
    from socialbot.calendar_import import read_calendar
    from socialbot.errors import StoreError

    folder = env.root / "calendar.csv"
    folder.mkdir()
    with pytest.raises(StoreError) as info:
        read_calendar(folder)
    assert "日程文件无法读取" in info.value.render()


@pytest.mark.parametrize("tick", ["0", "-1"])
def test_run_refuses_a_tick_that_would_spin(env, tick):
    result = env.run("run", "--once", "--tick", tick)
    assert result.exit_code == 2
    assert "--tick" in result.output and "检查间隔" in result.output


def test_post_without_accounts_goes_to_every_account_as_previewed(env):
    result = env.run("queue", "add", "0609-wad", "--at", env.later(days=2), "--by", "张三")
    assert result.exit_code == 0, result.output
    (item,) = json.loads(env.run("queue", "list", "--json").output)
    assert {d["account"] for d in item["deliveries"]} == set(env.settings.accounts)


def test_unreadable_time_is_not_also_reported_as_missing(env):
    result = env.run("queue", "add", "0609-wad", "--at", "tomorrow", "--to", "city_weibo")
    assert result.exit_code == 2
    assert "无法识别的时间“tomorrow”" in result.output
    assert "缺少发布时间" not in result.output


def test_list_refuses_an_unknown_state(env):
    result = env.run("queue", "list", "--state", "bogus")
    assert result.exit_code == 2
    assert "未知状态“bogus”" in result.output and "failed（失败）" in result.output


def test_daemon_log_times_are_in_the_configured_time_zone(env):
    import logging

    record = logging.LogRecord("socialbot.pipeline", logging.INFO, __file__, 1, "x", None, None)
    record.created = dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC).timestamp()
    line = StaffLogFormatter(env.settings.tz).format(record)
    assert line == "2022-06-09 09:00:00 信息 x"  # 01:00 UTC is 09:00 in Shanghai


@pytest.mark.parametrize(("args", "expected"), [
    (("queue", "show", "abc"), "不是有效的数字"),
    (("queue", "approve", "1"), "缺少选项 '--by'"),
    (("queue", "shw", "1"), "没有命令"),
    (("queue", "list", "--al"), "没有选项"),
])
def test_usage_mistakes_are_explained_in_chinese(env, args, expected):
    result = env.run(*args)
    assert result.exit_code == 2
    assert expected in result.output and "错误：" in result.output and "用法：" in result.output
    assert "Error" not in result.output and "Usage" not in result.output


def test_help_headings_are_chinese(env):
    result = env.run("queue", "--help")
    assert result.exit_code == 0
    assert "选项" in result.output and "命令" in result.output
    assert "显示本帮助并退出" in result.output
    assert "Options" not in result.output and "Show this message" not in result.output


def test_broken_toml_calendar_is_a_located_chinese_message(env):
    calendar = env.root / "calendar.toml"
    calendar.write_text('[[entry]]\npost = "posts/0609-wad.md"\ntime = \n', encoding="utf-8")
    result = env.run("queue", "import", str(calendar))
    assert result.exit_code == 2, result.output
    assert "calendar.toml 第 3 行" in result.output
    assert "日程文件格式有误" in result.output
    assert "Invalid" not in result.output and "Traceback" not in result.output
    assert json.loads(env.run("queue", "list", "--json").output) == []
