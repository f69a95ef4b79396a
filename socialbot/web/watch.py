"""Watching the campaign: what needs a person (and the buttons to act), what followers
got, the audit log (filtered, CSV) and the kill switch.

The actions are the CLI's: ``queue retry`` (ask the platform again, or ``--force``
resend after a person checked), ``queue cancel`` (for an unknown outcome: stop tracking
it after a person checked the platform), ``queue mark-sent`` (a person found it on the
platform) and ``socialbot pause / resume`` — the same
store functions, so the console and the terminal leave the same audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from socialbot import attention, notices
from socialbot import status as status_module
from socialbot.attention import Finding
from socialbot.config import Settings
from socialbot.errors import StoreError
from socialbot.people import Person
from socialbot.platforms import PLATFORMS
from socialbot.store import actions, agenda, pauses
from socialbot.store import audit as audit_store
from socialbot.store.audit import AuditEntry, AuditFilter
from socialbot.store.models import OPEN_OUTCOME, DeliveryRecord, State
from socialbot.store.times import show
from socialbot.store_rules import rules_of
from socialbot.web import access
from socialbot.web.auth import Viewer
from socialbot.web.context import Console, checked_form, console_of, signed_in
from socialbot.web.names import account_name
from socialbot.wording.labels import ACTION_LABELS, action_label, actor_label, label

AUDIT_PAGE = 100
CSV_LIMIT = 50_000  # a campaign's log is a few thousand lines; a bound keeps one request small
# What each action does, in the words of its button; the CLI command it stands for.
ACTIONS = {
    "retry": "立即重试",                    # queue retry (failed, missed)
    "check": "向平台核实",                  # queue retry (unknown: reconcile now)
    "sent": "已核实：平台上已发出",          # queue mark-sent
    "force": "已核实：平台上没有，重新发送",  # queue retry --force
    "resolve": "已核实：平台上没有，不再发送",  # queue cancel --account (unknown outcome)
    "cancel": "取消发布",                   # queue cancel --account
}


def actions_for(state: State) -> list[str]:
    """The buttons a delivery in ``state`` offers (the CLI's actions for that state)."""
    if state in (State.FAILED, State.MISSED):
        return ["retry", "cancel"]
    if state in OPEN_OUTCOME:
        return ["check", "sent", "force", "resolve"]
    if state == State.QUEUED:  # its time passed without an approval
        return ["cancel"]
    return []


@dataclass(frozen=True)
class Need:
    """One finding of :mod:`socialbot.attention` as the dashboard lists it: with its
    delivery (for the buttons), when it concerns one."""

    finding: Finding
    delivery: DeliveryRecord | None = None


def needs(console: Console, person: Person, now: dt.datetime) -> list[Need]:
    """What needs a person in this person's units: the alerts' own findings (plus the
    deliveries the daemon is still checking), filtered here on the server."""
    settings = console.settings
    mine = person.accounts(settings)
    found = [f for f in attention.findings(settings, console.store, now, checking=True)
             if f.account_id in mine]
    wanted = {f.delivery for f in found if f.delivery is not None}
    live = {d.id: d for d, _title in console.store.live_work() if d.id in wanted} \
        if wanted else {}
    return [Need(f, live.get(f.delivery) if f.delivery is not None else None) for f in found]


def watch_context(console: Console, person: Person) -> dict[str, Any]:
    settings = console.settings
    now = console.clock()
    accounts = person.accounts(settings)
    status = status_module.collect(settings, console.store, now)
    next_due = [i for i in status.next_due if i.delivery.account in accounts]
    quota = [q for q in status.quota if q.account in accounts]
    pauses_shown = [p for p in status.pauses  # one account's, or the switch for all of them
                    if p.scope in accounts or p.scope not in settings.accounts]
    everything, _total = console.store.list_queue(include_finished=True)
    visible_posts = {post.id for post, _ds in everything if access.can_see(person, settings, post)}
    sees_all = person.sees_all(settings)
    history = [e for e in reversed(audit_store.entries(console.store, limit=300))
               if (e.post in visible_posts) or (e.post is None and sees_all)][:50]
    admin_accounts = [a for a in sorted(accounts)
                      if access.pause_refusal(person, settings, a) is None]
    return {
        "needs": needs(console, person, now), "next_due": next_due, "quota": quota,
        "pauses": pauses_shown, "history": history, "nav": "dashboard",
        "now_text": show(now, settings.tz),
        "actions_for": lambda d: (actions_for(d.state)
                                  if access.schedules_for(person, settings, d.account) else []),
        "action_labels": ACTIONS, "admin_accounts": admin_accounts,
        "may_pause_all": access.pause_refusal(person, settings, None) is None}


@signed_in
async def dashboard(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    context = await run_in_threadpool(watch_context, console, viewer.person)
    return console.page("dashboard.html.j2", request, viewer, **context)


def _dashboard_with(console: Console, request: Request, viewer: Viewer, status: int,
                    message: str, kind: str) -> Response:
    context = watch_context(console, viewer.person)
    return console.page("dashboard.html.j2", request, viewer, status, message=message,
                        kind=kind, **context)


def act(console: Console, person: Person, delivery_id: int, action: str) -> str:
    """Run one dashboard button on one delivery; the success line, or StoreError."""
    settings = console.settings
    item = agenda.one(console.store, delivery_id)
    if item is None or item.delivery.account not in person.accounts(settings):
        raise HTTPException(404, f"没有编号 {delivery_id} 的发布，或它不属于你所在的单位")
    refusal = access.schedule_refusal(person, settings, item.delivery.account)
    if refusal:
        raise HTTPException(403, refusal)
    d = item.delivery
    if action not in actions_for(d.state):
        raise StoreError(f"这个发布现在是“{label(d.state)}”，"
                         f"不能{ACTIONS.get(action, '这样处理')}；请刷新页面")
    now, by = console.clock(), person.username
    if action == "sent":
        result = actions.mark_sent(console.store, rules_of(settings), d.id, by, now)
    elif action in ("cancel", "resolve"):
        result = actions.cancel(console.store, d.post, by, now, account=d.account)
    else:
        result = actions.retry(console.store, rules_of(settings), d.post, by, now,
                               account=d.account, force=action == "force")
    notes = "".join(f"；{n}" for n in result.notes)
    return f"《{item.title}》：{ACTIONS[action]}，已执行{notes}"


@signed_in
async def delivery_action(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    await checked_form(request, viewer)
    action = str(request.path_params["action"])
    if action not in ACTIONS:
        raise HTTPException(404)
    try:
        message = await run_in_threadpool(act, console, viewer.person,
                                          int(request.path_params["delivery_id"]), action)
        status, kind = 200, "ok"
    except StoreError as exc:
        message, status, kind = exc.render(), 409, "error"
    return await run_in_threadpool(_dashboard_with, console, request, viewer, status,
                                   message, kind)


# --- kill switch ----------------------------------------------------------------------------


async def _switch(request: Request, viewer: Viewer) -> tuple[dict[str, str], str | None]:
    """The checked form and the switch it names (None: every account), if this person
    may throw it; 403 otherwise."""
    form = await checked_form(request, viewer)
    settings = console_of(request).settings
    scope = form.get("scope", "")
    account = None if scope in ("", "*") else scope
    if account is not None and account not in settings.accounts:
        raise HTTPException(404, f"没有账号“{account}”")
    refusal = access.pause_refusal(viewer.person, settings, account)
    if refusal:
        raise HTTPException(403, refusal)
    return form, account


@signed_in
async def pause_switch(request: Request, viewer: Viewer) -> Response:
    """Pause every account (city admins) or one (its unit's admins), with a reason."""
    console = console_of(request)
    settings = console.settings
    form, account = await _switch(request, viewer)
    reason = form.get("reason", "").strip()
    if not reason:
        return await run_in_threadpool(_dashboard_with, console, request, viewer, 400,
                                       "请写明暂停原因（会记入审计日志并显示在看板上）", "error")
    frozen = await run_in_threadpool(pauses.pause, console.store, rules_of(settings),
                                     viewer.person.username, console.clock(), account=account,
                                     reason=reason[:500])
    name = account_name(settings, account) if account else "全部账号"
    return await run_in_threadpool(_dashboard_with, console, request, viewer, 200,
                                   f"已暂停{name}，{frozen} 个待发布目标被冻结", "ok")


@signed_in
async def resume_switch(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    settings = console.settings
    _form, account = await _switch(request, viewer)
    lifted = await run_in_threadpool(pauses.resume, console.store, viewer.person.username,
                                     console.clock(), account=account)
    if not lifted:
        message, kind = "当前没有对应的暂停", "error"
    else:
        names = "、".join("全部账号" if s == "*" else account_name(settings, s)
                         for s in lifted)
        message, kind = f"已恢复：{names}（超过补发时限的发布会标为“已错过”，需要改期）", "ok"
    return await run_in_threadpool(_dashboard_with, console, request, viewer, 200, message,
                                   kind)


# --- what followers got ---------------------------------------------------------------------


def published_context(console: Console, person: Person, account: str) -> dict[str, Any]:
    settings = console.settings
    mine = sorted(person.accounts(settings))
    if account and account not in mine:
        raise HTTPException(404, f"没有账号“{account}”，或它不属于你所在的单位")
    shown = account or (mine[0] if mine else "")
    rows = []
    if shown:
        for item in agenda.sent(console.store, shown, limit=20):
            rows.append((item, follower_card(console, item)))
    return {"accounts": mine, "shown": shown, "rows": rows, "nav": "published"}


def follower_card(console: Console, item: agenda.AgendaItem) -> Any:
    """What this account's followers got: the platform's own card of the sent content."""
    settings = console.settings
    account = settings.accounts.get(item.delivery.account)
    if account is None or account.platform not in PLATFORMS:
        return ""
    rendered = console.store.rendered(item.delivery.post)
    part = rendered.parts.get(account.platform)
    if part is None:
        return ""
    files = {i.sha256: f"/posts/{item.delivery.post}/image/{i.sha256}"
             for i in rendered.images()}
    return PLATFORMS[account.platform].preview_card(part, [account], files, rendered)


@signed_in
async def published(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    context = await run_in_threadpool(published_context, console, viewer.person,
                                      str(request.query_params.get("account") or "")[:64])
    return console.page("published.html.j2", request, viewer, **context)


# --- audit log ------------------------------------------------------------------------------


def _day(text: str, settings: Settings, *, after: bool = False) -> dt.datetime | None:
    """Midnight (Beijing) of a YYYY-MM-DD day, or of the next day for an inclusive end."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    if after:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), settings.tz)


def audit_query(request: Request, console: Console, person: Person
                ) -> tuple[AuditFilter, dict[str, str], list[str] | None]:
    settings = console.settings
    params = {k: str(request.query_params.get(k) or "")[:64]
              for k in ("account", "actor", "action", "since", "until")}
    mine = person.accounts(settings)
    if params["account"] and params["account"] not in mine:
        params["account"] = ""
    where = AuditFilter(account=params["account"], actor=params["actor"],
                        action=params["action"] if params["action"] in ACTION_LABELS else "",
                        since=_day(params["since"], settings),
                        until=_day(params["until"], settings, after=True))
    scope = None if person.sees_all(settings) else sorted(mine)
    return where, params, scope


@signed_in
async def audit_page(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    where, params, scope = audit_query(request, console, viewer.person)
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    entries, total = await run_in_threadpool(
        lambda: audit_store.search(console.store, where, scope=scope,
                                   offset=(page - 1) * AUDIT_PAGE, limit=AUDIT_PAGE))
    actors = await run_in_threadpool(audit_store.actors, console.store)
    query = urlencode({k: v for k, v in params.items() if v})
    pages = max(1, (total + AUDIT_PAGE - 1) // AUDIT_PAGE)
    return console.page("audit.html.j2", request, viewer, entries=entries, total=total,
                        params=params, query=query, page=page, pages=pages,
                        accounts=sorted(viewer.person.accounts(console.settings)),
                        actors=actors, action_labels=ACTION_LABELS, nav="audit")


CSV_HEADER = ("时间（北京时间）", "操作人", "操作", "稿件编号", "账号", "内容指纹", "详情")


def _cell(value: str) -> str:
    """A cell Excel shows as text: a leading = + - @ would make it a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audit_csv_text(entries: list[AuditEntry], settings: Settings) -> str:
    """UTF-8 with a BOM (so Excel reads the Chinese), one row per entry, oldest first."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in sorted(entries, key=lambda e: e.id):
        writer.writerow([_cell(v) for v in (
            e.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M:%S"), actor_label(e.actor),
            action_label(e.action), str(e.post or ""), e.account or "", e.content_hash or "",
            notices.shown(e.detail))])
    return out.getvalue()


@signed_in
async def audit_csv(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    where, _params, scope = audit_query(request, console, viewer.person)
    entries, _total = await run_in_threadpool(
        lambda: audit_store.search(console.store, where, scope=scope, limit=CSV_LIMIT))
    text = audit_csv_text(entries, console.settings)
    stamp = console.clock().astimezone(console.settings.tz).strftime("%Y%m%d-%H%M")
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f"attachment; filename=\"audit-{stamp}.csv\"; "
                               f"filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-{stamp}.csv"})
