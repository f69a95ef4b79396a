"""The console's calendar: every delivery of the viewer's accounts by month, week or list.

Filters (unit, account, activity, state) travel in the query string, so a view can be
bookmarked and shared. Moving a delivery (dragged onto another day, or with the form on
its own page) goes through the same ``actions.reschedule`` as ``queue reschedule``: the
quota is checked again and the platform's checks are re-run on the stored content;
a refusal comes back in Chinese, on the page. A calendar file uploaded here is queued by
the same code as ``queue import``: all rows or none.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from socialbot import channel_source
from socialbot.config import Settings
from socialbot.errors import Problem, SocialbotError, StoreError
from socialbot.people import Person
from socialbot.platforms import PLATFORMS
from socialbot.store import actions, agenda
from socialbot.store.agenda import AgendaItem
from socialbot.store.models import PENDING, State
from socialbot.store.queue import Entry, QueueRefused
from socialbot.store_rules import rules_of
from socialbot.web import access
from socialbot.web.auth import Viewer
from socialbot.web.context import Console, checked_form, console_of, is_htmx, signed_in
from socialbot.web.names import account_name
from socialbot.wording.labels import STATE_LABELS

VIEWS = {"month": "月", "week": "周", "list": "列表"}
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
MOVABLE = (*PENDING, State.MISSED)
MAX_UPLOAD = 1024 * 1024  # a campaign calendar is a few KiB; refuse anything absurd
ACTIVITIES_FILE = Path("campaign") / "activities.toml"
FIRST_YEAR, LAST_YEAR = 2000, 2200


@dataclass(frozen=True)
class Filters:
    """The calendar's query: which view, around which day, and what to show."""

    view: str = "month"
    day: dt.date | None = None
    unit: str = ""
    account: str = ""
    activity: str = ""
    state: str = ""

    @classmethod
    def read(cls, params: Any, today: dt.date) -> Filters:
        view = str(params.get("view") or "month")
        try:
            day = dt.date.fromisoformat(str(params.get("date") or ""))
        except ValueError:
            day = today
        if not FIRST_YEAR <= day.year <= LAST_YEAR:  # month arithmetic stays in range
            day = today
        return cls(view if view in VIEWS else "month", day,
                   *(str(params.get(k) or "")[:64] for k in ("unit", "account", "activity",
                                                             "state")))

    def query(self, **changes: Any) -> str:
        """This view's query string, with some fields changed (empty fields left out)."""
        f = replace(self, **changes)
        values = {"view": f.view, "date": f.day.isoformat() if f.day else "", "unit": f.unit,
                  "account": f.account, "activity": f.activity, "state": f.state}
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class Activity:
    number: str
    title: str
    posts: frozenset[str]


def activities(settings: Settings) -> list[Activity]:
    """The campaign's activities and the posts each covers (``posts`` in activities.toml).

    The file is optional for the calendar: without it (or without ``posts``) the
    activity filter has nothing to offer.
    """
    path = settings.root / ACTIVITIES_FILE
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    found = []
    for row in data.get("activities", []):
        if isinstance(row, dict) and isinstance(row.get("posts"), list):
            found.append(Activity(str(row.get("number", "")), str(row.get("title", "")),
                                  frozenset(str(p) for p in row["posts"])))
    return found


@dataclass
class Group:
    """What one day cell shows for one account: a WeChat day's message, or single posts."""

    account: str
    message: bool  # several posts form one message (a mass-send account's day)
    items: list[AgendaItem]


@dataclass
class Day:
    date: dt.date
    in_range: bool
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def message_order(item: AgendaItem) -> tuple[Any, ...]:
    """The order of the articles in one day's message: for now the queued time.

    When deliveries carry their position in the day's message, sort by it here.
    """
    return (item.delivery.due_at, item.delivery.id)


