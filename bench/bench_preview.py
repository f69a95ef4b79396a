"""Peak memory and CPU of ``socialbot preview`` of the sample campaign (a fresh process).

    python bench/bench_preview.py [--runs 3]

Each run writes a new output folder, so the web-font subset is cut every time. Peak is
the child's maximum resident set (``getrusage``); target: under 200 MiB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--config", type=Path, default=ROOT / "config.toml")
    args = parser.parse_args()
    peaks, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="socialbot-preview-") as tmp:
        for n in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-m", "socialbot", "--config", str(args.config),
                            "preview", "--out", str(Path(tmp) / str(n))],
                           stdout=subprocess.DEVNULL, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # ru_maxrss of children is the largest child so far: runs only ever raise it.
            peaks.append(after.ru_maxrss / 1024)
            cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    print(f"preview of the sample campaign, {args.runs} runs: peak RSS {max(peaks):.0f} MiB "
          f"(target < 200 MiB), CPU median {statistics.median(cpus):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
