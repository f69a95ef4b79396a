"""The dry-run preview as a person sees it: loaded and screenshotted in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from noto_cjk_sans_otc import FONT_PATH
from PIL import Image

from socialbot.config import load_settings
from socialbot.preview import write_preview
from socialbot.preview.writer import campaign_posts
from tests.helpers import REPO

pytestmark = pytest.mark.chromium
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _require_chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("SOCIALBOT_REQUIRE_CHROMIUM"):
        pytest.fail("chromium is required (SOCIALBOT_REQUIRE_CHROMIUM) but not installed")
    pytest.skip("Debian's chromium is not installed; `make test` installs it")


def _run_chromium(tmp: Path, url: str, *extra: str) -> str:
    """Headless Chromium with no background networking, using the bundled CJK font."""
    fonts_conf = tmp / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<dir>{Path(str(FONT_PATH)).parent}</dir><include ignore_missing="yes">'
        "/etc/fonts/fonts.conf</include>"
        f"<cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>",
        "utf-8",
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf), HOME=str(tmp))
    cmd = [
        _require_chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp / 'profile'}",
        "--virtual-time-budget=5000",
        "--allow-file-access-from-files",
        *extra,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory):
    _require_chromium()
    settings = load_settings(REPO / "config.toml")
    out = tmp_path_factory.mktemp("preview")
    result = write_preview(settings, campaign_posts(settings), out)
    assert result.ok, [e.render() for _, e in result.failures]
    return result


def test_post_page_has_every_view_and_images_load(preview, tmp_path: Path) -> None:
    post = next(p for p in preview.posts if p.rendered.wechat.images)  # one with an inline image
    dom = _run_chromium(tmp_path, post.page.as_uri(), "--dump-dom")
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
        assert f'data-testid="{testid}"' in dom, testid
    loaded, total = re.search(r'data-images="(\d+)/(\d+)"', dom).groups()
    assert total != "0" and loaded == total, f"only {loaded} of {total} images loaded"
    assert post.rendered.wechat.title in dom
    assert "stable_token" in dom or "get_token_info" in dom  # the plan lists the calls


def test_screenshot_shows_rendered_page(preview, tmp_path: Path) -> None:
    post = preview.posts[0]
    shot = tmp_path / "post.png"
    _run_chromium(tmp_path, post.page.as_uri(), f"--screenshot={shot}", "--window-size=1280,1400")
    with Image.open(shot) as img:
        assert img.size == (1280, 1400)
        rgb = img.convert("RGB")
        colours = rgb.resize((64, 70)).getcolors(64 * 70) or []
        assert len(colours) > 50, "screenshot looks blank"
        # the theme green of the page header is on screen
        green = sum(n for n, (r, g, b) in colours if g > r + 40 and g > b + 20)
        assert green > 20


def test_index_lists_every_post(preview, tmp_path: Path) -> None:
    dom = _run_chromium(tmp_path, preview.index.as_uri(), "--dump-dom")
    assert dom.count('data-testid="post-row"') == len(preview.posts) >= 8
