"""The names staff read for the store's machine values.

The store keeps delivery states, review states, audit actions, pause scopes and
actors as machine values; these are the words shown for them, wherever they are shown
(the CLI, the console, alerts, reports).
"""

from __future__ import annotations

SYSTEM = "system"  # the actor prefix the store writes for the daemon: ``system:<host>``

STATE_LABELS: dict[str, str] = {  # keyed by ``store.models.State`` values, in their order
    "queued": "待审核",
    "approved": "已审核待发",
    "due": "到期待发",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "失败",
    "unknown": "结果未知",
    "cancelled": "已取消",
    "missed": "已错过",
    "needs_person": "需人工核实",
    "drafted": "已存草稿，待人工群发",
}

REVIEW_LABELS: dict[str, str] = {"pending": "待审核", "approved": "已通过", "rejected": "已退回"}

# A delivery whose slot came before its review chain finished: it waits (never sent late
# on a late approval) until someone reschedules it. Also the start of its missed message.
EXPIRED_UNREVIEWED = "过期未审"

ALL_ACCOUNTS = "全部账号"  # the pause that covers every account (scope ``*``)

ACTION_LABELS: dict[str, str] = {
    "add": "加入队列",
    "edit": "重新排版",
    "approve": "审核通过",
    "reject": "退回",
    "void": "审核作废",
    "cancel": "取消",
    "reschedule": "改期",
    "retry": "重试",
    "mark_sent": "标为已发出",
    "pause": "暂停",
    "resume": "恢复",
    "claim": "开始发送",
    "publish": "发送结果",
    "reconcile": "核对结果",
    "missed": "错过",
    "hold": "暂缓",
    "position": "调整消息内位置",
    "quota": "额度改期",
    "import": "批量导入",
    "warnings": "内容提醒",
    "override": "放行提醒",
    "comment": "评论",
    "user_add": "添加用户",
    "user_password": "修改密码",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
}


def label(state: str) -> str:
    """A delivery state as staff read it (an unknown value as it is)."""
    return STATE_LABELS.get(str(state), str(state))


def review_label(review: str) -> str:
    return REVIEW_LABELS.get(review, review)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def scope_label(scope: str) -> str:
    """A pause's scope: an account id, or every account."""
    return ALL_ACCOUNTS if scope == "*" else scope


def actor_label(actor: str) -> str:
    """Who acted: a person's name, or the daemon on a host (``系统:<host>``)."""
    kind, colon, where = actor.partition(":")
    return f"系统:{where}" if colon and kind == SYSTEM else actor
