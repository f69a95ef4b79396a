"""One set-up for what commands print: the two consoles and the terminal log.

Commands print what staff need on stdout (``console``) and problems on stderr
(``err_console``). Log lines are for the daemon, whose log *is* its output: local
time, a Chinese level name, the message. A command that prints its own results
(``run --once``, ``publish --now``) does not get them a second time from the log.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import TextIO

from rich.console import Console

from socialbot.redact import describe_exception
from socialbot.times import BEIJING, show

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

LEVEL_NAMES = {
    "DEBUG": "调试",
    "INFO": "信息",
    "WARNING": "警告",
    "ERROR": "错误",
    "CRITICAL": "严重错误",
}
REPORT = "staff_report"  # a log record carrying this attribute repeats a printed report line
_HANDLER_NAME = "socialbot-terminal"


class StaffLogFormatter(logging.Formatter):
    """``2022-06-09 09:00:05 警告 消息``: the staff time form, a Chinese level name.

    Tracebacks are for developers: with ``verbose`` they follow the line, otherwise
    only the exception's one-line description does (secrets already redacted).
    """

    def __init__(self, tz: dt.tzinfo, *, verbose: bool = False):
        super().__init__()
        self.tz = tz
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        when = show(dt.datetime.fromtimestamp(record.created, dt.UTC), self.tz, seconds=True)
        level = LEVEL_NAMES.get(record.levelname, record.levelname)
        line = f"{when} {level} {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            if self.verbose:
                line += "\n" + self.formatException(record.exc_info)
            else:
                line += f"（{describe_exception(record.exc_info[1])}）"
        return line


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (as ``logging.lastResort`` does),
    so a handler set up under a redirected stderr never writes to a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _NotPrinted(logging.Filter):
    """Drops the log twins of lines the command already printed."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, REPORT, False)


class _OursOnly(logging.Filter):
    """socialbot's own lines; libraries' narration (APScheduler, urllib3) only with -v."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "socialbot" or record.name.startswith("socialbot.")


def setup_logging(tz: dt.tzinfo = BEIJING, *, verbose: bool = False,
                  prints_reports: bool = True) -> logging.Handler:
    """Route socialbot's log to the terminal (stderr) once, in the staff form.

    ``prints_reports`` (every command but the daemon): the command prints its results
    itself, so the terminal gets only warnings and errors it did not print. The daemon
    (``run``) shows what it does at INFO: its log is its output. ``verbose`` shows
    everything, libraries and tracebacks included. Levels are set on the handler, so
    other handlers (a log file a deployment adds) keep what they ask for.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(StaffLogFormatter(tz, verbose=verbose))
    if verbose:
        handler.setLevel(logging.DEBUG)
    else:
        handler.setLevel(logging.WARNING if prints_reports else logging.INFO)
        handler.addFilter(_OursOnly())
        if prints_reports:
            handler.addFilter(_NotPrinted())
    root.addHandler(handler)
    if root.getEffectiveLevel() > handler.level:
        root.setLevel(handler.level)
    from socialbot.redact import install_redaction

    install_redaction()  # the new handler gets the redacting filter too
    return handler
