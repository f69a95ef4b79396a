"""Turn a failed call into the DeliveryResult the queue acts on, and guard against crashes.

Every channel operation runs inside :func:`delivery`. Expected failures become values,
never exceptions, and the attempts made so far are attached to the result either way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from socialbot.errors import SocialbotError
from socialbot.explain import DatabaseUnavailable
from socialbot.kv import LeaseTimeout
from socialbot.platforms.base import OUTCOME_LABELS, DeliveryResult, Outcome
from socialbot.platforms.common.calls import CallFailed, Journal
from socialbot.platforms.common.reactions import Reaction, retry_time
from socialbot.redact import describe_exception, redact
from socialbot.times import show

logger = logging.getLogger(__name__)

_OUTCOME = {
    Reaction.RETRY: Outcome.RETRY,
    Reaction.RESCHEDULE: Outcome.RESCHEDULE,
    Reaction.UNKNOWN: Outcome.UNKNOWN,
    Reaction.ALREADY_DONE: Outcome.SENT,
    Reaction.OK: Outcome.SENT,
}


def from_failure(exc: CallFailed, now: dt.datetime, *,
                 monthly_quota: bool = False) -> DeliveryResult:
    """The outcome the reaction table assigns to a call the bot gave up on."""
    outcome = _OUTCOME.get(exc.reaction, Outcome.FAILED)
    extra, retry_at = "", None
    if outcome is Outcome.RESCHEDULE and exc.rule.wait is not None:
        retry_at = retry_time(exc.rule.wait, now, monthly_quota=monthly_quota)
        extra = f"：{show(retry_at)}（北京时间）后再试"
    elif outcome is Outcome.RETRY:
        extra = "，多次重试仍未成功，稍后会自动再试"
    message = exc.explain(extra)
    details = {"code": str(exc.code), "request": exc.request, "reaction": str(exc.reaction)}
    return DeliveryResult(outcome, message, retry_at=retry_at, details=details)


def delivery(
    journal: Journal, run: Callable[[], DeliveryResult], *, monthly_quota: bool = False
) -> DeliveryResult:
    """Run one channel operation; expected failures come back as results with attempts."""
    try:
        result = run()
    except CallFailed as exc:
        result = from_failure(exc, journal.now(), monthly_quota=monthly_quota)
    except DatabaseUnavailable as exc:  # the shared store (tokens, call memos) failed mid-way
        result = DeliveryResult(
            Outcome.UNKNOWN,
            f"{exc.render()}\n发送可能已经开始，请勿手动重发；数据库恢复后系统会先核对",
        )
    except SocialbotError as exc:  # a missing secret, a bad account setting
        result = DeliveryResult(Outcome.FAILED, exc.render())
    except LeaseTimeout:
        result = DeliveryResult(
            Outcome.RETRY, "另一个进程正在刷新接口凭证，等待超时，稍后会自动再试"
        )
    except Exception as exc:  # a bug must not take the daemon down, nor leak a token
        logger.exception("发布程序出错")
        result = DeliveryResult(
            Outcome.UNKNOWN,
            f"程序出错（{describe_exception(exc)}），"
            "请人工核对平台上是否已发布，并联系开发人员",
        )
    result = dataclasses.replace(
        result, message=redact(result.message), attempts=tuple(journal.attempts)
    )
    # Callers report the outcome to staff (the worker's report line, publish's summary);
    # this line is for developers, or a reconcile-before-publish "nothing there yet"
    # would read like a failure on every normal run.
    logger.debug("%s：%s", OUTCOME_LABELS[result.outcome], result.message)
    return result
