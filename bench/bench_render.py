"""Render speed: ms per post (template + Markdown + CSS inlining + both Pillow images).

Run: python bench/bench_render.py [--rounds N]
Prints per-post median, the median over posts, and the whole sample campaign's total.
The first round warms font and template caches and is reported separately.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from socialbot.config_file import load_settings
from socialbot.post_file import load_post
from socialbot.rendering import render_post

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=ROOT / "config.toml")
    args = parser.parse_args()
    settings = load_settings(args.config)
    paths = sorted(settings.posts_dir.glob("*.md"))

    def once(path: Path) -> float:
        start = time.perf_counter()
        render_post(load_post(path, assets_dir=settings.assets_dir), settings)
        return (time.perf_counter() - start) * 1000

    cold_start = time.perf_counter()
    cold = [once(p) for p in paths]
    cold_total = (time.perf_counter() - cold_start) * 1000
    samples: dict[Path, list[float]] = {p: [] for p in paths}
    totals = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for p in paths:
            samples[p].append(once(p))
        totals.append((time.perf_counter() - start) * 1000)

    print(f"render + images, {len(paths)} posts, {args.rounds} warm rounds")
    for p in paths:
        print(f"  {p.name:40s} {statistics.median(samples[p]):7.1f} ms")
    medians = [statistics.median(v) for v in samples.values()]
    every = [x for v in samples.values() for x in v]
    print(f"median per post (warm): {statistics.median(every):.1f} ms")
    print(f"slowest post median:    {max(medians):.1f} ms")
    print(f"first post (cold caches): {cold[0]:.1f} ms; cold campaign total: {cold_total:.0f} ms")
    print(f"campaign total (warm):  {statistics.median(totals):.0f} ms for {len(paths)} posts")


if __name__ == "__main__":
    main()
