"""How the console names accounts and units to staff: the configured name, else the id."""

from __future__ import annotations

from socialbot.config import Settings


def account_name(settings: Settings, account: str) -> str:
    return settings.accounts[account].name if account in settings.accounts else account


def unit_name(settings: Settings, unit: str) -> str:
    return settings.units[unit].name if unit in settings.units else unit
