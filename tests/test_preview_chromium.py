"""The dry-run preview as a person sees it, in Debian's headless Chromium with no system
fonts at all: the page must bring its own font, show what followers see, and print whole."""

from __future__ import annotations

import io
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from socialbot.config_file import load_settings
from socialbot.platforms.weibo.textcount import URL_RE
from socialbot.preview import PreviewResult, write_preview
from socialbot.preview.writer import campaign_posts
from socialbot.render.webfont import FAMILY
from tests.browser import launch_chromium, marked_pids, open_page, platform_fonts
from tests.helpers import GOOD_POST, REPO, write_config, write_post

pytestmark = pytest.mark.chromium

LAST_PARAGRAPH = "这是长文的最后一段，打印和整页截图都必须完整显示到这里为止。"
LONG_BODY = "\n\n".join(
    [f"第{i}段：检验检测是质量的守门人，本段用来把文章撑长，超过一屏手机的高度。" * 2
     for i in range(1, 41)]
    + [LAST_PARAGRAPH]
)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    """The sample campaign's preview."""
    settings = load_settings(REPO / "config.toml")
    out = tmp_path_factory.mktemp("preview")
    result = write_preview(settings, campaign_posts(settings), out)
    assert result.ok, [e.render() for _, e in result.failures]
    return result


