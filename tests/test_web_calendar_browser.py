"""The calendar and the watch dashboard in Debian's Chromium with no system fonts: a post
queued from the CLI is on the calendar, dragging it to another day moves it, dragging it
onto a full quota day is refused with the reason; the pages fit a phone. Screenshots go
to out/console-screenshots/ (the README's staff guide uses them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import processes
import pytest
from sqlalchemy import update
from test_web_browser import drawn_with_shipped_font, fits, new_page, ready, shots, sign_in
from web_support import make_env, serve

from socialbot.store import State
from socialbot.store.schema import deliveries
from socialbot.store_rules import rules_of

pytestmark = pytest.mark.chromium
DAY = 45
__all__ = ["shots"]  # the screenshot folder fixture, shared with the console's first tests


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("console-calendar-browser"))
    e.queue("1001-a", "认可日主题活动预告", "shsmr_wechat,shsmr_weibo", by="editor1", days=DAY)
    e.queue("1002-b", "检验检测开放日", "shsmr_wechat", by="editor1", days=DAY + 2)
    e.queue("1003-c", "认证认可宣贯培训", "shsmr_weibo", by="editor1", days=DAY + 3)
    with serve(e):
        yield e
    e.db.dispose()


def delivery(env, name: str, account: str):
    return next(d for d in env.db.deliveries_of(env.queued[name]) if d.account == account)


def month_of(env, d) -> str:
    return d.due_at.astimezone(env.settings.tz).date().isoformat()


def day_of(env, d) -> dt.date:
    return d.due_at.astimezone(env.settings.tz).date()


def open_calendar(page: Any, env, day: str) -> None:
    page.goto(f"{env.url}/calendar?view=month&date={day}")
    ready(page)


def test_drag_to_reschedule_and_a_refused_drag_in_the_browser(chromium, env, shots):
    page = new_page(chromium, 1280, 1000)
    try:
        sign_in(page, env, "editor1")
        weibo = delivery(env, "1001-a", "shsmr_weibo")
        open_calendar(page, env, month_of(env, weibo))
        chip = page.locator(f"[data-delivery='{weibo.id}']")
        assert "认可日主题活动预告" in chip.inner_text() and "待审核" in chip.inner_text()
        assert "当天消息" in page.locator("#calendar").inner_text()
        drawn_with_shipped_font(page, "h1")
        drawn_with_shipped_font(page, ".legend .ev.state-queued")
        page.screenshot(path=str(shots / "calendar-month-desktop.png"), full_page=True)

        target = day_of(env, weibo) + dt.timedelta(days=1)
        if target.month != day_of(env, weibo).month:  # stay in the month shown
            target = day_of(env, weibo) - dt.timedelta(days=1)
        chip.drag_to(page.locator(f"[data-day='{target.isoformat()}']"))
        page.locator("#calendar-msg.ok").wait_for()
        assert "改到" in page.locator("#calendar-msg").inner_text()
        moved = delivery(env, "1001-a", "shsmr_weibo")
        assert day_of(env, moved) == target
        assert moved.due_at.astimezone(env.settings.tz).time() == weibo.due_at.astimezone(
            env.settings.tz).time()  # the same time of day, another day
        assert page.locator(f"[data-day='{target.isoformat()}'] [data-delivery='{weibo.id}']"
                            ).count() == 1

        wechat = delivery(env, "1001-a", "shsmr_wechat")
        # The next day's one mass send was made from the 公众号 backend: a move there is
        # refused (a day with room would simply take the article into its daily message).
        from socialbot.store import quota
        full_day = day_of(env, wechat) + dt.timedelta(days=1)
        with env.db.tx() as conn:
            rule = rules_of(env.settings).accounts["shsmr_wechat"].quota
            quota.mark_full(conn, "shsmr_wechat", rule,
                            dt.datetime.combine(full_day, dt.time(12), tzinfo=env.settings.tz))
        open_calendar(page, env, month_of(env, wechat))
        page.locator(f"[data-delivery='{wechat.id}']").drag_to(
            page.locator(f"[data-day='{full_day.isoformat()}']"))
        refusal = page.locator("#calendar-msg.error")
        refusal.wait_for()
        assert "最多群发 1 次" in refusal.inner_text()
        drawn_with_shipped_font(page, "#calendar-msg")
        page.screenshot(path=str(shots / "calendar-refused-desktop.png"), full_page=True)
        assert delivery(env, "1001-a", "shsmr_wechat") == wechat

        page.goto(f"{env.url}/calendar?view=week&date={day_of(env, wechat).isoformat()}")
        ready(page)
        assert "认可日主题活动预告" in page.locator("#calendar").inner_text()
        page.screenshot(path=str(shots / "calendar-week-desktop.png"), full_page=True)
    finally:
        page.context.close()


def test_calendar_and_its_form_at_a_phone_width(chromium, env, shots):
    page = new_page(chromium, 420, 860)
    try:
        sign_in(page, env, "editor1")
        d = delivery(env, "1003-c", "shsmr_weibo")
        open_calendar(page, env, month_of(env, d))
        fits(page, 420)
        drawn_with_shipped_font(page, "h1")
        page.screenshot(path=str(shots / "calendar-420.png"), full_page=True)
        page.click(f"[data-delivery='{d.id}']")  # on a phone: open it, move it with the form
        ready(page)
        fits(page, 420)
        new_day = day_of(env, d) + dt.timedelta(days=2)
        page.fill("input[name=date]", new_day.isoformat())
        page.fill("input[name=time]", "16:45")
        page.click("form.move button[type=submit]")
        page.locator("#delivery-msg.ok").wait_for()
        page.screenshot(path=str(shots / "calendar-move-420.png"), full_page=True)
        moved = delivery(env, "1003-c", "shsmr_weibo").due_at.astimezone(env.settings.tz)
        assert (moved.date(), moved.strftime("%H:%M")) == (new_day, "16:45")
    finally:
        page.context.close()


def test_dashboard_actions_and_kill_switch_in_the_browser(chromium, env, shots):
    d = delivery(env, "1002-b", "shsmr_wechat")
    with env.db.tx() as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == d.id).values(
            state=str(State.FAILED), message="公众号接口返回错误 45009：接口调用超过限制（测试）"))
    page = new_page(chromium, 1280, 1000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, env, "admin")
        page.goto(f"{env.url}/dashboard")
        ready(page)
        assert "45009" in page.locator("#attention").inner_text()
        page.fill("#kill-switch input[name=reason]", "重大活动临时调整，暂停全部发布")
        page.click("#kill-switch button[data-action=pause]")
        page.locator("#pauses").wait_for()
        assert "重大活动临时调整" in page.locator("#pauses").inner_text()
        assert [p.scope for p in env.db.pauses()] == ["*"]
        drawn_with_shipped_font(page, "#attention .hint")
        page.screenshot(path=str(shots / "watch-dashboard-desktop.png"), full_page=True)
        page.click(f"#attention form[action='/watch/deliveries/{d.id}/retry'] button")
        # The pause already left a #watch-msg.ok on the page: wait for the store instead.
        processes.wait_for(lambda: delivery(env, "1002-b", "shsmr_wechat").state != State.FAILED,
                           timeout=60, what="the retry to be recorded")
        page.click("#pauses button[data-action=resume]")
        processes.wait_for(lambda: env.db.pauses() == [], timeout=60,
                           what="the resume to be recorded")
    finally:
        page.context.close()
    phone = new_page(chromium, 420, 860)
    try:
        sign_in(phone, env, "admin")
        for path, name in (("/dashboard", "watch-dashboard-420.png"), ("/audit", "audit-420.png"),
                           ("/published", "published-420.png")):
            phone.goto(env.url + path)
            ready(phone)
            fits(phone, 420)
            phone.screenshot(path=str(shots / name), full_page=True)
    finally:
        phone.context.close()
