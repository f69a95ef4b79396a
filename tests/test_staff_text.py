"""What staff read: Beijing times, Chinese database errors, exit codes, Click's words, logs,
and output that stays readable in an 80- or 60-column terminal.

The CLI runs as staff run it: click's CliRunner against a real SQLite file, or a real
``python -m socialbot`` process where stderr and the log handler matter.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import NEWS_POST
from rich.cells import cell_len
from sqlalchemy.exc import OperationalError
from test_store_helpers import (
    FakeChannels,
    entry,
    make_settings,
    practice_settings,
    socialbot_cmd,
    tiny_rendered,
)

from socialbot import channel_source
from socialbot.cli import cli
from socialbot.delivery import DeliveryResult, Outcome
from socialbot.kv import MemoryKeyValueStore
from socialbot.platforms.common.memo import DeliveryMemo
from socialbot.store import open_store
from socialbot.store.errors import database_problem
from socialbot.store.queue import add_entries
from socialbot.store_rules import rules_of
from socialbot_practice import PracticePlatform
from tests import processes

ISO_OR_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|UTC")
ACCOUNT = "city_weibo"
LONG_TITLE = "传递质量信任，服务绿色发展：2022年世界认可日系列宣传活动启动"


class Desk:
    """A config, posts and a real SQLite queue; the CLI as staff run it."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.root = root
        self.settings = make_settings(root)
        self.channels = FakeChannels(self.settings)
        monkeypatch.setattr(channel_source, "default_channels", lambda _settings: self.channels)
        for name, title in (("0609-world-accreditation-day.md", LONG_TITLE),
                            ("0610-forum.md", "“上海品牌”认证分论坛：共话品牌建设")):
            (root / "posts" / name).write_text(NEWS_POST.format(title=title, body=""),
                                               encoding="utf-8")

    def run(self, *args: str, columns: int | None = None, **env: str):
        if columns:
            env["COLUMNS"] = str(columns)
        return CliRunner().invoke(cli, ["--config", str(self.root / "config.toml"), *args],
                                  env=env, catch_exceptions=False, prog_name="socialbot")

    def later(self, **delta: float) -> str:
        return (dt.datetime.now(self.settings.tz) + dt.timedelta(**delta)).strftime(
            "%Y-%m-%d %H:%M")


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    return Desk(tmp_path, monkeypatch)


def published_desk(desk: Desk) -> str:
    """Two posts queued (one sent by run --once), so every view has times to show."""
    at = desk.later(days=2)
    for name in ("0609-world-accreditation-day", "0610-forum"):
        added = desk.run("queue", "add", name, "--at", at, "--to", f"{ACCOUNT},svc_wechat",
                         "--by", "张三")
        assert added.exit_code == 0, added.output
    assert desk.run("queue", "approve", "1", "--by", "李四").exit_code == 0
    assert desk.run("queue", "reschedule", "1", "--at", desk.later(minutes=0)).exit_code == 0
    assert desk.run("run", "--once").exit_code == 0
    return at


# --- times --------------------------------------------------------------------------------


def test_every_human_view_shows_beijing_time_as_staff_write_it(desk: Desk) -> None:
    at = published_desk(desk)
    for args in (("queue", "list", "--all"), ("queue", "show", "1"), ("queue", "show", "2"),
                 ("status",), ("audit",)):
        out = desk.run(*args, columns=200).output
        assert not ISO_OR_UTC.search(out), (args, out)
        assert not re.search(r"\d{2}:\d{2}:\d{2}", out), (args, out)  # to the minute
    assert at in desk.run("queue", "show", "2", columns=200).output


