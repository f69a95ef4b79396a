"""One platform call, done carefully: recorded, retried when safe, never leaking a secret.

Both channels send their HTTP requests through :func:`perform`. It records every
exchange as an :class:`~socialbot.platforms.base.Attempt`, looks the answer up in the
reaction table, retries transient failures with backoff, and raises :class:`CallFailed`
when it gives up. Whether a failure may be retried depends on ``safe``. A call that may
publish twice (sendall, freepublish/submit, statuses/share) is not safe, so a lost
answer becomes ``unknown`` and is never simply repeated.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from socialbot.platforms.base import Attempt
from socialbot.platforms.common.reactions import (
    Reaction,
    Rule,
    parse_rid,
    strip_rid,
    transport_rule,
    transport_text,
)
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.redact import redact

MESSAGE_LIMIT = 300


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Journal:
    """The attempts of one channel operation, in order (kept in the delivery history)."""

    def __init__(self, now: Callable[[], dt.datetime] = utc_now):
        self.now = now
        self.attempts: list[Attempt] = []

    def record(
        self, request: str, code: object, message: str, reaction: str, rid: str = ""
    ) -> None:
        text = redact(str(message))[:MESSAGE_LIMIT]
        self.attempts.append(Attempt(self.now(), request, str(code), text, rid, str(reaction)))


@dataclass
class Answer:
    """A decoded platform answer: ``code`` 0 = success; ``transport`` set = not a real answer."""

    code: int
    message: str = ""
    data: Any = None
    transport: str = ""
    status: int = 200

    @property
    def rid(self) -> str:
        return parse_rid(self.message)


@dataclass(eq=False)
class CallFailed(Exception):
    """A call the bot gave up on, with the rule that says what to do next."""

    platform: str
    request: str
    code: int | str
    errmsg: str
    rule: Rule
    data: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__(self.explain())

    @property
    def reaction(self) -> Reaction:
        return self.rule.reaction

    def explain(self, extra: str = "") -> str:
        """Staff-facing text (Chinese): the rule's message, ``extra``, the platform's code."""
        text = self.rule.explain(self.code, self.errmsg) + extra
        if isinstance(self.code, int) and self.code:
            text += f"（错误码 {self.code}）"
        return text

    def __str__(self) -> str:
        return redact(f"{self.request}: {self.explain()}")


@functools.cache
def _environ_proxies(base_url: str) -> dict[str, str]:
    """The proxies the environment names for ``base_url``, read once per process and host.

    Reading them walks every environment variable twice, and each account's secret may
    be one: with thousands of accounts (one session each, all on the same API host) that
    walk cost more than the accounts' first sends.
    """
    return dict(requests.utils.get_environ_proxies(base_url))


def http_session(base_url: str) -> requests.Session:
    """A session for one API host, its environment settings read once, here.

    requests reads the environment on every request (proxy variables twice, ``no_proxy``,
    ``~/.netrc``, the CA bundle variables): at a few calls per delivery that was a tenth of
    the daemon's CPU. The API host is fixed, so the answer is the same every time; the
    session keeps it. ``~/.netrc`` is not used: these APIs authenticate by token.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


def classify_exception(exc: requests.RequestException) -> tuple[str, str]:
    """``(kind, text)`` for a requests failure; kind says whether the request went out."""
    if isinstance(exc, requests.ConnectTimeout):
        kind = "connect_timeout"
    elif isinstance(exc, requests.Timeout):
        kind = "timeout"
    elif isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        not_sent = isinstance(reason, ConnectTimeoutError | NewConnectionError)
        kind = "connect" if not_sent else "dropped"
    else:
        kind = "dropped"
    return kind, f"{type(exc).__name__}: {redact(str(exc))}"


def decode_json(response: requests.Response) -> Any:
    """The body as JSON, or ``None`` when it is not JSON."""
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def perform(
    *,
    platform: str,
    request: str,
    send: Callable[[], requests.Response],
    decode: Callable[[requests.Response], Answer],
    rule_for: Callable[[int], Rule],
    safe: bool,
    policy: RetryPolicy,
    journal: Journal,
) -> Any:
    """Send until the platform answers for sure, retrying only what the table allows."""
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = decode(send())
        except requests.RequestException as exc:
            kind, text = classify_exception(exc)
            answer = Answer(code=-1, message=text, transport=kind)
        if answer.transport:
            rule = transport_rule(answer.transport, platform, safe=safe, status=answer.status)
            code: int | str = answer.transport
            if answer.transport == "http":
                code = f"http {answer.status}"
            text = transport_text(answer.transport, platform, answer.status)
            note = f"{text}（{answer.message}）"
        elif answer.code == 0:
            journal.record(request, 0, "成功", Reaction.OK)
            return answer.data
        else:
            rule, code = rule_for(answer.code), answer.code
            note = f"{rule.explain(code, answer.message)}（平台原文：{strip_rid(answer.message)}）"
        journal.record(request, code, note, rule.reaction, answer.rid)
        if rule.reaction is Reaction.RETRY and attempt < policy.tries:
            policy.wait(attempt, rule.delay)
            continue
        raise CallFailed(platform, request, code, redact(answer.message), rule, answer.data)
