"""Commands that other installed packages add to ``socialbot``.

A package offers a command by naming it in the ``socialbot.commands`` entry point group
(``[project.entry-points."socialbot.commands"]`` in its pyproject). The product never
imports such a package itself: a command is loaded only when it is run or listed, and a
broken one is skipped with a note instead of breaking every other command.

The group is read from the ``entry_points.txt`` of each installed distribution found on
``sys.path`` (``*.dist-info`` and ``*.egg-info`` folders; the first distribution of a
name wins, as in ``importlib.metadata``). Reading them directly spares ``socialbot
--help`` the import of ``importlib.metadata`` (email, zipfile, csv: about a third of
the start-up the listing costs). Distributions inside zip files are not searched.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

import click

ENTRY_POINT_GROUP = "socialbot.commands"
_INFO_SUFFIXES = (".dist-info", ".egg-info")
_NAME_RUN = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class AddOnCommand:
    """One entry of the group: ``name = module:attribute`` (extras in brackets ignored)."""

    name: str
    value: str

    def load(self) -> Any:
        """The object the entry names; raises what the import raises."""
        target = self.value.split("[", 1)[0].strip()
        module_name, _, attribute = target.partition(":")
        loaded: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            loaded = getattr(loaded, part)
        return loaded


def group_entries(text: str, group: str = ENTRY_POINT_GROUP) -> dict[str, str]:
    """``name → value`` of ``group`` in an ``entry_points.txt`` (an INI file)."""
    found: dict[str, str] = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            found.setdefault(name.strip(), value.strip())
    return found


def _distributions(path: list[str]) -> list[str]:
    """The metadata folders on ``path``, the first of each distribution name only."""
    seen: set[str] = set()
    folders = []
    for entry in path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # a zip file, a folder that is gone
            continue
        for name in names:
            if not name.endswith(_INFO_SUFFIXES):
                continue
            project = _NAME_RUN.sub("_", name.rsplit(".", 1)[0].split("-", 1)[0]).lower()
            if project not in seen:
                seen.add(project)
                folders.append(os.path.join(entry or ".", name))
    return folders


@functools.cache
def installed_commands() -> dict[str, AddOnCommand]:
    """The add-on commands of every installed package, by command name."""
    commands: dict[str, AddOnCommand] = {}
    for folder in _distributions(sys.path):
        try:
            with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError):  # no entry points, or an unreadable file
            continue
        for name, value in group_entries(text).items():
            commands.setdefault(name, AddOnCommand(name, value))
    return commands


class PluginGroup(click.Group):
    """A command group that also offers the commands installed packages register."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(installed_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry_point = installed_commands().get(cmd_name)
        if entry_point is None:
            return None
        try:
            loaded = entry_point.load()
        except Exception as exc:  # an add-on's bug must not stop the product's own commands
            loaded = exc
        if not isinstance(loaded, click.Command):
            reason = type(loaded).__name__
            click.echo(f"附加命令 {cmd_name} 无法加载（{reason}），已跳过", err=True)
            return None
        self.add_command(loaded, cmd_name)
        return loaded