def group_day(settings: Settings, items: Iterable[AgendaItem]) -> list[Group]:
    """A day's deliveries: each mass-send account's posts as one ordered message; the
    rest one by one, by time."""
    groups: list[Group] = []
    messages: dict[str, Group] = {}
    for item in items:
        account = settings.accounts.get(item.delivery.account)
        capacity = (PLATFORMS[account.platform].message_capacity(account)
                    if account and account.platform in PLATFORMS else 1)
        if capacity > 1:
            if item.delivery.account not in messages:
                messages[item.delivery.account] = Group(item.delivery.account, True, [])
                groups.append(messages[item.delivery.account])
            messages[item.delivery.account].items.append(item)
        else:
            groups.append(Group(item.delivery.account, False, [item]))
    for group in messages.values():
        group.items.sort(key=message_order)
    return groups


def span(f: Filters) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first shown day, day after the last shown, period start, period end)."""
    assert f.day is not None
    if f.view == "week":
        start = f.day - dt.timedelta(days=f.day.weekday())
        return start, start + dt.timedelta(days=7), start, start + dt.timedelta(days=7)
    first = f.day.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    if f.view == "list":
        return first, after, first, after
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = after + dt.timedelta(days=(7 - after.weekday()) % 7)
    return grid_start, grid_end, first, after


def shown_accounts(person: Person, settings: Settings, f: Filters) -> set[str]:
    accounts = person.accounts(settings)
    if f.unit:
        accounts = {a for a in accounts if settings.unit_of(a) == f.unit}
    if f.account:
        accounts &= {f.account}
    return accounts


def calendar_context(console: Console, person: Person, f: Filters) -> dict[str, Any]:
    settings = console.settings
    tz = settings.tz
    first, after, period_start, period_end = span(f)
    start = dt.datetime.combine(first, dt.time(), tz)
    end = dt.datetime.combine(after, dt.time(), tz)
    known = activities(settings)
    chosen = next((a for a in known if a.number == f.activity), None)
    items = agenda.between(
        console.store, start, end, accounts=shown_accounts(person, settings, f),
        states={f.state} if f.state else None,
        post_ids=chosen.posts if chosen else None)
    by_day: dict[dt.date, list[AgendaItem]] = {}
    for item in items:
        by_day.setdefault(item.delivery.due_at.astimezone(tz).date(), []).append(item)
    days = []
    day = first
    while day < after:
        days.append(Day(day, period_start <= day < period_end, group_day(settings,
                                                                         by_day.get(day, []))))
        day += dt.timedelta(days=1)
    assert f.day is not None
    step = dt.timedelta(days=7) if f.view == "week" else dt.timedelta(days=31)
    if f.view == "week":
        previous, following = f.day - step, f.day + step
        title = f"{first:%Y年%m月%d日} – {(after - dt.timedelta(days=1)):%m月%d日}"
    else:
        previous = (period_start - dt.timedelta(days=1)).replace(day=1)
        following = period_end
        title = f"{period_start.year}年{period_start.month}月"
    mine = person.accounts(settings)
    return {
        "f": f, "days": days, "weeks": [days[i:i + 7] for i in range(0, len(days), 7)],
        "title": title, "count": len(items), "weekdays": WEEKDAYS, "views": VIEWS,
        "prev_q": f.query(day=previous), "next_q": f.query(day=following),
        "today_q": f.query(day=console.clock().astimezone(tz).date()),
        "today": console.clock().astimezone(tz).date(),
        "units": sorted(u for u in person.units(settings) if u in settings.units),
        "accounts": sorted(mine), "activities": known,
        "states": [(str(s), label) for s, label in STATE_LABELS.items()],
        "movable": lambda i: movable(person, settings, i),
        "hhmm": lambda t: t.astimezone(tz).strftime("%H:%M"),
        "nav": "calendar",
    }


def movable(person: Person, settings: Settings, item: AgendaItem) -> bool:
    return (item.delivery.state in MOVABLE and not item.cron
            and access.schedules_for(person, settings, item.delivery.account))


def _filters(request: Request, console: Console) -> Filters:
    today = console.clock().astimezone(console.settings.tz).date()
    return Filters.read(request.query_params, today)


@signed_in
async def calendar_page(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    f = _filters(request, console)
    context = await run_in_threadpool(calendar_context, console, viewer.person, f)
    return console.page("calendar.html.j2", request, viewer, **context)


# --- one delivery, and moving it ------------------------------------------------------------


def _visible_item(console: Console, person: Person, delivery_id: int) -> AgendaItem:
    """The delivery; 404 alike for a missing one and another unit's."""
    item = agenda.one(console.store, delivery_id)
    if item is None or item.delivery.account not in person.accounts(console.settings):
        raise HTTPException(404, f"没有编号 {delivery_id} 的发布，或它不属于你所在的单位")
    return item


