"""The README's main job (`socialbot demo`), on a two-post campaign to keep it quick."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import socialbot_practice
from socialbot.cli import cli
from socialbot.config_file import load_settings
from tests.helpers import REPO


def demo_config(tmp_path: Path) -> Path:
    """The shipped config.toml on a two-post campaign, in ``tmp_path``."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for name in ("0601-campaign-launch.md", "0608-lab-open-day.md"):
        shutil.copy(REPO / "campaign" / "posts" / name, posts / name)
    text = (REPO / "config.toml").read_text("utf-8")
    text = text.replace('posts = "campaign/posts"', f'posts = "{posts}"')
    for key in ("templates/posts", "assets"):
        text = text.replace(f'"{key}"', f'"{REPO / key}"', 1)
    text = text.replace('"wordlists/', f'"{REPO}/wordlists/')
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    return config


def test_demo_previews_queues_and_publishes(tmp_path: Path, monkeypatch) -> None:
    config = demo_config(tmp_path)
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
    assert "本市开展2022年“世界认可日”宣传活动" in followers
    assert "实验室“云开放”" in followers
    assert "'/mmbiz/" not in followers and '"/mmbiz/' not in followers  # images saved locally
    images = list((out / "followers" / "files").iterdir())
    assert images, "the saved page carries its images"
    assert "已加入并审核（初审→复审）" in result.output  # shsmr_wechat asks for two tiers
    _demo_users_can_sign_in(out, result.output)


def _demo_users_can_sign_in(out: Path, output: str) -> None:
    """An editor, two reviewers and an admin, in the demo's queue; passwords in a file
    only its owner reads (out/ is ignored by git), and shown to whoever ran the demo."""
    from socialbot.passwords import verify_password
    from socialbot.store import open_store, people

    listed = out / "demo-users.txt"
    assert listed.stat().st_mode & 0o077 == 0
    rows = [line.split("\t") for line in listed.read_text("utf-8").splitlines()
            if not line.startswith("#")]
    assert [r[0] for r in rows] == ["demo-editor", "demo-review1", "demo-review2", "demo-admin"]
    store = open_store(f"sqlite:///{out / 'demo.db'}")
    try:
        for username, password, *_ in rows:
            assert password in output
            found = people.password_hash_of(store, username)
            assert found and verify_password(found[1], password)
        tiers = [r.tier for r in people.get_person(store, "demo-review2").roles]
        assert tiers == [2]
    finally:
        store.dispose()


def test_demo_refuses_real_accounts(tmp_path: Path) -> None:
    text = (REPO / "config.toml").read_text("utf-8").replace('"wordlists/', f'"{REPO}/wordlists/')
    text = text.replace('api_base = "http://127.0.0.1:8900/weibo"\n', "")
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "demo", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code != 0
    assert "shsmr_weibo" in result.output and "真实平台" in result.output


def test_demo_is_the_same_whatever_the_shell_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Junk in every SOCIALBOT_* variable the config names, in SOCIALBOT_DATABASE_URL and
    SOCIALBOT_CONFIG, and a junk secrets.toml next to the config: every delivery is sent
    to the demo's own practice platform with the demo's own secrets."""
    config = demo_config(tmp_path)
    names = {a.secret_name for a in load_settings(config).accounts.values()}
    assert names and all(n.startswith("SOCIALBOT_") for n in names)
    for name in names:
        monkeypatch.setenv(name, "junk-from-the-shell")
    monkeypatch.setenv("SOCIALBOT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("SOCIALBOT_CONFIG", str(tmp_path / "no-such-config.toml"))
    (tmp_path / "secrets.toml").write_text(
        "".join(f'{n} = "junk-from-the-file"\n' for n in names), "utf-8"
    )
    monkeypatch.chdir(tmp_path)  # the demo uses ./config.toml, not SOCIALBOT_CONFIG

    result = CliRunner().invoke(cli, ["demo", "--out", "out"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "完成" in result.output
    [summary] = [line for line in result.output.splitlines() if "结果：" in line]
    sent = re.fullmatch(r"\s*结果：已发送 (\d+)", summary)
    assert sent and int(sent.group(1)) >= 2, summary  # nothing failed, nothing left over
    assert "junk" not in result.output


def test_demo_with_a_failed_delivery_exits_nonzero_without_saying_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class OneRefusal(socialbot_practice.PracticePlatform):
        """The practice platform refusing the first Weibo post (text over 140 characters)."""

        def start(self):  # type: ignore[no-untyped-def]
            super().start()
            self.inject("weibo", "statuses/share", "error", times=1, error_code=20012)
            return self

    monkeypatch.setattr(socialbot_practice, "PracticePlatform", OneRefusal)
    config = demo_config(tmp_path)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(
        cli, ["--config", str(config), "demo", "--out", "out"], catch_exceptions=False
    )

    assert result.exit_code == 3, result.output
    assert "完成" not in result.output
    assert "失败" in result.output and "微博正文超过 140 字" in result.output
    assert "演示有发送失败" in result.output and "有 1 条没有发送成功" in result.output
