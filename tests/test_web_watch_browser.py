"""The watch dashboard in Debian's Chromium (no system fonts), on the alerts' own findings:
a failed delivery, a silent account and an expiring token of the viewer's unit show with
reason and what to do, another unit's do not; characters an htmx swap brings in are
drawn with the shipped font; every console page fits a phone's width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update
from test_web_browser import drawn_with_shipped_font, new_page, ready, shots, sign_in
from test_web_console import sign_in as http_sign_in
from web_support import make_env, serve

from socialbot.config_file import load_settings
from socialbot.platforms.weibo.api import token_fingerprint
from socialbot.platforms.weibo.channel import token_expiry_key
from socialbot.store import State
from socialbot.store.schema import deliveries
from tests.browser import platform_fonts

pytestmark = pytest.mark.chromium
__all__ = ["shots"]  # the screenshot folder fixture, shared with the console's first tests
QUIET_DAYS = 12  # past the default [alerts] silent_days (10): every account is silent
TOKEN = "test-only-weibo-token"
RARE = "垚燚焱槑砼氹"  # characters neither the console's base subset nor the page has
RARE_REASON = f"请核对{RARE[:3]}与{RARE[3:]}的写法"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("console-watch-browser"))
    # The Weibo account has a token, so its expiry (as the platform last told) is known.
    e.settings = load_settings(e.root / "config.toml", environ={"TEST_WEIBO_TOKEN": TOKEN})
    e.queue("1101-city", "市局看板：发布失败的稿件", "shsmr_weibo", by="editor1", days=60)
    e.queue("1102-pd", "浦东看板：发布失败的稿件", "pudong_wechat", by="pdeditor", days=60)
    e.queue("1103-review", "市局待审稿件", "shsmr_wechat", by="editor1", days=61)
    for name, message in (("1101-city", "微博接口返回错误 20019：重复内容（测试）"),
                          ("1102-pd", "公众号接口返回错误 45028：没有群发额度（测试）")):
        [d] = e.db.deliveries_of(e.queued[name])
        with e.db.tx() as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == d.id).values(
                state=str(State.FAILED), message=message))
    e.clock.advance(days=QUIET_DAYS)
    weibo = e.settings.accounts["shsmr_weibo"]
    expires = e.clock() + dt.timedelta(days=3, hours=2)
    key = token_expiry_key(weibo, token_fingerprint(e.settings.secret_for(weibo)))
    e.db.kv().set(key, expires.isoformat())
    with serve(e):
        yield e
    e.db.dispose()


def finding(page: Any, kind: str) -> str:
    items = page.locator(f"#attention li[data-kind='{kind}']")
    assert items.count() >= 1, f"no {kind} on the dashboard"
    return "\n".join(items.all_inner_texts())


def test_dashboard_shows_the_alerts_findings_of_the_viewers_units(chromium, env, shots):
    page = new_page(chromium, 1280, 1000)
    try:
        sign_in(page, env, "editor1")
        page.goto(f"{env.url}/dashboard")
        ready(page)
        failed = finding(page, "delivery_failed")
        assert "市局看板：发布失败的稿件" in failed and "20019：重复内容（测试）" in failed
        assert "怎么办：" in failed and f"queue retry {env.queued['1101-city']}" in failed
        [d] = env.db.deliveries_of(env.queued["1101-city"])
        assert page.locator(f"#attention form[action='/watch/deliveries/{d.id}/retry']"
                            ).count() == 1  # the button where an action applies
        silent = finding(page, "account_silent")
        assert f"已连续 {QUIET_DAYS} 天没有发布新内容" in silent and "上海市场监管微博" in silent
        assert "请尽快安排发布" in silent
        token = finding(page, "token_expiring")
        assert "授权将于" in token and "还剩 3 天" in token and "上海市场监管微博" in token
        assert "重新授权" in token and "TEST_WEIBO_TOKEN" in token and TOKEN not in token
        everything = page.locator("#attention").inner_text()
        assert "浦东" not in everything  # another unit's failure and silence stay out
        drawn_with_shipped_font(page, "#attention li[data-kind='delivery_failed'] .reason")
        drawn_with_shipped_font(page, "#attention li[data-kind='token_expiring'] .action")
        page.screenshot(path=str(shots / "dashboard-findings-desktop.png"), full_page=True)

    finally:
        page.context.close()
    page = new_page(chromium, 1280, 1000)
    try:
        sign_in(page, env, "admin")  # the city bureau's admin sees every unit's
        page.goto(f"{env.url}/dashboard")
        ready(page)
        assert "浦东看板：发布失败的稿件" in finding(page, "delivery_failed")
        assert "浦东市场监管" in finding(page, "account_silent")
    finally:
        page.context.close()


def test_the_other_unit_gets_its_own_findings_only(env):
    s = http_sign_in(env, "pdeditor")
    page = s.get(f"{env.url}/dashboard").text
    attention = page.split('id="attention"')[1].split("</ul>")[0]
    assert "浦东看板：发布失败的稿件" in attention and "45028" in attention
    assert "市局看板" not in page and "上海市场监管微博" not in attention


def test_characters_an_htmx_swap_brings_in_are_drawn_with_the_shipped_font(chromium, env):
    page = new_page(chromium, 1280)
    try:
        sign_in(page, env, "rev1")
        number = env.queued["1103-review"]
        page.goto(f"{env.url}/posts/{number}")
        ready(page)
        assert not any(ch in page.content() for ch in RARE)
        page.fill("textarea[name=reason]", RARE_REASON)
        page.click("button.reject")  # htmx posts it and swaps <main> in place
        page.locator("#review-panel .msg.ok").wait_for()
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        status = "#review-panel .msg + p"
        assert RARE_REASON in page.locator(status).inner_text()
        page.evaluate("document.fonts.ready.then(() => true)")
        drawn_with_shipped_font(page, status)
        # A character no face has is drawn as the first face's empty box, and CDP names that
        # face: so the rare characters must come from a face other than the base subset.
        [base] = platform_fonts(page, "footer")
        others = [f for f in platform_fonts(page, status)
                  if f["postScriptName"] != base["postScriptName"]]
        rare = len(set(RARE_REASON) & set(RARE))
        assert sum(f["glyphCount"] for f in others) >= rare, (base, others)
    finally:
        page.context.close()


PAGES = ["/login", "/review", "/posts/{post}", "/calendar", "/dashboard", "/audit",
         "/published"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_fits_a_phone_width(chromium, env, shots, path):
    page = new_page(chromium, 420, 860)
    try:
        if path == "/login":
            page.goto(f"{env.url}/login")
            ready(page)
        else:
            sign_in(page, env, "admin")
            page.goto(env.url + path.format(post=env.queued["1101-city"]))
            ready(page)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 420, f"{path} is {width}px wide at a 420px viewport"
        drawn_with_shipped_font(page, "h1")
        name = path.strip("/").split("/")[0]
        page.screenshot(path=str(shots / f"phone-{name}-420.png"), full_page=True)
    finally:
        page.context.close()
