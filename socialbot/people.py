"""Staff, their roles per unit, and what those roles let them see and do.

Plain values shared by the ``users`` command and the web console; the rows live in
``socialbot.store.people``. Every permission question is answered here, on the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from socialbot.config import Settings
from socialbot.errors import Problem

EDITOR, REVIEWER, ADMIN = "editor", "reviewer", "admin"
ROLES = (EDITOR, REVIEWER, ADMIN)
ROLE_LABELS = {EDITOR: "编辑", REVIEWER: "审核", ADMIN: "管理员"}
TIER_LABELS = {1: "初审", 2: "复审", 3: "终审"}
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")


@dataclass(frozen=True, order=True)
class Role:
    unit: str
    role: str
    tier: int = 0  # reviewers only: 1 初审, 2 复审, 3 终审

    def label(self, settings: Settings) -> str:
        unit = settings.units[self.unit].name if self.unit in settings.units else self.unit
        what = (TIER_LABELS.get(self.tier, "审核") if self.role == REVIEWER
                else ROLE_LABELS[self.role])
        return f"{unit}·{what}"

    @property
    def code(self) -> str:
        return f"{self.unit}:{self.role}" + (f":{self.tier}" if self.role == REVIEWER else "")


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    display_name: str
    disabled: bool
    roles: tuple[Role, ...] = field(default_factory=tuple)

    def sees_all(self, settings: Settings) -> bool:
        """Admins of a unit marked ``sees_all`` (the city bureau) see every unit."""
        return any(r.role == ADMIN and r.unit in settings.units
                   and settings.units[r.unit].sees_all for r in self.roles)

    def units(self, settings: Settings) -> set[str]:
        """The units whose posts and accounts this person may see."""
        if self.sees_all(settings):
            return set(settings.units)
        return {r.unit for r in self.roles}

    def accounts(self, settings: Settings) -> set[str]:
        mine = self.units(settings)
        return {a for a in settings.accounts if settings.unit_of(a) in mine}

    def reviews_at(self, unit: str, tier: int) -> bool:
        """A reviewer of the unit at exactly this tier (初审 does not do 复审, nor the reverse)."""
        return any(r.role == REVIEWER and r.unit == unit and r.tier == tier for r in self.roles)

    def is_admin(self) -> bool:
        return any(r.role == ADMIN for r in self.roles)


def parse_role(text: str, settings: Settings) -> Role | Problem:
    """``unit:editor``, ``unit:admin`` or ``unit:reviewer:1`` (tier 1–3, default 1)."""
    parts = [p.strip() for p in text.split(":")]
    units = "、".join(settings.units) or "（config.toml 中还没有 [units]）"
    if len(parts) < 2 or parts[0] not in settings.units:
        return Problem("--role", f"“{text}”：单位代号应为 {units} 之一，格式如 shsmr:editor")
    unit, role = parts[0], parts[1]
    if role not in ROLES:
        return Problem("--role", f"“{text}”：角色应为 editor（编辑）、"
                                 "reviewer（审核）或 admin（管理员）")
    if role != REVIEWER:
        if len(parts) > 2:
            return Problem("--role", f"“{text}”：只有 reviewer 可以带审级")
        return Role(unit, role)
    tier_text = parts[2] if len(parts) > 2 else "1"
    if tier_text not in ("1", "2", "3"):
        return Problem("--role", f"“{text}”：审级应为 1（初审）、2（复审）或 3（终审）")
    return Role(unit, role, int(tier_text))


def check_username(name: str) -> Problem | None:
    if not USERNAME_RE.match(name):
        return Problem("用户名", f"“{name}”：用户名应为 2–32 个小写字母、数字、"
                                 "点、横线或下划线，以字母开头")
    return None


MIN_PASSWORD = 10


def check_password(password: str) -> Problem | None:
    if len(password) < MIN_PASSWORD:
        return Problem("密码", f"密码至少 {MIN_PASSWORD} 个字符（现为 {len(password)} 个）")
    if len(password) > 256:
        return Problem("密码", "密码不能超过 256 个字符")
    return None
