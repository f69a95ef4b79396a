"""Web console: how long its pages take to answer with a full queue.

Run: python bench/bench_console.py [N]
Queues N posts (default 2,000) to the sample Weibo account, one delivery each, all due
within one calendar month (every 20 minutes from the 1st of next month), on a copy of
the shipped config in a temporary folder; starts the console on a loopback port and
prints the median and worst wall time (over loopback HTTP, signed in) of the review list,
the dashboard, a post page and the calendar's month view with each page's size and its
transfer size uncompressed and as a browser asks for it (gzip), plus the first base-font
request. Then it opens the calendar's month view in Debian's Chromium (no system fonts,
as on a staff PC without CJK fonts) and prints the browser's navigation timing: server
answer, DOMContentLoaded, load, and when the page is shown (console.js waits for the
font), median of 5 loads, and the navigation's transfer size.

Last, the composer's live preview in the same browser: on the edit page of a post to the
WeChat account, one character is typed into a field 20 times; each time the page's own
clock (performance.now()) runs from the keystroke until htmx has swapped in a preview
that shows it. The figure includes the composer's 300 ms typing pause (debounce).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
import uvicorn

from socialbot.config_file import load_settings
from socialbot.intake import prepare
from socialbot.passwords import hash_password
from socialbot.people import Role
from socialbot.store import open_store, people
from socialbot.store.queue import add_entries
from socialbot.store_rules import rules_of
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


def month_start(settings) -> dt.datetime:
    """Midnight of the 1st of next month, Beijing time: a month wholly in the future."""
    today = dt.datetime.now(settings.tz).date()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(first, dt.time(), settings.tz)


def fill(settings, db, count: int) -> dt.datetime:
    """``count`` posts, one Weibo delivery each, every 20 minutes within one month."""
    start = month_start(settings)
    step = dt.timedelta(minutes=20)  # 2,000 × 20 min < 28 days; 3 an hour, quota is 30
    base = prepare(settings, "0609-world-accreditation-day.md", targets=("shsmr_weibo",),
                   at=start, author="editor", channels=None)
    assert not base.problems, base.problems
    entries = []
    for i in range(count):
        post_id = f"bench-{i:05d}"
        rendered = dataclasses.replace(base.rendered, post_id=post_id)
        entries.append(dataclasses.replace(base, post_id=post_id, rendered=rendered,
                                           label=post_id, at=start + step * i))
    # One post to the WeChat account too, after that month, for the composer: its edit
    # page shows the chat card and the article.
    entries.append(prepare(settings, "0609-world-accreditation-day.md",
                           targets=("shsmr_wechat",), at=start + dt.timedelta(days=35),
                           author="editor", channels=None))
    add_entries(db, rules_of(settings), entries, dt.datetime.now(dt.UTC), actor="editor")
    return start


NAVIGATION = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return {response: n.responseEnd, dom: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          bytes: n.transferSize, items: document.querySelectorAll("#calendar .ev").length};
}"""


