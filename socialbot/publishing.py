"""What the staff commands ``publish --now`` and ``preview-send`` do, as plain functions.

Both check the content and the account first and refuse with every problem listed, so
nothing half-valid reaches a platform. Platform failures come back as DeliveryResult.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from socialbot.config import Account, Settings
from socialbot.delivery import DeliveryResult, Outcome
from socialbot.errors import ConfigError, Problem, PublishError
from socialbot.kv import open_kv
from socialbot.platforms import channel_for, platform
from socialbot.redact import install_redaction
from socialbot.rendered import RenderedPost, delivery_key

logger = logging.getLogger(__name__)


def _ready_channel(settings: Settings, rendered: RenderedPost, account: Account, kv: Any) -> Any:
    """The account's channel, or PublishError listing the content and secret problems."""
    channel = channel_for(account, settings, kv if kv is not None else open_kv(settings))
    problems: list[Problem] = list(channel.check(rendered))
    try:
        settings.secret_for(account)
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        raise PublishError(problems, title=f"不能发布到 {account.id}")
    return channel


def publish_now(
    settings: Settings, rendered: RenderedPost, account_id: str, kv: Any = None
) -> DeliveryResult:
    """Publish one rendered post to one account now (``socialbot publish POST -a A --now``)."""
    install_redaction()
    account = settings.account(account_id)
    channel = _ready_channel(settings, rendered, account, kv)
    key = delivery_key(rendered.post_id, account.id, rendered.content_hash)
    # An earlier run (or the daemon) may have left this delivery's outcome open, e.g. an
    # answer lost after the platform acted. Ask first, as the daemon does, and publish
    # only when the platform confirms nothing went out; otherwise a re-run posts twice.
    checked: DeliveryResult = channel.reconcile(rendered, key)
    if checked.outcome is not Outcome.RETRY:
        return checked
    logger.info("紧急发布 %s → %s", rendered.post_id, account.id)
    result: DeliveryResult = channel.publish(rendered, key)
    return dataclasses.replace(result, attempts=checked.attempts + result.attempts)


def preview_send(
    settings: Settings, rendered: RenderedPost, account_id: str, receiver: str, kv: Any = None
) -> DeliveryResult:
    """Send a WeChat preview to one person (``socialbot preview-send POST --account A --to ID``).

    The draft it creates is the one the real send later uses, so what was previewed is
    exactly what followers get.
    """
    install_redaction()
    account = settings.account(account_id)
    if not platform(account.platform).can_send_preview:
        where = f"账号 {account.id}"
        label = platform(account.platform).label
        raise PublishError(Problem(where, f"{label}没有预览接口，只能预览公众号文章"))
    if not receiver.strip():
        raise PublishError(Problem("--to", "请填写接收预览的微信号（或 OpenID）"))
    channel = _ready_channel(settings, rendered, account, kv)
    key = delivery_key(rendered.post_id, account.id, rendered.content_hash)
    return channel.preview(rendered, key, receiver.strip())
