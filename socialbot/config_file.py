"""Reading ``config.toml`` into :class:`~socialbot.config.Settings`: every problem in one pass.

The file is read strictly (``socialbot.tomlfile``), then walked once; each problem is
collected with where it is, in Chinese, and all are raised together as a ConfigError.
Each account's own fields are parsed by its platform, so this module sits above the
platform registry while the settings model (``socialbot.config``) sits below it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialbot.alerts.settings import read_alerts
from socialbot.checks.levels import LEVELS, RULES, WORDLISTS, default_levels
from socialbot.config import Account, Campaign, CheckSettings, Settings, Unit, required_text
from socialbot.errors import ConfigError, Problem
from socialbot.explain import os_reason
from socialbot.platforms import PLATFORMS
from socialbot.strictdata import TextProblem
from socialbot.tomlfile import MAX_CONFIG_BYTES, read_toml

ACCOUNT_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_CONFIG_NAME = "config.toml"
DATABASE_BACKENDS = ("sqlite", "postgresql")
DATABASE_SCHEME_RE = re.compile(r"^([a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?://")  # backend[+driver]://
MIN_LEASE_SECONDS = 30  # shorter leases expire while a slow platform call is still running
SECTION_KEYS = {  # what each table may hold; a typo is reported, not silently ignored
    "organisation": {"name", "short_name"},
    "campaign": {"name", "theme", "slogan", "colours", "link", "logo"},
    "paths": {"posts", "templates", "assets", "preview", "secrets_file"},
    "database": {"path", "url"},
    "schedule": {"misfire_grace_seconds", "lease_seconds"},
    "review": {"four_eyes"},
    "redis": {"url"},
}



def find_config(explicit: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] = os.environ) -> Path:
    """The config path: explicit, ``$SOCIALBOT_CONFIG``, or ``./config.toml``."""
    if explicit:
        return Path(explicit)
    env = environ.get("SOCIALBOT_CONFIG")
    return Path(env) if env else Path.cwd() / DEFAULT_CONFIG_NAME


def load_settings(path: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate a config file; raise ConfigError listing every problem.

    ``environ`` replaces the process environment for everything the settings look up
    there (the config path, ``SOCIALBOT_DATABASE_URL``, account secrets).
    """
    environ = os.environ if environ is None else environ
    config_path = find_config(path, environ).resolve()
    if not config_path.is_file():
        raise ConfigError(Problem(str(config_path), "配置文件不存在"))
    try:
        data = read_toml(config_path, limit=MAX_CONFIG_BYTES)
    except TextProblem as problem:
        where = f"{config_path} 第 {problem.line} 行" if problem.line else str(config_path)
        raise ConfigError(Problem(where, problem.message)) from None
    except OSError as exc:
        raise ConfigError(
            Problem(str(config_path), f"配置文件无法读取（{os_reason(exc)}）")
        ) from None
    return _Reader(config_path, data, environ).settings()



