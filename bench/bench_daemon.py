"""Benchmark the publishing daemon against the practice platform: lateness, CPU, throughput.

    python bench/bench_daemon.py                 # 1,000 posts over 20 accounts, SQLite
    python bench/bench_daemon.py --workers 2     # two daemons sharing the queue
    python bench/bench_daemon.py --latency 0.2   # every platform call answered 200 ms late
    python bench/bench_daemon.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

All posts are queued first (a day ahead); once the daemons run, their times are moved to
begin ``--lead`` seconds later, and they fall due in bursts (one per account at the same
instant, as a campaign does at 09:00), ``--spacing`` seconds apart. Lateness is
measured from a delivery's true due time to the moment its worker started the platform
call (the claim, committed just before the first request). CPU is each daemon's own
(user + system, from /proc) while it worked, divided by the deliveries sent. On
PostgreSQL the bench works in a schema of its own, dropped afterwards.
Targets: p99 lateness ≤ 1 s and CPU ≤ 15 ms per delivery (SQLite, 1,000 posts, 20 accounts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PracticePlatform,
    add_practice_accounts,
    percentile,
    proc_stats,
    rendered,
    write_config,
)
from latency import LatencyProxy
from sqlalchemy import bindparam, create_engine, func, select, text
from sqlalchemy.engine import make_url

from socialbot.config_file import load_settings
from socialbot.store import open_store
from socialbot.store.queue import Entry, add_entries
from socialbot.store.schema import attempts, deliveries
from socialbot.store_rules import rules_of

BATCH = 1000  # posts per queueing transaction


@contextmanager
def own_schema(url: str | None) -> Iterator[str | None]:
    """A fresh PostgreSQL schema for this run (dropped afterwards); SQLite as given."""
    if not url or not url.startswith("postgresql"):
        yield url
        return
    schema = f"sb_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def parse_args(argv: list[str] | None = None, **defaults: Any) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--spacing", type=float, default=1.5, help="seconds between bursts")
    parser.add_argument("--lead", type=float, default=8.0,
                        help="seconds from the daemons' start to the first burst")
    parser.add_argument("--idle", type=float, default=10.0, help="idle seconds to measure")
    parser.add_argument("--tick", type=float, default=5.0)
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds each platform call takes (a loopback proxy waits)")
    parser.add_argument("--parallel", type=int, default=None,
                        help="accounts in flight per daemon (default: the daemon's own)")
    parser.add_argument("--database-url", default=None)
    parser.set_defaults(**defaults)
    return parser.parse_args(argv)


def main(args: argparse.Namespace) -> int:
    with (
        tempfile.TemporaryDirectory(prefix="socialbot-bench-") as tmp,
        own_schema(args.database_url) as database_url,
        PracticePlatform(port=0) as platform,
        (LatencyProxy(platform.url, args.latency) if args.latency else nullcontext()) as proxy,
    ):
        root = Path(tmp)
        base = proxy.base("/wechat") if proxy else platform.wechat_base
        config = write_config(root, base, args.accounts, database_url)
        settings = load_settings(config)
        add_practice_accounts(platform, args.accounts)
        db = open_store(settings)

        now = dt.datetime.now(dt.UTC)
        first = now + dt.timedelta(days=1)  # moved once the daemons run
        names = list(settings.accounts)
        began = time.monotonic()
        for start in range(0, args.posts, BATCH):
            entries = []
            for n in range(start, min(args.posts, start + BATCH)):
                burst, slot = divmod(n, len(names))
                entries.append(Entry(
                    label=f"#{n}", source=f"bench-{n:05d}.md", post_id=f"bench-{n:05d}",
                    targets=(names[slot],), author="bench",
                    at=first + dt.timedelta(seconds=burst * args.spacing),
                    rendered=rendered(n)))
            add_entries(db, rules_of(settings), entries, now, actor="bench")
        queued_in = time.monotonic() - began
        print(f"queued {args.posts} posts over {len(names)} accounts in {queued_in:.1f} s; "
              f"bursts of {len(names)} every {args.spacing} s; {args.workers} worker(s); "
              f"platform latency {args.latency * 1000:.0f} ms; "
              f"{'PostgreSQL' if db.is_postgres else 'SQLite'}")

        log = (root / "daemon.log").open("w", encoding="utf-8")
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "socialbot", "--config", str(config), "run",
                 "--tick", str(args.tick),
                 *(["--parallel", str(args.parallel)] if args.parallel else []),
                 "--name", f"bench{n}"],
                stdout=log, stderr=subprocess.STDOUT,
            )
            for n in range(args.workers)
        ]
        try:
            time.sleep(2.0)  # imported and idle
            shift = first - (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead))
            with db.tx() as conn:  # the whole queue moves; the due time is the true due time
                rows = conn.execute(select(deliveries.c.id, deliveries.c.due_at)).all()
                conn.execute(
                    deliveries.update().where(deliveries.c.id == bindparam("row"))
                    .values(due_at=bindparam("due"), planned_at=bindparam("due")),
                    [{"row": i, "due": due - shift} for i, due in rows])
            first -= shift
            wait = (first - dt.datetime.now(dt.UTC)).total_seconds() - 0.5
            if wait > 0:
                time.sleep(wait)
            before = [proc_stats(p.pid) for p in procs]  # started, imported, idle until now
            harness_before = own_cpu()
            t0 = time.monotonic()

            last_due = first + dt.timedelta(seconds=((args.posts - 1) // len(names)) * args.spacing)
            deadline = time.monotonic() + (last_due - dt.datetime.now(dt.UTC)).total_seconds() + 600
            sent = 0
            while time.monotonic() < deadline:
                with db.tx(write=False) as conn:
                    sent = int(conn.execute(select(func.count()).select_from(deliveries)
                                            .where(deliveries.c.state == "sent")).scalar() or 0)
                if sent >= args.posts:
                    break
                time.sleep(0.25)
            busy_wall = time.monotonic() - t0
            busy = [proc_stats(p.pid) for p in procs]
            harness_cpu = own_cpu() - harness_before
            time.sleep(args.idle)
            idle_end = [proc_stats(p.pid) for p in procs]
            for p in procs:
                p.send_signal(signal.SIGTERM)
            codes = [p.wait(timeout=60) for p in procs]
        finally:
            for p in procs:  # never leave a daemon behind, even when the bench fails
                if p.poll() is None:
                    p.kill()
                    p.wait()

        with db.tx(write=False) as conn:
            rows = conn.execute(
                select(deliveries.c.planned_at, func.min(attempts.c.started_at),
                       func.max(attempts.c.finished_at))
                .join(attempts, attempts.c.delivery == deliveries.c.id)
                .where(attempts.c.kind == "publish")
                .group_by(deliveries.c.id)
            ).all()
            by_worker = Counter(
                w.rsplit("/", 1)[-1]
                for w in conn.execute(
                    select(attempts.c.worker).where(attempts.c.kind == "publish")).scalars())
        db.dispose()
        log.close()
        problems = log_problems(root / "daemon.log")
        titles = Counter(
            item["title"]
            for account in settings.accounts.values()
            for item in platform.published(account.appid)
        )

    lateness = [(started - planned).total_seconds() for planned, started, _ in rows]
    finished = [f for _, _, f in rows if f is not None]
    print(f"sent {sent}/{args.posts}; on the platform: {len(titles)} articles, "
          f"{sum(1 for n in titles.values() if n > 1)} duplicates; per worker {dict(by_worker)}")
    if finished:
        span = (max(finished) - first).total_seconds()
        print(f"throughput: {sent / max(span, 1e-9):.1f} deliveries/s "
              f"(first due → last recorded, {span:.1f} s)")
    if lateness:
        print(f"lateness due → platform call: p50 {statistics.median(lateness) * 1000:.0f} ms, "
              f"p99 {percentile(lateness, 99) * 1000:.0f} ms, max {max(lateness) * 1000:.0f} ms "
              f"(target p99 ≤ 1000 ms)")
    cpu_total = 0.0
    for n, (start, mid, end) in enumerate(zip(before, busy, idle_end, strict=True)):
        if start and mid and end:
            cpu_total += mid[1] - start[1]
            print(f"daemon {n}: RSS {mid[0]:.0f} MiB after the run; CPU while working "
                  f"{mid[1] - start[1]:.1f} s over {busy_wall:.1f} s; idle CPU "
                  f"{(end[1] - mid[1]) / args.idle * 100:.2f}% (tick {args.tick:g} s)")
    if cpu_total and sent:
        print(f"CPU per delivery: {cpu_total * 1000 / sent:.1f} ms (all daemons; target ≤ 15 ms "
              "on SQLite)")
        print(f"practice platform + latency proxy (this process, not the daemons): "
              f"{harness_cpu * 1000 / sent:.1f} ms CPU per delivery")
    counts, examples = problems
    print(f"daemon log: {counts['警告']} warnings, {counts['错误']} errors, "
          f"{counts['Traceback']} tracebacks" + "".join(f"\n  e.g. {e}" for e in examples))
    print(f"daemon exit codes after SIGTERM: {codes}")
    duplicates = any(n > 1 for n in titles.values())
    return 0 if sent == args.posts and not duplicates and codes == [0] * len(codes) else 1


def own_cpu() -> float:
    """CPU seconds of this process: the practice platform and the proxy serve from here."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def log_problems(path: Path) -> tuple[Counter[str], list[str]]:
    """Warnings and errors the daemons logged (the start-up abilities lines aside), with
    the first few distinct ones as examples."""
    found: Counter[str] = Counter()
    examples: dict[str, None] = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            level = next((w for w in (" 警告 ", " 错误 ", "Traceback") if w in line), None)
            if level is None or "账号能力" in line:
                continue
            found[level.strip()] += 1
            text = line.split(level, 1)[-1].strip()[:160]
            if len(examples) < 3:
                examples.setdefault(text)
    return found, list(examples)


if __name__ == "__main__":
    raise SystemExit(main(parse_args()))