@pytest.fixture(scope="module")
def long_post(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    """One post whose article is far taller than a phone screen."""
    folder = tmp_path_factory.mktemp("long")
    settings = load_settings(write_config(folder))
    text = GOOD_POST.split("---\n", 2)
    path = write_post(folder / "posts", text=f"---\n{text[1]}---\n{LONG_BODY}\n")
    result = write_preview(settings, [path], folder / "out")
    assert result.ok, [e.render() for _, e in result.failures]
    return result


def _own_font_only(page: Any, selector: str) -> list[dict[str, Any]]:
    fonts = platform_fonts(page, selector)
    assert fonts, f"{selector}: Chromium drew no glyph at all"
    for font in fonts:
        assert font["familyName"] == FAMILY, (selector, fonts)
        assert font["postScriptName"].startswith("SocialbotCJKSans-"), (selector, fonts)
        assert font["isCustomFont"] and font["glyphCount"] > 0, (selector, fonts)
    return fonts


def test_chinese_text_uses_the_shipped_font_without_system_fonts(
    preview: PreviewResult, browser_page: Any
) -> None:
    post = preview.posts[0]
    open_page(browser_page, post.page)
    # The browser really has no font of its own: text in a system family draws nothing.
    browser_page.evaluate(
        "() => { const p = document.createElement('p'); p.id = 'system-only';"
        " p.style.fontFamily = 'serif'; p.textContent = '检验检测'; document.body.append(p); }"
    )
    assert platform_fonts(browser_page, "#system-only") == []
    for selector in ("header.top h1", ".card-title", ".wb-text", "section.panel h2"):
        fonts = _own_font_only(browser_page, selector)
        text = browser_page.eval_on_selector(selector, "e => e.textContent")
        assert sum(f["glyphCount"] for f in fonts) >= len(CJK.findall(text)) > 0
    open_page(browser_page, preview.index)
    _own_font_only(browser_page, "header.top h1")


def test_without_the_font_face_chinese_has_no_font(
    preview: PreviewResult, browser_page: Any, tmp_path: Path
) -> None:
    """Control: the same page with the @font-face removed is drawn with nothing of ours."""
    copy = tmp_path / "preview"
    shutil.copytree(preview.out_dir, copy)
    css = copy / "preview.css"
    stripped, n = re.subn(r"@font-face\s*\{[^}]*\}", "", css.read_text("utf-8"))
    assert n == 1
    css.write_text(stripped, "utf-8")
    post = copy / preview.posts[0].page.relative_to(preview.out_dir)
    open_page(browser_page, post)
    fonts = platform_fonts(browser_page, "header.top h1")
    assert not any(f["familyName"] == FAMILY or f["isCustomFont"] for f in fonts), fonts


def test_post_page_has_every_view_and_images_load(
    preview: PreviewResult, browser_page: Any
) -> None:
    post = next(p for p in preview.posts if p.rendered.wechat.images)  # one with an inline image
    open_page(browser_page, post.page)
    for testid in (
        "wechat-card",
        "crop-235",
        "crop-11",
        "wechat-article",
        "article-content",
        "weibo-card",
        "weibo-text",
        "weibo-image",
        "plan",
        "checks",
    ):
        assert browser_page.locator(f'[data-testid="{testid}"]').count() >= 1, testid
    loaded, total = browser_page.evaluate(
        "[...document.images].reduce((a, i) => [a[0] + (i.complete && i.naturalWidth > 0),"
        " a[1] + 1], [0, 0])"
    )
    assert total > 0 and loaded == total, f"only {loaded} of {total} images loaded"
    assert post.rendered.wechat.title in browser_page.inner_text("[data-testid=wechat-article]")
    plan = browser_page.inner_text("[data-testid=plan]")
    assert "stable_token" in plan or "get_token_info" in plan  # the plan lists the calls


def test_screenshot_shows_rendered_page(preview: PreviewResult, browser_page: Any) -> None:
    open_page(browser_page, preview.posts[0].page)
    with Image.open(io.BytesIO(browser_page.screenshot())) as img:
        assert img.size == (1280, 900)
        colours = img.convert("RGB").resize((64, 45)).getcolors(64 * 45) or []
    assert len(colours) > 50, "screenshot looks blank"
    # the theme green of the page header is on screen
    assert sum(n for n, (r, g, b) in colours if g > r + 40 and g > b + 20) > 20


def test_index_lists_every_post(preview: PreviewResult, browser_page: Any) -> None:
    open_page(browser_page, preview.index)
    rows = browser_page.locator('[data-testid="post-row"]').count()
    assert rows == len(preview.posts) >= 8


def test_weibo_card_shows_links_as_followers_see_them(
    long_post: PreviewResult, browser_page: Any
) -> None:
    rendered = long_post.posts[0].rendered
    urls = URL_RE.findall(rendered.weibo.text)
    assert urls, "the sample Weibo text carries a link"
    open_page(browser_page, long_post.posts[0].page)
    card = browser_page.locator("[data-testid=weibo-text]")
    shown = card.inner_text()
    assert shown.count("网页链接") == len(urls)
    assert "http" not in shown and not any(u in shown for u in urls)
    chips = card.locator("a.wb-link")
    assert [chips.nth(i).get_attribute("href") for i in range(chips.count())] == urls
    # The text outside the links is unchanged.
    assert shown.replace("网页链接", "") == URL_RE.sub("", rendered.weibo.text)


# Where the paragraph holding `text` is: cut off by a scrolling ancestor, or visible.
_CLIP = """(text) => {
  const el = [...document.querySelectorAll('[data-testid=article-content] p')]
    .find(p => p.textContent.includes(text));
  if (!el) return 'missing';
  const r = el.getBoundingClientRect();
  const page = document.documentElement.scrollHeight;
  for (let a = el.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowY !== 'visible' || s.overflowX !== 'visible') {
      const b = a.getBoundingClientRect();
      if (r.top < b.top - 1 || r.bottom > b.bottom + 1) return 'clipped by ' + a.className;
    }
  }
  return r.bottom + window.scrollY <= page ? 'visible' : 'below the page';
}"""
_LAST = f"[data-testid=article-content] p:has-text('{LAST_PARAGRAPH}')"


def test_long_article_is_cut_on_screen_but_whole_when_expanded(
    long_post: PreviewResult, browser_page: Any
) -> None:
    page = long_post.posts[0].page
    open_page(browser_page, page)
    # On screen the phone keeps its one-screen height and scrolls inside: a full-page
    # screenshot would cut the article (this is what the expanded view is for).
    assert browser_page.evaluate(_CLIP, LAST_PARAGRAPH).startswith("clipped")
    browser_page.goto(page.as_uri() + "#full")
    assert browser_page.evaluate(_CLIP, LAST_PARAGRAPH) == "visible"
    shot = browser_page.screenshot(full_page=True)
    with Image.open(io.BytesIO(shot)) as img:
        box = browser_page.locator(_LAST).bounding_box()
        assert box and box["y"] + box["height"] <= img.height


def test_printed_long_article_contains_its_last_paragraph(
    long_post: PreviewResult, browser_page: Any
) -> None:
    open_page(browser_page, long_post.posts[0].page)
    browser_page.emulate_media(media="print")
    assert browser_page.evaluate(_CLIP, LAST_PARAGRAPH) == "visible"
    pdf = PdfReader(io.BytesIO(browser_page.pdf(format="A4", print_background=True)))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    assert "第1段" in text  # the extraction itself works
    assert LAST_PARAGRAPH in text
    assert "网页链接" in text  # the Weibo card prints as followers see it


def test_no_browser_process_outlives_a_failing_test(playwright_driver: Any, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    with pytest.raises(RuntimeError, match="the test failed"), launch_chromium(
        playwright_driver, tmp_path, marker=marker
    ) as browser:
        browser.new_page().goto("about:blank")
        assert marked_pids(marker), "the browser's processes carry the marker"
        raise RuntimeError("the test failed")
    assert marked_pids(marker) == []
