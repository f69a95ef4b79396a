"""The practice platform's "what followers received" page in Debian's headless Chromium
with no system fonts: served over HTTP and saved by the demo, it brings its own font and
shows deliveries as followers see them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from socialbot.delivery import Outcome
from socialbot.post_file import load_post
from socialbot.render.webfont import FAMILY, LICENCE_FILE
from socialbot.rendering import render_post
from socialbot_practice.page_font import FONT_ROUTE
from socialbot_practice.saved_page import save_page
from tests.browser import platform_fonts
from tests.helpers import REPO, newspic_post, write_post

pytest_plugins = ["tests.support_platform"]
pytestmark = pytest.mark.chromium

CJK = re.compile(r"[\u4e00-\u9fff]")
# Elements with Chinese text of every kind on the page: header, section titles, the
# WeChat card followers got, the Weibo text, the call log.
CHINESE_TEXT = (
    "header h1",
    "[data-testid=wechat-account] h2",
    "[data-testid=wechat-chat] .msg-title",
    "[data-testid=weibo-text]",
    "section.box:last-of-type h2",
)


@pytest.fixture
def delivered(world: Any) -> Any:
    """A mass send, a freepublish and a Weibo post with a link on the practice platform."""
    post = world.rendered()
    for account in ("wx_sub", "wx_svc", "weibo_main"):
        result = world.channel(account).publish(post, world.key(post, account))
        assert result.outcome is Outcome.SENT, result.message
    return world


@pytest.fixture
def offline_page(chromium: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page at desktop width that records every URL it asks for."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(90_000)  # the first font request cuts the subset
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        yield page, requested
    finally:
        context.close()


def _load(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")


def _assert_own_font(page: Any) -> None:
    # The browser really has no font of its own: text in a system family draws nothing.
    page.evaluate(
        "() => { const p = document.createElement('p'); p.id = 'system-only';"
        " p.style.fontFamily = 'serif'; p.textContent = '粉丝收到'; document.body.append(p); }"
    )
    assert platform_fonts(page, "#system-only") == []
    for selector in CHINESE_TEXT:
        fonts = platform_fonts(page, selector)
        text = page.eval_on_selector(selector, "e => e.textContent")
        assert CJK.search(text), (selector, text)
        assert fonts, f"{selector}: Chromium drew no glyph at all"
        for font in fonts:
            assert font["familyName"] == FAMILY, (selector, fonts)
            assert font["postScriptName"].startswith("SocialbotCJKSans-"), (selector, fonts)
            assert font["isCustomFont"], (selector, fonts)
        assert sum(f["glyphCount"] for f in fonts) >= len(CJK.findall(text)), (selector, fonts)


def _assert_followers_view(page: Any, link: str) -> None:
    """WeChat: the big card with a 2.35:1 cover; Weibo: links shown as "网页链接"."""
    box = page.locator("[data-testid=wechat-chat] .crop-235").first.bounding_box()
    assert box and abs(box["width"] / box["height"] - 2.35) < 0.02, box
    weibo = page.locator("[data-testid=weibo-text]").first
    shown = weibo.inner_text()
    assert "网页链接" in shown and "http" not in shown, shown
    assert weibo.locator("a.wb-link").first.get_attribute("href") == link


def test_served_page_uses_the_shipped_font_without_system_fonts(
    delivered: Any, offline_page: tuple[Any, list[str]]
) -> None:
    page, requested = offline_page
    _load(page, delivered.platform.url + "/")
    _assert_own_font(page)
    fonts = [u for u in requested if FONT_ROUTE in u]
    assert len(fonts) == 1 and fonts[0].startswith(delivered.platform.url + FONT_ROUTE), requested
    _assert_followers_view(page, delivered.ids.link)


def test_saved_copy_uses_its_own_font_file_and_needs_no_platform(
    delivered: Any, offline_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    index = save_page(delivered.platform, tmp_path / "followers")
    fonts = list((tmp_path / "followers" / "fonts").glob("*.woff2"))
    assert len(fonts) == 1
    assert (tmp_path / "followers" / "fonts" / LICENCE_FILE).is_file()
    page, requested = offline_page
    _load(page, index.as_uri())
    _assert_own_font(page)
    assert fonts[0].as_uri() in requested
    assert all(u.startswith("file://") for u in requested), requested  # self-contained
    _assert_followers_view(page, delivered.ids.link)
    # Links that need the running platform are not in the copy.
    assert page.locator("a[href^='/']").count() == 0


@pytest.mark.parametrize("width", [420, 1280])
def test_page_fits_the_window(delivered: Any, chromium: Any, width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(90_000)
    try:
        page = context.new_page()
        _load(page, delivered.platform.url + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        card = page.locator("[data-testid=wechat-chat] .msg").first.bounding_box()
        assert card and card["x"] >= 0 and card["x"] + card["width"] <= width, card
    finally:
        context.close()


def test_font_route_serves_only_fonts_of_pages_it_rendered(delivered: Any) -> None:
    base = delivered.platform.url
    html = requests.get(base + "/", timeout=10).text
    match = re.search(rf'url\("({re.escape(FONT_ROUTE)}[^"]+)"\)', html)
    assert match, "the page loads its font from the platform"
    font = requests.get(base + match.group(1), timeout=120)
    assert font.status_code == 200 and font.content[:4] == b"wOF2"
    assert font.headers["Content-Type"] == "font/woff2"
    missing = requests.get(f"{base}{FONT_ROUTE}socialbot-cjk-sans-0000000000000000.woff2",
                           timeout=10)
    assert missing.status_code == 404


def test_a_newspic_shows_as_followers_see_it(world: Any, chromium: Any, tmp_path: Path) -> None:
    """A 贴图 sent through the channel: a square card with its picture count, then every
    picture (loaded, side by side to swipe through) and its text; also in the saved copy."""
    text = newspic_post(body="第一段文字。").replace("[shsmr_wechat]", "[wx_sub]")
    post = load_post(write_post(world.folder, "0605-photos.md", text),
                     assets_dir=REPO / "assets")
    rendered = render_post(post, world.settings)
    result = world.channel("wx_sub").publish(rendered, world.key(rendered, "wx_sub"))
    assert result.outcome is Outcome.SENT, result.message
    index = save_page(world.platform, tmp_path / "followers")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(90_000)
    try:
        page = context.new_page()
        for url in (world.platform.url + "/", index.as_uri()):
            _load(page, url)
            card = page.locator("[data-kind=newspic]")
            box = card.locator(".crop-sq").bounding_box()
            assert box and abs(box["width"] / box["height"] - 1) < 0.02, box
            assert "3 图" in card.inner_text() and "疫情防控成果展示" in card.inner_text()
            strip = page.locator("[data-testid=newspic-images]")
            widths = strip.locator("img").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
            assert widths == [900, 900, 900], widths  # every picture loaded
            sources = strip.locator("img").evaluate_all("imgs => imgs.map(i => i.src)")
            assert all(u.startswith(url.rsplit("/", 1)[0]) for u in sources), sources
            scroll, client = strip.evaluate("s => [s.scrollWidth, s.clientWidth]")
            assert scroll >= 3 * client - 3, (scroll, client)  # one picture a screen
            shown = page.locator("[data-testid=newspic-text]").inner_text()
            assert "第一段文字。" in shown and "指导单位：市市场监管局" in shown
    finally:
        context.close()
