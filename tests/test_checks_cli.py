"""Content checks as staff meet them: check, preview, queue add/import/approve/edit, publish.

Blocked posts never reach the queue; a warned post needs a reviewer's written reason,
bound to its content and its warnings, and the reason is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_store_helpers import FakeChannels, make_settings, snapshot

from socialbot import channel_source
from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.store import open_store
from socialbot.store.models import State
from socialbot.store.queue import deliveries_of, get_post
from tests.helpers import REPO

CHECKS = f"""
[checks]
sensitive_words = "{REPO / 'wordlists' / 'sensitive.txt'}"
misspellings = "{REPO / 'wordlists' / 'misspellings.txt'}"
official_names = "{REPO / 'wordlists' / 'official_names.txt'}"
"""

POST = """\
---
template: news
title: {title}
author: 上海市场监管
digest: 2022年6月9日是第15个“世界认可日”。
weibo: 【6·9世界认可日】{title}
details:
  source: {source}
---
2022年6月9日是第15个“世界认可日”。

{body}
"""

# Line numbers below count from the first line of the file.
BAD_BODY = """\
直播时间：【待补充：直播时间】

有关人员要再接再励，做好工作。

联系人身份证号：11010519491231002X

不得使用“台湾总统”这种说法。
"""


class Env:
    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, checks: str = CHECKS):
        make_settings(root)
        config = root / "config.toml"
        config.write_text(config.read_text("utf-8") + checks, "utf-8")
        self.root = root
        self.settings = load_settings(config)
        self.channels = FakeChannels(self.settings)
        monkeypatch.setattr(channel_source, "default_channels", lambda _settings: self.channels)
        monkeypatch.setenv("COLUMNS", "300")
        self.db = open_store(self.settings)

    def post(self, name: str, *, title: str = "传递质量信任，服务绿色发展", body: str = "",
             source: str = "上海市市场监督管理局") -> Path:
        path = self.root / "posts" / name
        path.write_text(POST.format(title=title, body=body, source=source), encoding="utf-8")
        return path

    def run(self, *args: str):
        return CliRunner().invoke(cli, ["--config", str(self.root / "config.toml"), *args],
                                  catch_exceptions=False)

    def later(self, days: int = 2) -> str:
        when = dt.datetime.now(self.settings.tz) + dt.timedelta(days=days)
        return when.strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    e = Env(tmp_path, monkeypatch)
    yield e
    e.db.dispose()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_check_reports_each_finding_with_its_location_and_exits_2(env: Env) -> None:
    path = env.post("0609-bad.md", title="实验室云开放,再接再励", body=BAD_BODY)
    result = env.run("check", str(path))
    out = _one_line(result.output)
    assert result.exit_code == 2
    assert "0609-bad.md 第 12 行（正文）" in out and "【待补充：直播时间】" in out
    assert "0609-bad.md 第 14 行（正文）" in out and "“再接再励”是错别字，应为“再接再厉”" in out
    assert "0609-bad.md 第 16 行（正文）" in out and "身份证号" in out
    assert "11010519491231002X" not in out  # the finding does not repeat personal data
    assert "0609-bad.md 第 18 行（正文）" in out and "“台湾总统”是错敏词" in out
    assert "0609-bad.md 字段 title（第 3 行）" in out and "[拦截·错别字]" in out
    assert "[提醒·标点]" in out and "Traceback" not in result.output


def test_blocked_post_never_reaches_the_queue(env: Env) -> None:
    env.post("0609-bad.md", body=BAD_BODY)
    before = snapshot(env.db)
    result = env.run("queue", "add", "0609-bad", "--at", env.later(), "--to", "sub_wechat",
                     "--by", "张三")
    out = _one_line(result.output)
    assert result.exit_code == 2 and "未加入队列" in out
    for excerpt in ("占位内容", "错别字", "身份证号", "错敏词"):
        assert excerpt in out
    assert snapshot(env.db) == before


def test_import_is_all_or_nothing_and_lists_every_finding(env: Env) -> None:
    env.post("0609-good.md")
    env.post("0610-bad.md", body=BAD_BODY)
    calendar = env.root / "calendar.csv"
    calendar.write_text(f"post,time,accounts\n0609-good.md,{env.later(2)},sub_wechat\n"
                        f"0610-bad.md,{env.later(3)},sub_wechat\n", "utf-8")
    before = snapshot(env.db)
    result = env.run("queue", "import", str(calendar), "--by", "张三")
    out = _one_line(result.output)
    assert result.exit_code == 2 and "整个日程都没有加入队列" in out
    assert "第 14 行（正文）" in out and "第 16 行（正文）" in out and "第 18 行（正文）" in out
    assert snapshot(env.db) == before


def test_warned_post_needs_a_reason_and_the_override_is_audited(env: Env) -> None:
    path = env.post("0609-warn.md", body="国家市场监管总局确定了国内主题。")
    checked = env.run("check", str(path))
    assert checked.exit_code == 0, checked.output
    assert "[提醒·规范名称]" in _one_line(checked.output)

    added = env.run("queue", "add", "0609-warn", "--at", env.later(), "--to", "sub_wechat",
                    "--by", "张三")
    assert added.exit_code == 0, added.output
    assert "--override-warnings" in added.output

    refused = env.run("queue", "approve", "1", "--by", "李四")
    assert refused.exit_code == 2
    assert "国家市场监管总局" in _one_line(refused.output)
    assert "--override-warnings" in refused.output

    ok = env.run("queue", "approve", "1", "--by", "李四", "--override-warnings",
                 "引用总局文件原文，名称照录")
    assert ok.exit_code == 0, ok.output
    with env.db.tx(write=False) as conn:
        post = get_post(conn, 1)
        assert [d.state for d in deliveries_of(conn, 1)] == [State.APPROVED]
    audit = json.loads(env.run("audit", "--json").output)
    [override] = [a for a in audit if a["action"] == "override"]
    assert override["actor"] == "李四" and override["content_hash"] == post.content_hash
    assert "引用总局文件原文，名称照录" in override["detail"]
    assert "国家市场监管总局" in override["detail"] and "放行指纹" in override["detail"]
    assert "已由 李四 放行" in env.run("queue", "show", "1").output


def test_an_edit_voids_the_override(env: Env) -> None:
    path = env.post("0609-warn.md", body="国家市场监管总局确定了国内主题。")
    env.run("queue", "add", "0609-warn", "--at", env.later(), "--to", "sub_wechat", "--by", "张三")
    env.run("queue", "approve", "1", "--by", "李四", "--override-warnings", "名称照录")
    path.write_text(path.read_text("utf-8") + "\n国家市场监管局也发布了通知。\n", "utf-8")
    edited = env.run("queue", "edit", "1", "--by", "张三")
    assert edited.exit_code == 0, edited.output
    with env.db.tx(write=False) as conn:
        post = get_post(conn, 1)
        assert not post.approved and len(post.warnings) == 2
        assert [d.state for d in deliveries_of(conn, 1)] == [State.QUEUED]


def test_warnings_need_an_override_even_where_the_account_needs_no_review(env: Env) -> None:
    env.post("0609-warn.md", body="国家市场监管总局确定了国内主题。")
    env.post("0609-clean.md", title="第15个世界认可日")
    env.run("queue", "add", "0609-warn", "--at", env.later(), "--to", "city_weibo", "--by", "张三")
    env.run("queue", "add", "0609-clean", "--at", env.later(3), "--to", "city_weibo",
            "--by", "张三")
    with env.db.tx(write=False) as conn:
        assert [d.state for d in deliveries_of(conn, 1)] == [State.QUEUED]
        assert [d.state for d in deliveries_of(conn, 2)] == [State.APPROVED]
    env.run("queue", "approve", "1", "--by", "李四", "--override-warnings", "名称照录")
    with env.db.tx(write=False) as conn:
        assert [d.state for d in deliveries_of(conn, 1)] == [State.APPROVED]


def test_preview_leaves_out_blocked_posts_and_shows_warnings(env: Env) -> None:
    env.post("0609-bad.md", body=BAD_BODY)
    env.post("0609-warn.md", body="国家市场监管总局确定了国内主题。")
    out = env.root / "preview"
    result = env.run("preview", "--out", str(out))
    text = _one_line(result.output)
    assert result.exit_code == 2
    assert "0609-bad.md" in text and "错敏词" in text
    assert not (out / "posts" / "0609-bad").exists()
    assert (out / "posts" / "0609-warn" / "index.html").is_file()
    assert "[提醒·规范名称]" in text
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert plan["failed_posts"] == ["0609-bad.md"]


def test_publish_now_refuses_blocks_and_unexplained_warnings(env: Env) -> None:
    bad = env.post("0609-bad.md", body=BAD_BODY)
    warn = env.post("0609-warn.md", body="国家市场监管总局确定了国内主题。")
    blocked = env.run("publish", str(bad), "--account", "city_weibo", "--now")
    assert blocked.exit_code == 2 and "内容检查未通过" in blocked.output
    warned = env.run("publish", str(warn), "--account", "city_weibo", "--now")
    assert warned.exit_code == 2 and "--override-warnings" in warned.output


def test_levels_come_from_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env(tmp_path, monkeypatch, CHECKS + '[checks.levels]\nofficial_name = "block"\n')
    path = env.post("0609-warn.md", body="国家市场监管总局确定了国内主题。")
    result = env.run("check", str(path))
    assert result.exit_code == 2 and "[拦截·规范名称]" in result.output
    env.db.dispose()


@pytest.mark.parametrize(("checks", "expected"), [
    ('[checks]\nmisspellings = "lists/none.txt"\n', "lists/none.txt"),
    ('[checks]\nwordz = "x.txt"\n', "未知配置项 wordz"),
    ('[checks.levels]\ntypo = "block"\n', "未知规则 typo"),
    ('[checks.levels]\nmisspelling = "off"\n', "misspelling 应为"),
])
def test_check_config_errors_are_clear(tmp_path: Path, monkeypatch, checks, expected) -> None:
    make_settings(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(config.read_text("utf-8") + checks, "utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "check"])
    assert result.exit_code == 2 and expected in result.output
    assert "Traceback" not in result.output


def test_a_malformed_word_list_names_its_lines(tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "misspellings.txt"
    bad.write_text("# 注释\n再接再励\n再接再励 → 再接再厉\n再接再励 → 再接再厉\n厉 → 励\n", "utf-8")
    env = Env(tmp_path, monkeypatch, f'[checks]\nmisspellings = "{bad}"\n')
    env.post("0609-clean.md")
    for args in (("check",), ("queue", "add", "0609-clean", "--at", env.later(), "--to",
                             "sub_wechat")):
        result = env.run(*args)
        out = _one_line(result.output)
        assert result.exit_code == 2, result.output
        assert "misspellings.txt 第 2 行" in out and "缺少正确写法" in out
        assert "misspellings.txt 第 4 行" in out and "与第 3 行重复" in out
        assert "misspellings.txt 第 5 行" in out and "太短" in out
    env.db.dispose()


def test_an_edit_that_adds_a_block_is_refused_and_changes_nothing(env: Env) -> None:
    path = env.post("0609-clean.md")
    env.run("queue", "add", "0609-clean", "--at", env.later(), "--to", "sub_wechat", "--by", "张三")
    before = snapshot(env.db)
    path.write_text(path.read_text("utf-8") + "\n时间：【待补充：时间】\n", "utf-8")
    result = env.run("queue", "edit", "1", "--by", "张三")
    assert result.exit_code == 2 and "占位内容" in result.output
    assert snapshot(env.db) == before


def test_config_text_that_every_post_shows_is_checked_too(env: Env) -> None:
    """The campaign's name, theme and slogan and the organisation's names go out in every
    post; previously a misspelling or a placeholder there passed every check."""
    config = env.root / "config.toml"
    text = config.read_text("utf-8")
    slogan = next(line for line in text.splitlines() if line.startswith("slogan"))
    config.write_text(text.replace(slogan, 'slogan = "再接再励，【待补充：口号】"'), "utf-8")
    path = env.post("0609-good.md")

    result = env.run("check", str(path))

    out = _one_line(result.output)
    assert result.exit_code == 2, out
    assert "config.toml 字段 campaign.slogan" in out and "“再接再励”是错别字" in out
    assert "【待补充：口号】" in out and "Traceback" not in result.output
