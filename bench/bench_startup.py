"""Start-up cost of ``socialbot --help`` and ``socialbot status`` against ``python -c pass``.

    python bench/bench_startup.py [--runs 10]

Each command runs as a fresh process, in turn (pass, help, status, pass, help, …) so
the machine's drift hits all alike; CPU is the children's user + system time from
``getrusage``. The status run reads a queue of 200 posts over 20 accounts.
Targets: help ≤ 4× and status ≤ 10× ``python -c pass`` (median CPU).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
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


def measure(cmd: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="socialbot-startup-") as tmp:
        config = write_config(Path(tmp), "http://127.0.0.1:9/wechat", 20, None)
        settings = load_settings(config)
        db = open_store(settings)
        now = dt.datetime.now(dt.UTC)
        names = list(settings.accounts)
        add_entries(db, rules_of(settings), [
            Entry(label=f"#{n}", source=f"s{n}.md", post_id=f"s-{n}", targets=(names[n % 20],),
                  author="bench", at=now + dt.timedelta(hours=1 + n), rendered=rendered(n))
            for n in range(200)], now, actor="bench")
        db.dispose()
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "socialbot --help": [sys.executable, "-m", "socialbot", "--help"],
            "socialbot status": [sys.executable, "-m", "socialbot", "--config", str(config),
                                 "status"],
        }
        for cmd in commands.values():  # warm the file cache
            measure(cmd)
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                figures[name].append(measure(cmd))
    base_cpu = statistics.median(c for c, _ in figures["python -c pass"])
    base_wall = statistics.median(w for _, w in figures["python -c pass"])
    targets = {"socialbot --help": 4.0, "socialbot status": 10.0}
    print(f"start-up, median of {args.runs} runs each (CPU = user + system):")
    for name, runs in figures.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        line = f"  {name:<18} CPU {cpu * 1000:6.0f} ms  wall {wall * 1000:6.0f} ms"
        if name in targets:
            ratio = cpu / base_cpu
            line += (f"  = {ratio:4.1f}× CPU, {wall / base_wall:4.1f}× wall of python -c pass "
                     f"(target ≤ {targets[name]:g}×)")
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
