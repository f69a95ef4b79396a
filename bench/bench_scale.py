"""The scale benchmark: 2,000 accounts, 20,000 deliveries, 3 workers on PostgreSQL.

    python bench/bench_scale.py                       # the full size (several minutes)
    python bench/bench_scale.py --accounts 200 --posts 2000   # a tenth

The practice platform answers every call 200 ms late. Prints deliveries/s, CPU ms per
delivery (the daemons'; the practice platform's and the latency proxy's, which run in
this process on the same cores, on a line of their own), p50/p99 lateness from each
delivery's true due time, and the duplicates found on the platform. The database is
``SOCIALBOT_BENCH_POSTGRES_URL`` (default: the local test server), in a schema of its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_daemon import main, parse_args

if __name__ == "__main__":
    url = os.environ.get("SOCIALBOT_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    raise SystemExit(main(parse_args(
        accounts=2000, posts=20000, workers=3, latency=0.2, spacing=10.0, parallel=64,
        idle=5.0, database_url=url)))
