"""WeChat Official Accounts (公众号): the platform as the core sees it.

The channel (``channel.py``) and its wechatpy client are imported only when a channel
is built, so commands that never publish do not load them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from markupsafe import Markup

from socialbot.config import Account, Settings
from socialbot.errors import Problem
from socialbot.platforms.base import Abilities, Channel, Fail, Platform, PreviewFiles
from socialbot.platforms.wechat import limits
from socialbot.platforms.wechat.account import KEYS, OFFICIAL_API_BASE, WeChatAccount
from socialbot.platforms.wechat.account import parse_account as parse_fields
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.platforms.wechat.report import REPORT
from socialbot.quota_rules import QuotaRule
from socialbot.reach import StatsCollector
from socialbot.rendered import Part, RenderedPost
from socialbot.report_spec import ReportSpec

if TYPE_CHECKING:
    from socialbot.render.job import RenderJob

__all__ = ["WECHAT", "WeChatAccount", "WeChatArticle", "WeChatPlatform"]

MASS_SEND_CAPACITY = 8  # articles in one mass-send message (45008 beyond)


class WeChatPlatform(Platform):
    name: ClassVar[str] = "wechat"
    label: ClassVar[str] = "微信"
    official_api_base: ClassVar[str] = OFFICIAL_API_BASE
    body_link_hosts: ClassVar[tuple[str, ...]] = limits.WECHAT_LINK_HOSTS
    can_send_preview: ClassVar[bool] = True
    report: ClassVar[ReportSpec | None] = REPORT
    preview_file_names: ClassVar[tuple[str, ...]] = ("wechat-content.html", "wechat-newspic.txt")

    title_max = limits.WECHAT_TITLE_MAX
    author_max = limits.WECHAT_AUTHOR_MAX
    digest_max = limits.WECHAT_DIGEST_MAX
    content_max_chars = limits.WECHAT_CONTENT_MAX_CHARS
    content_max_bytes = limits.WECHAT_CONTENT_MAX_BYTES
    source_url_max_bytes = limits.WECHAT_SOURCE_URL_MAX_BYTES
    cover_max_bytes = limits.WECHAT_COVER_MAX_BYTES
    inline_image_max_bytes = limits.WECHAT_INLINE_IMAGE_MAX_BYTES

    def parse_account(self, account_id: str, table: dict[str, Any], common: dict[str, Any],
                      fail: Fail) -> Account | None:
        return parse_fields(table, common, fail)

    def account_keys(self) -> frozenset[str]:
        return KEYS

    def quota_rule(self, account: Account) -> QuotaRule | None:
        """Only mass sends count (platform-apis.md 4.2): daily or monthly by account kind."""
        a = _account(account)
        if a.reach != "mass_send":
            return None
        if a.kind == "service":
            return QuotaRule(4, "month", "服务号每个自然月最多群发 4 次")
        return QuotaRule(1, "day", "订阅号每天（北京时间）最多群发 1 次")

    def message_capacity(self, account: Account) -> int:
        return MASS_SEND_CAPACITY if _account(account).reach == "mass_send" else 1

    def push_time(self, account: Account) -> dt.time | None:
        a = _account(account)
        return a.push_time if a.reach == "mass_send" else None

    def separate_send(self, rendered: RenderedPost | None) -> bool:
        """A 贴图 (newspic) cannot share a message with news articles (draft/add rules)."""
        if rendered is None:
            return False
        part = rendered.parts.get(self.name)
        return rendered.template == limits.NEWSPIC_TEMPLATE or (
            isinstance(part, WeChatArticle) and part.is_newspic)

    def reach(self, account: Account) -> str:
        return _account(account).reach

    def render(self, job: RenderJob) -> Part | None:
        if job.post.template == limits.NEWSPIC_TEMPLATE:
            from socialbot.platforms.wechat.newspic import render_newspic

            return render_newspic(job)
        from socialbot.platforms.wechat.render import render_article

        return render_article(job)

    def part_from_json(self, data: dict[str, Any]) -> Part:
        return WeChatArticle.from_json(data)

    def check(self, part: Part, account: Account, source: str) -> list[Problem]:
        from socialbot.platforms.wechat.checks import wechat_problems

        return wechat_problems(account, _article(part), source)

    def describe(self, part: Part) -> list[tuple[str, str]]:
        a = _article(part)
        if a.is_newspic:
            return [("微信贴图标题", a.title), ("微信贴图", f"{len(a.image_list)} 张图片")]
        return [("微信标题", a.title), ("微信摘要", a.digest)]

    def preview_checks(self, part: Part) -> list[tuple[str, int, int]]:
        a = _article(part)
        if a.is_newspic:
            return [("微信贴图标题", len(a.title), self.title_max),
                    ("贴图文字", len(a.content_html), limits.NEWSPIC_TEXT_MAX),
                    ("贴图图片（张）", len(a.image_list), limits.NEWSPIC_IMAGES_MAX)]
        return [("微信标题", len(a.title), self.title_max),
                ("微信摘要", len(a.digest), self.digest_max)]

    def preview_files(self, part: Part) -> dict[str, str]:
        a = _article(part)
        article, newspic = self.preview_file_names
        return {newspic if a.is_newspic else article: a.content_html}

    def preview_card(self, part: Part, accounts: list[Account], files: PreviewFiles,
                     rendered: RenderedPost) -> Markup:
        from socialbot.platforms.common.cards import render_card
        from socialbot.platforms.wechat.crops import crop_style

        a = _article(part)
        if a.is_newspic:
            return render_card(Path(__file__).parent, "newspic_card.html", a=a,
                               accounts=accounts, date=rendered.date,
                               pictures=[files[i.sha256] for i in a.image_list],
                               crop_11=crop_style(a.crop_1_1),
                               paragraphs=a.content_html.split("\n"))
        article_html = a.content_html
        for sha, name in files.items():
            article_html = article_html.replace(f"asset:{sha}", name)
        return render_card(Path(__file__).parent, "card.html", a=a, accounts=accounts,
                           date=rendered.date, cover=files[a.cover.sha256],
                           crop_235=crop_style(a.crop_235_1), crop_11=crop_style(a.crop_1_1),
                           article_html=article_html)

    def message_card(self, account: Account, items: list[tuple[Part, str, str]],
                     day: str) -> Markup:
        from socialbot.platforms.common.cards import render_card
        from socialbot.platforms.wechat.crops import crop_style

        shown = [{"a": _article(part), "cover": f"{folder}/{_article(part).cover.filename}",
                  "page": page, "crop_235": crop_style(_article(part).crop_235_1),
                  "crop_11": crop_style(_article(part).crop_1_1)}
                 for part, folder, page in items]
        return render_card(Path(__file__).parent, "message.html", account=account,
                           items=shown, day=day)

    def channel(self, account: Account, settings: Settings, kv: Any, **options: Any) -> Channel:
        from socialbot.platforms.wechat.channel import WeChatChannel

        return WeChatChannel(_account(account), settings, kv, **options)


    def stats_collector(self, account: Account, settings: Settings, kv: Any,
                        **options: Any) -> StatsCollector | None:
        from socialbot.platforms.wechat.stats import WeChatStats

        return WeChatStats(_account(account), settings, kv, **options)

    def abilities(self, account: Account, settings: Settings, kv: Any, *,
                  fresh: bool = False,
                  now: Callable[[], dt.datetime] | None = None) -> Abilities | None:
        """Verified or not, mass send, publish, draft: from 48001 answers (``probe.py``)."""
        from socialbot.platforms.wechat.probe import known_abilities, probe

        a = _account(account)
        clock = now or (lambda: dt.datetime.now(dt.UTC))
        found = None if fresh else known_abilities(a, kv, clock())
        return (found or probe(a, settings, kv, now=clock)).for_staff(a)

    def forget_memory(self) -> None:
        from socialbot.platforms.wechat.probe import forget_abilities
        from socialbot.platforms.wechat.steps import forget_uploads
        from socialbot.platforms.wechat.token import forget_tokens

        forget_tokens()
        forget_uploads()
        forget_abilities()


def _account(account: Account) -> WeChatAccount:
    assert isinstance(account, WeChatAccount), account
    return account


def _article(part: Part) -> WeChatArticle:
    assert isinstance(part, WeChatArticle), part
    return part


WECHAT = WeChatPlatform()
