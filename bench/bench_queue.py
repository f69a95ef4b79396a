"""``queue add`` per entry as the queue grows, and ``queue list`` on a long queue.

    python bench/bench_queue.py [--sizes 100,10000] [--probe 20]

The queue is filled to each size (in large batches), then ``--probe`` single-entry
additions are timed one by one, each its own all-or-nothing transaction as ``queue add``
makes it. Then ``socialbot queue list`` (its default page) runs on the largest queue.
Targets: per-entry time flat (±20%) from 100 to 10,000 queued; list under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import rendered, write_config

from socialbot.config_file import load_settings
from socialbot.store import open_store
from socialbot.store.queue import Entry, add_entries
from socialbot.store_rules import rules_of

BATCH = 1000


def entry(n: int, names: list[str], now: dt.datetime) -> Entry:
    return Entry(label=f"#{n}", source=f"q{n}.md", post_id=f"q-{n:06d}",
                 targets=(names[n % len(names)],), author="bench",
                 at=now + dt.timedelta(minutes=10 + n), rendered=rendered(n))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--probe", type=int, default=20)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="socialbot-queue-") as tmp:
        config = write_config(Path(tmp), "http://127.0.0.1:9/wechat", 20, None)
        settings = load_settings(config)
        db = open_store(settings)
        names = list(settings.accounts)
        now = dt.datetime.now(dt.UTC)
        queued = 0
        per_entry: dict[int, tuple[float, float]] = {}  # (CPU, wall) seconds
        for size in sizes:
            while queued < size:
                upto = min(size, queued + BATCH)
                add_entries(db, rules_of(settings),
                            [entry(n, names, now) for n in range(queued, upto)],
                            now, actor="bench")
                queued = upto
            probes = [entry(1_000_000 + size + k, names, now) for k in range(args.probe)]
            walls, cpus = [], []
            for probe in probes:
                began, began_cpu = time.perf_counter(), time.process_time()
                add_entries(db, rules_of(settings), [probe], now, actor="bench")
                walls.append(time.perf_counter() - began)
                cpus.append(time.process_time() - began_cpu)
            queued += args.probe
            per_entry[size] = (statistics.median(cpus), statistics.median(walls))
        db.dispose()
        db = open_store(settings)
        began = time.perf_counter()
        if hasattr(db, "list_queue"):  # older checkouts read the whole queue in the command
            db.list_queue(limit=50)
        query_wall = time.perf_counter() - began
        db.dispose()
        began = time.perf_counter()
        listed = subprocess.run([sys.executable, "-m", "socialbot", "--config", str(config),
                                 "queue", "list"], capture_output=True, text=True, check=False)
        list_wall = time.perf_counter() - began
    print("queue add, median per entry (one transaction each; CPU is this process's own,")
    print("wall includes waiting for a busy machine):")
    for size, (cpu, wall) in per_entry.items():
        print(f"  with {size:>6} queued: CPU {cpu * 1000:6.2f} ms, wall {wall * 1000:6.1f} ms")
    low, high = per_entry[sizes[0]][0], per_entry[sizes[-1]][0]
    change = (high - low) / low * 100
    print(f"  CPU change {sizes[0]} → {sizes[-1]}: {change:+.0f}% (target within ±20%)")
    print(f"queue list on {queued} queued posts: the command {list_wall:.2f} s "
          f"(exit {listed.returncode}; target < 2 s), of which its page query "
          f"{query_wall * 1000:.0f} ms")
    return 0 if listed.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
