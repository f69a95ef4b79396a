"""The catalog: notice code -> Chinese template, and location code -> Chinese name.

Codes are dotted by area (``queue.``, ``review.``, ``actions.``, ``claims.``, ...).
Keep each entry's wording exactly as staff have been reading it.
"""

from __future__ import annotations

CATALOG: dict[str, str] = {
    # Filled per store area; every code the store uses must be here.
}

PLACES: dict[str, str] = {
    # "time": "时间",
}
