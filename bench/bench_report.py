"""Report speed: seconds per stage for the whole city (21 units) and for one unit.

Run: python bench/bench_report.py [--rounds N]
Uses the made-up figures of the test suite (tests/report_figures.py); prints the median
time of each stage (digest + summary, charts, .docx, PDF) and the PDF's size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialbot.report.build import write_charts  # noqa: E402
from socialbot.report.docx_writer import write_docx  # noqa: E402
from socialbot.report.load import load_figures  # noqa: E402
from socialbot.report.pdf_writer import write_pdf  # noqa: E402
from socialbot.report.summary import write_summary  # noqa: E402
from socialbot.report.totals import digest  # noqa: E402
from tests.report_figures import ACTIVITIES_FILE, UNITS, figures_data, write_figures  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    day = date(2022, 6, 24)
    for label, data in (("whole city", figures_data(items_per_unit=8)),
                        ("one unit", figures_data(units=[UNITS[11]]))):
        timings: dict[str, list[float]] = {"summary": [], "charts": [], "docx": [], "pdf": []}
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            figures = load_figures(write_figures(out / "f.json", data), ACTIVITIES_FILE)
            for _ in range(args.rounds):
                start = time.perf_counter()
                d = digest(figures)
                summary = write_summary(d)
                timings["summary"].append(time.perf_counter() - start)
                start = time.perf_counter()
                charts = write_charts(d, out)
                timings["charts"].append(time.perf_counter() - start)
                start = time.perf_counter()
                write_docx(summary, d, charts, out / "r.docx", day)
                timings["docx"].append(time.perf_counter() - start)
                start = time.perf_counter()
                pdf = write_pdf(summary, d, charts, out / "r.pdf", day)
                timings["pdf"].append(time.perf_counter() - start)
            size = pdf.stat().st_size
        stages = ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in timings.items())
        print(f"{label}: {len(figures.items)} items; {stages}; PDF {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
