"""The words staff read for what the store decides: one catalog per area, looked up by code.

A template is a ``str.format`` string over the notice's values; a time value is shown
as staff write times (``2022-06-09 09:00``, in the time's own offset). An unknown code
is a programming error and fails loudly in tests (``tests/test_wording.py`` checks that
every code the store uses is here).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from socialbot.times import show
from socialbot.wording.catalog import CATALOG, PLACES

if TYPE_CHECKING:
    from socialbot.notices import Notice

__all__ = ["CATALOG", "PLACES", "place", "word"]


def _shown(value: object) -> object:
    if isinstance(value, dt.datetime):
        return show(value, value.tzinfo or dt.UTC)
    return "" if value is None else value


def word(notice: Notice) -> str:
    """The notice in the words staff read."""
    template = CATALOG[notice.code]
    return template.format(**{k: _shown(v) for k, v in notice.values.items()})


def place(where: str) -> str:
    """A location as staff read it: ``@code`` looked up, anything else as given."""
    return PLACES[where[1:]] if where.startswith("@") else where
