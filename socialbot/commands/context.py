"""What every command shares: the chosen config, loaded once, and Chinese error exits."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from socialbot.errors import SocialbotError

if TYPE_CHECKING:  # the config module is loaded when a command first needs the settings
    from socialbot.config import Settings

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS = 2  # bad input: config, post, render or queue refusal
EXIT_ATTENTION = 3  # a person is needed: a failed send, an unusable database (like status)


@dataclass
class AppContext:
    config_path: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from socialbot.config_file import load_settings

            self._settings = load_settings(self.config_path)
        return self._settings


class StaffError(click.ClickException):
    """A SocialbotError shown as plain Chinese text with a non-zero exit, no traceback."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, exit_code: int = EXIT_PROBLEMS):
        super().__init__(message)
        self.exit_code = exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        from socialbot.commands.layout import say
        from socialbot.commands.output import err_console

        say(err_console, self.format_message(), style="red")


def staff_errors(fn: F) -> F:
    """The one boundary between a command and the person: Chinese, an exit code, no traceback.

    A SocialbotError exits 2 (bad input) unless it says otherwise (an unusable database
    exits 3); a database error that reached this far unexplained is explained here.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SocialbotError as exc:
            raise StaffError(exc.render(), getattr(exc, "exit_code", EXIT_PROBLEMS)) from None
        except Exception as exc:
            from socialbot.store.errors import explain_database  # only when something failed

            problem = explain_database(exc, _database_url())
            if problem is None:
                raise
            raise StaffError(problem.render(), problem.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _database_url() -> str | None:
    """The configured database, to name it in a message (if the config was loaded)."""
    ctx = click.get_current_context(silent=True)
    app = ctx.find_object(AppContext) if ctx else None
    return app._settings.database_url if app and app._settings else None


pass_app = click.make_pass_decorator(AppContext, ensure=True)