@signed_in
async def delivery_page(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    item = await run_in_threadpool(_visible_item, console, viewer.person,
                                   int(request.path_params["delivery_id"]))
    return console.page("delivery.html.j2", request, viewer, **_delivery_context(
        console, viewer.person, item, back=request.query_params.get("back", "")))


def _delivery_context(console: Console, person: Person, item: AgendaItem, *, back: str = "",
                      message: str = "", kind: str = "ok") -> dict[str, Any]:
    tz = console.settings.tz
    local = item.delivery.due_at.astimezone(tz)
    back = _safe_back(back) or f"view=month&date={local.date().isoformat()}"
    return {"item": item, "d": item.delivery, "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"), "back": back,
            "refusal": access.schedule_refusal(person, console.settings, item.delivery.account),
            "can_move": movable(person, console.settings, item), "message": message,
            "kind": kind, "nav": "calendar"}


def _safe_back(value: str) -> str:
    """Only a calendar query of this console (no other path, no host)."""
    return value if value.startswith("view=") or value.startswith("date=") or not value \
        else ""


def _when(settings: Settings, day: str, time: str) -> dt.datetime:
    try:
        date = dt.date.fromisoformat(day.strip())
        clock = dt.time.fromisoformat(time.strip() or "09:00")
    except ValueError:
        raise StoreError(Problem("新时间", f"“{day} {time}”不是有效的日期和时间，"
                                          "格式如 2022-06-09 和 09:00")) from None
    return dt.datetime.combine(date, clock.replace(second=0, microsecond=0), settings.tz)


def platform_problems(console: Console, item: AgendaItem) -> list[Problem]:
    """The platform's checks on the stored content, for this account, run again."""
    settings = console.settings
    account = settings.accounts.get(item.delivery.account)
    if account is None:
        return [Problem(f"账号 {item.delivery.account}", "已不在配置文件中")]
    rendered = console.store.rendered(item.delivery.post)
    part = rendered.parts.get(account.platform)
    if part is None or account.platform not in PLATFORMS:
        return [Problem(f"账号 {account.id}", "稿件没有这个平台的内容，请重新排版")]
    return [Problem(f"账号 {account.id} {p.where}".strip(), p.message)
            for p in PLATFORMS[account.platform].check(part, account, rendered.source)]


def move(console: Console, person: Person, item: AgendaItem, at: dt.datetime) -> str:
    """Reschedule one delivery like ``queue reschedule --account``; the success line."""
    settings = console.settings
    refusal = access.schedule_refusal(person, settings, item.delivery.account)
    if refusal:
        raise HTTPException(403, refusal)
    problems = platform_problems(console, item)
    if problems:
        raise StoreError(problems, title="平台检查未通过，不能改期")
    result = actions.reschedule(console.store, rules_of(settings), item.delivery.post, at,
                                person.username, console.clock(),
                                account=item.delivery.account)
    if not result.changed:
        raise StoreError("这个发布刚被别人改动过，请刷新后重试")
    name = account_name(settings, item.delivery.account)
    return f"已把《{item.title}》（{name}）改到 {at.astimezone(settings.tz):%Y-%m-%d %H:%M}"