def test_json_keeps_iso_but_in_the_configured_zone(desk: Desk) -> None:
    published_desk(desk)
    texts = [desk.run(*args).output for args in (
        ("queue", "list", "--all", "--json"), ("queue", "show", "1", "--json"),
        ("status", "--json"), ("audit", "--json"))]
    for text in texts:
        json.loads(text)
        assert "+00:00" not in text, text
    assert all(re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", t) for t in texts)
    shown = json.loads(texts[1])
    assert shown["attempts"][0]["calls"] == [] or "+08:00" in shown["attempts"][0]["calls"][0]


def test_an_already_published_memo_shows_the_time_staff_read() -> None:
    now = dt.datetime(2026, 11, 28, 22, 8, 9, tzinfo=dt.UTC)
    memo = DeliveryMemo(MemoryKeyValueStore(), "key", lambda: now)
    memo.sent("已发布", details={})
    done = memo.done()
    assert done is not None
    assert "2026-11-29 06:08" in done.message and not ISO_OR_UTC.search(done.message)


# --- database errors ----------------------------------------------------------------------

ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"socialbot", "database", "path", "url", "PostgreSQL", "SQLite", "postgresql",
           "psycopg", "pip", "install", "postgres", "mode", "uri", "true", "file", "proc",
           "nope", "nosuchdb", "status", "tmp", "pytest", "root", "localhost", "test"}


def english_words(text: str) -> set[str]:
    text = re.sub(r"/\S+", " ", text)  # paths and URLs are names, not English
    return {w for w in ENGLISH.findall(text) if w not in ALLOWED and not w.startswith("pytest")}


def with_database(desk: Desk, line: str) -> Desk:
    config = desk.root / "config.toml"
    text = config.read_text("utf-8").replace('path = "queue.db"', line)
    config.write_text(text, "utf-8")
    return desk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("database", "expected"), [
    ('path = "garbage.db"', "已损坏，或不是 socialbot 的数据库"),
    ('path = "/proc/no-such-folder/queue.db"', "无法创建数据库所在的文件夹"),
    ("url = \"postgresql+psycopg://postgres@127.0.0.1:{port}/test\"", "无法连接 PostgreSQL"),
])
def test_database_failures_are_explained_in_chinese(desk: Desk, database: str,
                                                    expected: str) -> None:
    (desk.root / "garbage.db").write_bytes(b"this is not a database, not at all" * 40)
    with_database(desk, database.format(port=free_port()))
    for args in (("queue", "list"), ("status",), ("run", "--once")):
        result = desk.run(*args)
        assert result.exit_code == 3, (args, result.output)
        assert expected in result.output and "Traceback" not in result.output
        assert english_words(result.output) == set(), result.output


