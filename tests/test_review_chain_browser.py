"""End to end in Debian's Chromium: an editor's post (queued from the command line) goes
through 初审 and 复审 by two reviewers in two browser sessions, is published by the CLI to
the practice platform over loopback, and shows as sent on the editor's dashboard.
Screenshots of the review list, the chain and the dashboard go to out/console-screenshots/."""

from __future__ import annotations

import secrets

import pytest
from review_chain_support import make_tiered_env
from test_web_browser import SHOTS, new_page, ready, sign_in
from web_support import serve

from socialbot.config_file import load_settings
from socialbot.store import State, chain
from socialbot.store_rules import rules_of
from socialbot_practice import PracticePlatform
from socialbot_practice.config_accounts import register_accounts

pytestmark = pytest.mark.chromium
TITLE = "静安：世界认可日两级审核"
TOKEN_ENV = "TEST_JINGAN_WEIBO_TOKEN"


@pytest.fixture(scope="module")
def practice():
    with PracticePlatform(port=0) as platform:
        yield platform


@pytest.fixture(scope="module")
def env(tmp_path_factory, practice):
    e = make_tiered_env(tmp_path_factory.mktemp("chain-browser"), api_base=practice.weibo_base)
    token = secrets.token_hex(16)  # the practice account's token, known to both sides
    with_secret = load_settings(e.root / "config.toml", environ={TOKEN_ENV: token})
    register_accounts(practice, with_secret, [with_secret.accounts["jingan_weibo"]])
    e.token = token  # type: ignore[attr-defined]
    with serve(e):
        yield e
    e.db.dispose()


def open_post(page, env, number: int) -> None:
    page.goto(f"{env.url}/posts/{number}")
    ready(page)


def test_two_reviewers_two_tiers_then_published_and_seen_on_the_dashboard(
        chromium, env, practice, monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    number = env.queue("ja-e2e", TITLE, "jingan_weibo", by="jaeditor")
    editor, first, second = (new_page(chromium, 1280) for _ in range(3))
    try:
        sign_in(editor, env, "jaeditor")
        sign_in(first, env, "jarev1")
        sign_in(second, env, "jarev2")
        others = editor.locator("#others").inner_text()
        assert TITLE in others and "等待初审" in others  # the editor sees it, cannot decide

        # 复审 first? The server says no, and the page offers no button.
        assert TITLE not in second.locator("main").inner_text().split("本单位其他待审稿件")[0]
        open_post(second, env, number)
        assert second.locator("button.approve").count() == 0
        assert "现在等待初审" in second.locator("#review-panel").inner_text()

        # 初审 in the first session.
        assert TITLE in first.locator("#mine").inner_text()
        first.screenshot(path=str(SHOTS / "review-chain-list-desktop.png"), full_page=True)
        first.click(f"#mine a[href='/posts/{number}']")
        first.wait_for_url(f"{env.url}/posts/{number}")
        ready(first)
        assert first.locator("button.approve").inner_text() == "初审通过"
        first.click("button.approve")  # htmx, with the session's CSRF header
        first.locator("#review-panel .msg.ok").wait_for()
        panel = first.locator("#review-panel").inner_text()
        assert "初审已通过" in panel and "还需复审" in panel
        assert "jarev1" in first.locator("#review-chain").inner_text()
        assert first.locator("button.approve").count() == 0  # not twice in one chain
        assert [d.state for d in env.db.deliveries_of(number)] == [State.QUEUED]

        # 复审 in the second session: now the post is in that reviewer's list.
        second.goto(f"{env.url}/review")
        ready(second)
        assert TITLE in second.locator("#mine").inner_text()
        second.screenshot(path=str(SHOTS / "review-list-desktop.png"), full_page=True)
        second.click(f"#mine a[href='/posts/{number}']")
        second.wait_for_url(f"{env.url}/posts/{number}")
        ready(second)
        second.click("button.approve")
        second.locator("#review-panel .msg.ok").wait_for()
        assert "复审已通过" in second.locator("#review-panel").inner_text()
        assert "已审核待发" in second.locator("#targets").inner_text()
        second.screenshot(path=str(SHOTS / "review-chain-done-desktop.png"), full_page=True)
        state = chain.chain_state(env.db, rules_of(env.settings), number)
        assert [(a.tier, a.reviewer) for a in state.approvals] == [(1, "jarev1"), (2, "jarev2")]

        # Publish as staff would from a terminal: bring it forward to now, run once.
        monkeypatch.setenv(TOKEN_ENV, env.token)
        moved = env.cli("queue", "reschedule", str(number), "--at",
                        env.clock().astimezone(env.settings.tz).strftime("%Y-%m-%d %H:%M:%S"))
        assert moved.returncode == 0, moved.stderr + moved.stdout
        ran = env.cli("run", "--once")
        assert ran.returncode == 0 and "jingan_weibo：已发送" in ran.stdout, ran.stdout + ran.stderr
        got = practice.received("5800000031")
        assert len(got) == 1 and TITLE in got[0]["text"]

        editor.goto(f"{env.url}/dashboard")
        ready(editor)
        history = editor.locator("#history").inner_text()
        assert f"#{number}" in history and "静安市场监管微博" in history and "发送结果" in history
        editor.screenshot(path=str(SHOTS / "dashboard-sent-desktop.png"), full_page=True)
        open_post(editor, env, number)
        assert "已发送" in editor.locator("#targets").inner_text()
    finally:
        for page in (editor, first, second):
            page.context.close()


def test_comments_and_replies_in_the_browser(chromium, env):
    number = env.queue("ja-talk-ui", "静安：浏览器里评论", "jingan_weibo", by="jaeditor")
    reviewer, editor = new_page(chromium, 1280), new_page(chromium, 420, 860)
    try:
        sign_in(reviewer, env, "jarev1")
        open_post(reviewer, env, number)
        reviewer.fill("#comments .new-comment textarea", "标题里的<日期>请核对")
        reviewer.click("#comments .new-comment button")
        reviewer.wait_for_url(f"{env.url}/posts/{number}")
        ready(reviewer)
        assert "标题里的<日期>请核对" in reviewer.locator("#comments").inner_text()

        sign_in(editor, env, "jaeditor")  # at a phone's width
        open_post(editor, env, number)
        editor.click("#comments details.reply summary")
        editor.fill("#comments details.reply textarea", "已核对，日期无误")
        editor.click("#comments details.reply button")
        editor.wait_for_url(f"{env.url}/posts/{number}")
        ready(editor)
        nested = editor.locator("#comments .comments .comments").inner_text()
        assert "已核对，日期无误" in nested
        assert editor.evaluate("document.documentElement.scrollWidth") <= 420
        editor.screenshot(path=str(SHOTS / "comments-420.png"), full_page=True)
    finally:
        for page in (reviewer, editor):
            page.context.close()
