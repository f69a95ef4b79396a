"""The words staff read for what the store decides: one catalog per area, looked up by code.

A template is a ``str.format`` string over the notice's values; a time value is shown
as staff write times (``2022-06-09 09:00``, in the time's own offset). A format spec
names how a machine value reads: ``{state:state}`` a delivery state's label,
``{outcome:outcome}`` a platform outcome's, ``{ids:list}`` a list joined with "、",
``{items:items}`` joined with "；". The catalog knows codes and values only; what a
notice is and how a row keeps it is ``socialbot.notices``, which calls here. An unknown
code is a programming error and fails loudly in tests (``tests/test_wording.py``
checks that every code the store uses is here).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

from socialbot.times import show
from socialbot.wording.catalog import CATALOG, PLACES

__all__ = ["CATALOG", "PLACES", "place", "word"]

_JOINS = {"list": "、", "items": "；"}


def _shown(value: object) -> object:
    if isinstance(value, dt.datetime):
        return show(value, value.tzinfo or dt.UTC)
    if isinstance(value, tuple):
        return "、".join(str(_shown(v)) for v in value)
    return "" if value is None else value


class _Formatter(string.Formatter):
    """``str.format`` plus the specs that word machine values (see the module doc)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in _JOINS:
            items = value if isinstance(value, tuple) else (value,)
            return _JOINS[format_spec].join(str(_shown(v)) for v in items)
        if format_spec == "state":
            from socialbot.wording.labels import label

            return label(str(value))
        if format_spec == "outcome":
            from socialbot.delivery import OUTCOME_LABELS

            return OUTCOME_LABELS.get(str(value), str(value))
        shown = _shown(value)
        return format(shown, format_spec) if format_spec else str(shown)


_FORMAT = _Formatter()


def word(code: str, values: Mapping[str, object]) -> str:
    """The event or refusal ``code`` with ``values``, in the words staff read."""
    return _fill(CATALOG[code], values)


def place(where: str, values: Mapping[str, object] | None = None) -> str:
    """A location as staff read it: ``@code`` looked up (and filled), anything else as given."""
    return _fill(PLACES[where[1:]], values or {}) if where.startswith("@") else where


def _fill(template: str, values: Mapping[str, object]) -> str:
    return _FORMAT.vformat(template, (), dict(values))
