"""The config's practice accounts: find them, give them secrets, add them to a platform.

An account is a practice account when its ``api_base`` points at this machine. The bot
and the platform must agree on each account's secret, and the product knows nothing
about practice: so the platform accepts the secret the bot already has (environment
variable or secrets file) and, for an account without one, generates a random secret
and writes it into the config's secrets file, where the bot reads it like any other.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from socialbot.config import Account, Settings, read_secrets_file
from socialbot.errors import ConfigError, Problem
from socialbot_practice import PracticePlatform, WeChatAccountSpec, WeiboAccountSpec

DEFAULT_PORT = 8900
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_practice_account(account: Account) -> bool:
    """True when the account's API address is on this machine (a practice platform)."""
    return (urlsplit(account.api_base).hostname or "") in LOCAL_HOSTS


def practice_accounts(settings: Settings) -> list[Account]:
    return [a for a in settings.accounts.values() if is_practice_account(a)]


def configured_port(settings: Settings) -> int:
    """The port the config's practice accounts point at (8900 by default)."""
    for account in practice_accounts(settings):
        return urlsplit(account.api_base).port or DEFAULT_PORT
    return DEFAULT_PORT


def new_secret() -> str:
    """A random practice secret, shaped like a WeChat AppSecret (32 hex digits)."""
    return secrets.token_hex(16)


Origin = Literal["environment", "file", "new"]  # "new": generated and written just now


def provide_secrets(settings: Settings,
                    accounts: Iterable[Account]) -> list[tuple[Account, Origin]]:
    """Make sure the bot has a secret for each account; say where each one comes from.

    A secret the bot already has is kept, so restarting the practice platform never
    invalidates a running bot. Nothing is written unless some account lacks a secret.
    """
    accounts = list(accounts)
    missing = [a for a in accounts if settings.find_secret(a) is None]
    if missing:
        write_new_secrets(settings, missing)
    origins: list[tuple[Account, Origin]] = []
    for account in accounts:
        settings.secret_for(account)  # read back the way the bot reads it, or fail here
        origin: Origin = ("new" if account in missing
                          else "environment" if settings.environ.get(account.secret_name)
                          else "file")
        origins.append((account, origin))
    return origins


def write_new_secrets(settings: Settings, accounts: list[Account]) -> None:
    """Add a new secret for each account to the config's secrets file, keeping the rest."""
    path = settings.secrets_file
    if path is None:
        names = "、".join(a.secret_name for a in accounts)
        raise ConfigError(Problem(
            f"{settings.path.name} [paths]",
            "没有设置 secrets_file，练习平台无法把练习账号的密钥告诉机器人：请在 [paths] 中"
            f'加上 secrets_file = "secrets.toml"（该文件不要提交到 git），或设置环境变量 {names}',
        ))
    existing = read_secrets_file(path) if path.is_file() else {}
    blank = [a.secret_name for a in accounts if a.secret_name in existing]
    if blank:
        raise ConfigError(Problem(
            str(path), f"{'、'.join(blank)} 的值为空：请删除这一行（练习平台会重新生成）或填入密钥"
        ))
    values = {a.secret_name: new_secret() for a in accounts}
    now = dt.datetime.now(settings.tz)
    when = f"{now.year}年{now.month}月{now.day}日 {now:%H:%M}"
    block = [f"# 练习平台（socialbot sandbox）于 {when} 生成的练习密钥，只在本机练习平台有效"]
    block += [f'{name} = "{value}"' for name, value in values.items()]
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    # Keys go first: appended after a [table] in the old text they would land inside it.
    text = "\n".join(block) + "\n" + ("\n" + old if old else "")
    if {k: v for k, v in tomllib.loads(text).items() if k in values} != values:
        raise ConfigError(Problem(str(path), "密钥文件格式异常，无法写入练习密钥，请检查该文件"))
    _replace_file(path, text)


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` at once; a new file is readable by its owner only."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def register_accounts(platform: PracticePlatform, settings: Settings,
                      accounts: Iterable[Account], *, publish_polls: int = 1) -> int:
    """Add each account with the very secret the bot will send; return how many."""
    count = 0
    for account in accounts:
        value = settings.secret_for(account).reveal()
        if account.platform == "wechat":
            tags: dict[int, list[str]] = {account.tag_id: []} if account.tag_id is not None else {}
            platform.add_wechat_account(WeChatAccountSpec(
                appid=account.appid, secret=value, kind=account.kind, name=account.name,
                tags=tags, publish_polls=publish_polls,
            ))
        else:
            platform.add_weibo_account(WeiboAccountSpec(
                token=value, uid=account.uid, screen_name=account.name,
                safe_domains=list(account.safe_domains),
            ))
        count += 1
    return count
