"""Who may see and act on which post: the server-side rules behind every console page.

A post belongs to the units of its target accounts. A person sees it when they have a
role in one of those units (the city bureau's admins see all). Who may decide a post at
its current review tier is ``socialbot.review_rules``.
"""

from __future__ import annotations

from socialbot.config import Settings
from socialbot.people import ADMIN, EDITOR, Person
from socialbot.store import State
from socialbot.store.models import DeliveryRecord, PostRecord


def post_units(settings: Settings, post: PostRecord) -> set[str]:
    return {settings.unit_of(a) for a in post.targets}


def can_see(person: Person, settings: Settings, post: PostRecord) -> bool:
    if person.sees_all(settings):
        return True
    return bool(post_units(settings, post) & person.units(settings))


def awaiting_review(post: PostRecord, ds: list[DeliveryRecord]) -> bool:
    return not post.approved and any(d.state == State.QUEUED for d in ds)


def schedules_for(person: Person, settings: Settings, account: str) -> bool:
    """Editors and admins of the account's unit (and the all-seeing admins) move its posts."""
    if person.sees_all(settings):
        return True
    unit = settings.unit_of(account)
    return any(r.unit == unit and r.role in (EDITOR, ADMIN) for r in person.roles)


def schedule_refusal(person: Person, settings: Settings, account: str) -> str | None:
    """Why this person may not reschedule, retry or cancel the account's deliveries."""
    if schedules_for(person, settings, account):
        return None
    unit = settings.unit_of(account)
    name = settings.units[unit].name if unit in settings.units else (unit or "未分配单位")
    return f"你不是{name}的编辑或管理员，不能处理这个账号的发布"


def pause_refusal(person: Person, settings: Settings, account: str | None) -> str | None:
    """The kill switch: one account for its unit's admins; every account for the city's."""
    if person.sees_all(settings):
        return None
    if account is None:
        return "只有市局管理员可以暂停或恢复全部账号"
    unit = settings.unit_of(account)
    if any(r.unit == unit and r.role == ADMIN for r in person.roles):
        return None
    name = settings.units[unit].name if unit in settings.units else (unit or "未分配单位")
    return f"只有{name}的管理员可以暂停或恢复这个账号"
