"""Database failures as codes that say what to do, never a driver's English.

SQLite says ``disk I/O error`` and PostgreSQL ``connection refused``; staff need to
know which database, what went wrong and what to try. :func:`database_problem` is the
one translation: it matches the driver's text (only the store knows SQLAlchemy's and
the drivers' exceptions) to a ``database.*`` code worded in ``socialbot.wording``.
``Database.tx`` and engine creation raise its result, and the CLI's error boundary
uses :func:`explain_database` for anything that still slips through.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from socialbot.explain import DatabaseUnavailable, os_reason
from socialbot.notices import problem

# (what the driver's text contains, lower-cased) -> the code staff read; first match wins.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), code) for pattern, code in (
        (r"database is locked|table is locked|lock timeout|could not obtain lock|deadlock",
         "database.locked"),
        (r"disk i/o error|input/output error", "database.disk"),
        (r"disk is full|no space left|could not extend file", "database.full"),
        (r"readonly database|read-only|read only", "database.read_only"),
        (r"unable to open database file", "database.cannot_open"),
        (r"not a database|file is encrypted|malformed", "database.corrupt"),
        (r'database "[^"]*" does not exist', "database.no_database"),
        (r"password authentication failed|no password supplied|authentication failed"
         r'|role "[^"]*" does not exist', "database.login"),
        (r"permission denied|insufficient privilege|must be owner", "database.denied"),
        (r"no such table|no such column|relation \"[^\"]*\" does not exist"
         r"|column \"[^\"]*\" does not exist", "database.no_table"),
        (r"too many connections|remaining connection slots", "database.busy"),
        (r"connection refused|could not connect|connection timed out|timeout expired"
         r"|could not translate host name|name or service not known|no route to host"
         r"|network is unreachable|temporary failure in name resolution",
         "database.unreachable"),
        (r"server closed the connection|terminating connection|connection already closed"
         r"|ssl syscall error|eof detected|connection is closed|connection reset",
         "database.dropped"),
    )
)


def where(url: str | None) -> tuple[str, dict[str, str]]:
    """The database as staff configured it, as a place code and its values: a file path,
    or host/database (never the password)."""
    if not url:
        return "@database", {}
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "@database", {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            return "@database_file", {"path": parsed.database}
        return "@database_memory", {}
    host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if parsed.database:
        return "@database_postgres", {"name": parsed.database, "host": host}
    return "@database_postgres_server", {"host": host}


def _driver_text(exc: BaseException) -> str:
    inner: Any = getattr(exc, "orig", None) or exc.__cause__ or exc
    return str(inner).lower()


def database_problem(exc: BaseException, url: str | None = None) -> DatabaseUnavailable:
    """``exc`` (a SQLAlchemy/driver error) as a located, actionable error for staff."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    place, at = where(url)
    if isinstance(exc, NoSuchModuleError | ImportError | ModuleNotFoundError):
        return DatabaseUnavailable(problem(place, "database.no_driver", **at))
    if isinstance(exc, ArgumentError):
        return DatabaseUnavailable(problem("[database] url", "database.bad_url"))
    if isinstance(exc, OSError):
        return DatabaseUnavailable(problem(place, "database.os", reason=os_reason(exc), **at))
    text = _driver_text(exc)
    for pattern, code in _RULES:
        if pattern.search(text):
            return DatabaseUnavailable(problem(place, code, **at))
    kind = type(getattr(exc, "orig", None) or exc).__name__
    return DatabaseUnavailable(problem(place, "database.other", kind=kind, **at))


def explain_database(exc: BaseException, url: str | None = None) -> DatabaseUnavailable | None:
    """``exc`` worded for staff if it came from the database layer, else None."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, SQLAlchemyError | DBAPIError):
        return database_problem(exc, url)
    return None
