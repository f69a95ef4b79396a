"""WeChat Official Accounts: images → draft → mass send, freepublish, or leave in the draft box.

Publishing one post to one account (reference §2–§5):

1. upload each in-article image with ``media/uploadimg`` and put its URL in the HTML;
2. upload the cover with ``material/add_material?type=image`` (permanent; crops go in the draft);
3. ``draft/add``;
4. by ``account.reach``: ``mass_send`` (default: ``message/mass/sendall``, followers are
   notified), ``publish`` (``freepublish/submit`` + polling ``freepublish/get``: a
   permalink, no notification), or ``draft`` (stop; a person sends it from the console).

Every step is remembered in the shared store (see ``wechat_steps``), so a retry after a
crash or an unknown outcome repeats nothing that already happened. The mass send carries
a clientmsgid derived from the delivery key, so even a repeated request cannot notify
followers twice within the platform's 24-hour window.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import ClassVar

from socialbot.errors import Problem
from socialbot.platforms.base import DeliveryResult, Outcome, PlannedCall
from socialbot.platforms.common.calls import CallFailed, Journal
from socialbot.platforms.common.core import ChannelCore
from socialbot.platforms.common.memo import DeliveryMemo
from socialbot.platforms.common.outcomes import delivery
from socialbot.platforms.wechat.account import WeChatAccount
from socialbot.platforms.wechat.api import SocialbotWeChatClient
from socialbot.platforms.wechat.checks import wechat_problems
from socialbot.platforms.wechat.part import article_of
from socialbot.platforms.wechat.payloads import preview_target, wechat_plan
from socialbot.platforms.wechat.probe import (
    ABILITIES_TTL,
    WeChatAbilities,
    cache_key,
    hold,
    learned,
    parse,
)
from socialbot.platforms.wechat.steps import UNSURE, WeChatSteps
from socialbot.rendered import RenderedPost

logger = logging.getLogger(__name__)

CLIENTMSGID_SAFE_WINDOW = dt.timedelta(hours=23)  # the platform dedupes for 24 h
DRAFT_REACH_MESSAGE = "已存入草稿箱，请在公众号后台手动群发"

DRAFT_ONLY_MESSAGE = ("微信不允许该账号通过接口群发或发布（错误码 48001：未认证或个人主体的公众号"
                      "没有这项权限）。已存入草稿箱（共 {n} 篇），请登录公众号后台 → 草稿箱，"
                      "找到这条草稿手动群发；系统不会再自动重试")
NOT_PERMITTED = 48001
#: The memo entries any operation may look at, read together when it starts.
MEMO_NAMES = ("done", "drafted", "draft", "publish_id", "submit_at", "sendall_at")

Posts = list[RenderedPost]  # the articles of one send, in order (the first is 头条)
Step = Callable[[WeChatSteps, Posts], DeliveryResult]


class WeChatChannel(ChannelCore):
    """One WeChat Official Account. Not thread-safe: use one instance per worker."""

    platform: ClassVar[str] = "wechat"
    account: WeChatAccount
    _client: SocialbotWeChatClient | None = None

    # -- the Channel interface ----------------------------------------------------------

    def check(self, rendered: RenderedPost) -> list[Problem]:
        return wechat_problems(self.account, article_of(rendered), rendered.source)

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        return wechat_plan(self.account, rendered, delivery_key)

    def plan_message(self, posts: Posts, message_key: str) -> list[PlannedCall]:
        """The calls of the day's message: one draft/add with every article, one send."""
        return wechat_plan(self.account, list(posts), message_key)

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        return self._run([rendered], delivery_key, self._deliver)

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        return self._run([rendered], delivery_key, self._reconcile)

    def publish_message(self, posts: Posts, message_key: str) -> DeliveryResult:
        """The day's message: one draft/add with every article, one send (one clientmsgid)."""
        return self._run(list(posts), message_key, self._deliver)

    def reconcile_message(self, posts: Posts, message_key: str) -> DeliveryResult:
        return self._run(list(posts), message_key, self._reconcile)

    def preview(self, rendered: RenderedPost, delivery_key: str, wechat_id: str) -> DeliveryResult:
        """Send the article to one person (WeChat ID or OpenID) to check it on a phone.

        The draft is the delivery's own, so the later send uses exactly what was previewed.
        """
        return self._run([rendered], delivery_key,
                         lambda steps, posts: self._preview(steps, posts, wechat_id))

    # -- plumbing -----------------------------------------------------------------------

    def _run(self, rendered: Posts, key: str, step: Step) -> DeliveryResult:
        journal = Journal(self.now)

        def go() -> DeliveryResult:
            memo = DeliveryMemo(self.kv, key, self.now, buffered=True)
            steps = WeChatSteps(self.account, self._client_for(journal), self.kv, memo,
                                self.polls)
            steps.load(rendered, *MEMO_NAMES, keys=(cache_key(self.account),))
            try:
                return step(steps, rendered)
            finally:
                memo.flush()  # what need not exist before a call, written once at the end

        return delivery(journal, go, monthly_quota=self.account.kind == "service")

    def _client_for(self, journal: Journal) -> SocialbotWeChatClient:
        """The account's client, created on first use (plan and check never need the secret)."""
        if self._client is None:
            secret = self.settings.secret_for(self.account)
            self._client = SocialbotWeChatClient(
                self.account, secret, self.kv, journal=journal, policy=self.retry,
                timeout=self.timeout,
            )
        self._client.journal = journal
        return self._client

    # -- what publish, reconcile and preview do ----------------------------------------

    def _deliver(self, steps: WeChatSteps, posts: Posts) -> DeliveryResult:
        done = steps.memo.done()
        if done is not None:
            return done
        drafted = steps.memo.get("drafted")
        if drafted:  # left for a person before: never a second draft or a retry
            return self._drafted(drafted, len(posts), again=True)
        media_id, fresh = steps.draft(posts)
        reach = self.account.reach
        if reach == "draft":
            steps.memo.set("drafted", media_id, ttl=None)
            return DeliveryResult(Outcome.DRAFTED, DRAFT_REACH_MESSAGE, remote_id=media_id,
                                  details={"reach": "draft", "draft_media_id": media_id,
                                           "articles": len(posts)})
        known = parse(steps.memo.lookup(cache_key(self.account)), self.now())
        if known is not None and _ability(known, reach) is False:  # 48001 lately: no call
            return self._left_in_drafts(steps, media_id, len(posts))
        send = steps.freepublish if reach == "publish" else steps.mass_send
        try:
            try:
                return send(media_id)
            except CallFailed as exc:
                if exc.code != 40007 or fresh:
                    raise
            # The remembered draft is gone (deleted in the console): make it again, once.
            logger.warning("草稿 %s 已不在草稿箱，重新新建", media_id)
            steps.memo.forget("draft")
            media_id, _ = steps.draft(posts)
            return send(media_id)
        except CallFailed as exc:
            if exc.code != NOT_PERMITTED:
                raise
            self._remember_not_permitted(steps, known, reach)
            return self._left_in_drafts(steps, media_id, len(posts))

    def _remember_not_permitted(self, steps: WeChatSteps, known: WeChatAbilities | None,
                                reach: str) -> None:
        """The account's abilities now say what this send found (``check`` shows it too)."""
        found = learned(known, reach, self.now())
        steps.memo.put(cache_key(self.account), json.dumps(found.to_json()),
                       ttl=ABILITIES_TTL.total_seconds())
        hold(self.account, found)

    def _left_in_drafts(self, steps: WeChatSteps, media_id: str, n: int) -> DeliveryResult:
        """The account may not send by API: the draft stays for a person (no retry)."""
        steps.memo.forget("sendall_at", "submit_at")  # nothing went out
        steps.memo.set("drafted", media_id, ttl=None)
        return self._drafted(media_id, n)

    def _drafted(self, media_id: str, n: int, *, again: bool = False) -> DeliveryResult:
        message = DRAFT_ONLY_MESSAGE.format(n=n)
        if again:
            message = "（之前已存入草稿箱）" + message
        return DeliveryResult(Outcome.DRAFTED, message, remote_id=media_id,
                              details={"reach": "draft_only", "draft_media_id": media_id,
                                       "articles": n, "code": str(NOT_PERMITTED)})

    def _reconcile(self, steps: WeChatSteps, posts: Posts) -> DeliveryResult:
        done = steps.memo.done()
        if done is not None:
            return done
        if steps.memo.get("drafted"):
            return self._deliver(steps, posts)
        if self.account.reach == "publish":
            return self._reconcile_publish(steps, posts)
        if self.account.reach == "mass_send":
            sent_at = steps.memo.marked_at("sendall_at")
            if sent_at is None:
                return DeliveryResult(Outcome.RETRY, "没有群发记录：这条还没有群发过，可以重新发布")
            if self.now() - sent_at > CLIENTMSGID_SAFE_WINDOW:
                return DeliveryResult(
                    Outcome.UNKNOWN,
                    "上次群发已超过 23 小时，微信不再按 clientmsgid 去重。为避免重复群发，"
                    "请人工到公众号后台 → 发表记录 核对是否已发出")
        # Repeating the same clientmsgid is safe: the platform answers 45065 if it was sent.
        return self._deliver(steps, posts)

    def _reconcile_publish(self, steps: WeChatSteps, posts: Posts) -> DeliveryResult:
        publish_id = steps.memo.get("publish_id")
        if publish_id:
            return steps.poll(publish_id)
        submitted = steps.memo.marked_at("submit_at")
        if submitted is None:
            return DeliveryResult(Outcome.RETRY, "没有发布记录：这条还没有提交发布，可以重新发布")
        media_id = steps.memo.get("draft")
        if media_id and not media_id.startswith(UNSURE) and steps.draft_exists(media_id):
            steps.memo.forget("submit_at")
            return DeliveryResult(
                Outcome.RETRY, "草稿仍在草稿箱中，微信没有收到发布请求，可以重新发布")
        # The draft was consumed: the submit's answer was lost after WeChat took it.
        found = steps.find_published(article_of(posts[0]), since=submitted)
        if found is not None:
            details = {"reach": "publish", "article_id": found["article_id"],
                       "settled_by": "freepublish/batchget"}
            return steps.memo.sent("核对结果：文章已发布（未推送给粉丝），发布记录中找到了这篇",
                                   remote_id=found["article_id"], url=found["url"],
                                   details=details)
        return DeliveryResult(
            Outcome.UNKNOWN,
            "发布请求已发出但没有收到答复，草稿已不在草稿箱。"
            "请人工到公众号后台 → 发表记录 核对是否已发布")

    def _preview(self, steps: WeChatSteps, posts: Posts, wechat_id: str) -> DeliveryResult:
        media_id, fresh = steps.draft(posts)
        try:
            result = steps.client.mass.preview(media_id, **preview_target(wechat_id))
        except CallFailed as exc:
            if exc.code != 40007 or fresh:
                raise
            steps.memo.forget("draft")
            media_id, _ = steps.draft(posts)
            result = steps.client.mass.preview(media_id, **preview_target(wechat_id))
        return DeliveryResult(
            Outcome.SENT, f"预览已发送给 {wechat_id}，请在手机微信上查看",
            remote_id=str(result.get("msg_id", "")),
            details={"reach": "preview", "preview_to": wechat_id, "draft_media_id": media_id})


def _ability(found: WeChatAbilities, reach: str) -> bool | None:
    """Whether the account may send the way it is configured to (None: not known)."""
    return found.publish if reach == "publish" else found.mass_send
