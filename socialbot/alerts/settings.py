"""The ``[alerts]`` section of ``config.toml``: owners, their channels, thresholds.

Plain data and one reader, standard library only, so the settings loader
(``socialbot.config_file``) can validate this section in the same pass as everything
else. Like the accounts, a channel names the environment variable that holds its secret
(``key_env``, ``token_env``, ``secret_env``, ``password_env``); the value lives in the
environment or the git-ignored secrets file, never here.

```toml
[alerts]
silent_days = 10               # an account with no post for this many days raises an alert
digest_window_seconds = 60     # alerts arriving within this window go out as one message
approval_lead_minutes = 120    # warn when a post due within this time still awaits review
default_owner = "office"       # receives alerts that match no owner's accounts or units

[alerts.smtp]                  # only needed when an owner has an email channel
host = "smtp.example.gov.cn"
port = 465
security = "ssl"               # ssl | starttls | none
username = "socialbot@example.gov.cn"
password_env = "SOCIALBOT_SMTP_PASSWORD"
sender = "socialbot@example.gov.cn"

[alerts.owners.office]
name = "市局宣传处 王老师"
accounts = ["shsmr_wechat", "shsmr_weibo"]
units = ["shsmr"]              # unit ids (or names) of [units]
[alerts.owners.office.wecom]
key_env = "SOCIALBOT_ALERT_WECOM_KEY"
[alerts.owners.office.dingtalk]
token_env = "SOCIALBOT_ALERT_DINGTALK_TOKEN"
secret_env = "SOCIALBOT_ALERT_DINGTALK_SECRET"
[alerts.owners.office.email]
to = ["wang@example.gov.cn"]
```
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OWNER_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
SMTP_SECURITY = ("ssl", "starttls", "none")
CHANNEL_KINDS = ("wecom", "dingtalk", "email")
CHANNEL_LABELS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "email": "电子邮件"}
DEFAULT_SILENT_DAYS = 10
DEFAULT_DIGEST_WINDOW = 60
DEFAULT_APPROVAL_LEAD = 120  # minutes
INSPECTION_SILENT_DAYS = 14  # 检查指标：监测时间点前2周内无更新 (single veto)

ALERTS_KEYS = {"silent_days", "digest_window_seconds", "approval_lead_minutes",
               "default_owner", "smtp", "owners"}
SMTP_KEYS = {"host", "port", "security", "username", "password_env", "sender", "timeout"}
OWNER_KEYS = {"name", "accounts", "units", *CHANNEL_KINDS}
CHANNEL_KEYS = {
    "wecom": {"key_env", "api_base"},
    "dingtalk": {"token_env", "secret_env", "api_base"},
    "email": {"to"},
}


@dataclass(frozen=True)
class WecomChannel:
    """A WeCom (企业微信) group robot; the webhook key is read from ``key_env``."""

    key_env: str
    api_base: str = ""  # empty: the official host
    kind: str = "wecom"


@dataclass(frozen=True)
class DingtalkChannel:
    """A DingTalk (钉钉) group robot with 加签 signing."""

    token_env: str
    secret_env: str
    api_base: str = ""
    kind: str = "dingtalk"


@dataclass(frozen=True)
class EmailChannel:
    to: tuple[str, ...]
    kind: str = "email"


Channel = WecomChannel | DingtalkChannel | EmailChannel


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str = "ssl"
    username: str = ""
    password_env: str = ""
    sender: str = ""
    timeout: int = 20


@dataclass(frozen=True)
class Owner:
    """A named person (or office) who receives the alerts of some accounts or units."""

    id: str
    name: str
    accounts: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()

    def covers(self, account_id: str, unit: str) -> bool:
        return bool(account_id and account_id in self.accounts) or bool(
            unit and unit in self.units
        )


@dataclass(frozen=True)
class AlertSettings:
    silent_days: int = DEFAULT_SILENT_DAYS
    digest_window_seconds: int = DEFAULT_DIGEST_WINDOW
    approval_lead_minutes: int = DEFAULT_APPROVAL_LEAD
    default_owner: str = ""
    owners: dict[str, Owner] = field(default_factory=dict)
    smtp: SmtpServer | None = None

    def owners_for(self, account_id: str, unit: str) -> list[Owner]:
        """Everyone who covers the account or unit; else the default owner; else nobody."""
        found = [o for o in self.owners.values() if o.covers(account_id, unit)]
        if not found and self.default_owner in self.owners:
            found = [self.owners[self.default_owner]]
        return found


Fail = Callable[[str, str], None]


def read_alerts(raw: Any, fail: Fail, account_ids: Iterable[str],
                units: Mapping[str, str] | None = None) -> AlertSettings:
    """Validate ``[alerts]``; report every problem through ``fail(where, message)``.

    ``units`` maps the configured unit ids to their names. When there are units, an
    owner's ``units`` must name them (by id or name) and are kept as names, the form
    alerts carry; without ``[units]`` they are free text, matched as written.
    """
    if raw is None:
        return AlertSettings()
    if not isinstance(raw, dict):
        fail("alerts", "应为表（[alerts]）")
        return AlertSettings()
    _unknown(raw, ALERTS_KEYS, "alerts", fail)
    silent = _whole(raw, "silent_days", DEFAULT_SILENT_DAYS, 1, "天", fail)
    if silent > INSPECTION_SILENT_DAYS:
        fail("alerts", f"silent_days 不应超过 {INSPECTION_SILENT_DAYS} 天"
                       f"（检查指标：监测时间点前2周内无更新即一票否决），现为“{silent}”")
    window = _whole(raw, "digest_window_seconds", DEFAULT_DIGEST_WINDOW, 0, "秒", fail)
    lead = _whole(raw, "approval_lead_minutes", DEFAULT_APPROVAL_LEAD, 1, "分钟", fail)
    smtp = _smtp(raw.get("smtp"), fail) if "smtp" in raw else None
    owners = _owners(raw.get("owners", {}), fail, set(account_ids), dict(units or {}))
    default_owner = raw.get("default_owner", "")
    if default_owner and default_owner not in owners:
        known = "、".join(owners) or "（无）"
        fail("alerts", f"default_owner“{default_owner}”不是已配置的负责人（已配置：{known}）")
    if smtp is None and any(c.kind == "email" for o in owners.values() for c in o.channels):
        fail("alerts.smtp", "有负责人使用电子邮件提醒，但未配置发信服务器 [alerts.smtp]")
    return AlertSettings(
        silent_days=silent,
        digest_window_seconds=window,
        approval_lead_minutes=lead,
        default_owner=str(default_owner or ""),
        owners=owners,
        smtp=smtp,
    )


def _unknown(table: dict[str, Any], known: set[str], where: str, fail: Fail) -> None:
    for key in table:
        if key not in known:
            hint = "（密钥请用 *_env 指定环境变量名）" if _looks_secret(key) else ""
            fail(where, f"未知配置项 {key}{hint}（可用：{'、'.join(sorted(known))}）")


def _looks_secret(key: str) -> bool:
    return any(word in key for word in ("key", "secret", "token", "password", "webhook"))


def _whole(table: dict[str, Any], key: str, default: int, minimum: int, unit: str,
           fail: Fail) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        fail("alerts", f"{key} 应为不小于 {minimum} 的整数（{unit}），现为“{value}”")
        return default
    return int(value)


def _env_name(table: dict[str, Any], key: str, where: str, fail: Fail) -> str:
    value = table.get(key)
    if value is None:
        fail(where, f"缺少必填项 {key}（保存密钥的环境变量名）")
        return ""
    if not isinstance(value, str) or not ENV_NAME_RE.match(value):
        # The value itself is not echoed: someone may have pasted the secret here.
        fail(where, f"{key} 应为环境变量名（字母、数字、下划线），不要直接填写密钥")
        return ""
    return value


def _api_base(table: dict[str, Any], where: str, fail: Fail) -> str:
    value = table.get("api_base", "")
    if value and (not isinstance(value, str) or not value.startswith(("https://", "http://"))):
        fail(where, "api_base 应为 http(s) 网址")
        return ""
    return str(value or "").rstrip("/")


def _smtp(raw: Any, fail: Fail) -> SmtpServer | None:
    where = "alerts.smtp"
    if not isinstance(raw, dict):
        fail(where, "应为表（[alerts.smtp]）")
        return None
    _unknown(raw, SMTP_KEYS, where, fail)
    host = raw.get("host")
    if not isinstance(host, str) or not host.strip():
        fail(where, "缺少必填项 host（发信服务器地址）")
        host = ""
    security = raw.get("security", "ssl")
    if security not in SMTP_SECURITY:
        fail(where, f"security 应为 ssl、starttls 或 none，现为“{security}”")
        security = "ssl"
    default_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
    port = raw.get("port", default_port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        fail(where, f"port 应为 1–65535 的整数，现为“{port}”")
        port = default_port
    timeout = raw.get("timeout", 20)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        fail(where, f"timeout 应为不小于 1 的整数（秒），现为“{timeout}”")
        timeout = 20
    username = str(raw.get("username", "") or "")
    password_env = _env_name(raw, "password_env", where, fail) if username else ""
    sender = str(raw.get("sender", "") or username)
    if not EMAIL_RE.match(sender):
        fail(where, f"sender 应为发件人邮箱地址，现为“{sender}”")
    return SmtpServer(
        host=str(host).strip(), port=port, security=str(security), username=username,
        password_env=password_env, sender=sender, timeout=timeout,
    )


def _owners(raw: Any, fail: Fail, account_ids: set[str],
            units: dict[str, str]) -> dict[str, Owner]:
    if not isinstance(raw, dict):
        fail("alerts.owners", "应为表（[alerts.owners.名称]）")
        return {}
    owners: dict[str, Owner] = {}
    for owner_id, table in raw.items():
        where = f"alerts.owners.{owner_id}"
        if not OWNER_ID_RE.match(owner_id):
            fail(where, "负责人编号只能用小写字母、数字和下划线，以字母开头")
        if not isinstance(table, dict):
            fail(where, "应为表")
            continue
        owners[owner_id] = _owner(owner_id, table, where, fail, account_ids, units)
    return owners


def _owner(owner_id: str, t: dict[str, Any], where: str, fail: Fail,
           account_ids: set[str], unit_names: dict[str, str]) -> Owner:
    _unknown(t, OWNER_KEYS, where, fail)
    name = t.get("name")
    if not isinstance(name, str) or not name.strip():
        fail(where, "缺少必填项 name（负责人姓名或科室）")
        name = owner_id
    accounts = _names(t, "accounts", where, fail)
    for account_id in accounts:
        if account_id not in account_ids:
            known = "、".join(sorted(account_ids)) or "（无）"
            fail(where, f"accounts 中的“{account_id}”不是已配置的账号（已配置：{known}）")
    units = _units(_names(t, "units", where, fail), unit_names, where, fail)
    channels: list[Channel] = []
    for kind in CHANNEL_KINDS:
        if kind in t:
            channel = _channel(kind, t[kind], f"{where}.{kind}", fail)
            if channel is not None:
                channels.append(channel)
    if not channels:
        fail(where, "至少需要一种提醒方式：wecom（企业微信）、dingtalk（钉钉）或 email（邮件）")
    return Owner(id=owner_id, name=str(name).strip(), accounts=accounts, units=units,
                 channels=tuple(channels))


def _units(given: tuple[str, ...], unit_names: dict[str, str], where: str,
           fail: Fail) -> tuple[str, ...]:
    """Units as names (what an alert carries); an id or a name of ``[units]`` is accepted."""
    if not unit_names:
        return given
    names = set(unit_names.values())
    found = []
    for unit in given:
        if unit in unit_names:
            found.append(unit_names[unit])
        elif unit in names:
            found.append(unit)
        else:
            known = "、".join(unit_names)
            fail(where, f"units 中的“{unit}”不是已配置的单位（[units] 中有：{known}）")
    return tuple(found)


def _names(t: dict[str, Any], key: str, where: str, fail: Fail) -> tuple[str, ...]:
    value = t.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        fail(where, f"{key} 应为文本列表，如 {key} = [\"…\"]")
        return ()
    return tuple(value)


def _channel(kind: str, raw: Any, where: str, fail: Fail) -> Channel | None:
    if not isinstance(raw, dict):
        fail(where, "应为表")
        return None
    _unknown(raw, CHANNEL_KEYS[kind], where, fail)
    if kind == "wecom":
        return WecomChannel(key_env=_env_name(raw, "key_env", where, fail),
                            api_base=_api_base(raw, where, fail))
    if kind == "dingtalk":
        return DingtalkChannel(token_env=_env_name(raw, "token_env", where, fail),
                               secret_env=_env_name(raw, "secret_env", where, fail),
                               api_base=_api_base(raw, where, fail))
    to = raw.get("to", [])
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list) or not to or not all(
        isinstance(a, str) and EMAIL_RE.match(a) for a in to
    ):
        fail(where, 'to 应为至少一个收件人邮箱地址的列表，如 to = ["wang@example.gov.cn"]')
        return None
    return EmailChannel(to=tuple(to))
