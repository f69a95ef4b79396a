"""Sina Weibo (微博): the platform as the core sees it.

The channel (``channel.py``) and its HTTP client are imported only when a channel is
built, so commands that never publish do not load them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from markupsafe import Markup, escape

from socialbot.config import Account, Settings
from socialbot.errors import Problem
from socialbot.platforms.base import Channel, Fail, Platform, PreviewFiles
from socialbot.platforms.weibo import limits
from socialbot.platforms.weibo.account import KEYS, OFFICIAL_API_BASE, WeiboAccount
from socialbot.platforms.weibo.account import parse_account as parse_fields
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.platforms.weibo.report import REPORT
from socialbot.platforms.weibo.textcount import URL_RE, weibo_length
from socialbot.quota_rules import QuotaRule
from socialbot.reach import StatsCollector
from socialbot.rendered import Part, RenderedPost
from socialbot.report_spec import ReportSpec

if TYPE_CHECKING:
    from socialbot.render.job import RenderJob

__all__ = ["WEIBO", "WeiboAccount", "WeiboPlatform", "WeiboStatus"]


class WeiboPlatform(Platform):
    name: ClassVar[str] = "weibo"
    label: ClassVar[str] = "微博"
    official_api_base: ClassVar[str] = OFFICIAL_API_BASE
    post_text_field: ClassVar[str] = "weibo"
    post_text_label: ClassVar[str] = "微博正文"
    followers_by_reading: ClassVar[bool] = True  # users/show: followers_count, as of now
    report: ClassVar[ReportSpec | None] = REPORT
    preview_file_names: ClassVar[tuple[str, ...]] = ("weibo.txt",)

    text_max = limits.WEIBO_TEXT_MAX
    image_max_bytes = limits.WEIBO_IMAGE_MAX_BYTES

    def parse_account(self, account_id: str, table: dict[str, Any], common: dict[str, Any],
                      fail: Fail) -> Account | None:
        return parse_fields(table, common, fail)

    def account_keys(self) -> frozenset[str]:
        return KEYS

    def quota_rule(self, account: Account) -> QuotaRule | None:
        """statuses/share allows 30 posts per hour per user (platform-apis.md 11)."""
        return QuotaRule(30, "hour", "微博每小时最多发 30 条")

    def render(self, job: RenderJob) -> Part | None:
        from socialbot.platforms.weibo.render import render_status

        return render_status(job)

    def part_from_json(self, data: dict[str, Any]) -> Part:
        return WeiboStatus.from_json(data)

    def check(self, part: Part, account: Account, source: str) -> list[Problem]:
        from socialbot.platforms.weibo.checks import weibo_problems

        return weibo_problems(_account(account), _status(part), source)

    def describe(self, part: Part) -> list[tuple[str, str]]:
        return [("微博正文", _status(part).text)]

    def preview_checks(self, part: Part) -> list[tuple[str, int, int]]:
        return [("微博正文（按微博规则）", weibo_length(_status(part).text), self.text_max)]

    def preview_files(self, part: Part) -> dict[str, str]:
        (text,) = self.preview_file_names
        return {text: _status(part).text}

    def preview_card(self, part: Part, accounts: list[Account], files: PreviewFiles,
                     rendered: RenderedPost) -> Markup:
        from socialbot.platforms.common.cards import render_card

        status = _status(part)
        return render_card(Path(__file__).parent, "card.html", accounts=accounts,
                           date=rendered.date, text_html=_text_html(status.text),
                           poster=files[status.image.sha256])

    def channel(self, account: Account, settings: Settings, kv: Any, **options: Any) -> Channel:
        from socialbot.platforms.weibo.channel import WeiboChannel

        return WeiboChannel(_account(account), settings, kv, **options)

    def stats_collector(self, account: Account, settings: Settings, kv: Any,
                        **options: Any) -> StatsCollector | None:
        from socialbot.platforms.weibo.stats import WeiboStats

        return WeiboStats(_account(account), settings, kv, **options)

    def token_expiry(self, account: Account, settings: Settings,
                     kv: Any) -> dt.datetime | None:
        from socialbot.platforms.weibo.tokens import token_expiry  # no HTTP stack for status

        return token_expiry(_account(account), settings, kv)

    def forget_memory(self) -> None:
        from socialbot.platforms.weibo.channel import forget_token_checks

        forget_token_checks()


# A chain-link icon drawn inline, so it needs no font and no image file.
_LINK_ICON = (
    '<svg class="wb-link-icon" viewBox="0 0 16 16" aria-hidden="true">'
    '<g fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round">'
    '<path d="M6.3 9.7l3.4-3.4"/>'
    '<path d="M7.4 4.4l1.2-1.2a2.7 2.7 0 0 1 3.8 3.8l-1.2 1.2"/>'
    '<path d="M8.6 11.6l-1.2 1.2a2.7 2.7 0 0 1-3.8-3.8l1.2-1.2"/></g></svg>'
)
LINK_LABEL = "网页链接"


def _text_html(text: str) -> Markup:
    """Status text as followers see it: Weibo swaps each link for a t.cn short link and
    shows that as a "网页链接" chip, so the preview does the same (the chip's href is the
    real link). How the text is counted is unchanged (textcount.weibo_length)."""
    out, pos = [], 0
    for m in URL_RE.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        url = escape(m.group())
        out.append(
            f'<a class="wb-link" href="{url}" title="{url}" target="_blank" '
            f'rel="noopener noreferrer">{_LINK_ICON}{LINK_LABEL}</a>'
        )
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out).replace("\n", "<br>"))


def _account(account: Account) -> WeiboAccount:
    assert isinstance(account, WeiboAccount), account
    return account


def _status(part: Part) -> WeiboStatus:
    assert isinstance(part, WeiboStatus), part
    return part


WEIBO = WeiboPlatform()
