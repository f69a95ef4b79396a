from __future__ import annotations

from pathlib import Path

import pytest

from socialbot.config import Secret
from socialbot.config_file import load_settings
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
    assert "config.toml 第 1 行：表名缺少结尾的“]”" in info.value.render()


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


def test_an_account_on_this_machine_gets_no_built_in_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The product knows nothing of practice platforms: loopback or not, a secret is set
    up the normal way (socialbot sandbox writes practice secrets to the secrets file)."""
    monkeypatch.delenv("TEST_WEIBO_TOKEN", raising=False)
    settings = load_settings(write_config(tmp_path))
    account = settings.account("shsmr_weibo")
    assert account.api_base.startswith("http://127.0.0.1")
    assert settings.find_secret(account) is None
    with pytest.raises(ConfigError) as info:
        settings.secret_for(account)
    assert "TEST_WEIBO_TOKEN" in info.value.render()


def test_settings_read_the_environment_they_are_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_WEIBO_TOKEN", "from-the-shell")
    monkeypatch.setenv("SOCIALBOT_DATABASE_URL", "nonsense")
    monkeypatch.setenv("SOCIALBOT_CONFIG", str(tmp_path / "missing.toml"))
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path)

    settings = load_settings(environ={"TEST_WEIBO_TOKEN": "given"})

    assert settings.path == tmp_path / "config.toml"
    assert settings.database_url.endswith("out/socialbot.db")
    assert settings.secret_for(settings.account("shsmr_weibo")).reveal() == "given"
    assert settings.find_secret(settings.account("shsmr_wechat")) is None


def _with_setting(folder: Path, section: str, line: str) -> Path:
    """The test config with ``line`` added to ``[section]`` (created when missing)."""
    path = write_config(folder)
    text = path.read_text("utf-8")
    if f"[{section}]\n" in text:
        text = text.replace(f"[{section}]\n", f"[{section}]\n{line}\n", 1)
    else:
        text += f"\n[{section}]\n{line}\n"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("section", "line", "expected"),
    [
        ("schedule", 'lease_seconds = "abc"', "lease_seconds 应为不小于 30 的整数"),
        ("schedule", "lease_seconds = 0", "lease_seconds 应为不小于 30 的整数"),
        ("schedule", "misfire_grace_seconds = -5", "misfire_grace_seconds 应为不小于 0 的整数"),
        ("schedule", "misfire_grace_seconds = 1.5", "misfire_grace_seconds 应为不小于 0 的整数"),
        ("review", 'four_eyes = "false"', "four_eyes 应为 true 或 false"),
        ("schedule", "lease_second = 60", "未知配置项 lease_second"),
        ("database", 'url = "nonsense"', "url 应为 SQLite 或 PostgreSQL"),
        ("database", 'url = "mysql://bot:pa55word@db/x"', "url 应为 SQLite 或 PostgreSQL"),
    ],
)
def test_malformed_values_are_listed_not_crashed(
    tmp_path: Path, section: str, line: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(_with_setting(tmp_path, section, line))
    assert expected in info.value.render()
    assert "pa55word" not in info.value.render()


def test_database_password_not_in_settings_repr(tmp_path: Path) -> None:
    path = _with_setting(tmp_path, "database", 'url = "postgresql+psycopg://bot:pa55word@db/x"')
    settings = load_settings(path)
    assert settings.database_url.endswith("@db/x")
    assert "pa55word" not in repr(settings)


def test_unreadable_config_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path)

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # root may read anything; refuse it here
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "配置文件无法读取" in info.value.render()
