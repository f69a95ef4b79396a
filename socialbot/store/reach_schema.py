"""Tables of collected reach figures (migration 6): per delivery and day, per account and day.

Figures are a JSON object of metric name → integer, with the platform's raw answer and
a ``source`` text next to them, so every number in a report can be traced to the call
and day it came from. A row exists only for a day whose data was final when collected:
"not ready" is no row, never a row of zeros.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint

from socialbot.store.schema import UTCDateTime

reach_metadata = MetaData()

delivery_figures = Table(
    "delivery_figures", reach_metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery", Integer, nullable=False, index=True),  # deliveries.id
    Column("day", String(10), nullable=False),  # YYYY-MM-DD, the platform's (Beijing) day
    Column("metrics", Text, nullable=False),  # JSON {name: int}, cumulative to the day
    Column("source", Text, nullable=False),
    Column("raw", Text, nullable=False),  # JSON: the platform's answer for this row
    Column("collected_at", UTCDateTime, nullable=False),
    UniqueConstraint("delivery", "day", name="uq_delivery_figures_day"),
)

account_figures = Table(
    "account_figures", reach_metadata,
    Column("id", Integer, primary_key=True),
    Column("account", String(40), nullable=False),
    Column("day", String(10), nullable=False),
    Column("metrics", Text, nullable=False),  # JSON {name: int} for that day
    Column("source", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    UniqueConstraint("account", "day", name="uq_account_figures_day"),
)
