"""config.toml read strictly: bounded, no recursion blow-up, tomllib's problems in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialbot.config_file import load_settings
from socialbot.errors import ConfigError
from socialbot.tomlfile import MAX_BYTES, MAX_CONFIG_BYTES, MAX_DEPTH
from tests.helpers import write_config
from tests.support_hostile import assert_staff_message

pytestmark = pytest.mark.timeout(60)


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    for problem in info.value.problems:
        assert_staff_message(problem.message)
        assert problem.where.startswith((str(path), path.name))
    return info.value.render()


def with_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = " + "[" * 1000, "第 1 行：方括号或花括号嵌套太深"),
        ("x = 1\na = " + "{b = " * 1000, "第 2 行：方括号或花括号嵌套太深"),
        ('x = "\\uD800"\n', "第 1 行：“\\u”转义得到的不是有效字符"),
        ('x = "a\\u0000"\n', "配置项 x 的值含有不允许的字符 U+0000"),
        ('x = { "a\\u0007" = 1 }\n', "配置项 x 中有一个名称含有不允许的字符 U+0007"),
        ("x = " + "9" * 5000 + "\n", "数字太长"),
        ("x = 1\nx = 2\n", "第 2 行：这一项与前面的配置重复"),
        ("[organisation\nname = 1\n", "第 1 行：表名缺少结尾的“]”"),
        ("name = 上海\n", "第 1 行：值的写法不对"),
        ('x = "abc\ny = 1\n', "第 1 行：引号没有成对"),
        ('x = """abc\n', "第 1 行：引号没有成对"),
        ("x = 1 2\n", "第 1 行：一行只能写一项配置"),
        ("x = [1, 2\n", "方括号 [ ] 没有闭合"),
        ("x = 1979-13-27\n", "一行只能写一项配置"),
        ("x = 1979-02-30\n", "第 1 行：日期或时间无效"),
        ("a = {b = 1\n}\n", "第 1 行：花括号 { } 没有闭合"),
        ("x\n", "第 1 行：配置项名称后面缺少“=”"),
        ("a. = 1\n", "第 1 行：配置项名称写法不对"),
        ("= 1\n", "第 1 行：这一行不是有效的配置写法"),
        ("x = 'a\x07'\n", "第 1 行：含有不允许的字符"),
    ],
)
def test_bad_toml_is_located_chinese(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(with_text(tmp_path, text))


def test_brackets_inside_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    deep = "[" * (MAX_DEPTH + 5)
    path = write_config(
        tmp_path,
        extra=f'\n[redis]\nurl = "{deep}"  # {deep}\n',
    )
    path.write_text(path.read_text("utf-8").replace("[campaign]", f"# {deep}\n[campaign]"))
    assert load_settings(path).redis_url == deep


def test_nesting_up_to_the_limit_is_left_to_the_config_rules(tmp_path: Path) -> None:
    ok = "x = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    text = refused(with_text(tmp_path, ok))
    assert "嵌套太深" not in text and "未知配置项" in text


def test_size_bom_crlf_and_encoding(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    good = path.read_text("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + good.replace("\n", "\r\n").encode("utf-8"))
    assert load_settings(path).organisation == "上海市市场监督管理局"
    path.write_bytes(good.encode("utf-8") + "# 注释\n".encode("gbk"))
    assert "不是 UTF-8 编码" in refused(path)
    path.write_text(good + "#" * MAX_CONFIG_BYTES, "utf-8")
    assert "文件太大" in refused(path)


def test_a_config_for_a_nation_wide_rollout_fits(tmp_path: Path) -> None:
    """Thousands of accounts at ~200 bytes each exceed the secrets file's 256 KB bound."""
    path = write_config(tmp_path)
    path.write_text(path.read_text("utf-8") + ("# " + "账" * 60 + "\n") * 2000, "utf-8")
    assert path.stat().st_size > MAX_BYTES
    assert load_settings(path).organisation == "上海市市场监督管理局"


def test_secrets_file_problems_are_chinese_and_never_quote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_WECHAT_SECRET", raising=False)
    path = write_config(tmp_path)
    path.write_text(
        path.read_text("utf-8").replace("[paths]", '[paths]\nsecrets_file = "secrets.toml"'),
        "utf-8",
    )
    (tmp_path / "secrets.toml").write_text('TEST_WECHAT_SECRET = "s3cr3t-value\n', "utf-8")
    settings = load_settings(path)
    with pytest.raises(ConfigError) as info:
        settings.secret_for(settings.account("shsmr_wechat"))
    text = info.value.render()
    assert "secrets.toml 第 1 行：密钥文件无法读取：引号没有成对" in text
    assert "s3cr3t" not in text
