"""A console on a random loopback port, over a config with two units and their staff.

The server is uvicorn in a thread of the test process (so a test can move the console's
clock); it is stopped in teardown whether the test passed or not. Posts are queued by
running the real ``socialbot`` command in a subprocess, as an editor at a terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from helpers import CONFIG_HEADER, NEWS_POST, REPO

from socialbot.config import Settings
from socialbot.config_file import load_settings
from socialbot.passwords import hash_password
from socialbot.people import Role
from socialbot.store import open_store, people
from socialbot.store.sql import SqlStore
from socialbot.web.app import create_app
from socialbot.web.auth import Limits

PASSWORD = "test-only-passphrase"  # the staff below exist only in a test's temp folder

CONFIG = CONFIG_HEADER + """[paths]
posts = "posts"
templates = "{templates}"
assets = "{assets}"
preview = "out/preview"
[database]
path = "out/socialbot.db"
[units.shsmr]
name = "上海市市场监督管理局"
sees_all = true
[units.pudong]
name = "浦东新区市场监督管理局"
[accounts.shsmr_wechat]
platform = "wechat"
name = "上海市场监管"
unit = "shsmr"
appid = "wx0000000000000001"
secret_env = "TEST_WECHAT_SECRET"
api_base = "http://127.0.0.1:9/wechat"
[accounts.shsmr_weibo]
platform = "weibo"
name = "上海市场监管微博"
unit = "shsmr"
uid = "5800000001"
token_env = "TEST_WEIBO_TOKEN"
safe_domains = ["scjgj.sh.gov.cn"]
api_base = "http://127.0.0.1:9/weibo"
[accounts.pudong_wechat]
platform = "wechat"
name = "浦东市场监管"
unit = "pudong"
appid = "wx0000000000000002"
secret_env = "TEST_PUDONG_SECRET"
api_base = "http://127.0.0.1:9/wechat"
"""

POST = NEWS_POST

# username: (display name, roles)
STAFF = {
    "editor1": ("张编辑", [Role("shsmr", "editor")]),
    "rev1": ("李审核", [Role("shsmr", "reviewer", 1)]),
    "rev2": ("王审核", [Role("shsmr", "reviewer", 1), Role("shsmr", "editor")]),
    "pdeditor": ("浦东编辑", [Role("pudong", "editor")]),
    "pdrev": ("浦东审核", [Role("pudong", "reviewer", 1)]),
    "admin": ("市局管理员", [Role("shsmr", "admin")]),
}


class Clock:
    """The console's clock: real time plus an offset a test may move forward."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@dataclass
class ConsoleEnv:
    root: Path
    settings: Settings
    db: SqlStore  # the store the console and the test share
    clock: Clock
    url: str = ""
    queued: dict[str, int] = field(default_factory=dict)

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """The real command in its own process, on the same config and database."""
        env = dict(os.environ, COLUMNS="200", PYTHONPATH=os.pathsep.join(
            [str(REPO), os.environ.get("PYTHONPATH", "")]))
        return subprocess.run(
            [sys.executable, "-m", "socialbot", "--config", str(self.root / "config.toml"),
             *args], input=stdin, capture_output=True, text=True, env=env, timeout=120,
            check=False)

    def queue(self, name: str, title: str, to: str, by: str, days: int | None = None) -> int:
        """Queue a post from the command line; returns its queue number."""
        path = self.root / "posts" / f"{name}.md"
        path.write_text(POST.format(title=title, body=""), encoding="utf-8")
        days = 30 + len(self.queued) if days is None else days  # one mass send a day
        when = (dt.datetime.now(self.settings.tz) + dt.timedelta(days=days)).strftime(
            "%Y-%m-%d %H:%M")
        done = self.cli("queue", "add", str(path), "--at", when, "--to", to, "--by", by)
        assert done.returncode == 0, done.stderr + done.stdout
        listed = self.cli("queue", "list", "--json")
        number = max(p["id"] for p in json.loads(listed.stdout) if p["title"] == title)
        self.queued[name] = number
        return number


def make_env(root: Path, assets: Path = REPO / "assets") -> ConsoleEnv:
    """``assets``: a folder of the test's own when the console writes into it (uploads)."""
    (root / "posts").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(CONFIG.format(
        templates=REPO / "templates" / "posts", assets=assets), encoding="utf-8")
    settings = load_settings(root / "config.toml", environ={})
    db = open_store(settings)
    hashed = hash_password(PASSWORD)  # one hash for all: argon2 is slow on purpose
    now = dt.datetime.now(dt.UTC)
    for username, (name, roles) in STAFF.items():
        people.add_user(db, username, name, hashed, roles, now, by="test")
    return ConsoleEnv(root, settings, db, Clock())


@contextmanager
def serve(env: ConsoleEnv, limits: Limits | None = None) -> Iterator[str]:
    """The console on a free loopback port until the block ends; yields its base URL."""
    app = create_app(env.settings, store=env.db, clock=env.clock, limits=limits)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=True,
                            forwarded_allow_ips="127.0.0.1")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive(), "the console did not start"
            assert time.monotonic() < deadline, "the console did not start within 60 s"
            time.sleep(0.05)
        env.url = f"http://127.0.0.1:{port}"
        yield env.url
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        assert not thread.is_alive(), "the console did not stop"
