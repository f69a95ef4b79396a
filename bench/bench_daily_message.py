"""The day's WeChat message: queueing into full days, and one 8-article send vs one article.

    python bench/bench_daily_message.py [--days 300] [--latency 0.2]

A subscription account (mass send, one message a day) gets ``--days`` full days of 8
articles (in batches), then single ``queue add``s are timed: one into a day with room,
one into a full day (refused with the next free day, found by walking the slots). Then,
against the practice platform behind a proxy that answers every call ``--latency`` s
late, one runner pass sends a 1-article message and another an 8-article message.
Target: adding is flat however many days are full ahead; the 8-article send costs the
uploads of its 8 covers plus one draft/add and one sendall, not 8 sends.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CONFIG, PracticePlatform, rendered, secret_for
from latency import LatencyProxy

from socialbot.channel_source import Channels
from socialbot.config_file import load_settings
from socialbot.runner import run_due
from socialbot.store import open_store
from socialbot.store.queue import Entry, QueueRefused, add_entries
from socialbot.store_rules import rules_of
from socialbot_practice.accounts import WeChatAccountSpec

ACCOUNT = """
[accounts.sub]
platform = "wechat"
kind = "subscription"
reach = "mass_send"
appid = "wxbenchdaily0000001"
secret_env = "SB_BENCH_DAILY"
api_base = "{base}"
requires_approval = false
"""


def entry(n: int, at: dt.datetime) -> Entry:
    return Entry(label=f"#{n}", source=f"d{n}.md", post_id=f"d-{n:06d}", targets=("sub",),
                 author="bench", at=at, rendered=rendered(n))


def main() -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--probe", type=int, default=10)
    args = parser.parse_args()
    os.environ["SB_BENCH_DAILY"] = secret_for(0)
    with (tempfile.TemporaryDirectory(prefix="socialbot-daily-") as tmp,
          PracticePlatform(port=0) as platform,
          LatencyProxy(platform.url, args.latency) as proxy):
        platform.add_wechat_account(WeChatAccountSpec(
            appid="wxbenchdaily0000001", secret=secret_for(0), kind="subscription"))
        root = Path(tmp)
        (root / "config.toml").write_text(CONFIG.format(database='path = "bench.db"')
                                          + ACCOUNT.format(base=proxy.base("/wechat")), "utf-8")
        settings = load_settings(root / "config.toml")
        db = open_store(settings)
        rules = rules_of(settings)
        now = dt.datetime.now(dt.UTC)
        first = now + dt.timedelta(days=3)
        n = 0
        for day in range(args.days):  # full days, a batch each
            at = first + dt.timedelta(days=day)
            add_entries(db, rules, [entry(n + k, at) for k in range(8)], now, actor="bench")
            n += 8
        joins, refused = [], []
        for k in range(args.probe):
            began = time.perf_counter()
            # a day with room: the last full day + 1 + k gets its first article
            add_entries(db, rules, [entry(n, first + dt.timedelta(days=args.days + k))],
                        now, actor="bench")
            joins.append(time.perf_counter() - began)
            n += 1
            began = time.perf_counter()
            with contextlib.suppress(QueueRefused):  # a full day: refused, names the next
                add_entries(db, rules, [entry(n, first)], now, actor="bench")
            refused.append(time.perf_counter() - began)
            n += 1
        # Sends: tomorrow one article, the day after eight (the platform's day quota).
        sends = {}
        for size, offset in ((1, 1), (8, 2)):
            due = now + dt.timedelta(days=offset)
            add_entries(db, rules, [entry(900_000 + 10 * offset + k, due)
                                    for k in range(size)], now, actor="bench")
            platform.set_clock(due.astimezone(settings.tz).replace(tzinfo=None))
            calls = len(platform.calls("wechat"))
            began = time.monotonic()
            reports = run_due(settings, db, Channels(settings), due)
            sends[size] = (time.monotonic() - began, len(platform.calls("wechat")) - calls,
                           sum(1 for r in reports if str(r.state) == "sent"))
        db.dispose()
    print(f"queue add with {args.days} full days ahead ({args.days * 8} articles), "
          f"median of {args.probe}:")
    print(f"  into a day with room   {statistics.median(joins) * 1000:7.1f} ms")
    print(f"  into a full day (refused, next free day found) "
          f"{statistics.median(refused) * 1000:7.1f} ms")
    print(f"one runner pass, {args.latency * 1000:.0f} ms per platform call:")
    for size, (wall, calls, sent) in sends.items():
        print(f"  {size} article(s): {wall:5.2f} s, {calls} platform calls, {sent} sent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
