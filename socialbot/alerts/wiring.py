"""From settings to working transports: each owner's channels with their secrets read.

Secrets are looked up the way account secrets are (``Settings.secret_for``): the
environment variable named in the config first, then the git-ignored secrets file under
the same name. A channel whose secret is missing does not stop the others: it comes back
as a Chinese reason instead of a transport, so ``alerts test`` can report it per channel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from socialbot.alerts.dingtalk import DingtalkRobot
from socialbot.alerts.mail import EmailTransport
from socialbot.alerts.settings import (
    CHANNEL_LABELS,
    Channel,
    DingtalkChannel,
    EmailChannel,
    Owner,
    WecomChannel,
)
from socialbot.alerts.transport import Transport
from socialbot.alerts.wecom import WecomRobot
from socialbot.config import Secret, Settings, read_secrets_file
from socialbot.errors import ConfigError
from socialbot.redact import register_secret

log = logging.getLogger("socialbot.alerts")


class MissingSecret(Exception):
    """A channel's secret is in neither the environment nor the secrets file."""


@dataclass(frozen=True)
class OpenedChannel:
    """One configured channel of an owner: a transport, or why there is none."""

    owner: Owner
    channel: Channel
    transport: Transport | None
    problem: str = ""

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self.channel.kind]


def read_secret(settings: Settings, name: str) -> Secret:
    """The value of secret ``name``: environment variable, else the secrets file."""
    value = settings.environ.get(name, "")
    if value:
        register_secret(value)
        return Secret(value, f"环境变量 {name}")
    path = settings.secrets_file
    if path and path.is_file():
        try:
            value = str(read_secrets_file(path).get(name, "") or "")
        except ConfigError as exc:
            raise MissingSecret(str(exc.problems[0])) from None
        if value:
            register_secret(value)
            return Secret(value, f"密钥文件 {path.name}")
    raise MissingSecret(f"缺少密钥：请设置环境变量 {name}，或写入密钥文件（不要写进 config.toml）")


def open_channels(
    settings: Settings, owner: Owner, *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> list[OpenedChannel]:
    """Every channel of ``owner``, ready to send or with the reason it cannot."""
    opened = []
    for channel in owner.channels:
        try:
            transport = _transport(settings, channel, session, sleep, wall_clock)
        except MissingSecret as exc:
            opened.append(OpenedChannel(owner, channel, None, str(exc)))
        else:
            opened.append(OpenedChannel(owner, channel, transport))
    return opened


def transports_by_owner(
    settings: Settings, *,
    sleep: Callable[[float], None] | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> dict[str, list[Transport]]:
    """What a :class:`~socialbot.alerts.dispatcher.Dispatcher` needs, for every owner.

    Channels that cannot be opened are left out (and logged); ``alerts test`` shows why.
    ``sleep`` and ``wall_clock`` are for tests that move time by hand.
    """
    found: dict[str, list[Transport]] = {}
    for owner in settings.alerts.owners.values():
        found[owner.id] = []
        for opened in open_channels(settings, owner, sleep=sleep, wall_clock=wall_clock):
            if opened.transport is None:
                log.error("提醒渠道无法使用：%s（%s）：%s", owner.name, opened.label,
                          opened.problem)
            else:
                found[owner.id].append(opened.transport)
    return found


def _transport(settings: Settings, channel: Channel, session: requests.Session | None,
               sleep: Callable[[float], None] | None,
               wall_clock: Callable[[], float]) -> Transport:
    if isinstance(channel, WecomChannel):
        return WecomRobot(read_secret(settings, channel.key_env), api_base=channel.api_base,
                          session=session, sleep=sleep)
    if isinstance(channel, DingtalkChannel):
        token = read_secret(settings, channel.token_env)
        return DingtalkRobot(token, read_secret(settings, channel.secret_env),
                             api_base=channel.api_base, session=session, sleep=sleep,
                             wall_clock=wall_clock)
    assert isinstance(channel, EmailChannel)
    smtp = settings.alerts.smtp
    if smtp is None:  # the config reader refuses this; kept for direct callers
        raise MissingSecret("未配置发信服务器 [alerts.smtp]")
    password = read_secret(settings, smtp.password_env) if smtp.username else None
    return EmailTransport(smtp, channel.to, password, sleep=sleep)
