"""Who may see and act on which post: the server-side rules behind every console page.

A post belongs to the units of its target accounts. A person sees it when they have a
role in one of those units (the city bureau's admins see all). A person may approve it
when they review for every unit whose accounts need the approval, and did not write it.
"""

from __future__ import annotations

from socialbot.config import Settings
from socialbot.people import ADMIN, EDITOR, Person
from socialbot.store import State
from socialbot.store.models import DeliveryRecord, PostRecord
from socialbot.store.policy import policies_of, review_required
from socialbot.store.review import same_person


def post_units(settings: Settings, post: PostRecord) -> set[str]:
    return {settings.unit_of(a) for a in post.targets}


def can_see(person: Person, settings: Settings, post: PostRecord) -> bool:
    if person.sees_all(settings):
        return True
    return bool(post_units(settings, post) & person.units(settings))


def review_units(settings: Settings, post: PostRecord) -> set[str]:
    """Units whose accounts among the post's targets need a reviewer's approval."""
    policies = policies_of(settings)
    return {settings.unit_of(a) for a in post.targets
            if review_required(policies.get(a), has_warnings=bool(post.warnings))}


def awaiting_review(post: PostRecord, ds: list[DeliveryRecord]) -> bool:
    return not post.approved and any(d.state == State.QUEUED for d in ds)


def review_refusal(person: Person, settings: Settings, post: PostRecord) -> str | None:
    """Why this person may not approve or reject the post now (None: they may)."""
    units = review_units(settings, post)
    if not units:
        return "这篇稿件的目标账号都不需要审核"
    missing = [u for u in sorted(units) if not person.reviews_for(u, settings)]
    if missing:
        names = "、".join(settings.units[u].name if u in settings.units else (u or "未分配单位")
                         for u in missing)
        return f"你不是{names}的审核人，不能审核这篇稿件"
    if same_person(person.username, post.author):
        return "你是这篇稿件的作者；按双人审核规定，作者不能审核自己的稿件，请另一位同事审核"
    return None


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
