"""Web console: how long its pages take to answer with a full queue.

Run: python bench/bench_console.py [N]
Queues N posts (default 2,000) to the sample Weibo account, one delivery each, on a copy
of the shipped config in a temporary folder; starts the console on a loopback port and
prints the median and worst wall time (over loopback HTTP, signed in) of the review list,
the dashboard and a post page, plus the first base-font request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import uvicorn

from socialbot.config import load_settings
from socialbot.passwords import hash_password
from socialbot.people import Role
from socialbot.store import open_store, people
from socialbot.store.intake import prepare
from socialbot.store.queue import add_entries
from socialbot.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-only-passphrase"


def config_copy(folder: Path) -> Path:
    text = (ROOT / "config.toml").read_text("utf-8")
    for key in ("posts", "templates", "assets"):
        text = re.sub(rf'^{key} = "([^"]+)"', lambda m: f'{m.group(0).split("=")[0]}= '
                      f'"{ROOT / m.group(1)}"', text, flags=re.M)
    text = text.replace('"wordlists/', f'"{ROOT}/wordlists/')
    text = re.sub(r'^path = "out/socialbot.db".*$', f'path = "{folder}/bench.db"', text, flags=re.M)
    text = text.replace('secrets_file = "secrets.toml"', f'secrets_file = "{folder}/secrets.toml"')
    path = folder / "config.toml"
    path.write_text(text, "utf-8")
    return path


def fill(settings, db, count: int) -> None:
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    base = prepare(settings, "0609-world-accreditation-day.md", targets=("shsmr_weibo",),
                   at=start + dt.timedelta(days=1), author="editor", channels=None)
    assert not base.problems, base.problems
    entries = []
    for i in range(count):
        post_id = f"bench-{i:05d}"
        rendered = dataclasses.replace(base.rendered, post_id=post_id)
        entries.append(dataclasses.replace(base, post_id=post_id, rendered=rendered,
                                           label=post_id,
                                           at=start + dt.timedelta(days=1, hours=i)))
    add_entries(db, settings, entries, dt.datetime.now(dt.UTC), actor="editor")


def timed(session: requests.Session, url: str, runs: int = 7) -> tuple[float, float, int]:
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = session.get(url)
        walls.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.status_code
    return statistics.median(walls), max(walls), len(r.content)


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = load_settings(config_copy(folder), environ={})
        db = open_store(settings)
        now = dt.datetime.now(dt.UTC)
        people.add_user(db, "reviewer", "审核", hash_password(PASSWORD),
                        [Role("shsmr", "reviewer", 1)], now, by="bench")
        t0 = time.perf_counter()
        fill(settings, db, count)
        print(f"queued {count} posts ({count} deliveries) in {time.perf_counter() - t0:.1f} s")
        app = create_app(settings, store=db)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            while not server.started:
                time.sleep(0.05)
            url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            s = requests.Session()
            page = s.get(f"{url}/login").text
            t0 = time.perf_counter()
            font = re.search(r'/font/base-[0-9a-f]+\.woff2', page).group(0)
            size = len(s.get(url + font).content)
            took = time.perf_counter() - t0
            print(f"base font: {size / 1024:.0f} KiB, first request {took:.2f} s")
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            s.post(f"{url}/login", data={"csrf": token, "username": "reviewer",
                                         "password": PASSWORD})
            for name, path in (("review list", "/review"), ("dashboard", "/dashboard"),
                               ("post page", "/posts/1")):
                median, worst, size = timed(s, url + path)
                print(f"{name:12s} median {median * 1000:7.1f} ms  worst {worst * 1000:7.1f} ms"
                      f"  {size / 1024:7.0f} KiB")
        finally:
            server.should_exit = True
            thread.join(30)
            db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
