"""The settings model: what ``config.toml`` becomes, typed, with secrets kept out of reach.

Plain data every layer may import (the platforms included): accounts, units, the
campaign, the check levels and :class:`Settings` itself. Reading and validating the
file is ``socialbot.config_file``, which sits above the platforms because each platform
parses its own account fields.

Secrets never live in the config file. An account names the environment variable that
holds its secret (``secret_env`` / ``token_env``); a ``secrets.toml`` kept out of git may
hold them too. A :class:`Secret` never shows its value in ``repr``/``str``.

The environment is read through ``Settings.environ`` (``os.environ`` unless the caller
passes another mapping), so a caller that must not depend on the shell can say so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from socialbot.alerts.settings import AlertSettings
from socialbot.checks.levels import default_levels
from socialbot.errors import ConfigError, Problem
from socialbot.explain import os_reason
from socialbot.strictdata import TextProblem
from socialbot.tomlfile import read_toml


class Secret:
    """A secret value that cannot leak through printing, logging or tracebacks."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(from {self.source})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Account:
    """One target account. Each platform subclasses it with its own fields
    (``socialbot.platforms.<name>``); this base holds what every account has."""

    OFFICIAL_API_BASE: ClassVar[str] = ""

    id: str
    platform: str
    name: str
    api_base: str
    requires_approval: bool = True
    # How many reviewers approve a post for this account, one after another:
    # 1 初审; 2 初审 → 复审; 3 初审 → 复审 → 终审 (三审三校).
    review_tiers: int = 1

    @property
    def secret_name(self) -> str:
        """Name of the environment variable that holds this account's secret."""
        return ""

    @property
    def uses_official_host(self) -> bool:
        return self.api_base.rstrip("/") == self.OFFICIAL_API_BASE


@dataclass(frozen=True)
class Unit:
    """An organisation that owns accounts and staff (市局, a district bureau, an association).

    ``sees_all``: this unit's admins oversee every unit (the city bureau).
    """

    id: str
    name: str
    sees_all: bool = False


@dataclass(frozen=True)
class Campaign:
    name: str
    theme: str
    slogan: str
    colours: tuple[str, str, str]
    link: str
    logo: Path | None = None


@dataclass(frozen=True)
class CheckSettings:
    """``[checks]``: the office's word lists and each content rule's level (block/warn)."""

    wordlists: tuple[tuple[str, Path], ...] = ()  # (list name, file), only those configured
    levels: tuple[tuple[str, str], ...] = tuple(default_levels().items())

    def wordlist(self, name: str) -> Path | None:
        return dict(self.wordlists).get(name)

    def level(self, rule: str) -> str:
        return dict(self.levels)[rule]


@dataclass(frozen=True)
class Settings:
    """Everything socialbot needs to know, resolved to absolute paths."""

    path: Path
    organisation: str
    organisation_short: str
    timezone: str
    campaign: Campaign
    accounts: dict[str, Account]
    posts_dir: Path
    templates_dir: Path
    assets_dir: Path
    preview_dir: Path
    database_url: str = field(repr=False)  # may hold a database password
    secrets_file: Path | None = None
    redis_url: str = field(default="", repr=False)
    misfire_grace_seconds: int = 3600
    lease_seconds: int = 300
    four_eyes: bool = True
    # Where secrets and SOCIALBOT_DATABASE_URL are looked up: the process environment
    # unless a caller (e.g. a self-contained demo) hands in its own mapping.
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False,
                                       compare=False)
    checks: CheckSettings = field(default_factory=CheckSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    # ``[units.<id>]`` and each account's ``unit``: who may see and act on what.
    units: dict[str, Unit] = field(default_factory=dict)
    account_units: dict[str, str] = field(default_factory=dict)

    def unit_of(self, account_id: str) -> str:
        """The unit an account belongs to ("" when the config names none)."""
        return self.account_units.get(account_id, "")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def root(self) -> Path:
        return self.path.parent

    def account(self, account_id: str) -> Account:
        try:
            return self.accounts[account_id]
        except KeyError:
            known = "、".join(self.accounts) or "（无）"
            raise ConfigError(
                Problem("账号", f"未知账号“{account_id}”，配置中的账号有：{known}")
            ) from None

    def find_secret(self, account: Account) -> Secret | None:
        """The account's secret from its environment variable or the secrets file, if set."""
        name = account.secret_name
        value = self.environ.get(name, "")
        if value:
            return Secret(value, f"环境变量 {name}")
        if self.secrets_file and self.secrets_file.is_file():
            data = read_secrets_file(self.secrets_file)
            value = str(data.get(name, "") or data.get(account.id, ""))
            if value:
                return Secret(value, f"密钥文件 {self.secrets_file.name}")
        return None

    def secret_for(self, account: Account) -> Secret:
        """The account's secret; ConfigError saying where to put it when it is missing."""
        secret = self.find_secret(account)
        if secret is None:
            raise ConfigError(
                Problem(
                    f"账号 {account.id}",
                    f"缺少密钥：请设置环境变量 {account.secret_name}，"
                    "或写入密钥文件（不要写进 config.toml）",
                )
            )
        return secret


def read_secrets_file(path: Path) -> dict[str, Any]:
    """The secrets file as a table; ConfigError (never its content) when it is unreadable."""
    try:
        return read_toml(path)
    except TextProblem as problem:  # its messages never quote the file's text
        line = f" 第 {problem.line} 行" if problem.line else ""
        message = f"密钥文件无法读取：{problem.message}"
        raise ConfigError(Problem(f"{path}{line}", message)) from None
    except OSError as exc:
        raise ConfigError(Problem(str(path), f"密钥文件无法读取（{os_reason(exc)}）")) from None



def required_text(table: dict[str, Any], key: str, fail: Callable[[str], None],
                  default: str | None = None) -> str:
    """A non-empty text field (stripped); a missing or empty one is reported to ``fail``."""
    value = table.get(key, default)
    if value is None:
        fail(f"缺少必填项 {key}")
        return ""
    if not isinstance(value, str) or not value.strip():
        fail(f"{key} 应为非空文本")
        return ""
    return value.strip()

