"""The console's whole story in Debian's Chromium, one post from start to finish: an
editor writes it in the composer (the live preview follows the typing) and saves it for
an account that reviews in two tiers; 初审 and 复审 approve it in two other browser
sessions; the editor finds it on the calendar; it is published to the practice platform
over loopback as staff would from a terminal (`queue reschedule` to now, `run --once`);
the dashboard and the published page show it sent.
Screenshots of each stage go to out/console-screenshots/e2e-*.png."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from test_review_chain_browser import TOKEN_ENV, env, open_post, practice
from test_web_browser import SHOTS, new_page, ready, sign_in
from test_web_compose_browser import preview_text, wait_for_checks_ok, wait_preview_contains

from socialbot.store import State, chain
from socialbot.store_rules import rules_of

pytestmark = pytest.mark.chromium
__all__ = ["env", "practice"]  # the two-tier console and its practice platform, shared
ACCOUNT = "jingan_weibo"
UID = "5800000031"  # the practice platform's 静安 Weibo account (review_chain_support)
TITLE = "静安：检验检测实验室开放日"
WEIBO = "【6·9世界认可日】静安区检验检测实验室开放日，欢迎预约参观！"
BODY = "今天，6月9日，是第15个“世界认可日”。静安区的检验检测实验室向市民开放。"


def shot(page: Any, stage: str) -> None:
    page.screenshot(path=str(SHOTS / f"e2e-{stage}.png"), full_page=True)


def compose(page: Any, env: Any, at: str) -> int:
    """Write the post in the composer as the signed-in editor; returns its queue number."""
    page.click("nav a[href='/compose']")
    page.wait_for_url(f"{env.url}/compose")
    ready(page)
    page.locator("#preview-summary").wait_for()
    assert page.locator(f"input[value='{ACCOUNT}']").count() == 1  # the editor's unit
    assert page.locator("input[value='shsmr_weibo']").count() == 0  # not another unit's
    page.fill("#f-name", "ja-e2e-open-day")
    page.select_option("#f-template", "news")
    page.fill("#f-digest", "今天是第15个“世界认可日”。")
    page.fill("#f-body", BODY)
    page.check(f"input[value='{ACCOUNT}']")
    page.fill("#f-at", at)
    page.fill("#f-title", TITLE)
    typed = "欢迎预约参观！"  # the Weibo card is this account's preview: typed key by key
    page.fill("#f-weibo", WEIBO.removesuffix(typed))
    wait_preview_contains(page, "实验室开放日，")  # the first preview, from the filled form
    assert typed not in preview_text(page)
    page.locator("#f-weibo").press_sequentially(typed, delay=30)
    wait_preview_contains(page, WEIBO)  # the preview followed the keystrokes, unsaved
    wait_for_checks_ok(page)
    page.click("button.save")
    page.wait_for_url(re.compile(r".*/posts/\d+/edit\?saved=1$"))
    ready(page)
    assert "已保存" in page.locator("#compose-msg").inner_text()
    wait_preview_contains(page, WEIBO)
    # After the save: the edit page is drawn server-side with font faces covering its text.
    shot(page, "1-compose")
    found = re.search(r"/posts/(\d+)/edit", page.url)
    assert found, page.url
    return int(found.group(1))


def approve(page: Any, env: Any, number: int, button: str) -> str:
    """From the reviewer's "等待我审核" list to the post, approve; returns the panel text."""
    page.goto(f"{env.url}/review")
    ready(page)
    assert TITLE in page.locator("#mine").inner_text()
    page.click(f"#mine a[href='/posts/{number}']")
    page.wait_for_url(f"{env.url}/posts/{number}")
    ready(page)
    assert page.locator("button.approve").inner_text() == button
    page.click("button.approve")  # htmx, with the session's CSRF header
    page.locator("#review-panel .msg.ok").wait_for()
    return str(page.locator("#review-panel").inner_text())