def test_a_read_only_database_says_so(desk: Desk) -> None:
    assert desk.run("status").exit_code == 0  # creates the database
    db = desk.root / "queue.db"
    with_database(desk, f'url = "sqlite:///file:{db}?mode=ro&uri=true"')
    result = desk.run("pause", "--reason", "演练")
    assert result.exit_code == 3
    assert "只读" in result.output and english_words(result.output) == set(), result.output


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_named(desk: Desk) -> None:
    import os

    base = os.environ.get("SOCIALBOT_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("SOCIALBOT_TEST_POSTGRES_URL is not set")
    with_database(desk, f'url = "{base.rsplit("/", 1)[0]}/nosuchdb_socialbot"')
    result = desk.run("queue", "list")
    assert result.exit_code == 3 and "没有这个数据库" in result.output, result.output


@pytest.mark.parametrize(("driver_text", "expected"), [
    ("disk I/O error", "磁盘出错"),
    ("database is locked", "正被其他程序占用"),
    ("attempt to write a readonly database", "只读"),
    ("no such table: deliveries", "缺少 socialbot 需要的表"),
    ("database or disk is full", "磁盘已满"),
    ('connection failed: FATAL:  password authentication failed for user "x"', "拒绝登录"),
    ("connection refused", "无法连接"),
    ("permission denied for table posts", "权限不足"),
    ("server closed the connection unexpectedly", "连接中断"),
    ("something nobody has seen before", "请稍后重试"),
])
def test_driver_messages_map_to_chinese(driver_text: str, expected: str) -> None:
    exc = OperationalError("SELECT 1", {}, sqlite3.OperationalError(driver_text))
    text = database_problem(exc, "sqlite:////srv/socialbot/queue.db").render()
    assert expected in text and "/srv/socialbot/queue.db" in text
    assert driver_text not in text


# --- run --once exit code ------------------------------------------------------------------


def test_run_once_exits_3_when_every_send_failed(desk: Desk) -> None:
    for name in ("0609-world-accreditation-day", "0610-forum"):
        desk.run("queue", "add", name, "--at", desk.later(minutes=0), "--to", ACCOUNT)
    desk.channels(ACCOUNT).script = [DeliveryResult(Outcome.RETRY, "平台暂时不可用")] * 2
    failed = desk.run("run", "--once")
    assert failed.exit_code == 3, failed.output
    assert "已发送 0 项" in failed.output and "socialbot status" in failed.output


def test_run_once_exits_3_when_a_send_needs_a_person_and_0_when_all_went_out(desk: Desk) -> None:
    desk.run("queue", "add", "0609-world-accreditation-day", "--at", desk.later(minutes=0),
             "--to", ACCOUNT)
    desk.channels(ACCOUNT).script = [DeliveryResult(Outcome.FAILED, "内容违规")]
    assert desk.run("run", "--once").exit_code == 3
    desk.run("queue", "add", "0610-forum", "--at", desk.later(minutes=0), "--to", ACCOUNT)
    assert desk.run("run", "--once").exit_code == 0


# --- Click ---------------------------------------------------------------------------------

COMMAND_WORDS = {"socialbot", "queue", "approve", "add", "list", "show", "run", "status",
                 "audit", "publish", "help", "json", "version", "config"}


@pytest.mark.parametrize("args", [
    ("nosuch",), ("queue", "add"), ("queue", "approve", "1"), ("queue", "approve", "x", "--by",
                                                                "李四"),
    ("queue", "list", "--bogus"), ("run", "--parallel", "0"), ("run", "--tick", "abc"),
    ("status", "--json", "extra"), ("audit", "--limit", "x"), ("queue", "list", "--state"),
    ("publish",), ("queue", "shw", "1"),
])
def test_usage_errors_have_no_english(desk: Desk, args: tuple[str, ...]) -> None:
    result = desk.run(*args)
    assert result.exit_code == 2
    text = re.sub(r"'[^']*'|--?[a-z][a-z-]*", " ", result.output)
    typed = {w for a in args for w in re.findall(r"[A-Za-z]{2,}", a)}  # what staff typed
    left = {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in COMMAND_WORDS | typed}
    assert left == set(), result.output
    assert not re.search(r"\.\s*$", result.output.strip()), result.output  # no English stop


@pytest.mark.parametrize("args", [("--help",), ("queue",), ("run", "--help"),
                                  ("queue", "add", "--help"),
                                  ("audit", "--help")])
def test_help_is_chinese_down_to_metavars_and_headings(desk: Desk, args: tuple[str, ...]) -> None:
    out = desk.run(*args).output
    for english in ("Usage", "Options", "Commands", "[OPTIONS]", "COMMAND", "ARGS", "TEXT",
                    "INTEGER", "FLOAT", "QUEUE_ID", "POST", "<=x<="):
        assert english not in out, (english, out)
    assert "用法：socialbot" in out and "选项：" in out and "选项:" not in out


def test_version_is_chinese(desk: Desk) -> None:
    assert desk.run("--version").output.strip() == "socialbot 版本 0.1.0"


# --- logs ----------------------------------------------------------------------------------


def test_run_once_prints_each_result_once_and_logs_no_english_levels(tmp_path: Path) -> None:
    with PracticePlatform(port=0) as platform:
        settings = practice_settings(tmp_path, platform)
        db = open_store(settings)
        now = dt.datetime.now(dt.UTC)
        add_entries(db, rules_of(settings),
                    [entry(tiny_rendered("p1", "日志测试稿件"), ["wb_main"], now)],
                    now, actor="张三")
        db.dispose()
        done = processes.run(socialbot_cmd(settings.path, "run", "--once"), capture_output=True,
                             text=True, timeout=300)
    both = done.stdout + done.stderr
    assert done.returncode == 0, both
    assert both.count("wb_main：已发送") == 1, both
    assert "已发布到微博" in done.stdout
    for english in ("INFO", "WARNING", "ERROR", "DEBUG"):
        assert english not in both, both


def test_the_daemon_log_names_levels_in_chinese(tmp_path: Path, children) -> None:
    with PracticePlatform(port=0) as platform:
        settings = practice_settings(tmp_path, platform)
        log = tmp_path / "daemon.log"
        with log.open("w", encoding="utf-8") as out:
            proc = children.start(socialbot_cmd(settings.path, "run", "--tick", "0.5"),
                                  stdout=out, stderr=out)
        processes.wait_for(lambda: "守护进程已启动" in log.read_text("utf-8"), timeout=180,
                           what="the daemon to start")
        assert children.stop(proc, timeout=120) == 0
    text = log.read_text("utf-8")
    assert re.search(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 信息 守护进程已启动", text, re.M), text
    assert "INFO" not in text and "WARNING" not in text


# --- narrow terminals --------------------------------------------------------------------


def lines_fit(text: str, width: int) -> bool:
    return all(cell_len(line) <= width for line in text.splitlines())


@pytest.mark.parametrize("columns", [80, 60])
def test_queue_list_and_audit_keep_ids_times_and_accounts_whole(desk: Desk, columns: int) -> None:
    at = published_desk(desk)
    for args in (("queue", "list", "--all"), ("audit",), ("status",), ("queue", "show", "1")):
        out = desk.run(*args, columns=columns).output
        assert "…" not in out, out
        assert lines_fit(out, columns), out
        for whole in ("0609-world-accreditation-day", ACCOUNT, "svc_wechat"):
            if args[0] == "queue" or whole != "0609-world-accreditation-day":
                assert whole in out, (args, whole, out)
    listed = desk.run("queue", "list", "--all", columns=columns).output
    assert at in listed and LONG_TITLE[:6] in listed


@pytest.mark.parametrize("columns", [80, 60])
def test_check_wraps_messages_without_splitting_names(desk: Desk, columns: int) -> None:
    name = "0611-a-rather-long-post-file-name-for-the-check.md"
    photo = "images/这是一个不存在的图片文件名称很长的照片.jpg"
    (desk.root / "posts" / name).write_text(
        f"---\ntemplate: news\ntitle: 测试\ncover:\n  photo: {photo}\n---\n正文\n",
        encoding="utf-8")
    result = desk.run("check", columns=columns)
    out = result.output
    assert result.exit_code == 2
    assert lines_fit(out, columns), out
    for whole in (name, photo, "0609-world-accreditation-day.md", "cover.photo"):
        assert whole in out, (whole, out)


def test_output_for_a_script_is_not_wrapped(desk: Desk) -> None:
    published_desk(desk)
    out = desk.run("queue", "list", "--all").output  # no terminal, no COLUMNS
    assert LONG_TITLE in out and "…" not in out


def test_the_layout_never_splits_a_time_or_an_id() -> None:
    from socialbot.commands.layout import wrap

    text = f"改期：2030-06-09 09:00 → 2026-11-29 07:50；账号 shsmr_wechat，{LONG_TITLE}。"
    for width in (20, 30, 41):
        lines = wrap(text, width)
        joined = "\n".join(lines)
        assert all(cell_len(line) <= width for line in lines), lines
        for whole in ("2030-06-09 09:00", "2026-11-29 07:50", "shsmr_wechat"):
            assert whole in joined, (width, lines)
        assert not any(line.startswith(("，", "。", "；", "：")) for line in lines), lines



def test_file_system_failures_are_in_chinese_too(desk: Desk) -> None:
    import errno

    from socialbot.explain import os_reason

    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    assert os_reason(OSError(errno.EROFS, "Read-only file system")) == "磁盘是只读的"
    result = desk.run("preview", "--out", "/proc/no-such-folder/preview")
    assert result.exit_code == 2 and "预览文件无法写入" in result.output, result.output
    assert english_words(result.output) <= {"out"}, result.output
