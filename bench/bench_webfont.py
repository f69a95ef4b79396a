"""Web font subset for the preview: time and memory to cut it, and what the caches save.

Run: python bench/bench_webfont.py
Renders the sample campaign's preview once (to get the text of all its pages), then
prints: the characters and the WOFF2 size, a cold subset (wall and CPU time, since the
machine may be busy; peak memory before and after), the
in-process cache, and a folder that already holds the subset (what a repeated preview
costs).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from socialbot.config_file import load_settings
from socialbot.preview import write_preview
from socialbot.preview.writer import campaign_posts
from socialbot.render import webfont
from socialbot.render.fonts import default_font_path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Peak memory of subsetting on its own, in a fresh interpreter.
_ALONE = """
import sys
sys.path.insert(0, "bench")
from bench_webfont import _peak_mb
from socialbot.render import webfont
chars = open(sys.argv[1], encoding="utf-8").read()
base = _peak_mb()
webfont.subset_font(chars)
print(f"subsetting alone: peak RSS {_peak_mb():.0f} MB ({base:.0f} MB after imports)")
"""


def main() -> None:
    settings = load_settings(ROOT / "config.toml")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "preview"
        result = write_preview(settings, campaign_posts(settings), out)
        pages = [result.index, *(p.page for p in result.posts)]
        texts = [p.read_text("utf-8") for p in pages]
        texts.append((out / "preview.css").read_text("utf-8"))
        chars = webfont.text_chars(*texts)

        webfont._subset.cache_clear()
        before = _peak_mb()
        start, cpu_start = time.perf_counter(), time.process_time()
        data = webfont.subset_font(chars)
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        after = _peak_mb()

        start = time.perf_counter()
        webfont.subset_font(chars)
        warm = time.perf_counter() - start

        webfont._subset.cache_clear()
        start = time.perf_counter()
        webfont.write_webfont(out, texts)  # the folder already has this subset
        reuse = time.perf_counter() - start

        chars_file = Path(tmp) / "chars.txt"
        chars_file.write_text("".join(sorted(chars)), "utf-8")
        alone = subprocess.run(
            [sys.executable, "-c", _ALONE, str(chars_file)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout.strip()

    source = default_font_path().stat().st_size
    print(f"pages: {len(pages)}; distinct characters: {len(chars)}")
    print(f"WOFF2 subset: {len(data) / 1024:.0f} kB (collection: {source / 2**20:.1f} MB)")
    print(f"cold subset: {cold * 1000:.0f} ms wall, {cold_cpu * 1000:.0f} ms CPU")
    print(f"peak RSS: {before:.0f} MB after rendering the campaign, {after:.0f} MB after it")
    print(alone)
    print(f"same characters again, in process: {warm * 1000:.2f} ms")
    print(f"same characters, subset already in the folder: {reuse * 1000:.1f} ms")


if __name__ == "__main__":
    main()
