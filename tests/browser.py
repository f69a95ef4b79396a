"""Headless Chromium for page tests: Debian's browser driven by Playwright, nothing downloaded.

The browser runs with *no system fonts* (an empty fontconfig), as on a machine without
CJK fonts, so any page test also shows whether the page carries its own font. Every
process of the browser carries a marker in its environment; teardown checks that none
survives and kills any that does (by pid), also when the test failed.

Use the ``browser_page`` fixture for a fresh page, ``chromium`` for the Browser, or
``launch_chromium(playwright_driver, ...)`` for a browser of a test's own.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

# The flags this machine needs: no sandbox (we run as root in a container), no GPU, and
# nothing that reaches the network on its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
_MARKER = "SOCIALBOT_TEST_BROWSER"
# No <dir>, no <include>: fontconfig lists no font at all.
EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n'
)


def chromium_path() -> str:
    """Debian's chromium; skip where it is missing unless the run requires it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("SOCIALBOT_REQUIRE_CHROMIUM"):
        pytest.fail("chromium is required (SOCIALBOT_REQUIRE_CHROMIUM) but not installed")
    pytest.skip("Debian's chromium is not installed; `make test` installs it")


def fontless_env(folder: Path) -> dict[str, str]:
    """Environment in which fontconfig finds no font at all."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(EMPTY_FONTCONFIG, "utf-8")
    return dict(
        os.environ,
        FONTCONFIG_FILE=str(conf),
        FONTCONFIG_PATH=str(folder),
        HOME=str(folder),
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_CACHE_HOME=str(folder / "cache"),
    )


def marked_pids(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (those of one test browser)."""
    needle = f"{_MARKER}={marker}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if needle in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def kill_marked(marker: str, grace: float = 10.0) -> list[int]:
    """Wait up to ``grace`` seconds for the browser's processes to exit, then SIGKILL
    the rest by pid. Returns the pids that had to be killed."""
    deadline = time.monotonic() + grace
    while (left := marked_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


@contextmanager
def launch_chromium(
    pw: Any, folder: Path, env: dict[str, str] | None = None, marker: str | None = None
) -> Iterator[Any]:
    """A Browser on Debian's chromium through Playwright ``pw`` (font-less unless ``env``
    is given); no process of it outlives the block, whether the block fails or not."""
    executable = chromium_path()
    marker = marker or uuid.uuid4().hex
    browser_env = dict(env if env is not None else fontless_env(folder))
    browser_env[_MARKER] = marker
    try:
        browser = pw.chromium.launch(
            executable_path=executable,
            args=list(CHROMIUM_FLAGS),
            env=browser_env,
            timeout=120_000,
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        survivors = kill_marked(marker)
    # Reached only when the block succeeded; a failing block keeps its own error.
    assert not survivors, f"Chromium processes outlived the browser: {survivors}"


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """Playwright's driver, once per run (its sync API cannot be started twice at once)."""
    chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("SOCIALBOT_REQUIRE_CHROMIUM"):
            pytest.fail("playwright is required for the Chromium tests: pip install -e '.[test]'")
        pytest.skip("playwright is not installed; `make test` installs it")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium(playwright_driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One font-less Chromium for the whole run."""
    with launch_chromium(playwright_driver, tmp_path_factory.mktemp("chromium")) as browser:
        yield browser


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh page (own context) at desktop width; closed after the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def open_page(page: Any, path: Path) -> None:
    """Load a local page and wait until its images and web fonts are ready."""
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")


def platform_fonts(page: Any, selector: str) -> list[dict[str, Any]]:
    """Fonts Chromium actually drew the element's own text with (CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element matches {selector!r}"
        return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])
    finally:
        cdp.detach()
