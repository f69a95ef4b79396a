"""Keep secrets out of logs, results and tracebacks.

WeChat puts ``access_token`` in every URL, and urllib3 logs URLs at DEBUG. A requests
exception's text holds the full URL as well. So every text that may reach a person or a
file goes through :func:`redact`. It removes every secret value this process has seen
(AppSecrets, Weibo tokens, WeChat access tokens), plus anything that looks like a
credential parameter. :func:`install_redaction` applies it to every log record when the
record is created, before any handler or filter sees it.
"""

from __future__ import annotations

import bisect
import logging
import re
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

REDACTED = "***"
_MIN_SECRET_LEN = 6

_known: set[str] = set()
_known_sorted: list[str] = []  # longest first; replaced whole on change (readers iterate it)
_by_prefix: dict[str, tuple[str, ...]] = {}  # first _MIN_SECRET_LEN characters → secrets
_starred: tuple[str, ...] = ()  # secrets holding "*", which a replacement could complete
_guard = threading.Lock()

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # access_token=..., secret=..., appsecret=... in URLs, query strings and form bodies
    (re.compile(r"(?i)\b((?:access_token|appsecret|secret|client_secret)=)[^&\s\"'#<>]+"),
     rf"\1{REDACTED}"),
    # "access_token": "..." in JSON and Python reprs
    (re.compile(r"""(?i)(["'](?:access_token|appsecret|secret|client_secret|token)["']\s*:\s*["'])"""
                r"""[^"']*(["'])"""),
     rf"\1{REDACTED}\2"),
    # Authorization: OAuth2 <token> / Bearer <token>
    (re.compile(r"(?i)\b((?:OAuth2|Bearer)\s+)[A-Za-z0-9._~+/=\-]+"), rf"\1{REDACTED}"),
)


def register_secret(value: str | None) -> None:
    """Remember a secret value so it is removed wherever it shows up later."""
    if not value or len(value) < _MIN_SECRET_LEN or value == REDACTED:
        return
    global _known_sorted, _by_prefix, _starred
    with _guard:
        if value in _known:
            return
        _known.add(value)
        longest_first = list(_known_sorted)
        bisect.insort(longest_first, value, key=lambda known: -len(known))
        by_prefix = dict(_by_prefix)
        head = value[:_MIN_SECRET_LEN]
        by_prefix[head] = (*by_prefix.get(head, ()), value)
        _by_prefix = by_prefix
        if "*" in value:
            _starred = (*_starred, value)
        _known_sorted = longest_first


def redact(text: str) -> str:
    """``text`` without any known secret or credential-looking parameter."""
    if not text:
        return text
    for value in _candidates(text):
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _candidates(text: str) -> list[str]:
    """The known secrets that may occur in ``text``, longest first.

    With thousands of accounts (a secret and a token each) looking for every secret in
    every text cost more than a delivery's own work; past a few hundred, the secrets
    whose first characters occur somewhere in ``text`` are the only ones that can, as
    a replacement inserts only "*" (so a secret without one can only match text that
    was there before).
    """
    known = _known_sorted
    n = len(text)
    if 70 * n >= len(known) * (50 + n // 10):  # a plain search of each is cheaper
        return known
    by_prefix = _by_prefix
    found = [value for head in {text[i:i + _MIN_SECRET_LEN] for i in range(n)}
             for value in by_prefix.get(head, ())]
    found.extend(_starred)
    found.sort(key=len, reverse=True)
    return found


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception, safe to store or show."""
    return redact(f"{type(exc).__name__}: {exc}")


class RedactingFilter(logging.Filter):
    """Scrub a record's message, arguments and traceback text (returns True: never drops)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


_formatter = logging.Formatter()


def scrub_record(record: logging.LogRecord) -> None:
    """Replace the record's message (with args merged) and traceback by redacted text."""
    if getattr(record, "_socialbot_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep the raw template only
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact(_formatter.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._socialbot_redacted = True  # type: ignore[attr-defined]


_installed = False
_LOGGERS = ("", "socialbot", "wechatpy", "urllib3", "requests", "sqlalchemy")


def install_redaction() -> None:
    """Redact every log record at creation, filter known loggers and handlers, scrub crashes.

    Safe to call more than once.
    """
    global _installed
    with _guard:
        if not _installed:
            _installed = True
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                scrub_record(record)
                return record

            logging.setLogRecordFactory(factory)
            _install_excepthook()
    shared = RedactingFilter()
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(shared)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(shared)


def _install_excepthook() -> None:
    previous = sys.excepthook

    def hook(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if previous is not sys.__excepthook__:
            previous(kind, value, tb)
            return
        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    sys.excepthook = hook
