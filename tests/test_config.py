from __future__ import annotations

from pathlib import Path

import pytest

from socialbot.config import Secret, load_settings
from socialbot.errors import ConfigError
from tests.helpers import REPO, write_config


def test_repo_default_config_loads() -> None:
    settings = load_settings(REPO / "config.toml")
    assert settings.timezone == "Asia/Shanghai"
    assert {a.platform for a in settings.accounts.values()} == {"wechat", "weibo"}
    assert all(not a.uses_official_host for a in settings.accounts.values())


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        extra="""
[accounts.bad_one]
platform = "wechat"
kind = "enterprise"
reach = "everywhere"
app_secret = "oops"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = info.value.render()
    assert "kind 应为" in text
    assert "reach 应为" in text
    assert "未知字段 app_secret" in text and "secret_env" in text
    assert "缺少必填项 appid" in text
    assert len(info.value.problems) >= 4


def test_bad_toml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[organisation\nname=1", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "TOML 格式错误" in info.value.render()
    assert "config.toml" in info.value.render()


def test_unknown_timezone_and_platform(tmp_path: Path) -> None:
    path = write_config(tmp_path, extra='\n[accounts.x1]\nplatform = "douyin"\n')
    path.write_text(path.read_text("utf-8").replace("Asia/Shanghai", "Mars/Base"), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "未知时区" in info.value.render()
    assert "platform 应为 wechat 或 weibo" in info.value.render()


def test_secret_from_env_never_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(write_config(tmp_path))
    monkeypatch.setenv("TEST_WECHAT_SECRET", "s3cr3t-value")
    secret = settings.secret_for(settings.account("shsmr_wechat"))
    assert isinstance(secret, Secret)
    assert secret.reveal() == "s3cr3t-value"
    assert "s3cr3t" not in repr(secret) and "s3cr3t" not in str(secret)


def test_missing_secret_says_which_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_WEIBO_TOKEN", raising=False)
    path = write_config(tmp_path)
    path.write_text(
        path.read_text("utf-8").replace("http://127.0.0.1:9/weibo", "https://api.weibo.com"),
        "utf-8",
    )
    settings = load_settings(path)
    with pytest.raises(ConfigError) as info:
        settings.secret_for(settings.account("shsmr_weibo"))
    assert "TEST_WEIBO_TOKEN" in info.value.render()


def test_secret_from_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_WEIBO_TOKEN", raising=False)
    path = write_config(tmp_path)
    text = path.read_text("utf-8").replace(
        'preview = "out/preview"', 'preview = "out/preview"\nsecrets_file = "secrets.toml"'
    )
    path.write_text(text, "utf-8")
    (tmp_path / "secrets.toml").write_text('TEST_WEIBO_TOKEN = "tok-from-file"\n', "utf-8")
    settings = load_settings(path)
    assert settings.secret_for(settings.account("shsmr_weibo")).reveal() == "tok-from-file"


def test_unknown_account_lists_known(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    with pytest.raises(ConfigError) as info:
        settings.account("nobody")
    assert "shsmr_wechat" in info.value.render()


def test_safe_domain_matching(tmp_path: Path) -> None:
    account = load_settings(write_config(tmp_path)).account("shsmr_weibo")
    assert account.link_allowed("https://scjgj.sh.gov.cn/a")
    assert account.link_allowed("https://www.scjgj.sh.gov.cn/a")
    assert not account.link_allowed("https://scjgj.sh.gov.cn.evil.com/a")
    assert not account.link_allowed("https://example.com/")


def test_practice_platform_accounts_get_practice_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_WEIBO_TOKEN", raising=False)
    settings = load_settings(write_config(tmp_path))
    account = settings.account("shsmr_weibo")
    assert account.on_practice_platform
    assert settings.secret_for(account).reveal() == "practice-shsmr_weibo"
