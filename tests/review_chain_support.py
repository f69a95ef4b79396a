"""A console whose 静安 unit reviews in two tiers (初审 → 复审), with its own staff.

Built on ``web_support.make_env`` (same config, same staff) plus one unit and one
account that asks for two tiers; ``api_base`` may point at a practice platform.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from web_support import PASSWORD, ConsoleEnv, make_env

from socialbot.config_file import load_settings
from socialbot.passwords import hash_password
from socialbot.people import Role
from socialbot.store import people

JINGAN = """
[units.jingan]
name = "静安区市场监督管理局"
[accounts.jingan_weibo]
platform = "weibo"
name = "静安市场监管微博"
unit = "jingan"
uid = "5800000031"
token_env = "TEST_JINGAN_WEIBO_TOKEN"
safe_domains = ["scjgj.sh.gov.cn"]
api_base = "{api_base}"
review_tiers = 2
"""

# username: (display name, roles)
JINGAN_STAFF = {
    "jaeditor": ("静安编辑", [Role("jingan", "editor")]),
    "jarev1": ("静安初审", [Role("jingan", "reviewer", 1)]),
    "jarev2": ("静安复审", [Role("jingan", "reviewer", 2)]),
    "jaboth": ("静安两级审核", [Role("jingan", "reviewer", 1), Role("jingan", "reviewer", 2)]),
}


def make_tiered_env(root: Path, api_base: str = "http://127.0.0.1:9/weibo") -> ConsoleEnv:
    env = make_env(root)
    config = root / "config.toml"
    config.write_text(config.read_text("utf-8") + JINGAN.format(api_base=api_base), "utf-8")
    env.settings = load_settings(config, environ={})
    hashed = hash_password(PASSWORD)
    now = dt.datetime.now(dt.UTC)
    for username, (name, roles) in JINGAN_STAFF.items():
        people.add_user(env.db, username, name, hashed, roles, now, by="test")
    return env