class _Reader:
    """Walks the TOML tree once, collecting every problem before raising."""

    def __init__(self, path: Path, data: dict[str, Any], environ: Mapping[str, str]):
        self.path = path
        self.data = data
        self.environ = environ
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(f"{self.path.name} [{where}]", message))

    def text(self, table: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        return required_text(table, key, lambda message: self.fail(where, message), default)

    def table(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, "应为表（[section]）")
            return {}
        known = SECTION_KEYS.get(key)
        for name in value:
            if known is not None and name not in known:
                self.fail(key, f"未知配置项 {name}（可用：{'、'.join(sorted(known))}）")
        return value

    def seconds(self, table: dict[str, Any], key: str, where: str, default: int,
                minimum: int) -> int:
        """A whole number of seconds, at least ``minimum`` (bool is not a number here)."""
        value: object = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(where, f"{key} 应为不小于 {minimum} 的整数（秒），现为“{value}”")
            return default
        return value

    def flag(self, table: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(where, f"{key} 应为 true 或 false，现为“{value}”")
            return default
        return value

    def database_url(self, db: dict[str, Any]) -> str:
        """The queue database URL (SQLite or PostgreSQL), checked before anything opens it."""
        url = str(db.get("url") or self.environ.get("SOCIALBOT_DATABASE_URL") or "")
        if not url:
            return "sqlite:///" + str(self.resolve(str(db.get("path", "out/socialbot.db"))))
        scheme = DATABASE_SCHEME_RE.match(url)
        backend = scheme.group(1) if scheme else ""
        if backend not in DATABASE_BACKENDS:
            # The URL itself is not repeated: it may carry a password.
            self.fail("database", "url 应为 SQLite 或 PostgreSQL 数据库地址，"
                                  "如 sqlite:///out/socialbot.db 或 postgresql+psycopg://用户@主机/库名")
        return url

    def resolve(self, value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else (self.path.parent / p).resolve()

    def settings(self) -> Settings:
        known = {
            "organisation",
            "campaign",
            "paths",
            "accounts",
            "timezone",
            "database",
            "schedule",
            "review",
            "redis",
            "checks",
            "alerts",
            "units",
        }
        for key in self.data:
            if key not in known:
                self.fail(key, f"未知配置项（可用：{'、'.join(sorted(known))}）")
        org = self.table("organisation")
        organisation = self.text(org, "name", "organisation")
        short = self.text(org, "short_name", "organisation", default=organisation or "-")
        timezone = self.data.get("timezone", "Asia/Shanghai")
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("timezone", f"未知时区“{timezone}”，例如 Asia/Shanghai")
        campaign = self.campaign()
        paths = self.table("paths")
        posts_dir = self.resolve(str(paths.get("posts", "campaign/posts")))
        templates_dir = self.resolve(str(paths.get("templates", "templates/posts")))
        assets_dir = self.resolve(str(paths.get("assets", "assets")))
        preview_dir = self.resolve(str(paths.get("preview", "out/preview")))
        secrets = paths.get("secrets_file")
        secrets_file = self.resolve(str(secrets)) if secrets else None
        database_url = self.database_url(self.table("database"))
        sched = self.table("schedule")
        misfire = self.seconds(sched, "misfire_grace_seconds", "schedule", 3600, 0)
        lease = self.seconds(sched, "lease_seconds", "schedule", 300, MIN_LEASE_SECONDS)
        four_eyes = self.flag(self.table("review"), "four_eyes", "review", True)
        redis = self.table("redis")
        accounts = self.accounts()
        checks = self.checks()
        units = self.units()
        alerts = read_alerts(self.data.get("alerts"), self.fail, accounts,
                             {u.id: u.name for u in units.values()})
        account_units = self.account_units(units)
        if self.problems:
            raise ConfigError(self.problems)
        return Settings(
            path=self.path,
            organisation=organisation,
            organisation_short=short,
            timezone=str(timezone),
            campaign=campaign,
            accounts=accounts,
            posts_dir=posts_dir,
            templates_dir=templates_dir,
            assets_dir=assets_dir,
            preview_dir=preview_dir,
            database_url=database_url,
            secrets_file=secrets_file,
            redis_url=str(redis.get("url", "")),
            misfire_grace_seconds=misfire,
            lease_seconds=lease,
            four_eyes=four_eyes,
            environ=self.environ,
            checks=checks,
            alerts=alerts,
            units=units,
            account_units=account_units,
        )

    def units(self) -> dict[str, Unit]:
        """``[units.<id>]`` tables: name (required) and sees_all (default false)."""
        raw = self.data.get("units", {})
        if not isinstance(raw, dict):
            self.fail("units", "应为表（[units.单位代号]）")
            return {}
        units: dict[str, Unit] = {}
        for unit_id, table in raw.items():
            where = f"units.{unit_id}"
            if not ACCOUNT_ID_RE.match(unit_id):
                self.fail(where, "单位代号只能用小写字母、数字和下划线，以字母开头")
                continue
            if not isinstance(table, dict):
                self.fail(where, "应为表")
                continue
            for key in table:
                if key not in ("name", "sees_all"):
                    self.fail(where, f"未知字段 {key}（可用：name、sees_all）")
            units[unit_id] = Unit(unit_id, self.text(table, "name", where),
                                  self.flag(table, "sees_all", where, False))
        return units

    def account_units(self, units: dict[str, Unit]) -> dict[str, str]:
        """Each account's ``unit``, which must be one of ``[units]``."""
        raw = self.data.get("accounts", {})
        found: dict[str, str] = {}
        for account_id, table in (raw.items() if isinstance(raw, dict) else ()):
            unit = table.get("unit") if isinstance(table, dict) else None
            if unit is None:
                continue
            if not isinstance(unit, str) or unit not in units:
                known = "、".join(units) or "（未配置 [units]）"
                self.fail(f"accounts.{account_id}",
                          f"unit “{unit}” 不是已配置的单位（有：{known}）")
                continue
            found[account_id] = unit
        return found

    def checks(self) -> CheckSettings:
        """Word-list paths (each must exist) and per-rule levels over the defaults."""
        raw = self.data.get("checks", {})
        if not isinstance(raw, dict):
            self.fail("checks", "应为表（[checks]）")
            return CheckSettings()
        lists: list[tuple[str, Path]] = []
        for key, value in raw.items():
            if key == "levels":
                continue
            if key not in WORDLISTS:
                usable = "、".join([*WORDLISTS, "levels"])
                self.fail("checks", f"未知配置项 {key}（可用：{usable}）")
            elif not isinstance(value, str) or not value.strip():
                self.fail("checks", f"{key} 应为{WORDLISTS[key]}的文件路径")
            elif not self.resolve(value).is_file():
                self.fail("checks", f"{key} 指定的{WORDLISTS[key]}不存在：{value}")
            else:
                lists.append((key, self.resolve(value)))
        levels = default_levels()
        table = raw.get("levels", {})
        if not isinstance(table, dict):
            self.fail("checks.levels", "应为“规则 = \"block\" 或 \"warn\"”的表")
            table = {}
        for rule, level in table.items():
            if rule not in RULES:
                self.fail("checks.levels", f"未知规则 {rule}（可用：{'、'.join(RULES)}）")
            elif level not in LEVELS:
                self.fail("checks.levels",
                          f"{rule} 应为 \"block\"（拦截）或 \"warn\"（提醒），现为“{level}”")
            else:
                levels[rule] = level
        return CheckSettings(tuple(lists), tuple(levels.items()))

    def campaign(self) -> Campaign:
        c = self.table("campaign")
        colours = c.get("colours", ["#0b6e4f", "#e9f4ee", "#f2a900"])
        if (
            not isinstance(colours, list)
            or len(colours) != 3
            or not all(isinstance(x, str) and HEX_COLOUR_RE.match(x) for x in colours)
        ):
            self.fail(
                "campaign", 'colours 应为三个 #RRGGBB 颜色，如 ["#0b6e4f", "#e9f4ee", "#f2a900"]'
            )
            colours = ["#0b6e4f", "#e9f4ee", "#f2a900"]
        link = self.text(c, "link", "campaign")
        if link and not link.startswith(("https://", "http://")):
            self.fail("campaign", f"link 应为 http(s) 网址，现为“{link}”")
        logo = c.get("logo")
        return Campaign(
            name=self.text(c, "name", "campaign"),
            theme=self.text(c, "theme", "campaign"),
            slogan=self.text(c, "slogan", "campaign", default=c.get("theme")),
            colours=(colours[0], colours[1], colours[2]),
            link=link,
            logo=self.resolve(str(logo)) if logo else None,
        )

    def accounts(self) -> dict[str, Account]:
        raw = self.table("accounts")
        if not raw:
            self.fail("accounts", "至少需要配置一个账号")
        accounts: dict[str, Account] = {}
        for account_id, table in raw.items():
            where = f"accounts.{account_id}"
            if not ACCOUNT_ID_RE.match(account_id):
                self.fail(where, "账号名只能用小写字母、数字和下划线，以字母开头")
            if not isinstance(table, dict):
                self.fail(where, "应为表")
                continue
            account = self.account(account_id, table, where)
            if account:
                accounts[account_id] = account
        return accounts

    def account(self, account_id: str, t: dict[str, Any], where: str) -> Account | None:
        """The account its platform reads from the table (the registry knows them all)."""
        name = t.get("platform")
        platform = PLATFORMS.get(str(name)) if isinstance(name, str) else None
        if platform is None:
            names = list(PLATFORMS)
            choices = "、".join(names[:-1]) + " 或 " + names[-1] if len(names) > 1 else names[0]
            self.fail(where, f"platform 应为 {choices}，现为“{name}”")
            return None
        common = {"platform", "name", "api_base", "requires_approval", "unit", "review_tiers"}
        for key in t:
            if key not in common | platform.account_keys():
                hint = (
                    "（密钥请用 secret_env/token_env 指定环境变量名）"
                    if "secret" in key or "token" in key
                    else ""
                )
                self.fail(where, f"未知字段 {key}{hint}")
        api_base = str(t.get("api_base", platform.official_api_base)).rstrip("/")
        if not api_base.startswith(("https://", "http://")):
            self.fail(where, f"api_base 应为 http(s) 网址，现为“{api_base}”")
        requires_approval = t.get("requires_approval", True)
        if not isinstance(requires_approval, bool):
            self.fail(where, "requires_approval 应为 true 或 false")
        tiers = t.get("review_tiers", 1)
        if isinstance(tiers, bool) or tiers not in (1, 2, 3):
            self.fail(where, f"review_tiers 应为 1、2 或 3（审核级数：初审、复审、终审），"
                             f"现为“{tiers}”")
            tiers = 1
        fields = {"id": account_id, "platform": platform.name,
                  "name": str(t.get("name", account_id)), "api_base": api_base,
                  "requires_approval": bool(requires_approval), "review_tiers": int(tiers)}
        return platform.parse_account(account_id, t, fields,
                                      lambda message: self.fail(where, message))
