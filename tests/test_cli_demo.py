"""The README's main job (`socialbot demo`), on a two-post campaign to keep it quick."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from socialbot.cli import cli
from tests.helpers import REPO


def test_demo_previews_queues_and_publishes(tmp_path: Path, monkeypatch) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    for name in ("0601-campaign-launch.md", "0608-lab-open-day.md"):
        shutil.copy(REPO / "campaign" / "posts" / name, posts / name)
    text = (REPO / "config.toml").read_text("utf-8")
    text = text.replace('posts = "campaign/posts"', f'posts = "{posts}"')
    for key in ("templates/posts", "assets"):
        text = text.replace(f'"{key}"', f'"{REPO / key}"', 1)
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"

    result = CliRunner().invoke(
        cli, ["--config", str(config), "demo", "--out", str(out)], catch_exceptions=False
    )

    assert result.exit_code == 0, result.output
    assert "结果：已发送" in result.output
    plan = json.loads((out / "preview" / "plan.json").read_text("utf-8"))
    assert plan["posts"] == 2
    followers = (out / "followers" / "index.html").read_text("utf-8")
    assert "2022年“世界认可日”上海宣传活动启动" in followers
    assert "实验室“云开放”" in followers
    assert "'/mmbiz/" not in followers and '"/mmbiz/' not in followers  # images saved locally
    images = list((out / "followers" / "files").iterdir())
    assert images, "the saved page carries its images"


def test_demo_refuses_real_accounts(tmp_path: Path) -> None:
    text = (REPO / "config.toml").read_text("utf-8")
    text = text.replace('api_base = "http://127.0.0.1:8900/weibo"\n', "")
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "demo", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code != 0
    assert "shsmr_weibo" in result.output and "真实平台" in result.output
