"""The console in Debian's Chromium with no system fonts: sign in, review list, approve a
post an editor queued from the command line, see it on the dashboard; Chinese drawn with
the shipped font; usable at a phone's width. Screenshots go to out/console-screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import REPO
from web_support import PASSWORD, make_env, serve

from socialbot.render.webfont import FAMILY
from socialbot.store import State
from tests.browser import platform_fonts

pytestmark = pytest.mark.chromium
SHOTS = REPO / "out" / "console-screenshots"
RARE_TITLE = "犇鑫淼检测实验室开放日"  # characters no console template uses


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("console-browser"))
    e.queue("0609-wad", "世界认可日：传递质量信任", "shsmr_wechat,shsmr_weibo", by="editor1")
    e.queue("0610-lab", RARE_TITLE, "shsmr_weibo", by="editor1")
    with serve(e):
        yield e
    e.db.dispose()


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def new_page(chromium: Any, width: int, height: int = 900) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(60_000)
    return context.new_page()


def ready(page: Any) -> None:
    """Loaded, shown (console.js hides the page until its font faces are in) and drawn."""
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement.style.display !== 'none'")
    page.evaluate("document.fonts.ready.then(() => true)")


def sign_in(page: Any, env: Any, username: str, shot: Any = None) -> None:
    page.goto(f"{env.url}/review")
    ready(page)
    assert page.url.startswith(f"{env.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if shot:
        page.screenshot(path=str(shot))
    page.click("button[type=submit]")
    page.wait_for_url(f"{env.url}/review")
    ready(page)


def drawn_with_shipped_font(page: Any, selector: str) -> None:
    fonts = platform_fonts(page, selector)
    assert fonts, f"nothing drawn for {selector}"
    for font in fonts:
        assert font["familyName"] == FAMILY and font["isCustomFont"], (selector, fonts)


def fits(page: Any, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"page is {overflow}px wide at a {width}px viewport"


def test_review_and_approve_in_the_browser_then_see_it_on_the_dashboard(chromium, env, shots):
    page = new_page(chromium, 1280)
    try:
        sign_in(page, env, "rev1", shots / "login-desktop.png")
        wad = env.queued["0609-wad"]
        mine = page.locator("#mine")
        assert "世界认可日：传递质量信任" in mine.inner_text()
        drawn_with_shipped_font(page, "h1")
        page.screenshot(path=str(shots / "review-desktop.png"), full_page=True)

        page.click(f"#mine a[href='/posts/{wad}']")
        page.wait_for_url(f"{env.url}/posts/{wad}")
        ready(page)
        page.screenshot(path=str(shots / "post-desktop.png"), full_page=True)
        page.click("button.approve")  # htmx posts with the CSRF header, swaps the panel
        page.locator("#review-panel .msg.ok").wait_for()
        assert "已审核通过" in page.locator("#review-panel").inner_text()
        assert "rev1" in page.locator("#review-panel").inner_text()
        assert "已审核待发" in page.locator("#targets").inner_text()  # the page, not only the panel
        assert "审核通过" in page.locator("#post-history").inner_text()
        drawn_with_shipped_font(page, "#review-panel .msg.ok")
        page.screenshot(path=str(shots / "post-approved-desktop.png"), full_page=True)
        assert env.db.post(wad).approved_by == "rev1"
        assert {d.state for d in env.db.deliveries_of(wad)} == {State.APPROVED}
        shown = env.cli("queue", "show", str(wad))
        assert "rev1" in shown.stdout, shown.stdout  # the CLI sees the browser's approval

        page.click("nav a[href='/dashboard']")
        page.wait_for_url(f"{env.url}/dashboard")
        ready(page)
        upcoming = page.locator("#next-due").inner_text()
        assert "世界认可日：传递质量信任" in upcoming and "已审核待发" in upcoming
        assert "审核通过" in page.locator("#history").inner_text()
        drawn_with_shipped_font(page, "#next-due a")
        page.screenshot(path=str(shots / "dashboard-desktop.png"), full_page=True)
    finally:
        page.context.close()


def test_characters_outside_the_base_subset_use_the_shipped_font_too(chromium, env):
    page = new_page(chromium, 1280)
    try:
        sign_in(page, env, "rev2")
        lab = env.queued["0610-lab"]
        page.goto(f"{env.url}/posts/{lab}")
        ready(page)
        assert page.locator("h1").inner_text() == RARE_TITLE
        drawn_with_shipped_font(page, "h1")
    finally:
        page.context.close()


@pytest.mark.parametrize("path", ["/review", "/posts/{lab}", "/dashboard"])
def test_usable_at_a_phone_width(chromium, env, shots, path):
    page = new_page(chromium, 420, 860)
    try:
        sign_in(page, env, "rev2")
        page.goto(env.url + path.format(lab=env.queued["0610-lab"]))
        ready(page)
        fits(page, 420)
        drawn_with_shipped_font(page, "h1")
        name = path.strip("/").split("/")[0] or "review"
        page.screenshot(path=str(shots / f"{name}-420.png"), full_page=True)
        if path.startswith("/posts"):
            button = page.locator("button.approve").bounding_box()
            assert button and button["x"] >= 0 and button["x"] + button["width"] <= 420
    finally:
        page.context.close()