@contextlib.contextmanager
def fontless_browser(cookie: dict) -> Iterator[Any]:
    """A page of Debian's Chromium with no system fonts, signed in with ``cookie``
    (None when chromium is not installed)."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        yield None
        return
    with tempfile.TemporaryDirectory() as fonts, sync_playwright() as pw:
        conf = Path(fonts) / "fonts.conf"
        conf.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', "utf-8")
        env = {"FONTCONFIG_FILE": str(conf), "HOME": fonts, "PATH": "/usr/bin:/bin"}
        browser = pw.chromium.launch(executable_path=executable, env=env, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(120_000)
            yield page
        finally:
            browser.close()


def browser_month(url: str, cookie: dict, path: str, runs: int = 5) -> None:
    """The month view in Chromium: navigation timing, median of ``runs`` loads."""
    with fontless_browser(cookie) as page:
        if page is None:
            print("calendar in Chromium: skipped (Debian's chromium is not installed)")
            return
        figures = []
        for _ in range(runs + 1):  # the first load warms the font cache; not counted
            page.goto(url + path, wait_until="load")
            page.wait_for_function("document.documentElement.style.display !== 'none'")
            shown = page.evaluate("performance.now()")
            figures.append({**page.evaluate(NAVIGATION), "shown": shown})
        figures = figures[1:]
    items = figures[0]["items"]
    line = ", ".join(f"{name} {statistics.median(f[key] for f in figures):.0f} ms"
                     for name, key in (("server answer", "response"),
                                       ("DOMContentLoaded", "dom"), ("load", "load"),
                                       ("shown", "shown")))
    wire = statistics.median(f["bytes"] for f in figures)
    print(f"calendar month view in Chromium ({items} deliveries on the page, median of "
          f"{runs}): {line}; transfer size {wire / 1024:.0f} KiB")


# Types one character at the end of a field, then resolves with the milliseconds until a
# swapped-in preview shows the field's new ending (-1 after 20 s: reported, not hung).
TYPE_AND_WAIT = """async ([selector, ch]) => {
  const field = document.querySelector(selector);
  const cards = () => (document.querySelector('#preview-cards') || {innerText: ''}).innerText;
  const norm = s => s.replace(/\\s+/g, '');
  const t0 = performance.now();
  let resolve;
  const done = new Promise(r => {
    resolve = r;
    const check = () => {
      if (norm(cards()).includes(norm(field.value).slice(-12))) {
        document.body.removeEventListener('htmx:afterSettle', check);
        resolve(performance.now() - t0);
      }
    };
    document.body.addEventListener('htmx:afterSettle', check);
  });
  setTimeout(() => resolve(-1), 20000);
  field.value += ch;
  field.dispatchEvent(new Event('input', {bubbles: true}));
  return await done;
}"""


def browser_preview(url: str, cookie: dict, queue_id: int, keystrokes: int = 20) -> None:
    """Keystroke-to-preview time in Chromium (median and worst), typing in two fields."""
    with fontless_browser(cookie) as page:
        if page is None:
            print("live preview in Chromium: skipped (Debian's chromium is not installed)")
            return
        page.goto(f"{url}/posts/{queue_id}/edit")
        page.locator("#preview-cards .crop-235").wait_for()
        for label, selector in (("title (cover redrawn)", "#f-title"), ("body", "#f-body")):
            if selector == "#f-title":  # room for 21 more characters (WeChat takes 32)
                page.fill(selector, "世界认可日")
            page.evaluate(TYPE_AND_WAIT, [selector, "测"])  # warm-up, not counted
            times = [page.evaluate(TYPE_AND_WAIT, [selector, str(i % 10)])
                     for i in range(keystrokes)]
            if min(times) < 0:
                problems = page.locator(".check.problem").all_inner_texts()
                raise SystemExit(f"a preview never showed the typed text ({label}): {problems}")
            print(f"live preview, typing in {label}: median {statistics.median(times):6.1f} ms"
                  f"  worst {max(times):6.1f} ms  ({keystrokes} keystrokes, incl. the 300 ms "
                  "typing pause)")


def timed(session: requests.Session, url: str, runs: int = 7) -> tuple[float, float, int]:
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = session.get(url)
        walls.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.status_code
    return statistics.median(walls), max(walls), len(r.content)


def transfer(session: requests.Session, url: str, encoding: str) -> tuple[int, str]:
    """Bytes on the wire for one answer asked with ``Accept-Encoding: encoding``, and the
    encoding the console chose."""
    r = session.get(url, headers={"Accept-Encoding": encoding}, stream=True)
    assert r.status_code == 200, r.status_code
    wire = r.raw.read(decode_content=False)
    return len(wire), r.headers.get("content-encoding", "identity")


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = load_settings(config_copy(folder), environ={})
        db = open_store(settings)
        now = dt.datetime.now(dt.UTC)
        people.add_user(db, "reviewer", "审核", hash_password(PASSWORD),
                        [Role("shsmr", "reviewer", 1), Role("shsmr", "editor")], now, by="bench")
        t0 = time.perf_counter()
        start = fill(settings, db, count)
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
            month = f"/calendar?view=month&date={start.date().isoformat()}"
            for name, path in (("review list", "/review"), ("dashboard", "/dashboard"),
                               ("post page", "/posts/1"), ("calendar", month)):
                median, worst, size = timed(s, url + path)
                plain, _enc = transfer(s, url + path, "identity")
                packed, enc = transfer(s, url + path, "gzip, deflate, br")
                print(f"{name:12s} median {median * 1000:7.1f} ms  worst {worst * 1000:7.1f} ms"
                      f"  {size / 1024:7.0f} KiB page, transfer {plain / 1024:.0f} KiB "
                      f"uncompressed / {packed / 1024:.0f} KiB as a browser asks ({enc})")
            cookie = next(c for c in s.cookies if c.name == "sb_session")
            signed_in = {"name": cookie.name, "value": cookie.value, "url": url}
            browser_month(url, signed_in, month)
            browser_preview(url, signed_in, count + 1)
        finally:
            server.should_exit = True
            thread.join(30)
            db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
