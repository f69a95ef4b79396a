"""Sina Weibo: one ``statuses/share.json`` per post, with its image and a safe-domain link.

Before posting, the channel checks the token with ``oauth2/get_token_info`` (at most once
a day per account: the answer is shared through the store and kept in memory, and
threads of one process wait for the one check in flight rather than each asking).
It warns when re-authorisation is due within 14 days, since a server
app has no refresh token. ``share`` is the one call that can post twice, so a "share at
T" marker is stored before it. If the answer is lost, the result is UNKNOWN, and
:meth:`WeiboChannel.reconcile` reads the account's timeline to find out.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from socialbot.errors import Problem
from socialbot.platforms.base import REDACTED, DeliveryResult, Outcome, PlannedCall
from socialbot.platforms.common.calls import CallFailed, Journal
from socialbot.platforms.common.core import ChannelCore
from socialbot.platforms.common.memo import DeliveryMemo
from socialbot.platforms.common.outcomes import delivery
from socialbot.platforms.common.plan import describe_image
from socialbot.platforms.common.reactions import Reaction
from socialbot.platforms.weibo.account import WeiboAccount
from socialbot.platforms.weibo.api import WeiboClient
from socialbot.platforms.weibo.checks import weibo_problems
from socialbot.platforms.weibo.part import status_of
from socialbot.platforms.weibo.textcount import URL_RE
from socialbot.platforms.weibo.tokens import token_expiry_key
from socialbot.rendered import RenderedPost
from socialbot.times import show

logger = logging.getLogger(__name__)

#: statuses/share requires ``rip`` (the end user's IP). Set ``rip`` per account in
#: config.toml to the server's public IP; without it the loopback address is sent,
#: which the practice platform accepts.
DEFAULT_RIP = "127.0.0.1"
TOKEN_WARN_DAYS = 14
TOKEN_INFO_TTL = 24 * 3600
TIMELINE_SLACK = dt.timedelta(minutes=5)  # clock skew between us and the platform
WEIBO_TIME = "%a %b %d %H:%M:%S %z %Y"

_CHECKED: dict[str, tuple[dt.datetime, dt.datetime]] = {}  # memo key -> (expires, checked)
_CHECKS: dict[str, threading.Lock] = {}  # one check in flight per memo key
_CHECKED_LOCK = threading.Lock()


def forget_token_checks() -> None:
    """Drop the token checks this process holds in memory."""
    with _CHECKED_LOCK:
        _CHECKED.clear()


def normalise(text: str) -> str:
    """Text as compared with the timeline: links (shown as t.cn) and spacing ignored."""
    return re.sub(r"\s+", " ", URL_RE.sub("<link>", text)).strip()


def post_url(uid: str, status: dict[str, Any]) -> str:
    mid = status.get("mid") or status.get("idstr") or ""
    return f"https://weibo.com/{uid}/{mid}" if mid else ""


def created_at(status: dict[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(status.get("created_at", "")), WEIBO_TIME)
    except ValueError:
        return None


class WeiboChannel(ChannelCore):
    """One Weibo account. Not thread-safe: use one instance per worker."""

    platform: ClassVar[str] = "weibo"
    account: WeiboAccount
    _client: WeiboClient | None = None

    @property
    def rip(self) -> str:
        return self.account.rip or DEFAULT_RIP

    # -- the Channel interface ----------------------------------------------------------

    def check(self, rendered: RenderedPost) -> list[Problem]:
        return weibo_problems(self.account, status_of(rendered), rendered.source)

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        base = self.account.api_base.rstrip("/")
        return [
            PlannedCall(
                "POST",
                "oauth2/get_token_info",
                f"{base}/oauth2/get_token_info",
                "检查微博授权还剩多久（每天最多一次；14 天内到期会提醒）",
                {"access_token": REDACTED},
            ),
            PlannedCall(
                "POST",
                "2/statuses/share.json",
                f"{base}/2/statuses/share.json",
                "发布微博（正文 + 一张配图）",
                {"access_token": REDACTED, "status": status_of(rendered).text, "rip": self.rip},
                files={"pic": describe_image(status_of(rendered).image)},
            ),
        ]

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        return self._run(delivery_key, lambda client, memo: self._publish(client, rendered, memo))

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        return self._run(delivery_key, lambda client, memo: self._reconcile(client, rendered, memo))

    # -- plumbing -----------------------------------------------------------------------

    def _run(
        self, key: str, body: Callable[[WeiboClient, DeliveryMemo], DeliveryResult]
    ) -> DeliveryResult:
        journal = Journal(self.now)
        memo = DeliveryMemo(self.kv, key, self.now)
        return delivery(journal, lambda: body(self._client_for(journal), memo))

    def _client_for(self, journal: Journal) -> WeiboClient:
        if self._client is None:
            token = self.settings.secret_for(self.account)
            self._client = WeiboClient(
                self.account, token, journal=journal, policy=self.retry, timeout=self.timeout
            )
        self._client.journal = journal
        return self._client

    def _sent(
        self,
        memo: DeliveryMemo,
        status: dict[str, Any],
        message: str,
        extra: dict[str, Any] | None = None,
    ) -> DeliveryResult:
        idstr = str(status.get("idstr") or status.get("id") or "")
        details = {
            "idstr": idstr,
            "mid": str(status.get("mid", "")),
            "created_at": str(status.get("created_at", "")),
            **(extra or {}),
        }
        return memo.sent(
            message, remote_id=idstr, url=post_url(self.account.uid, status), details=details
        )

    # -- steps ---------------------------------------------------------------------------

    def _token_expiry(self, client: WeiboClient) -> dt.datetime | None:
        """When the token expires: from memory, the store, or one check a day."""
        memo = token_expiry_key(self.account, client.token_id)
        with _CHECKED_LOCK:
            check = _CHECKS.setdefault(memo, threading.Lock())
        with check:  # threads of this process wait for the check in flight
            with _CHECKED_LOCK:
                held = _CHECKED.get(memo)
            if held is not None and self.now() - held[1] < dt.timedelta(seconds=TOKEN_INFO_TTL):
                return held[0]
            raw = self.kv.get(memo)
            if raw:
                expires_at = dt.datetime.fromisoformat(raw)
            else:
                try:
                    info = client.token_info()
                except CallFailed as exc:
                    if exc.reaction is Reaction.PERMANENT:
                        raise  # expired or revoked: re-authorise before anything else
                    logger.warning("微博授权检查暂时失败，继续发布：%s", exc.explain())
                    return None
                seconds = info.get("expire_in", info.get("expires_in"))
                if seconds is None:
                    return None
                expires_at = self.now() + dt.timedelta(seconds=int(seconds))
                self.kv.set(memo, expires_at.isoformat(), ttl=TOKEN_INFO_TTL)
            with _CHECKED_LOCK:
                _CHECKED[memo] = (expires_at, self.now())
            return expires_at

    def _token_warning(self, client: WeiboClient) -> str:
        """A Chinese warning when the token expires within 14 days ("" otherwise)."""
        expires_at = self._token_expiry(client)
        if expires_at is None:
            return ""
        left = expires_at - self.now()
        if left > dt.timedelta(days=TOKEN_WARN_DAYS):
            return ""
        days = max(math.ceil(left.total_seconds() / 86400), 0)
        warning = f"微博授权将在 {days} 天后（{show(expires_at)}）过期，请尽快用发布账号重新授权"
        logger.warning("%s（账号 %s）", warning, self.account.id)
        return warning

    def _publish(
        self, client: WeiboClient, rendered: RenderedPost, memo: DeliveryMemo
    ) -> DeliveryResult:
        done = memo.done()
        if done is not None:
            return done
        warning = self._token_warning(client)
        extra = {"warning": warning} if warning else {}
        suffix = f"。注意：{warning}" if warning else ""
        memo.mark("share_at")
        try:
            status = client.share(status_of(rendered).text, status_of(rendered).image, self.rip)
        except CallFailed as exc:
            if exc.reaction is not Reaction.ALREADY_DONE:
                raise
            return self._already_posted(client, rendered, memo, exc, extra)
        return self._sent(memo, status, "已发布到微博" + suffix, extra)

    def _already_posted(
        self,
        client: WeiboClient,
        rendered: RenderedPost,
        memo: DeliveryMemo,
        exc: CallFailed,
        extra: dict[str, Any],
    ) -> DeliveryResult:
        """20019/20111 (repeat) or 20032 (accepted, slow): followers have it; find its id."""
        try:
            found = self._find(client, rendered, since=None)
        except CallFailed:
            found = None
        if found is not None:
            return self._sent(memo, found, exc.explain(), {**extra, "code": str(exc.code)})
        details = {**extra, "code": str(exc.code), "verify": "timeline"}
        message = exc.explain() + "（时间线中暂未找到这条，请稍后到微博核对）"
        return DeliveryResult(Outcome.SENT, message, details=details)

    def _find(
        self, client: WeiboClient, rendered: RenderedPost, since: dt.datetime | None
    ) -> dict[str, Any] | None:
        """The newest timeline status with this post's text (created after ``since``)."""
        wanted = normalise(status_of(rendered).text)
        for status in client.user_timeline():
            if normalise(str(status.get("text", ""))) != wanted:
                continue
            when = created_at(status)
            if since is None or when is None or when >= since - TIMELINE_SLACK:
                return status
        return None

    def _reconcile(
        self, client: WeiboClient, rendered: RenderedPost, memo: DeliveryMemo
    ) -> DeliveryResult:
        done = memo.done()
        if done is not None:
            return done
        shared_at = memo.marked_at("share_at")
        if shared_at is None:
            return DeliveryResult(Outcome.RETRY, "没有发布记录：这条微博还没有发过，可以重新发布")
        try:
            found = self._find(client, rendered, since=shared_at)
        except CallFailed as exc:
            return DeliveryResult(
                Outcome.UNKNOWN,
                f"无法读取微博时间线（{exc.explain()}），不知道上次是否已发出。请人工到微博核对后再决定是否重发",
            )
        if found is not None:
            return self._sent(memo, found, "核对结果：这条微博已经发出，记为已发布")
        memo.forget("share_at")
        return DeliveryResult(
            Outcome.RETRY,
            f"核对结果：微博时间线中没有这条（{show(shared_at)} 之后），"
            "平台没有发布，可以重新发布",
        )
