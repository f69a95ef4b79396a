"""Store records as staff read them: labels for machine values, notices worded.

A delivery's ``message`` and an audit entry's ``detail`` may hold a notice (a code and
values) or plain text written before notices existed, or said by a platform; both are
shown through :func:`socialbot.notices.shown`. The records themselves stay machine
values; these helpers are what the CLI, the console, alerts and reports show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialbot.notices import decode, shown
from socialbot.wording.labels import action_label, actor_label, label

if TYPE_CHECKING:
    from socialbot.store.audit import AuditEntry
    from socialbot.store.models import DeliveryRecord

__all__ = ["audit_json", "audit_text", "delivery_json", "shown"]


def _worded(data: dict[str, Any], key: str, text: str) -> None:
    """``data[key]`` worded; a notice's code is kept beside it for scripts."""
    found = decode(text)
    data[key] = shown(text)
    if found is not None:
        data[f"{key}_code"] = found.code


def delivery_json(d: DeliveryRecord) -> dict[str, Any]:
    """``d.to_json()`` with its state's label after the state and its message worded."""
    data: dict[str, Any] = {}
    for key, value in d.to_json().items():
        data[key] = value
        if key == "state":
            data["state_label"] = label(d.state)
    _worded(data, "message", d.message)
    return data


def audit_json(e: AuditEntry) -> dict[str, Any]:
    """``e.to_json()`` with its action's label after the action and its detail worded."""
    data: dict[str, Any] = {}
    for key, value in e.to_json().items():
        data[key] = actor_label(e.actor) if key == "actor" else value
        if key == "action":
            data["action_label"] = action_label(e.action)
    _worded(data, "detail", e.detail)
    return data


def audit_text(e: AuditEntry) -> str:
    """"审核通过：标题", not "审核通过：审核通过：标题"."""
    what, detail = action_label(e.action), shown(e.detail)
    if not detail:
        return what
    if detail.startswith(what):
        return detail
    return f"{what}：{detail}"
