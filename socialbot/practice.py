"""Wire the configured accounts into a practice platform, and save what it showed.

Accounts whose ``api_base`` points at this machine use their well-known practice
secret (see ``Account.practice_secret``), so the bot and the practice platform agree
without any credential being set up.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import requests

from socialbot.config import Settings
from socialbot.sandbox import PracticePlatform, WeChatAccountSpec, WeiboAccountSpec

DEFAULT_PORT = 8900


def configured_port(settings: Settings) -> int:
    """The port the config's practice accounts point at (8900 by default)."""
    for account in settings.accounts.values():
        if account.on_practice_platform:
            return urlsplit(account.api_base).port or DEFAULT_PORT
    return DEFAULT_PORT


def register_accounts(platform: PracticePlatform, settings: Settings) -> int:
    """Add every practice-platform account of the config; return how many."""
    count = 0
    for account in settings.accounts.values():
        if not account.on_practice_platform:
            continue
        if account.platform == "wechat":
            tags = {account.tag_id: []} if account.tag_id is not None else {}
            platform.add_wechat_account(
                WeChatAccountSpec(
                    appid=account.appid,
                    secret=account.practice_secret,
                    kind=account.kind,
                    name=account.name,
                    tags=tags,
                )
            )
        else:
            platform.add_weibo_account(
                WeiboAccountSpec(
                    token=account.practice_secret,
                    uid=account.uid,
                    screen_name=account.name,
                    safe_domains=list(account.safe_domains),
                )
            )
        count += 1
    return count


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
