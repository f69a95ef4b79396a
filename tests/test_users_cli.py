"""`socialbot users` and the [units] config: staff accounts made at a terminal, in Chinese,
passwords never on the command line, bad input refused with exit code 2."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from helpers import REPO
from web_support import CONFIG

from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.errors import ConfigError
from socialbot.passwords import verify_password
from socialbot.store import open_store, people, sessions


@pytest.fixture
def root(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG.format(
        templates=REPO / "templates" / "posts", assets=REPO / "assets"), encoding="utf-8")
    return tmp_path


def run(root, *args: str, stdin: str = ""):
    return CliRunner().invoke(cli, ["--config", str(root / "config.toml"), "users", *args],
                              input=stdin, catch_exceptions=False)


def test_first_admin_from_stdin_then_list(root):
    done = run(root, "add", "Admin", "--name", "市局管理员", "--role", "shsmr:admin",
               "--password-stdin", stdin="a-long-enough-secret\n")
    assert done.exit_code == 0, done.output
    assert "已添加用户 admin（市局管理员）：上海市市场监督管理局·管理员" in done.output
    done = run(root, "add", "lisi", "--role", "shsmr:reviewer:2", "--role", "pudong:editor",
               "--password-stdin", stdin="another-long-secret\n")
    assert done.exit_code == 0, done.output
    listed = run(root, "list").output
    assert "上海市市场监督管理局·复审" in listed and "浦东新区市场监督管理局·编辑" in listed
    assert "a-long-enough-secret" not in listed
    stored = people.password_hash_of(open_store(load_settings(root / "config.toml")), "admin")
    assert stored and stored[1].startswith("$argon2id$")
    assert verify_password(stored[1], "a-long-enough-secret")


def test_password_prompt_asks_twice(root):
    done = run(root, "add", "wang", "--role", "shsmr:editor",
               stdin="prompted-secret-1\nprompted-secret-1\n")
    assert done.exit_code == 0, done.output
    assert "再输入一次密码" in done.output and "prompted-secret-1" not in done.output


def test_a_password_cannot_be_given_as_an_argument(root):
    done = run(root, "add", "wang", "--role", "shsmr:editor", "--password", "x" * 12)
    assert done.exit_code == 2


@pytest.mark.parametrize(("args", "stdin", "reason"), [
    (("add", "wang", "--role", "nowhere:editor", "--password-stdin"), "long-enough-1",
     "单位代号应为 shsmr、pudong 之一"),
    (("add", "wang", "--role", "shsmr:boss", "--password-stdin"), "long-enough-1",
     "角色应为 editor"),
    (("add", "wang", "--role", "shsmr:reviewer:4", "--password-stdin"), "long-enough-1",
     "审级应为 1（初审）、2（复审）或 3（终审）"),
    (("add", "wang", "--password-stdin"), "long-enough-1", "至少需要一个角色"),
    (("add", "9wang", "--role", "shsmr:editor", "--password-stdin"), "long-enough-1",
     "用户名应为"),
    (("add", "wang", "--role", "shsmr:editor", "--password-stdin"), "short", "密码至少 10 个字符"),
    (("disable", "nobody"), "", "没有用户“nobody”"),
])
def test_bad_input_is_refused_in_chinese_and_adds_nobody(root, args, stdin, reason):
    done = run(root, *args, stdin=stdin + "\n")
    assert done.exit_code == 2, done.output
    assert reason in done.output and "Traceback" not in done.output
    assert people.list_people(open_store(load_settings(root / "config.toml"))) == []


def test_duplicate_name_is_refused(root):
    assert run(root, "add", "wang", "--role", "shsmr:editor", "--password-stdin",
               stdin="long-enough-1\n").exit_code == 0
    done = run(root, "add", "WANG", "--role", "shsmr:editor", "--password-stdin",
               stdin="long-enough-2\n")
    assert done.exit_code == 2 and "“wang”已存在" in done.output


def test_passwd_and_disable_end_every_session(root):
    assert run(root, "add", "wang", "--role", "shsmr:editor", "--password-stdin",
               stdin="long-enough-1\n").exit_code == 0
    db = open_store(load_settings(root / "config.toml"))
    user_id = people.get_person(db, "wang").id
    now = dt.datetime.now(dt.UTC)
    idle = dt.timedelta(minutes=30)
    token, _ = sessions.create_session(db, user_id, now, dt.timedelta(hours=1))
    assert run(root, "passwd", "wang", "--password-stdin",
               stdin="long-enough-2\n").exit_code == 0
    assert sessions.load_session(db, token, now, idle) is None
    assert verify_password(people.password_hash_of(db, "wang")[1], "long-enough-2")
    token, _ = sessions.create_session(db, user_id, now, dt.timedelta(hours=1))
    assert run(root, "disable", "wang").exit_code == 0
    assert sessions.load_session(db, token, now, idle) is None
    assert people.password_hash_of(db, "wang") is None  # cannot sign in
    assert "已停用" in run(root, "list").output


def test_units_in_config_and_an_account_naming_an_unknown_unit(root):
    settings = load_settings(root / "config.toml", environ={})
    assert settings.units["shsmr"].sees_all and not settings.units["pudong"].sees_all
    assert settings.unit_of("pudong_wechat") == "pudong"
    text = (root / "config.toml").read_text("utf-8").replace('unit = "pudong"', 'unit = "minhang"')
    (root / "config.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(root / "config.toml", environ={})
    assert "[accounts.pudong_wechat]" in err.value.render()
    assert "unit “minhang” 不是已配置的单位（有：shsmr、pudong）" in err.value.render()
