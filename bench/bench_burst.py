"""A 09:00 burst: N accounts due at one instant, every platform call answered 200 ms late.

    python bench/bench_burst.py [--accounts 20] [--latency 0.2]

First one post alone (the single-post critical path: every call it makes, one after
the other), then one post on each of N accounts due at the same instant, worked by one
runner pass. Target: the burst's wall time ≤ 1.5× the critical path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PracticePlatform, add_practice_accounts, rendered, write_config
from latency import LatencyProxy

from socialbot.config_file import load_settings
from socialbot.store import open_store
from socialbot.store.queue import Entry, add_entries
from socialbot.store_rules import rules_of


def runner_call(cap: int):  # type: ignore[no-untyped-def]
    """This checkout's way to work everything due once (older ones had publish_due)."""
    import socialbot

    if (Path(socialbot.__file__).parent / "runner.py").exists():
        from socialbot.channel_source import Channels
        from socialbot.runner import run_due

        return lambda s, db, now: run_due(s, db, Channels(s), now, cap=cap), f"runner cap {cap}"
    else:
        from socialbot.worker import Channels, publish_due  # type: ignore

        return (lambda s, db, now: publish_due(s, db, Channels(s), now, parallel=4),
                "publish_due --parallel 4")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per platform call")
    parser.add_argument("--cap", type=int, default=32)
    args = parser.parse_args()
    work, how = runner_call(args.cap)
    with (tempfile.TemporaryDirectory(prefix="socialbot-burst-") as tmp,
          PracticePlatform(port=0) as platform,
          LatencyProxy(platform.url, args.latency) as proxy):
        add_practice_accounts(platform, args.accounts + 1)
        settings = load_settings(write_config(Path(tmp), proxy.base("/wechat"),
                                              args.accounts + 1, None))
        db = open_store(settings)
        *names, spare = list(settings.accounts)
        now = dt.datetime.now(dt.UTC)
        # Warm up (imports, connections) on an account of its own, outside the figures.
        warm = [Entry(label="warm", source="warm.md", post_id="warm", targets=(spare,),
                      author="bench", at=now + dt.timedelta(minutes=4), rendered=rendered(99998))]
        add_entries(db, rules_of(settings), warm, now, actor="bench")
        work(settings, db, now + dt.timedelta(minutes=4))
        due = now + dt.timedelta(minutes=5)
        solo = [Entry(label="solo", source="solo.md", post_id="solo", targets=(names[0],),
                      author="bench", at=due, rendered=rendered(99999))]
        add_entries(db, rules_of(settings), solo, now, actor="bench")
        began = time.monotonic()
        work(settings, db, due)
        critical = time.monotonic() - began
        burst = [Entry(label=f"#{n}", source=f"b{n}.md", post_id=f"burst-{n}",
                       targets=(name,), author="bench", at=due + dt.timedelta(minutes=1),
                       rendered=rendered(n)) for n, name in enumerate(names)]
        add_entries(db, rules_of(settings), burst, now, actor="bench")
        began = time.monotonic()
        reports = work(settings, db, due + dt.timedelta(minutes=1))
        wall = time.monotonic() - began
        sent = sum(1 for r in reports if str(r.state) == "sent")
        calls = len(platform.calls("wechat"))
        db.dispose()
    ratio = wall / critical
    print(f"burst ({how}): {args.accounts} accounts due at one instant, "
          f"{args.latency * 1000:.0f} ms per platform call, {calls} calls in all")
    print(f"  single post alone (critical path): {critical:.2f} s")
    print(f"  {sent}/{args.accounts} sent in {wall:.2f} s = {ratio:.2f}× the critical path "
          f"(target ≤ 1.5×: {'met' if ratio <= 1.5 else 'NOT met'})")
    return 0 if sent == args.accounts else 1


if __name__ == "__main__":
    raise SystemExit(main())
