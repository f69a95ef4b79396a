"""What an alert says: the kind of trouble, where, why, and what a person should do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from socialbot.times import show

BEIJING = ZoneInfo("Asia/Shanghai")
TOKEN_WARNING = dt.timedelta(days=7)  # warn when a token or authorisation expires within this


class AlertKind(StrEnum):
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_UNKNOWN = "delivery_unknown"
    DELIVERY_MISSED = "delivery_missed"
    APPROVAL_EXPIRING = "approval_expiring"
    QUOTA_EXHAUSTED = "quota_exhausted"
    TOKEN_EXPIRING = "token_expiring"
    STATS_UNAVAILABLE = "stats_unavailable"
    ACCOUNT_SILENT = "account_silent"
    TEST = "test"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def default_action(self) -> str:
        return DEFAULT_ACTIONS[self]


KIND_LABELS = {
    AlertKind.DELIVERY_FAILED: "发布失败",
    AlertKind.DELIVERY_UNKNOWN: "发布结果不明",
    AlertKind.DELIVERY_MISSED: "错过发布时间",
    AlertKind.APPROVAL_EXPIRING: "审核即将过期",
    AlertKind.QUOTA_EXHAUSTED: "发送次数已用完",
    AlertKind.TOKEN_EXPIRING: "授权即将到期",
    AlertKind.STATS_UNAVAILABLE: "统计数据无法获取",
    AlertKind.ACCOUNT_SILENT: "账号长期未更新",
    AlertKind.TEST: "测试消息",
}

DEFAULT_ACTIONS = {
    AlertKind.DELIVERY_FAILED: (
        "请按原因修改稿件或账号设置，再用 socialbot queue retry 重试或 queue reschedule 改期。"
    ),
    AlertKind.DELIVERY_UNKNOWN: (
        "请勿手工重发：socialbot queue retry 会先向平台核实；也可登录平台后台确认是否已发出。"
    ),
    AlertKind.DELIVERY_MISSED: (
        "请确认发布程序（socialbot run）在运行，"
        "再用 socialbot queue retry 或 queue reschedule 处理该稿件。"
    ),
    AlertKind.APPROVAL_EXPIRING: "请审核人尽快审核；过期后需重新提交审核。",
    AlertKind.QUOTA_EXHAUSTED: "今日（或本月）发送次数已用完，请调整排期到下一个可发送的时间。",
    AlertKind.TOKEN_EXPIRING: "请账号管理员在到期前重新授权或更新密钥，否则将无法发布。",
    AlertKind.STATS_UNAVAILABLE: "请确认账号已认证且授权有效；数据恢复后会自动补采。",
    AlertKind.ACCOUNT_SILENT: "请尽快安排发布；两周内无更新会在检查中被一票否决。",
    AlertKind.TEST: "无需处理：这是一条测试消息，收到即说明提醒渠道畅通。",
}


@dataclass(frozen=True)
class Alert:
    """One thing a person must know. ``key`` says which alerts are "the same".

    Two alerts with the same key are sent once. Leave it empty for the default
    (kind, account, post): right for a delivery that failed once. Give a key with a date
    when the same condition may rightly be told again on another day (see
    :meth:`silent_account`).
    """

    kind: AlertKind
    reason: str
    at: dt.datetime
    account_id: str = ""
    account: str = ""  # the account's name as staff know it
    unit: str = ""
    post_id: str = ""
    post_title: str = ""
    action: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Alert.at must be timezone-aware")

    @property
    def dedupe_key(self) -> str:
        return self.key or f"{self.kind.value}:{self.account_id}:{self.post_id}"

    @property
    def what_to_do(self) -> str:
        return self.action or self.kind.default_action

    @classmethod
    def silent_account(
        cls, *, account_id: str, account: str, unit: str, days: int,
        last_post: dt.datetime | None, at: dt.datetime,
    ) -> Alert:
        """An account with no post for ``days`` days: told at most once a Beijing day."""
        since = f"上次发布是 {beijing_time(last_post)}" if last_post else "尚无发布记录"
        return cls(
            kind=AlertKind.ACCOUNT_SILENT,
            reason=f"已连续 {days} 天没有发布新内容（{since}）",
            at=at,
            account_id=account_id,
            account=account,
            unit=unit,
            key=f"silent:{account_id}:{at.astimezone(BEIJING).date().isoformat()}",
        )


def beijing_time(when: dt.datetime) -> str:
    """A time as staff read it everywhere else (``socialbot.times.show``): 2022-06-09 09:00."""
    return show(when, BEIJING)
