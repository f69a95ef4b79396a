"""What every command shares: the chosen config, loaded once, and Chinese error exits."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from socialbot.config import Settings, load_settings
from socialbot.errors import SocialbotError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS = 2  # bad input: config, post, render or queue refusal
EXIT_ATTENTION = 3  # status: something needs a person


@dataclass
class AppContext:
    config_path: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings


class StaffError(click.ClickException):
    """A SocialbotError shown as plain Chinese text with a non-zero exit, no traceback."""

    exit_code = EXIT_PROBLEMS

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(click.style(self.format_message(), fg="red"), err=True)


def staff_errors(fn: F) -> F:
    """Turn SocialbotError into a readable message and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SocialbotError as exc:
            raise StaffError(exc.render()) from None

    return wrapper  # type: ignore[return-value]


pass_app = click.make_pass_decorator(AppContext, ensure=True)
