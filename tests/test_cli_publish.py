"""`publish --now` and `preview-send` as staff run them, against the practice platform."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.post_file import load_post
from socialbot.rendering import render_post
from socialbot_practice import PracticePlatform
from socialbot_practice.config_accounts import provide_secrets, register_accounts
from tests.helpers import GOOD_POST, newspic_post, write_config, write_post


@pytest.fixture
def platform():
    with PracticePlatform(port=0) as p:
        yield p


@pytest.fixture
def config(tmp_path: Path, platform: PracticePlatform) -> Path:
    path = write_config(tmp_path)
    text = path.read_text("utf-8").replace("http://127.0.0.1:9", platform.url)
    text = text.replace('path = "out/socialbot.db"', f'path = "{tmp_path / "q.db"}"')
    text = text.replace('preview = "out/preview"',
                        'preview = "out/preview"\nsecrets_file = "secrets.toml"')
    path.write_text(text, "utf-8")
    settings = load_settings(path)
    provide_secrets(settings, settings.accounts.values())  # as `socialbot sandbox` does
    register_accounts(platform, settings, settings.accounts.values())
    return path


def run(config: Path, *args: str):
    if args and args[0] == "publish" and "--approved-by" not in args:
        args = (*args, "--by", "王编辑", "--approved-by", "李审核")
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_publish_now_reaches_followers_once(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    post = write_post(tmp_path / "posts")
    first = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert first.exit_code == 0, first.output
    assert "已发布" in first.output
    second = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert second.exit_code == 0, second.output
    assert len(platform.received("wx0000000000000001")) == 1  # never twice


def test_newspic_reaches_followers_as_a_newspic(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    """A 贴图 through the real pipeline: render, checks, uploads, draft/add, sendall; the
    followers page shows its pictures in order and its text."""
    post = write_post(tmp_path / "posts", "0605-photos.md",
                      newspic_post(body="第一段文字。\n\n第二段文字。"))
    result = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert result.exit_code == 0, result.output
    [received] = platform.received("wx0000000000000001")
    [article] = received["articles"]
    assert article["article_type"] == "newspic"
    settings = load_settings(config)
    expected = [hashlib.sha256(i.data).hexdigest() for i in render_post(
        load_post(post, assets_dir=settings.assets_dir), settings).wechat.image_list]

    page = requests.get(platform.url + "/", timeout=10).text
    card = page.split('data-kind="newspic"', 1)[1]
    assert "疫情防控成果展示" in card.split("</div></div>", 1)[0] and "3 图" in card
    strip = page.split('data-testid="newspic-images"', 1)[1].split("</div>", 1)[0]
    sources = re.findall(r'<img src="([^"]+)"', strip)
    fetched = [hashlib.sha256(requests.get(
        src if src.startswith("http") else platform.url + src, timeout=10).content).hexdigest()
        for src in sources]
    assert fetched == expected  # every picture, in the post's order
    text = page.split('data-testid="newspic-text"', 1)[1].split("</div>", 1)[0]
    assert "<p>第一段文字。</p><p>第二段文字。</p><p>指导单位：市市场监管局</p>" in text


def test_publish_now_to_weibo(config: Path, tmp_path: Path, platform: PracticePlatform) -> None:
    post = write_post(tmp_path / "posts")
    result = run(config, "publish", str(post), "--account", "shsmr_weibo", "--now")
    assert result.exit_code == 0, result.output
    [status] = platform.received("5800000001")
    assert "scjgj.sh.gov.cn" in status["text"]


def test_publish_refuses_bad_post_before_any_call(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    post = write_post(
        tmp_path / "posts",
        text=GOOD_POST.replace("title: 实验室“云开放”直播预告", "title: " + "长" * 40),
    )
    result = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert result.exit_code == 2
    assert "字段 title" in result.output
    assert platform.calls() == []


def test_platform_refusal_is_explained(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    platform.inject(
        "wechat", "message/mass/sendall", fault="error", errcode=48001, errmsg="api unauthorized"
    )
    post = write_post(tmp_path / "posts")
    result = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert result.exit_code == 3  # a person is needed; 2 is for bad input
    assert "48001" in result.output and "权限" in result.output
    assert "草稿箱" in result.output  # left as a draft for a person to send


def test_preview_send_goes_to_one_reviewer(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    post = write_post(tmp_path / "posts")
    result = run(
        config, "preview-send", str(post), "--account", "shsmr_wechat", "--to", "reviewer_li"
    )
    assert result.exit_code == 0, result.output
    assert "预览已发送给 reviewer_li" in result.output
    assert len(platform.previews("wx0000000000000001")) == 1
    assert platform.received("wx0000000000000001") == []


def test_unknown_account(config: Path, tmp_path: Path) -> None:
    post = write_post(tmp_path / "posts")
    result = run(config, "publish", str(post), "--account", "nobody", "--now")
    assert result.exit_code == 2 and "未知账号" in result.output


def test_publish_now_needs_an_approver_who_is_not_the_author(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    post = write_post(tmp_path / "posts")
    base = ("publish", str(post), "--account", "shsmr_weibo", "--now")
    missing = run(config, *base, "--by", "王编辑", "--approved-by", "")
    assert missing.exit_code == 2 and "要求审核" in missing.output
    same = run(config, *base, "--by", "王编辑", "--approved-by", "王编辑")
    assert same.exit_code == 2 and "不能是发布人本人" in same.output
    assert platform.calls() == []


def test_publish_now_is_audited(config: Path, tmp_path: Path) -> None:
    post = write_post(tmp_path / "posts")
    assert run(config, "publish", str(post), "--account", "shsmr_weibo", "--now").exit_code == 0
    audit = run(config, "audit", "--json")
    assert audit.exit_code == 0, audit.output
    assert "紧急发布" in audit.output and "王编辑" in audit.output and "李审核" in audit.output


def test_rerun_after_a_lost_answer_checks_before_publishing_again(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    text = config.read_text("utf-8").replace(
        'appid = "wx0000000000000001"', 'appid = "wx0000000000000001"\nreach = "publish"'
    )
    config.write_text(text, "utf-8")
    post = write_post(tmp_path / "posts")
    platform.inject("wechat", "freepublish/submit", fault="drop_after_commit")
    first = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert first.exit_code == 3 and "不确定是否已发布" in first.output
    second = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    # settled from the publish record (freepublish/batchget), not submitted again
    assert second.exit_code == 0 and "核对" in second.output, second.output
    assert len(platform.published("wx0000000000000001")) == 1  # never a second article


def test_weibo_rerun_after_a_lost_answer_reads_the_timeline_instead_of_sharing(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    post = write_post(tmp_path / "posts")
    platform.inject("weibo", "2/statuses/share.json", fault="drop_after_commit")
    first = run(config, "publish", str(post), "--account", "shsmr_weibo", "--now")
    assert first.exit_code == 3, first.output
    second = run(config, "publish", str(post), "--account", "shsmr_weibo", "--now")
    assert second.exit_code == 0 and "已经发出" in second.output
    shares = [c for c in platform.calls("weibo") if c["endpoint"].endswith("statuses/share.json")]
    assert len(shares) == 1


def test_urgent_publish_over_quota_says_nothing_was_rescheduled(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    platform.inject(
        "wechat", "message/mass/sendall", fault="error", errcode=45028, errmsg="no quota"
    )
    post = write_post(tmp_path / "posts")
    result = run(config, "publish", str(post), "--account", "shsmr_wechat", "--now")
    assert result.exit_code == 3
    assert "紧急发布不会自动改期" in result.output and "请改到" in result.output
    assert "已改期" not in result.output and "已改到" not in result.output
    for english in (" ok", " reschedule", " unknown", " already_done"):
        assert not any(line.endswith(english) for line in result.output.splitlines())
    audit = run(config, "audit", "--json")
    assert "已改期" not in audit.output


def test_log_lines_staff_read_are_chinese(
    config: Path, tmp_path: Path, platform: PracticePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="socialbot")
    post = write_post(tmp_path / "posts")
    assert run(config, "publish", str(post), "--account", "shsmr_wechat", "--now").exit_code == 0
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("socialbot")]
    assert messages
    for message in messages:
        assert re.search(r"[\u4e00-\u9fff]", message), message
        assert not re.match(r"(sent|failed|unknown|reschedule|retry):", message), message


def test_publish_now_refuses_a_delivery_the_queue_holds(
    config: Path, tmp_path: Path, platform: PracticePlatform
) -> None:
    import datetime as dt

    post = write_post(tmp_path / "posts")
    at = (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    queued = run(
        config, "queue", "add", str(post), "--at", at, "--to", "shsmr_weibo", "--by", "王编辑"
    )
    assert queued.exit_code == 0, queued.output
    result = run(config, "publish", str(post), "--account", "shsmr_weibo", "--now")
    assert result.exit_code == 2
    assert "已在发布队列中" in result.output and "queue reschedule" in result.output
    assert platform.received("5800000001") == []
