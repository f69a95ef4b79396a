"""Save the practice platform's "what followers received" page as static files.

The demo keeps the page after its platform has stopped, so the folder carries everything
the page loads: the images it shows (``files/``) and its font subset with the font's
licence (``fonts/``), with relative links, so it opens the same from any copy of the
folder on any machine. Links that only work while the platform runs are left out.

The font is a file next to the page rather than a ``data:`` URL: the OFL licence text
must travel with the font and does, the page stays readable as text, and the font is
only rewritten when the page's characters change (socialbot.render.webfont).
"""

from __future__ import annotations

import re
from pathlib import Path

import requests

from socialbot.render.webfont import write_webfont
from socialbot_practice.page import LIVE_END, LIVE_START
from socialbot_practice.page_font import FONT_ROUTE
from socialbot_practice.practice import PracticePlatform

_IMAGE_PATH_RE = re.compile(r"(?<![\w/])/(?:mmbiz|sinaimg)/[\w.\-]+")
_FONT_URL_RE = re.compile(rf'(?<=url\("){re.escape(FONT_ROUTE)}[\w.\-]+\.woff2(?="\))')
_LIVE_RE = re.compile(f"{re.escape(LIVE_START)}.*?{re.escape(LIVE_END)}", re.DOTALL)


def save_page(platform: PracticePlatform, out_dir: Path) -> Path:
    """Save the practice platform's page, with its images and font, as static files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = requests.get(platform.url + "/", timeout=10).text
    html = _LIVE_RE.sub("", html.replace(platform.url, ""))

    def fetch(match: re.Match[str]) -> str:
        path = match.group(0)
        local = "files/" + path.strip("/").replace("/", "-")
        target = out_dir / local
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(requests.get(platform.url + path, timeout=10).content)
        return local

    html = _IMAGE_PATH_RE.sub(fetch, html)
    font = write_webfont(out_dir, [html])
    html, n = _FONT_URL_RE.subn(font.url, html)
    if n != 1:
        raise RuntimeError(f"the platform page has {n} web font URLs, expected one")
    page = out_dir / "index.html"
    page.write_text(html, "utf-8")
    return page
