"""The staff commands for content, run as staff run them (CliRunner over the real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import cli
from tests.helpers import GOOD_POST, REPO, write_config, write_post

SECRET_NAMES = ("TEST_WECHAT_SECRET", "TEST_WEIBO_TOKEN")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return write_config(tmp_path)


def run(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_preview_writes_pages_images_and_plan(config: Path, tmp_path: Path) -> None:
    write_post(tmp_path / "posts")
    out = tmp_path / "preview"
    result = run(config, "preview", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    page = out / "posts" / "0609-lab" / "index.html"
    assert page.is_file()
    images = list((out / "posts" / "0609-lab").glob("*.jpg"))
    assert len(images) == 2  # cover + Weibo poster
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert plan["dry_run"] is True and plan["posts"] == 1
    assert set(plan["accounts"]) == {"shsmr_wechat", "shsmr_weibo"}
    for entry in plan["accounts"].values():
        calls = entry["deliveries"][0]["calls"]
        assert calls, "every account has its calls listed"
        assert all({"method", "endpoint", "url", "payload"} <= set(c) for c in calls)
    assert "practice-" not in (out / "plan.json").read_text("utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("title: 实验室“云开放”直播预告", "title: " + "长" * 40), "字段 title"),
        (("weibo: 6月9日14:00", "weibo: " + "长" * 150), "微博正文"),
        (("kicker: 直播预告", "kicker: 直播预告\ncover:\n  photo: photos/none.jpg"), "cover.photo"),
        (("template: livestream", "template: forum"), "forum.j2 第"),  # forum needs a topic
    ],
)
def test_bad_post_located_nonzero_and_nothing_written(
    config: Path, tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    good = write_post(tmp_path / "posts", name="0601-good.md")
    bad = write_post(tmp_path / "posts", name="0602-bad.md")
    out = tmp_path / "preview"
    assert run(config, "preview", str(bad), "--out", str(out)).exit_code == 0  # earlier run
    assert (out / "posts" / "0602-bad" / "index.html").is_file()
    bad.write_text(GOOD_POST.replace(*change), "utf-8")
    result = run(config, "preview", str(good), str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert "0602-bad.md" in result.output and expected in result.output
    assert not (out / "posts" / "0602-bad").exists()
    assert (out / "posts" / "0601-good" / "index.html").is_file()
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert plan["failed_posts"] == ["0602-bad.md"]
    check = run(config, "check", str(bad))
    assert check.exit_code == 2 and expected in check.output


def test_bad_config_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[organisation]\nname = "x"\n[accounts.a1]\nplatform = "fax"\n', "utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "check"])
    assert result.exit_code == 2
    assert "配置文件有误" in result.output
    assert "platform 应为 wechat 或 weibo" in result.output
    assert "Traceback" not in result.output


def test_missing_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "nope.toml"), "check"])
    assert result.exit_code == 2 and "配置文件不存在" in result.output


def test_check_passes_on_sample_campaign() -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(REPO / "config.toml"), "check"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "全部检查通过" in result.output


def test_post_that_is_a_folder_is_reported(config: Path, tmp_path: Path) -> None:
    folder = tmp_path / "posts" / "0609-folder.md"
    folder.mkdir()
    for command in (("check", str(folder)), ("preview", str(folder), "--out", "p")):
        result = run(config, *command)
        assert result.exit_code == 2, result.output
        assert "文件夹" in result.output


def test_details_of_the_wrong_kind_are_a_located_problem(config: Path, tmp_path: Path) -> None:
    post = write_post(
        tmp_path / "posts",
        text=GOOD_POST.replace("labs: [上海市质量监督检验技术研究院]", "labs: 5"),
    )
    result = run(config, "check", str(post))
    assert result.exit_code == 2, result.output
    assert "类型不对" in result.output and "livestream.j2 第" in result.output


def test_undefined_variable_names_the_line_that_uses_it(config: Path, tmp_path: Path) -> None:
    post = write_post(  # a forum post needs details.topic
        tmp_path / "posts", text=GOOD_POST.replace("template: livestream", "template: forum")
    )
    result = run(config, "check", str(post))
    assert result.exit_code == 2
    assert "forum.j2 第" in result.output
    assert "第 1 行" not in result.output  # line 1 is only the `extends`


def test_preview_into_a_folder_that_cannot_be_made(config: Path, tmp_path: Path) -> None:
    post = write_post(tmp_path / "posts")
    (tmp_path / "a-file").write_text("x", "utf-8")
    result = run(config, "preview", str(post), "--out", str(tmp_path / "a-file" / "preview"))
    assert result.exit_code == 2
    assert "预览未生成" in result.output


def test_broken_cover_photo_names_the_post_field(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "240")  # one problem per line
    (tmp_path / "posts" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    post = write_post(
        tmp_path / "posts",
        text=GOOD_POST.replace("kicker: 直播预告", "kicker: 直播预告\ncover:\n  photo: broken.jpg"),
    )
    result = run(config, "check", str(post))
    assert result.exit_code == 2
    assert "字段 cover.photo" in result.output and "已损坏" in result.output
