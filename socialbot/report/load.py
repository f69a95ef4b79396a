"""Read a figures JSON file and the activities data file into the report model.

Every problem is collected and reported at once, each naming the file, the entry and
the field in words staff understand (``ReportError``, exit 2 in the CLI).
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from socialbot.errors import Problem, SocialbotError
from socialbot.report.model import (
    Account,
    AccountDay,
    Activity,
    Campaign,
    Figure,
    Figures,
    Item,
)
from socialbot.report.specs import registered
from socialbot.report_spec import ReportSpec

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


class ReportError(SocialbotError):
    title = "无法生成活动总结"


class _Reader:
    """Field access that records located problems instead of raising at the first one."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(f"{self.file.name} {where}".strip(), message))

    def table(self, data: Any, where: str) -> dict[str, Any]:
        if isinstance(data, dict):
            return data
        self.fail(where, "应为一组“字段: 值”（JSON 对象）")
        return {}

    def rows(self, data: dict[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key, [])
        if isinstance(value, list):
            return value
        self.fail(f"{where}{key}", "应为列表")
        return []

    def text(self, data: dict[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.fail(f"{where}{key}", "缺少此项或为空，应为文字" if value is None else
                  f"应为文字，实际为 {json.dumps(value, ensure_ascii=False)}")
        return ""

    def day(self, data: dict[str, Any], key: str, where: str) -> date | None:
        value = data.get(key)
        try:
            return datetime.strptime(str(value), DATE_FORMAT).date()
        except ValueError:
            self.fail(f"{where}{key}", f"日期应写成 2022-06-09，实际为 {_shown(value)}")
            return None

    def time(self, data: dict[str, Any], key: str, where: str) -> datetime | None:
        value = data.get(key)
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(str(value), fmt)
            except ValueError:
                continue
        self.fail(f"{where}{key}", f"北京时间应写成 2022-06-09 09:00，实际为 {_shown(value)}")
        return None

    def figure(self, data: Any, where: str) -> Figure | None:
        if data is None:
            return None  # not collected
        if not isinstance(data, dict):
            self.fail(where, "应写成 {\"value\": 数字, \"source\": \"数据来源\"}，"
                      "未采集的请省略此项")
            return None
        value, source = data.get("value"), data.get("source")
        ok = True
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(f"{where}.value", f"应为不小于 0 的整数，实际为 {_shown(value)}"
                      "（未采集的数据请整项省略，不要写 0）")
            ok = False
        if not isinstance(source, str) or not source.strip():
            self.fail(f"{where}.source", "缺少数据来源（哪个平台接口、哪一天的数据）")
            ok = False
        return Figure(value, source.strip()) if ok else None

    def unknown(self, data: dict[str, Any], known: set[str], where: str) -> None:
        for key in data:
            if key not in known:
                fields = "、".join(sorted(known))
                self.fail(f"{where}{key}", f"不认识的字段，可用的字段有：{fields}")


def _shown(value: Any) -> str:
    return "（空）" if value is None else f"“{value}”"


def load_activities(path: Path) -> tuple[str, tuple[Activity, ...]]:
    """The notice title and the brief's activities from the activities data file."""
    reader = _Reader(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ReportError(Problem(str(path), "活动清单文件不存在")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(Problem(str(path), f"无法读取活动清单文件（{exc}）")) from None
    except tomllib.TOMLDecodeError as exc:
        raise ReportError(Problem(str(path), f"活动清单格式有误：{exc}")) from None
    notice = reader.text(data, "notice", "")
    activities: list[Activity] = []
    for index, row in enumerate(reader.rows(data, "activities", ""), start=1):
        where = f"第 {index} 项活动 "
        row = reader.table(row, where)
        number = row.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            reader.fail(f"{where}number", f"活动序号应为正整数，实际为 {_shown(number)}")
            continue
        if any(a.number == number for a in activities):
            reader.fail(f"{where}number", f"活动序号 {number} 重复")
        activities.append(Activity(number, reader.text(row, "title", where),
                                   reader.text(row, "organisers", where)))
    if not activities and not reader.problems:
        reader.fail("activities", "没有任何活动")
    if reader.problems:
        raise ReportError(reader.problems)
    return notice, tuple(sorted(activities, key=lambda a: a.number))


def load_campaign_file(path: Path) -> dict[str, Any]:
    """The activities data file's other entries: the campaign's name and theme, and which
    post (by post id, the file name without .md) reports which activity (``posts``)."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReportError(Problem(str(path), f"无法读取活动清单文件（{exc}）")) from None
    reader = _Reader(path)
    posts: dict[str, int] = {}
    for index, row in enumerate(reader.rows(data, "activities", ""), start=1):
        row = reader.table(row, f"第 {index} 项活动 ")
        listed = row.get("posts", [])
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            reader.fail(f"第 {index} 项活动 posts", "应为稿件编号（文件名，不含 .md）的列表")
            continue
        for post_id in listed:
            if post_id in posts:
                reader.fail(f"第 {index} 项活动 posts", f"稿件“{post_id}”已归入第 "
                            f"{posts[post_id]} 项活动，一篇稿件只能归入一项")
            posts[post_id] = int(row.get("number") or 0)
    if reader.problems:
        raise ReportError(reader.problems)
    return {"name": str(data.get("campaign", "")), "theme": str(data.get("theme", "")),
            "posts": posts}


def load_figures(path: Path, activities_path: Path) -> Figures:
    """Read and check a figures file; raise ReportError listing every problem."""
    notice, activities = load_activities(activities_path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ReportError(Problem(str(path), "数据文件不存在")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(Problem(str(path), f"无法读取数据文件（{exc}）")) from None
    except json.JSONDecodeError as exc:
        raise ReportError(Problem(
            f"{path.name} 第 {exc.lineno} 行第 {exc.colno} 列", f"JSON 格式有误（{exc.msg}）"
        )) from None
    reader = _Reader(path)
    specs = registered()
    root = reader.table(data, "")
    reader.unknown(root, {"campaign", "reporting_unit", "units", "accounts", "items",
                          "account_days"}, "")
    campaign = _campaign(reader, reader.table(root.get("campaign"), "campaign"), notice,
                         activities)
    reporting_unit = reader.text(root, "reporting_unit", "")
    units = _units(reader, root)
    accounts = _accounts(reader, root, set(units), specs)
    by_id = {a.id: a for a in accounts}
    numbers = {a.number for a in activities}
    items = _items(reader, root, by_id, numbers, specs)
    days = _account_days(reader, root, by_id)
    if reader.problems or campaign is None:
        raise ReportError(reader.problems)
    return Figures(campaign, reporting_unit, units, accounts, items, days, platforms=specs)


def _campaign(reader: _Reader, data: dict[str, Any], notice: str,
              activities: tuple[Activity, ...]) -> Campaign | None:
    where = "campaign."
    reader.unknown(data, {"name", "theme", "start", "end"}, where)
    name = reader.text(data, "name", where)
    theme = reader.text(data, "theme", where)
    start, end = reader.day(data, "start", where), reader.day(data, "end", where)
    if start and end and end < start:
        reader.fail(f"{where}end", "结束日期早于开始日期")
    if start is None or end is None:
        return None
    return Campaign(name, theme, start, end, notice, activities)


def _units(reader: _Reader, root: dict[str, Any]) -> tuple[str, ...]:
    units: list[str] = []
    for index, unit in enumerate(reader.rows(root, "units", ""), start=1):
        if not isinstance(unit, str) or not unit.strip():
            reader.fail(f"units 第 {index} 项", "单位名称应为文字")
        elif unit.strip() in units:
            reader.fail(f"units 第 {index} 项", f"单位“{unit}”重复")
        else:
            units.append(unit.strip())
    if not units:
        reader.fail("units", "至少列出一个单位")
    return tuple(units)


def _accounts(reader: _Reader, root: dict[str, Any], units: set[str],
              specs: tuple[ReportSpec, ...]) -> tuple[Account, ...]:
    accounts: list[Account] = []
    for index, row in enumerate(reader.rows(root, "accounts", ""), start=1):
        where = f"accounts 第 {index} 项 "
        row = reader.table(row, where)
        reader.unknown(row, {"id", "name", "unit", "platform"}, where)
        account = Account(
            reader.text(row, "id", where), reader.text(row, "name", where),
            reader.text(row, "unit", where), reader.text(row, "platform", where),
        )
        if account.platform and not any(s.platform == account.platform for s in specs):
            names = "、".join(s.platform for s in specs)
            reader.fail(f"{where}platform", f"平台应为 {names} 之一，"
                        f"实际为“{account.platform}”")
        if account.unit and account.unit not in units:
            reader.fail(f"{where}unit", f"单位“{account.unit}”不在 units 列表中")
        if any(a.id == account.id for a in accounts):
            reader.fail(f"{where}id", f"账号“{account.id}”重复")
        accounts.append(account)
    return tuple(accounts)


def _items(reader: _Reader, root: dict[str, Any], accounts: dict[str, Account],
           numbers: set[int], specs: tuple[ReportSpec, ...]) -> tuple[Item, ...]:
    items: list[Item] = []
    seen: set[str] = set()
    for index, row in enumerate(reader.rows(root, "items", ""), start=1):
        where = f"items 第 {index} 项 "
        row = reader.table(row, where)
        reader.unknown(row, {"id", "post_id", "title", "activity", "account", "published",
                             "figures"}, where)
        item_id = reader.text(row, "id", where)
        if item_id in seen:
            reader.fail(f"{where}id", f"编号“{item_id}”重复")
        seen.add(item_id)
        activity = row.get("activity")
        if activity is not None and (isinstance(activity, bool) or activity not in numbers):
            reader.fail(f"{where}activity", f"活动序号应为 {min(numbers)}–{max(numbers)} "
                        f"之一，或 null（不属于任何活动），实际为 {_shown(activity)}")
            activity = None
        account_id = reader.text(row, "account", where)
        account = accounts.get(account_id)
        if account_id and account is None:
            reader.fail(f"{where}account", f"账号“{account_id}”不在 accounts 列表中")
        published = reader.time(row, "published", where)
        metrics = _metrics(reader, row.get("figures", {}), account, specs, f"{where}figures")
        if account is None or published is None:
            continue
        items.append(Item(item_id, reader.text(row, "post_id", where),
                          reader.text(row, "title", where), activity, account.unit,
                          account.id, account.platform, published, metrics))
    return tuple(items)


def _metrics(reader: _Reader, data: Any, account: Account | None,
             specs: tuple[ReportSpec, ...], where: str) -> dict[str, Figure]:
    data = reader.table(data, where)
    labels: dict[str, str] = {}
    for each in specs:
        labels.update({m.name: m.label for m in each.metrics if m.name not in labels})
    spec = next((s for s in specs if account and s.platform == account.platform), None)
    known = spec.metric_names if spec else ()
    allowed = tuple(labels) if account is None else known  # no account: any platform's
    metrics: dict[str, Figure] = {}
    for name, raw in data.items():
        if name not in allowed:
            platform = spec.label if spec else ""
            reader.fail(f"{where}.{name}", f"{platform}没有这项数据，可用的有："
                        f"{'、'.join(f'{m}（{labels[m]}）' for m in allowed)}")
            continue
        figure = reader.figure(raw, f"{where}.{name}")
        if figure is not None:
            metrics[name] = figure
    return metrics


def _account_days(reader: _Reader, root: dict[str, Any],
                  accounts: dict[str, Account]) -> tuple[AccountDay, ...]:
    days: list[AccountDay] = []
    for index, row in enumerate(reader.rows(root, "account_days", ""), start=1):
        where = f"account_days 第 {index} 项 "
        row = reader.table(row, where)
        reader.unknown(row, {"account", "day", "followers_gained", "followers_lost"}, where)
        account_id = reader.text(row, "account", where)
        if account_id and account_id not in accounts:
            reader.fail(f"{where}account", f"账号“{account_id}”不在 accounts 列表中")
        day = reader.day(row, "day", where)
        gained = reader.figure(row.get("followers_gained"), f"{where}followers_gained")
        lost = reader.figure(row.get("followers_lost"), f"{where}followers_lost")
        if day is not None and account_id in accounts:
            days.append(AccountDay(account_id, day, gained, lost))
    return tuple(days)
