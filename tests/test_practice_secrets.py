"""The practice platform hands the bot its secrets through the config's secrets file, and
``socialbot sandbox`` then ``socialbot run`` works with the shipped config as staff use it."""

from __future__ import annotations

import datetime as dt
import os
import signal
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.errors import ConfigError
from socialbot_practice import PracticePlatform
from socialbot_practice.config_accounts import (
    practice_accounts,
    provide_secrets,
    register_accounts,
)
from tests.helpers import REPO, write_config
from tests.processes import Children

NAMES = ("TEST_WECHAT_SECRET", "TEST_WEIBO_TOKEN")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test config (both accounts on this machine) with a secrets file named."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    path = write_config(tmp_path)
    text = path.read_text("utf-8").replace(
        'preview = "out/preview"', 'preview = "out/preview"\nsecrets_file = "secrets.toml"'
    )
    path.write_text(text, "utf-8")
    return path


def test_new_secrets_are_written_for_the_bot_to_read(config: Path) -> None:
    settings = load_settings(config)
    origins = provide_secrets(settings, practice_accounts(settings))

    assert [(a.id, origin) for a, origin in origins] == [
        ("shsmr_wechat", "new"), ("shsmr_weibo", "new")]
    secrets_file = config.parent / "secrets.toml"
    data = tomllib.loads(secrets_file.read_text("utf-8"))
    assert set(data) == set(NAMES) and len(set(data.values())) == 2
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    fresh = load_settings(config)  # what `socialbot run` will read
    for account in fresh.accounts.values():
        assert fresh.secret_for(account).reveal() == data[account.secret_name]


def test_a_second_start_keeps_the_secrets_and_the_rest_of_the_file(config: Path) -> None:
    secrets_file = config.parent / "secrets.toml"
    secrets_file.write_text(
        '# 正式账号\nOTHER_ACCOUNT_SECRET = "keep-me"\n[notes]\nowner = "王编辑"\n', "utf-8"
    )
    settings = load_settings(config)
    provide_secrets(settings, practice_accounts(settings))
    first = secrets_file.read_text("utf-8")
    origins = provide_secrets(settings, practice_accounts(settings))

    assert [origin for _a, origin in origins] == ["file", "file"]
    assert secrets_file.read_text("utf-8") == first  # nothing rewritten
    data = tomllib.loads(first)
    assert data["OTHER_ACCOUNT_SECRET"] == "keep-me" and data["notes"] == {"owner": "王编辑"}
    assert set(NAMES) <= set(data)  # at the top level, not inside [notes]


def test_a_secret_the_bot_already_has_is_the_one_the_platform_accepts(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_WEIBO_TOKEN", "token-from-the-shell")
    settings = load_settings(config)
    origins = dict((a.id, o) for a, o in provide_secrets(settings, practice_accounts(settings)))
    assert origins == {"shsmr_wechat": "new", "shsmr_weibo": "environment"}
    assert "TEST_WEIBO_TOKEN" not in (config.parent / "secrets.toml").read_text("utf-8")
    with PracticePlatform(port=0) as platform:
        register_accounts(platform, settings, practice_accounts(settings))
        assert list(platform.state.weibo) == ["token-from-the-shell"]
        wechat = platform.state.wechat["wx0000000000000001"].spec.secret
    assert wechat == settings.secret_for(settings.account("shsmr_wechat")).reveal()


def test_without_a_secrets_file_in_the_config_staff_are_told_what_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(write_config(tmp_path))
    with pytest.raises(ConfigError) as info:
        provide_secrets(settings, practice_accounts(settings))
    message = info.value.render()
    assert 'secrets_file = "secrets.toml"' in message and "TEST_WECHAT_SECRET" in message
    assert not (tmp_path / "secrets.toml").exists()


def test_an_unreadable_secrets_file_is_reported_and_left_alone(config: Path) -> None:
    secrets_file = config.parent / "secrets.toml"
    secrets_file.write_text("TEST_WEIBO_TOKEN = \n", "utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "sandbox", "--port", "0"])
    assert result.exit_code == 2
    assert "密钥文件无法读取" in result.output and "Traceback" not in result.output
    assert secrets_file.read_text("utf-8") == "TEST_WEIBO_TOKEN = \n"


# -- as staff use it: `socialbot sandbox` in one terminal, the bot in another ---------------


def shipped_config(folder: Path) -> Path:
    """The shipped config.toml, its paths pointing into the repository."""
    text = (REPO / "config.toml").read_text("utf-8")
    for key in ("campaign/posts", "templates/posts", "assets"):
        text = text.replace(f'"{key}"', f'"{REPO / key}"', 1)
    text = text.replace('"wordlists/', f'"{REPO}/wordlists/')
    text = text.replace('path = "out/socialbot.db"', f'path = "{folder / "queue.db"}"')
    path = folder / "config.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str], str]]:
    """``socialbot sandbox --port 0`` on the shipped config, started and waited for."""
    config = shipped_config(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
    env["PYTHONUNBUFFERED"] = "1"
    with Children() as kids:  # killed, group and all, however the test ends
        proc = kids.start(
            [sys.executable, "-m", "socialbot", "--config", str(config), "sandbox", "--port",
             "0"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        lines: list[str] = []
        while not lines or "按 Ctrl-C 停止" not in lines[-1]:
            line = proc.stdout.readline() if proc.stdout else ""
            assert line, "sandbox exited early:\n" + "".join(lines)
            lines.append(line)
        [url] = [ln.split("：")[1].split("（")[0] for ln in lines if "练习平台已启动" in ln]
        yield proc, lines, url


def test_sandbox_then_run_works_with_the_shipped_config(
    sandbox: tuple[subprocess.Popen[str], list[str], str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proc, lines, url = sandbox
    told = "".join(lines)
    assert "已按配置添加 3 个练习账号" in told
    assert "已生成练习密钥并写入密钥文件 secrets.toml" in told
    names = ("SOCIALBOT_SHSMR_WECHAT_SECRET", "SOCIALBOT_SHJC_WECHAT_SECRET",
             "SOCIALBOT_SHSMR_WEIBO_TOKEN")
    assert all(name in told for name in names)
    written = tomllib.loads((tmp_path / "secrets.toml").read_text("utf-8"))
    assert set(written) == set(names)
    assert not any(value in told for value in written.values()), "values are never shown"

    # The bot, in another terminal: the same config, pointed at the port the sandbox took.
    config = tmp_path / "config.toml"
    config.write_text(config.read_text("utf-8").replace("http://127.0.0.1:8900", url), "utf-8")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "240")

    def bot(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 0, result.output
        return result.output

    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    post = str(REPO / "campaign" / "posts" / "0601-campaign-launch.md")
    bot("queue", "add", post, "--at", now, "--to", "shsmr_wechat,shsmr_weibo", "--by", "王编辑")
    bot("queue", "approve", "1", "--by", "李审核")
    bot("queue", "approve", "1", "--by", "赵复审")  # shsmr_wechat asks for two tiers
    # Queued "now", the review finished after that slot (过期未审): staff move it to now.
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    bot("queue", "reschedule", "1", "--at", now)
    ran = bot("run", "--once")
    assert "shsmr_wechat：已发送" in ran and "shsmr_weibo：已发送" in ran, ran

    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "练习平台已停止" in rest
