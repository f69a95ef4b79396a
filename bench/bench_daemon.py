"""Benchmark the publishing daemon against the practice platform.

    python bench/bench_daemon.py                 # 1,000 posts over 20 accounts, SQLite
    python bench/bench_daemon.py --workers 2     # two daemons sharing the queue
    python bench/bench_daemon.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Posts are due in bursts (one per account at the same instant, as a campaign does at
09:00), ``--spacing`` seconds apart. Lateness is measured from a delivery's due time
to the moment its worker starts the platform call (the claim committed just before
the first request). Then the daemon idles and its memory and CPU are read from /proc.
Target: p99 lateness ≤ 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PracticePlatform,
    add_practice_accounts,
    percentile,
    proc_stats,
    rendered,
    write_config,
)
from sqlalchemy import func, select

from socialbot.config import load_settings
from socialbot.store import open_store
from socialbot.store.queue import Entry, add_entries
from socialbot.store.schema import attempts, deliveries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--spacing", type=float, default=1.5, help="seconds between bursts")
    parser.add_argument("--lead", type=float, default=40.0,
                        help="seconds from queueing to the first burst (queueing must fit)")
    parser.add_argument("--idle", type=float, default=20.0, help="idle seconds to measure")
    parser.add_argument("--tick", type=float, default=5.0)
    parser.add_argument("--parallel", type=int, default=None,
                        help="accounts in flight per daemon (default: the daemon's own)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="socialbot-bench-") as tmp,
        PracticePlatform(port=0) as platform,
    ):
        root = Path(tmp)
        config = write_config(root, platform.wechat_base, args.accounts, args.database_url)
        settings = load_settings(config)
        add_practice_accounts(platform, args.accounts)
        db = open_store(settings)
        log = (root / "daemon.log").open("w", encoding="utf-8")
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "socialbot",
                    "--config",
                    str(config),
                    "run",
                    "--tick",
                    str(args.tick),
                    *(["--parallel", str(args.parallel)] if args.parallel else []),
                    "--name",
                    f"bench{n}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for n in range(args.workers)
        ]
        time.sleep(2.0)
        idle_start = [proc_stats(p.pid) for p in procs]

        now = dt.datetime.now(dt.UTC)
        first = now + dt.timedelta(seconds=args.lead)
        names = list(settings.accounts)
        entries = []
        for n in range(args.posts):
            burst, slot = divmod(n, len(names))
            at = first + dt.timedelta(seconds=burst * args.spacing)
            entries.append(
                Entry(
                    label=f"#{n}",
                    source=f"bench-{n:04d}.md",
                    post_id=f"bench-{n:04d}",
                    targets=(names[slot],),
                    author="bench",
                    at=at,
                    rendered=rendered(n),
                )
            )
        began = time.monotonic()
        add_entries(db, settings, entries, now, actor="bench")
        print(
            f"queued {args.posts} posts over {len(names)} accounts in "
            f"{time.monotonic() - began:.1f} s; first due in {args.lead:.0f} s, "
            f"bursts of {len(names)} every {args.spacing} s"
        )

        if time.monotonic() - began > args.lead - 1:
            print("queueing took longer than --lead: lateness would be measured from times "
                  "that had passed before the posts were queued; give a larger --lead")
            return 1
        last_due = first + dt.timedelta(seconds=(args.posts // len(names)) * args.spacing)
        deadline = time.monotonic() + (last_due - now).total_seconds() + 120
        sent = 0
        while time.monotonic() < deadline:
            with db.tx(write=False) as conn:
                sent = (
                    conn.execute(
                        select(func.count())
                        .select_from(deliveries)
                        .where(deliveries.c.state == "sent")
                    ).scalar()
                    or 0
                )
            if sent >= args.posts:
                break
            time.sleep(0.5)
        busy = [proc_stats(p.pid) for p in procs]
        time.sleep(args.idle)
        idle_end = [proc_stats(p.pid) for p in procs]
        for p in procs:
            p.send_signal(signal.SIGTERM)
        codes = [p.wait(timeout=30) for p in procs]

        with db.tx(write=False) as conn:
            rows = conn.execute(
                select(deliveries.c.planned_at, func.min(attempts.c.started_at))
                .join(attempts, attempts.c.delivery == deliveries.c.id)
                .where(attempts.c.kind == "publish")
                .group_by(deliveries.c.id)
            ).all()
            by_worker = Counter(
                w.rsplit("/", 1)[-1]
                for w in conn.execute(
                    select(attempts.c.worker).where(attempts.c.kind == "publish")
                ).scalars()
            )
        db.dispose()
        titles = Counter(
            item["title"]
            for account in settings.accounts.values()
            for item in platform.published(account.appid)
        )

    lateness = [(started - planned).total_seconds() for planned, started in rows]
    print(
        f"sent {sent}/{args.posts}; on the platform: {len(titles)} articles, "
        f"{sum(1 for n in titles.values() if n > 1)} duplicates; per worker {dict(by_worker)}"
    )
    if lateness:
        print(
            f"lateness due → platform call: p50 {statistics.median(lateness) * 1000:.0f} ms, "
            f"p99 {percentile(lateness, 99) * 1000:.0f} ms, max {max(lateness) * 1000:.0f} ms, "
            f"min {min(lateness) * 1000:.0f} ms  (target p99 ≤ 1000 ms)"
        )
    for n, (start, mid, end) in enumerate(zip(idle_start, busy, idle_end, strict=True)):
        if start and mid and end:
            cpu = (end[1] - mid[1]) / args.idle * 100
            print(
                f"daemon {n}: RSS idle before {start[0]:.0f} MiB, after run {end[0]:.0f} MiB; "
                f"idle CPU {cpu:.2f}% over {args.idle:.0f} s (tick {args.tick:g} s); "
                f"CPU during the run {mid[1] - start[1]:.1f} s"
            )
            print(
                f"daemon {n}: CPU per delivery {(mid[1] - start[1]) * 1000 / max(1, sent):.1f} ms "
                f"(busy CPU over {sent} sent; target ≤ 15 ms on SQLite)"
            )
        else:
            print(f"daemon {n}: /proc not available, no memory/CPU figures")
    print(f"daemon exit codes after SIGTERM: {codes}")
    if lateness:
        met = percentile(lateness, 99) <= 1.0
        print("lateness target (p99 ≤ 1 s): " + ("met" if met else "NOT met on this machine"))
    duplicates = any(n > 1 for n in titles.values())
    return 0 if sent == args.posts and not duplicates and codes == [0] * len(codes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