def test_compose_review_in_two_tiers_calendar_publish_and_dashboard(
        chromium, env, practice, monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tz = env.settings.tz
    day = (env.clock().astimezone(tz) + dt.timedelta(days=3)).date()
    editor, first, second = (new_page(chromium, 1280, 1000) for _ in range(3))
    try:
        # 1. The editor writes the post in the browser and saves it into the queue.
        sign_in(editor, env, "jaeditor")
        number = compose(editor, env, f"{day.isoformat()} 10:00")
        post = env.db.post(number)
        assert post.title == TITLE and post.author == "jaeditor"
        [delivery] = env.db.deliveries_of(number)
        assert delivery.account == ACCOUNT and delivery.state == State.QUEUED
        assert delivery.due_at.astimezone(tz) == dt.datetime.combine(
            day, dt.time(10, 0), tzinfo=tz)
        assert env.settings.accounts[ACCOUNT].review_tiers == 2
        assert not chain.chain_state(env.db, rules_of(env.settings), number).approvals

        # 2. 初审 in a second browser session.
        sign_in(first, env, "jarev1")
        shot(first, "2-review-list")
        panel = approve(first, env, number, "初审通过")
        assert "初审已通过" in panel and "还需复审" in panel
        assert first.locator("button.approve").count() == 0  # not twice in one chain
        assert [d.state for d in env.db.deliveries_of(number)] == [State.QUEUED]
        shot(first, "3-first-tier")

        # 3. 复审 in a third session; now the delivery is approved and waits for its slot.
        sign_in(second, env, "jarev2")
        panel = approve(second, env, number, "复审通过")
        assert "复审已通过" in panel
        assert "已审核待发" in second.locator("#targets").inner_text()
        shot(second, "4-second-tier")
        state = chain.chain_state(env.db, rules_of(env.settings), number)
        assert [(a.tier, a.reviewer) for a in state.approvals] == [(1, "jarev1"), (2, "jarev2")]
        assert [d.state for d in env.db.deliveries_of(number)] == [State.APPROVED]

        # 4. The editor sees it on the calendar, on its day, approved.
        editor.goto(f"{env.url}/calendar?view=month&date={day.isoformat()}")
        ready(editor)
        chip = editor.locator(f"[data-day='{day.isoformat()}'] a[href='/calendar/deliveries/"
                              f"{delivery.id}']")
        assert chip.count() == 1
        assert TITLE in chip.inner_text() and "已审核待发" in chip.inner_text()
        assert "10:00" in chip.inner_text()
        shot(editor, "5-calendar")

        # 5. Published as from a terminal: brought forward to now, one run of the worker.
        monkeypatch.setenv(TOKEN_ENV, env.token)
        now = env.clock().astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        moved = env.cli("queue", "reschedule", str(number), "--at", now)
        assert moved.returncode == 0, moved.stderr + moved.stdout
        ran = env.cli("run", "--once")
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert f"{ACCOUNT}：已发送" in ran.stdout, ran.stdout
        got = [m for m in practice.received(UID) if "实验室开放日" in m["text"]]
        assert len(got) == 1 and WEIBO in got[0]["text"], got
        [sent] = env.db.deliveries_of(number)
        assert sent.state == State.SENT and sent.remote_id

        # 6. The editor's dashboard and the follower-side page show it sent.
        editor.goto(f"{env.url}/dashboard")
        ready(editor)
        history = editor.locator("#history").inner_text()
        assert f"#{number}" in history and "静安市场监管微博" in history, history
        assert "发送结果：已发送" in history, history
        shot(editor, "6-dashboard")
        editor.goto(f"{env.url}/published?account={ACCOUNT}")
        ready(editor)
        published = editor.locator("#published").inner_text()
        assert TITLE in published and "发送于" in published, published
        shot(editor, "7-published")
        open_post(editor, env, number)
        assert "已发送" in editor.locator("#targets").inner_text()
    finally:
        for page in (editor, first, second):
            page.context.close()
