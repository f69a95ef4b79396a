"""Save the practice platform's "what followers received" page as static files.

The demo keeps the page after its platform has stopped, so every image the page loads
from the platform is saved next to it and the links are made relative.
"""

from __future__ import annotations

import re
from pathlib import Path

import requests

from socialbot_practice.practice import PracticePlatform

_IMAGE_PATH_RE = re.compile(r"(?<![\w/])/(?:mmbiz|sinaimg)/[\w.\-]+")


def save_page(platform: PracticePlatform, out_dir: Path) -> Path:
    """Save the practice platform's page, with its images, as static files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = requests.get(platform.url + "/", timeout=10).text
    html = html.replace(platform.url, "")

    def fetch(match: re.Match[str]) -> str:
        path = match.group(0)
        local = "files/" + path.strip("/").replace("/", "-")
        target = out_dir / local
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(requests.get(platform.url + path, timeout=10).content)
        return local

    page = out_dir / "index.html"
    page.write_text(_IMAGE_PATH_RE.sub(fetch, html), "utf-8")
    return page
