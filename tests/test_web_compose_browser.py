"""The composer in Debian's Chromium: an editor writes a post with the live phone preview
following their typing, uploads a picture, saves (the CLI then shows the post), edits it
and reads the version history with its diff; at a phone's width too. Refusals the page
cannot hide: another unit's post, and a form whose CSRF token was removed.
Screenshots go to out/console-screenshots/."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageDraw
from test_web_browser import SHOTS, drawn_with_shipped_font, fits, new_page, ready, sign_in
from web_support import make_env, serve

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("compose-browser")
    e = make_env(root, assets=root / "assets")
    e.queue("0609-city", "市局稿件：世界认可日", "shsmr_wechat", by="editor1")
    with serve(e):
        yield e
    e.db.dispose()


@pytest.fixture
def photo(tmp_path):
    """A picture like a staff photo: a gradient with a few shapes, 1200×800."""
    image = Image.new("RGB", (1200, 800))
    draw = ImageDraw.Draw(image)
    for y in range(800):
        draw.line([(0, y), (1200, y)], fill=(20 + y // 8, 110, 160 - y // 10))
    draw.ellipse((420, 220, 780, 580), fill=(240, 200, 60))
    path = tmp_path / "lab-open-day.png"
    image.save(path)
    return path


def preview_text(page) -> str:
    return page.locator("#preview").inner_text()


def wait_preview_contains(page, text: str) -> None:
    page.wait_for_function(
        "t => (document.querySelector('#preview-cards') || {innerText: ''}).innerText.includes(t)",
        arg=text)


def test_compose_with_live_preview_upload_save_edit_and_history(chromium, env, photo):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(chromium, 1280, 1000)
    try:
        sign_in(page, env, "editor1")
        page.click("nav a[href='/compose']")
        page.wait_for_url(f"{env.url}/compose")
        ready(page)
        page.locator("#preview-summary").wait_for()
        page.fill("#f-name", "0609-browser")
        page.select_option("#f-template", "news")
        page.fill("#f-digest", "今天是第15个“世界认可日”。")
        page.fill("#f-weibo", "【6·9世界认可日】实验室开放日，一起来认识身边的认证认可！")
        page.fill("#f-body", "今天，6月9日，是第15个“世界认可日”。")
        page.check("input[value='shsmr_wechat']")
        page.check("input[value='shsmr_weibo']")
        page.fill("#f-at", "2035-06-09 09:00")
        page.fill("#f-title", "")
        page.locator("#f-title").press_sequentially("实验室开放日", delay=30)
        wait_preview_contains(page, "实验室开放日")  # the preview followed the typing
        assert page.locator("#preview .crop-235").count() >= 1
        assert page.locator("#preview .crop-11").count() >= 1
        assert "微博" in preview_text(page) or page.locator("#preview .wb-text").count() == 1
        wait_for_checks_ok(page)

        page.set_input_files("#f-image", str(photo))
        item = page.locator("#image-list .image-item")
        item.wait_for()
        assert item.locator("img.thumb").count() == 1
        item.locator("input[type=radio]").check()
        item.locator("button.insert-image").click()
        assert "![图片](img1)" in page.input_value("#f-body")
        page.wait_for_function(
            "() => !!document.querySelector('#preview-cards .article img')")
        wait_for_checks_ok(page)
        drawn_with_shipped_font(page, "h1")

        page.click("button.save")
        page.wait_for_url(re.compile(r".*/posts/\d+/edit\?saved=1$"))
        ready(page)
        assert "已保存" in page.locator("#compose-msg").inner_text()
        page.locator("#preview-cards .article img").wait_for()
        drawn_with_shipped_font(page, "#f-title")  # the saved text, in the page's own faces
        page.screenshot(path=str(SHOTS / "compose-desktop.png"), full_page=True)
        queue_id = int(re.search(r"/posts/(\d+)/", page.url).group(1))
        post = env.db.post(queue_id)
        assert post.title == "实验室开放日" and post.author == "editor1"
        shown = env.cli("queue", "show", str(queue_id))
        assert shown.returncode == 0 and "实验室开放日" in shown.stdout, shown.stdout

        page.fill("#f-title", "实验室开放日（修订）")
        page.fill("#f-body", page.input_value("#f-body") + "\n\n欢迎预约参观。")
        wait_preview_contains(page, "欢迎预约参观。")
        page.click("button.save")
        page.wait_for_url(re.compile(r".*/posts/\d+/edit\?saved=1$"))
        ready(page)
        page.click(f"a[href='/posts/{queue_id}/versions']")
        page.wait_for_url(f"{env.url}/posts/{queue_id}/versions")
        ready(page)
        newest = page.locator("#versions li.version").first
        assert "第 2 版" in newest.inner_text() and "editor1" in newest.inner_text()
        added = newest.locator(".diff .add").all_inner_texts()
        assert "+title: 实验室开放日（修订）" in added and "+欢迎预约参观。" in added
        assert "-title: 实验室开放日" in newest.locator(".diff .del").all_inner_texts()
        page.screenshot(path=str(SHOTS / "versions-desktop.png"), full_page=True)
    finally:
        page.context.close()


def open_composer(page, env) -> None:
    """Signed in as an editor, on a new post's composer with its first preview in."""
    sign_in(page, env, "editor1")
    page.goto(f"{env.url}/compose")
    ready(page)
    page.locator("#preview-summary").wait_for()


