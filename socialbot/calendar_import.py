"""``queue import``: a campaign calendar (CSV or TOML) queued in one transaction.

CSV: a header row with ``post,time,accounts`` (accounts separated by ``;``, ``|``,
spaces, or commas inside quotes), optional ``by``, ``cron``, ``until`` and ``position``
columns. TOML: ``[[entry]]`` tables with ``post``, ``time``, ``accounts = [..]``
(optional ``by``, ``cron``, ``until``, ``position``). ``position`` orders a day's
WeChat message (1 = 头条). Every row is checked; if any row has a problem, nothing is added.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialbot.config import Settings
from socialbot.errors import Problem, StoreError
from socialbot.explain import os_reason
from socialbot.intake import ChannelLookup, prepare
from socialbot.store.db import Database
from socialbot.store.queue import Entry, add_entries
from socialbot.store.times import parse_time
from socialbot.store_rules import rules_of
from socialbot.strictdata import TextProblem
from socialbot.tomlfile import parse_toml

CSV_COLUMNS = ("post", "time", "accounts")
OPTIONAL = ("by", "cron", "until", "position")
POSITION_MAX = 8  # a WeChat message carries at most 8 articles
SPLIT_ACCOUNTS = re.compile(r"[;|,\s、，]+")


@dataclass
class Row:
    """One calendar line as written, before rendering."""

    label: str
    post: str
    time: str | dt.datetime | None
    accounts: tuple[str, ...]
    by: str = ""
    cron: str = ""
    until: str | dt.datetime | None = None
    position: str = ""
    problems: list[Problem] = field(default_factory=list)


def read_calendar(path: Path, *, name: str = "") -> list[Row]:
    """Rows of a CSV or TOML calendar; StoreError if the file itself cannot be read.

    ``name``: what messages call the file when ``path`` is a copy (its suffix counts).
    """
    shown = Path(name) if name else path
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise StoreError(Problem(str(path), "日程文件不存在")) from None
    except UnicodeDecodeError:
        raise StoreError(Problem(shown.name, "不是 UTF-8 编码的文本文件")) from None
    except OSError as exc:
        raise StoreError(Problem(str(path), f"日程文件无法读取（{os_reason(exc)}）")) from None
    if shown.suffix.lower() == ".toml":
        return _toml_rows(shown, text)
    if shown.suffix.lower() == ".csv":
        return _csv_rows(shown, text)
    raise StoreError(Problem(shown.name, "只支持 .csv 或 .toml 格式的日程文件"))


def _csv_rows(path: Path, text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise StoreError(Problem(f"{path.name} 第 1 行", f"缺少列 {'、'.join(missing)}"
                                                        f"（表头应为 post,time,accounts）"))
    unknown = [h for h in header if h not in CSV_COLUMNS + OPTIONAL]
    if unknown:
        usable = "、".join(CSV_COLUMNS + OPTIONAL)
        raise StoreError(Problem(f"{path.name} 第 1 行",
                                 f"未知列 {'、'.join(unknown)}（可用：{usable}）"))
    rows = []
    for number, raw in enumerate(reader, start=2):
        cells = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(cells.values()):
            continue
        rows.append(Row(
            label=f"第 {number} 行", post=cells.get("post", ""), time=cells.get("time") or None,
            accounts=_accounts(cells.get("accounts", "")), by=cells.get("by", ""),
            cron=cells.get("cron", ""), until=cells.get("until") or None,
            position=cells.get("position", ""),
        ))
    return rows


def _toml_rows(path: Path, text: str) -> list[Row]:
    try:
        data = parse_toml(text)
    except TextProblem as exc:
        where = f"{path.name} 第 {exc.line} 行" if exc.line else path.name
        raise StoreError(Problem(where, f"日程文件格式有误：{exc.message}")) from None
    entries = data.get("entry", [])
    if not isinstance(entries, list) or not entries:
        raise StoreError(Problem(path.name, "没有 [[entry]] 条目"))
    rows = []
    for number, item in enumerate(entries, start=1):
        label = f"第 {number} 条"
        if not isinstance(item, dict):
            rows.append(Row(label, "", None, (), problems=[Problem("", "应为表")]))
            continue
        row = Row(label=label, post=str(item.get("post", "")), time=_toml_time(item.get("time")),
                  accounts=_accounts(item.get("accounts", [])), by=str(item.get("by", "")),
                  cron=str(item.get("cron", "")), until=_toml_time(item.get("until")),
                  position=str(item.get("position", "")))
        unknown = sorted(set(item) - set(CSV_COLUMNS + OPTIONAL))
        if unknown:
            row.problems.append(Problem("字段", f"未知字段 {'、'.join(unknown)}"))
        rows.append(row)
    return rows


def _toml_time(value: Any) -> str | dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    return str(value)


def _accounts(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(a for a in SPLIT_ACCOUNTS.split(str(value)) if a)


def _when(value: str | dt.datetime | None, settings: Settings,
          where: str, problems: list[Problem]) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=settings.tz)
    parsed = parse_time(value, settings.tz, where)
    if isinstance(parsed, Problem):
        problems.append(parsed)
        return None
    return parsed


def parse_position(text: str, where: str, problems: list[Problem]) -> int | None:
    """A place in the day's message, 1 (头条) to 8; empty means "in queue order"."""
    if not text.strip():
        return None
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= POSITION_MAX:
        problems.append(Problem(where, f"位置应为 1 到 {POSITION_MAX} 的整数"
                                       f"（1 为头条），现为“{value}”"))
        return None
    return int(value)


def entries_for(settings: Settings, path: Path, rows: list[Row], *, author: str,
                channels: ChannelLookup | None) -> list[Entry]:
    entries = []
    for row in rows:
        problems = list(row.problems)
        at = _when(row.time, settings, "time", problems)
        until = _when(row.until, settings, "until", problems)
        if not row.post:
            problems.append(Problem("post", "缺少稿件文件名"))
        position = parse_position(row.position, "position", problems)
        entry = prepare(settings, row.post or "?", targets=row.accounts, at=at,
                        author=row.by or author, channels=channels, cron=row.cron or None,
                        until=until, label=row.label, base=path.parent, problems=problems)
        entry.position = position
        entries.append(entry)
    return entries


def import_calendar(db: Database, settings: Settings, path: Path, now: dt.datetime, *,
                    author: str, channels: ChannelLookup | None,
                    vet: Callable[[Entry], list[Problem]] | None = None,
                    name: str = "") -> list[Entry]:
    """Queue every row or none (QueueRefused lists each row's problems).

    ``vet`` adds the caller's own problems to an entry (the console: accounts outside
    the person's units); ``name`` is the file's name for messages when ``path`` is a
    temporary copy (an upload).
    """
    rows = read_calendar(path, name=name)
    if not rows:
        raise StoreError(Problem(name or path.name, "日程文件中没有任何条目"))
    entries = entries_for(settings, path, rows, author=author, channels=channels)
    if vet is not None:
        for entry in entries:
            entry.problems += vet(entry)
    return add_entries(db, rules_of(settings), entries, now, actor=author, action="import")