@signed_in
async def move_delivery(request: Request, viewer: Viewer) -> Response:
    """A drop on the calendar (htmx) or the form on a delivery's page."""
    console = console_of(request)
    form = await checked_form(request, viewer)
    try:
        delivery_id = int(form.get("delivery", ""))
    except ValueError:
        raise HTTPException(400, "缺少要改期的发布编号") from None
    item = await run_in_threadpool(_visible_item, console, viewer.person, delivery_id)
    back = _safe_back(form.get("back", ""))
    status, kind = 200, "ok"
    try:
        at = _when(console.settings, form.get("date", ""), form.get("time", ""))
        message = await run_in_threadpool(move, console, viewer.person, item, at)
    except HTTPException as exc:
        status, kind, message = exc.status_code, "error", str(exc.detail)
    except StoreError as exc:
        status, kind, message = 409, "error", exc.render()
    if form.get("from") == "delivery":
        fresh = await run_in_threadpool(_visible_item, console, viewer.person, delivery_id)
        return console.page("delivery.html.j2", request, viewer, status, **_delivery_context(
            console, viewer.person, fresh, back=back, message=message, kind=kind))
    today = console.clock().astimezone(console.settings.tz).date()
    f = Filters.read(dict(parse_qsl(back)), today)
    context = await run_in_threadpool(calendar_context, console, viewer.person, f)
    return console.page("calendar.html.j2", request, viewer, status, message=message,
                        kind=kind, **context)


# --- import -------------------------------------------------------------------------------


@signed_in
async def import_form(request: Request, viewer: Viewer) -> Response:
    return console_of(request).page("calendar_import.html.j2", request, viewer, nav="calendar",
                                  entries=None)


def vetter(person: Person, settings: Settings) -> Callable[[Entry], list[Problem]]:
    """Rows may only name accounts of the person's units that they schedule for."""
    def vet(entry: Entry) -> list[Problem]:
        refused = [a for a in entry.targets if a in settings.accounts
                   and (a not in person.accounts(settings)
                        or not access.schedules_for(person, settings, a))]
        if not refused:
            return []
        return [Problem("账号", f"你不能为 {'、'.join(refused)} 安排发布（不是你所在单位的账号，"
                                "或你不是该单位的编辑或管理员）")]
    return vet


def run_import(console: Console, person: Person, name: str, data: bytes
               ) -> tuple[list[Entry], bool, str]:
    """(entries, refused, message): the same all-or-nothing import as ``queue import``."""
    from socialbot.calendar_import import import_calendar  # rendering: only to import

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="socialbot-import-") as folder:
        path = Path(folder) / f"calendar{suffix if suffix in ('.csv', '.toml') else '.txt'}"
        path.write_bytes(data)
        try:
            entries = import_calendar(
                console.store, console.settings, path, console.clock(), author=person.username,
                channels=channel_source.default_channels(console.settings),
                vet=vetter(person, console.settings), name=name)
        except QueueRefused as exc:
            bad = sum(1 for e in exc.entries if e.problems)
            return exc.entries, True, (f"{bad} 条有误，整个日程都没有加入队列；"
                                       "请修改后重新导入。")
    return entries, False, f"已加入 {len(entries)} 篇稿件。"


@signed_in
async def import_upload(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    await checked_form(request, viewer)
    form = await request.form()  # parsed once; the same object again
    upload = form.get("file")
    entries: list[Entry] | None = None
    refused, status = False, 200
    if not isinstance(upload, UploadFile) or not upload.filename:
        message, status, kind = "请选择要导入的日程文件（.csv 或 .toml）", 400, "error"
    else:
        data = await upload.read(MAX_UPLOAD + 1)
        name = Path(upload.filename).name[:100]
        if len(data) > MAX_UPLOAD:
            message, status, kind = f"{name} 超过 1 MB，不像是日程文件", 400, "error"
        else:
            try:
                entries, refused, message = await run_in_threadpool(
                    run_import, console, viewer.person, name, data)
                kind = "error" if refused else "ok"
                status = 409 if refused else 200
            except SocialbotError as exc:
                message, status, kind = exc.render(), 400, "error"
    return console.page("calendar_import.html.j2", request, viewer, status, nav="calendar",
                        entries=entries, refused=refused, message=message, kind=kind,
                        is_htmx=is_htmx(request))
