"""The steps of one WeChat delivery, each remembered in the shared store.

Images are remembered per account and content hash (``wechat:<appid>:uploadimg:<sha>`` → URL,
``wechat:<appid>:material:<sha>`` → media_id), so a picture is uploaded once per account.
The draft is remembered per delivery (``delivery:<key>:draft``), so a retry after a crash
does not create a second one. The publishing calls leave a marker before they go out.
Upload keys are also kept in this process's memory, so a known image costs no store read.

The store is written only where progress must exist before an irreversible call: the
marker written just before ``sendall``/``freepublish/submit`` carries the draft and the
new upload keys in the same transaction; what comes after (publish_id, done) is written
once when the operation ends (``DeliveryMemo(buffered=True)``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any

from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.platforms.common.calls import CallFailed
from socialbot.platforms.common.memo import DeliveryMemo
from socialbot.platforms.common.reactions import Reaction
from socialbot.platforms.common.retry import PollSchedule
from socialbot.platforms.wechat.account import WeChatAccount
from socialbot.platforms.wechat.api import SocialbotWeChatClient
from socialbot.platforms.wechat.part import WeChatArticle, article_of
from socialbot.platforms.wechat.payloads import (
    clientmsgid,
    draft_article,
    material_images,
    replace_refs,
    same_article,
    unique_images,
)
from socialbot.platforms.wechat.reactions import PUBLISH_STATUS, UNKNOWN_PUBLISH_STATUS
from socialbot.rendered import ImageAsset, RenderedPost

logger = logging.getLogger(__name__)

DRAFT_MEMO_TTL = 30 * 24 * 3600
UNSURE = "?"  # draft memo prefix: "a draft/add at <time> may have gone through"
LISTING_SLACK = dt.timedelta(minutes=5)  # clock skew between us and the platform

_UPLOADS: dict[str, str] = {}  # "<api base>|<store key>" -> URL or media_id
_UPLOADS_LOCK = threading.Lock()


def forget_uploads() -> None:
    """Drop the upload keys this process holds in memory."""
    with _UPLOADS_LOCK:
        _UPLOADS.clear()


@dataclass
class WeChatSteps:
    account: WeChatAccount
    client: SocialbotWeChatClient
    kv: Any
    memo: DeliveryMemo
    polls: PollSchedule

    # -- images and the draft ---------------------------------------------------------------

    def _image_key(self, kind: str, image: ImageAsset) -> str:
        return f"wechat:{self.account.appid}:{kind}:{image.sha256}"

    def _held(self, key: str) -> str | None:
        with _UPLOADS_LOCK:
            return _UPLOADS.get(f"{self.account.api_base}|{key}")

    def _known(self, key: str) -> str | None:
        """An upload key from memory, else from the shared store (then kept in memory)."""
        held = self._held(key)
        if held:
            return held
        value = self.memo.lookup(key)  # loaded with the memo (see ``load``) when new here
        if value:
            self._keep(key, value, store=False)
        return value

    def _keep(self, key: str, value: str, *, store: bool = True) -> None:
        if store:  # other processes reuse the upload too (written with the next marker)
            self.memo.put(key, value)
        with _UPLOADS_LOCK:
            _UPLOADS[f"{self.account.api_base}|{key}"] = value

    def load(self, posts: list[RenderedPost], *names: str, keys: tuple[str, ...] = ()) -> None:
        """One read for the memo ``names``, ``keys`` and the upload keys not in memory."""
        uploads = []
        for article in (article_of(r) for r in posts):
            uploads += [self._image_key("uploadimg", i) for i in unique_images(article)]
            uploads += [self._image_key("material", i) for i in material_images(article)]
        self.memo.load(names, [*keys, *(k for k in uploads if not self._held(k))])

    def upload_inline(self, image: ImageAsset) -> str:
        """``media/uploadimg``: the URL to use inside the article (once per account)."""
        key = self._image_key("uploadimg", image)
        url = self._known(key)
        if not url:
            url = str(self.client.media.upload_image((image.filename, image.data, image.mime)))
            self._keep(key, url)
            logger.info("已上传正文图片 %s（账号 %s）", image.filename, self.account.id)
        return url

    def upload_cover(self, image: ImageAsset, *, again: bool = False,
                     what: str = "封面") -> str:
        """``material/add_material?type=image``: a permanent media_id (once per account)."""
        key = self._image_key("material", image)
        media_id = None if again else self._known(key)
        if not media_id:
            result = self.client.material.add("image", (image.filename, image.data, image.mime))
            media_id = str(result["media_id"])
            self._keep(key, media_id)
            logger.info("已上传%s %s（账号 %s）", what, image.filename, self.account.id)
        return media_id

    def upload_materials(self, article: WeChatArticle, *,
                         again: bool = False) -> tuple[str, list[str]]:
        """The cover's permanent media_id and a 贴图's pictures' (each picture once)."""
        what = "贴图图片" if article.is_newspic else "封面"
        ids = {i.sha256: self.upload_cover(i, again=again, what=what)
               for i in material_images(article)}
        return ids[article.cover.sha256], [ids[i.sha256] for i in article.image_list]

    def draft(self, posts: list[RenderedPost]) -> tuple[str, bool]:
        """The send's draft media_id (all its articles, in order), and whether it was
        created (or found) just now."""
        known = self.memo.get("draft")
        if known and not known.startswith(UNSURE):
            return known, False
        articles = [article_of(r) for r in posts]
        if known:  # an earlier draft/add's answer was lost: the draft may exist
            found = self.find_draft(articles, since=dt.datetime.fromisoformat(known[1:]))
            if found:
                self.memo.set("draft", found, ttl=DRAFT_MEMO_TTL)
                return found, True
        bodies = [self._article_body(a) for a in articles]
        try:
            media_id = self._add_draft(articles, bodies)
        except CallFailed as exc:
            if exc.code != 40007:
                raise
            # A remembered material was deleted from the library: upload them again.
            bodies = [self._article_body(a, again=True) for a in articles]
            media_id = self._add_draft(articles, bodies)
        self.memo.set("draft", media_id, ttl=DRAFT_MEMO_TTL)
        logger.info("已新建草稿 %s（%d 篇，账号 %s）", media_id, len(articles), self.account.id)
        return media_id, True

    def _article_body(self, article: WeChatArticle, *, again: bool = False) -> dict[str, Any]:
        """One draft/add article with its images uploaded (each once per account)."""
        urls = {i.sha256: self.upload_inline(i) for i in unique_images(article)}
        thumb, pictures = self.upload_materials(article, again=again)
        return draft_article(article, replace_refs(article.content_html, urls), thumb, pictures)

    def _add_draft(self, articles: list[WeChatArticle], bodies: list[dict[str, Any]]) -> str:
        """``draft/add``; after a lost answer, look in the draft box before adding again."""
        attempt = 0
        while True:
            attempt += 1
            started = self.memo.now()
            try:
                return str(self.client.draft.add(bodies))
            except CallFailed as exc:
                if exc.reaction is not Reaction.UNKNOWN:
                    raise
                # Remembered only on this rare path (at once), so a later run looks first too.
                self.memo.set("draft", UNSURE + started.isoformat(), ttl=DRAFT_MEMO_TTL,
                              at_once=True)
                found = self.find_draft(articles, since=started)
                if found:
                    logger.info("草稿新建的答复丢失，在草稿箱中找到 %s（账号 %s）",
                                found, self.account.id)
                    return found
                if attempt >= self.client.policy.tries:
                    raise
                self.client.policy.wait(attempt)

    def find_draft(self, articles: list[WeChatArticle], since: dt.datetime) -> str | None:
        """``draft/batchget``: the media_id of the draft of these articles made after ``since``."""
        after = (since - LISTING_SLACK).timestamp()
        for item in self.client.draft.batchget():
            news = (item.get("content") or {}).get("news_item") or []
            if int(item.get("update_time") or 0) >= after and len(news) == len(articles) \
                    and all(same_article(n, a, digest=len(articles) == 1)
                            for n, a in zip(news, articles, strict=True)):
                return str(item["media_id"])
        return None

    def find_published(self, article: WeChatArticle,
                       since: dt.datetime) -> dict[str, Any] | None:
        """``freepublish/batchget``: this article, published after ``since`` (or None)."""
        after = (since - LISTING_SLACK).timestamp()
        for item in self.client.freepublish.batchget():
            news = (item.get("content") or {}).get("news_item") or [{}]
            if int(item.get("update_time") or 0) >= after and same_article(news[0], article) \
                    and not news[0].get("is_deleted"):
                return {"article_id": str(item.get("article_id", "")),
                        "url": str(news[0].get("url", ""))}
        return None

    # -- mass send --------------------------------------------------------------------------

    def mass_send(self, media_id: str) -> DeliveryResult:
        """``message/mass/sendall`` with the delivery's clientmsgid; 45065 means sent before."""
        cid = clientmsgid(self.memo.key)
        tag = self.account.tag_id
        audience = "全部粉丝" if tag is None else f"标签 {tag} 的粉丝"
        self.memo.mark("sendall_at")
        status = ""
        try:
            logger.info("群发草稿 %s 给%s（账号 %s）", media_id, audience, self.account.id)
            result = self.client.mass.sendall(media_id, clientmsgid=cid, tag_id=tag)
            message = f"已群发给{audience}"
        except CallFailed as exc:
            if exc.reaction is not Reaction.ALREADY_DONE:
                raise
            result = exc.data or {}
            message = exc.explain()
            status = self.mass_status(result.get("msg_id"))
        msg_id = str(result.get("msg_id", ""))
        details = {"reach": "mass_send", "msg_id": msg_id,
                   "msg_data_id": str(result.get("msg_data_id", "")),
                   "clientmsgid": cid, "draft_media_id": media_id}
        if status:
            details["msg_status"] = status
        if status == "SEND_FAIL":
            return DeliveryResult(
                Outcome.FAILED, f"之前的群发（msg_id {msg_id}）发送失败，请到公众号后台查看原因",
                remote_id=msg_id, details=details)
        return self.memo.sent(message, remote_id=msg_id, details=details)

    def mass_status(self, msg_id: Any) -> str:
        """SEND_SUCCESS / SENDING / SEND_FAIL / DELETE of an earlier send ("" if unknown)."""
        if not msg_id:
            return ""
        try:
            return str(self.client.mass.get(int(msg_id)).get("msg_status", ""))
        except (CallFailed, ValueError) as exc:
            logger.warning("查询群发 %s 的状态失败：%s", msg_id, exc)
            return ""

    # -- freepublish ------------------------------------------------------------------------

    def freepublish(self, media_id: str) -> DeliveryResult:
        """``freepublish/submit`` once per delivery, then poll its result."""
        publish_id = self.memo.get("publish_id")
        if not publish_id:
            self.memo.mark("submit_at")
            publish_id = str(self.client.freepublish.submit(media_id)["publish_id"])
            self.memo.set("publish_id", publish_id)
        return self.poll(publish_id)

    def poll(self, publish_id: str) -> DeliveryResult:
        """``freepublish/get`` with growing waits until the job ends or the bound is hit."""
        status, job = 1, {}
        for n in range(self.polls.polls):
            if n:
                self.polls.sleep(self.polls.delays[n - 1])
            job = self.client.freepublish.get(publish_id)
            status = int(job.get("publish_status", -1))
            if status != 1:
                break
        details: dict[str, Any] = {"reach": "publish", "publish_id": publish_id,
                                   "publish_status": status}
        if status == 0:
            items = (job.get("article_detail") or {}).get("item") or [{}]
            details["article_id"] = str(job.get("article_id", ""))
            return self.memo.sent("已发布（未推送给粉丝），文章链接已生成",
                                  remote_id=details["article_id"],
                                  url=str(items[0].get("article_url", "")), details=details)
        if status == 1:
            return DeliveryResult(
                Outcome.UNKNOWN, f"微信仍在发布中（publish_id {publish_id}），稍后会再查询结果",
                remote_id=publish_id, details=details)
        rule = PUBLISH_STATUS.get(status, UNKNOWN_PUBLISH_STATUS)
        fail_idx = "、".join(str(i) for i in job.get("fail_idx") or []) or "未知"
        # Nothing went live: forget the job and the consumed draft, so a deliberate retry
        # starts over with a new draft.
        self.memo.forget("publish_id", "submit_at", "draft")
        details["fail_idx"] = job.get("fail_idx") or []
        return DeliveryResult(Outcome.FAILED, rule.explain(status, fail_idx),
                              remote_id=publish_id, details=details)

    def draft_exists(self, media_id: str) -> bool:
        try:
            self.client.draft.get(media_id)
        except CallFailed as exc:
            if exc.code != 40007:
                raise
            return False
        return True
