"""What the store refuses or records, as a code and values rather than words.

The store decides *that* something happened (a time is in the past, a delivery was
moved to the next day); the wording staff read lives in ``socialbot.wording`` and is
looked up by code when the notice is shown. A notice kept in a row is JSON
(:func:`encode`), so the data says what happened in any language, and a row written
before notices existed (plain text) is still shown as it was written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from socialbot.errors import Problem
from socialbot.wording import place, word

Scalar = str | int | float | bool | dt.datetime | None
# A list of values (account ids, times) is kept as a tuple; the wording joins it. A value
# may itself be a notice (what the platform step recorded, inside an audit line).
Value: TypeAlias = "Scalar | tuple[Scalar, ...] | Notice"

_MARK = "notice"  # the key that tells a stored notice from older plain text
_TIMES = "times"  # names of the values that are times (kept as ISO text in JSON)
_NESTED = "notices"  # names of the values that are notices themselves (never free text)


@dataclass(frozen=True)
class Notice:
    """One event or refusal: ``code`` names it in ``socialbot.wording``; ``values`` fill it.

    Times are aware datetimes; they are shown in their own offset, so the store hands
    them over already in the staff time zone.
    """

    code: str
    values: Mapping[str, Value] = field(default_factory=dict)

    def encode(self) -> str:
        """The notice as the JSON text a row keeps."""
        plain: dict[str, Any] = {}
        times: list[str] = []
        nested: list[str] = []
        for key, value in self.values.items():
            if isinstance(value, Notice):
                plain[key] = value.encode()
                nested.append(key)
            elif isinstance(value, tuple):
                plain[key] = [_plain(v) for v in value]
                if any(isinstance(v, dt.datetime) for v in value):
                    times.append(key)
            elif isinstance(value, dt.datetime):
                plain[key] = _plain(value)
                times.append(key)
            else:
                plain[key] = value
        data: dict[str, Any] = {_MARK: self.code, **({"values": plain} if plain else {})}
        if times:
            data[_TIMES] = times
        if nested:
            data[_NESTED] = nested
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    def text(self) -> str:
        """What staff read."""
        return word(self.code, {key: value.text() if isinstance(value, Notice) else value
                                for key, value in self.values.items()})


def _plain(value: Scalar) -> Scalar:
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value


def _time(raw: object) -> object:
    """A time kept as ISO text back as a datetime (anything else as kept)."""
    if not isinstance(raw, str):
        return raw
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return raw


def notice(code: str, **values: Value) -> Notice:
    return Notice(code, values)


def decode(text: str | None) -> Notice | None:
    """The notice a row keeps, or None for plain text (rows from before notices, or
    what a platform said, kept verbatim)."""
    if not text or not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get(_MARK), str) \
            or not isinstance(data.get("values") or {}, dict):
        return None
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in (data.get("values") or {}).items()}
    for key in data.get(_TIMES) or ():
        raw = values.get(key)
        values[key] = tuple(_time(v) for v in raw) if isinstance(raw, tuple) else _time(raw)
    for key in data.get(_NESTED) or ():
        raw = values.get(key)
        values[key] = (decode(raw) if isinstance(raw, str) else None) or raw
    return Notice(data[_MARK], values)


def shown(text: str | None) -> str:
    """A stored message or audit detail as staff read it: a notice worded, else as kept.

    Only a row's whole text, or a value the system marked as a notice, is ever read as
    one: free text inside a notice (a comment, a reason, a title) is shown as typed. A
    code this version does not know (a row from a newer version) shows the row as kept.
    """
    found = decode(text)
    if found is None:
        return text or ""
    try:
        return found.text()
    except (KeyError, IndexError, ValueError):  # a code this version does not know
        return text or ""


def problem(where: str, code: str, **values: Value) -> Problem:
    """A refusal located at ``where`` (a field, flag or file name), worded by code.

    ``where`` that staff read in words (not a flag such as ``--at``) is itself a code:
    write it as ``"@field.time"`` and it is looked up too (filled from the same values,
    so ``"@account_id"`` reads "账号 weibo_main").
    """
    return Problem(place(where, values), Notice(code, values).text())
