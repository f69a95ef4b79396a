"""``socialbot --help`` lists every command without importing them (no database, no HTTP)."""

from __future__ import annotations

import importlib

from socialbot.cli import COMMANDS, cli
from tests.helpers import modules_loaded_by


def test_the_help_table_names_each_command_as_the_command_itself_does():
    for name, (module, attribute, help_text) in COMMANDS.items():
        command = getattr(importlib.import_module(f"socialbot.commands.{module}"), attribute)
        assert command.name == name
        assert command.get_short_help_str(limit=200) == help_text


def test_every_command_module_is_in_the_table():
    listed = {(module, attribute) for module, attribute, _ in COMMANDS.values()}
    for module in {m for m, _, _ in COMMANDS.values()}:
        commands = importlib.import_module(f"socialbot.commands.{module}").COMMANDS
        assert {(module, _attr(module, c)) for c in commands} <= listed


def _attr(module: str, command: object) -> str:
    loaded = importlib.import_module(f"socialbot.commands.{module}")
    return next(name for name, value in vars(loaded).items() if value is command)


def test_help_imports_neither_the_database_nor_the_http_stack():
    loaded, out = modules_loaded_by(["--help"], (
        "sqlalchemy", "requests", "wechatpy", "PIL", "jinja2", "rich.console",
        "importlib.metadata", "socialbot.config", "socialbot.config_file", "logging"))
    assert loaded == []
    assert "status" in out and "queue" in out
    assert "sandbox" in out and "demo" in out  # the add-on commands are still listed


def test_a_command_still_runs_through_the_lazy_group():
    assert cli.get_command(None, "status") is not None  # type: ignore[arg-type]
    assert cli.get_command(None, "nope") is None  # type: ignore[arg-type]
