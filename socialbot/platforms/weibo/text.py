"""Weibo text: whitespace folded as Weibo shows it, then the share API's rules checked."""

from __future__ import annotations

import re

from socialbot.errors import Problem
from socialbot.platforms.weibo.account import WeiboAccount
from socialbot.platforms.weibo.limits import WEIBO_TEXT_MAX
from socialbot.platforms.weibo.textcount import URL_RE, weibo_length

_TOPIC_RE = re.compile(r"#[^#\r\n]+#")
_SPACES_RE = re.compile(r"[ \t\u3000]+")


def normalise(text: str) -> str:
    """Fold runs of spaces and blank lines the way a Weibo card displays them."""
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def check_weibo_text(text: str, where: str, accounts: list[WeiboAccount]) -> list[Problem]:
    """statuses/share's text rules: the one implementation, used at render and send time."""
    problems: list[Problem] = []
    if not text.strip():
        problems.append(Problem(where, "微博正文不能为空"))
    length = weibo_length(text)
    if length > WEIBO_TEXT_MAX:
        problems.append(
            Problem(
                where,
                f"微博正文按微博规则计 {length} 字，超过上限 "
                f"{WEIBO_TEXT_MAX} 字，请删减 {length - WEIBO_TEXT_MAX} 字以上",
            )
        )
    if _TOPIC_RE.search(URL_RE.sub(" ", text)):  # a link's #fragment is not a topic
        problems.append(Problem(where, "微博正文不能含 #话题# 标记（分享接口不支持），请去掉 # 号"))
    urls = URL_RE.findall(text)
    for account in accounts:
        if not any(account.link_allowed(u) for u in urls):
            domains = "、".join(account.safe_domains)
            problems.append(
                Problem(
                    where,
                    f"微博正文必须含有账号 {account.id} 安全域名（{domains}）"
                    "下的链接，请检查稿件的 link 字段",
                )
            )
    return problems
