"""Commands that other installed packages add to ``socialbot``.

A package offers a command by naming it in the ``socialbot.commands`` entry point group
(``[project.entry-points."socialbot.commands"]`` in its pyproject). The product never
imports such a package itself: a command is loaded only when it is run or listed, and a
broken one is skipped with a note instead of breaking every other command.
"""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points

import click

ENTRY_POINT_GROUP = "socialbot.commands"


@functools.cache
def installed_commands() -> dict[str, EntryPoint]:
    """The add-on commands of every installed package, by command name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


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