def wait_for_checks_ok(page) -> None:
    page.wait_for_function(
        "() => (document.querySelector('#preview-summary') || {innerText: ''})"
        ".innerText.includes('检查通过')")


def test_inline_checks_sit_next_to_their_field(chromium, env):
    page = new_page(chromium, 1280)
    try:
        open_composer(page, env)
        page.fill("#f-title", "检查就在栏旁")
        page.fill("#f-body", "今天，6月9日，是第15个“世界认可日”。")
        page.fill("#f-weibo", "认可" * 100)
        page.locator("#check-weibo .check.problem").wait_for()
        assert "超过上限 140 字" in page.locator("#check-weibo").inner_text()
        weibo = page.locator("#f-weibo").bounding_box()
        check = page.locator("#check-weibo").bounding_box()
        assert weibo and check and 0 <= check["y"] - (weibo["y"] + weibo["height"]) < 40
        assert "保存会被拒绝" in page.locator("#preview-summary").inner_text()
    finally:
        page.context.close()


def test_the_composer_is_usable_at_a_phone_width(chromium, env):
    page = new_page(chromium, 420, 860)
    try:
        open_composer(page, env)
        page.fill("#f-body", "今天，6月9日，是第15个“世界认可日”。")
        page.locator("#f-title").press_sequentially("手机上写稿", delay=30)
        wait_preview_contains(page, "手机上写稿")
        fits(page, 420)
        page.goto(f"{env.url}/posts/{env.queued['0609-city']}/edit")
        ready(page)
        page.locator("#preview-cards .crop-235").wait_for()
        fits(page, 420)
        drawn_with_shipped_font(page, "h1")
        save = page.locator("button.save").bounding_box()
        assert save and save["x"] >= 0 and save["x"] + save["width"] <= 420
        page.screenshot(path=str(SHOTS / "compose-420.png"), full_page=True)
    finally:
        page.context.close()


def test_another_units_post_and_a_form_without_its_token_are_refused(chromium, env):
    city = env.queued["0609-city"]
    page = new_page(chromium, 1280)
    try:
        sign_in(page, env, "pdeditor")
        response = page.goto(f"{env.url}/posts/{city}/edit")
        assert response.status == 404
        assert "不属于你所在的单位" in page.locator("main").inner_text()
    finally:
        page.context.close()
    page = new_page(chromium, 1280)
    try:
        sign_in(page, env, "editor1")
        page.goto(f"{env.url}/posts/{city}/edit")
        ready(page)
        before = env.db.post(city).content_hash
        page.evaluate("""() => {
            document.querySelector('#compose-form input[name=csrf]').remove();
            document.body.removeAttribute('hx-headers');
        }""")
        page.fill("#f-title", "没有安全令牌的修改")
        with page.expect_navigation():
            page.click("button.save")
        assert "安全校验未通过" in page.locator("main").inner_text()
        assert env.db.post(city).content_hash == before
    finally:
        page.context.close()
