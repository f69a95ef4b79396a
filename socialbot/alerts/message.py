"""Alerts written for people: one digest per owner and channel, in plain Chinese.

Each alert becomes a block saying what happened, to which post and account, why, and
what to do. Robots take Markdown with a byte limit, so a digest too long for one message
is split between blocks (never inside one) into numbered parts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from socialbot.alerts.model import Alert, beijing_time

BRAND = "socialbot 提醒"
_SPACE_RE = re.compile(r"\s+")
_MD_LOOKALIKES = str.maketrans({"*": "＊", "`": "｀"})


@dataclass(frozen=True)
class Part:
    """One message of a digest and how many of its alerts (in order) it carries."""

    text: str
    count: int


@dataclass(frozen=True)
class EmailText:
    subject: str
    text: str
    html: str


def title(alerts: Sequence[Alert]) -> str:
    """A short headline: the kind and post for one alert, a count for a digest."""
    if len(alerts) == 1:
        a = alerts[0]
        what = f"《{_one_line(a.post_title)}》" if a.post_title else _one_line(a.account)
        return f"{BRAND}：{a.kind.label}" + (f" {what}" if what else "")
    kinds = "、".join(dict.fromkeys(a.kind.label for a in alerts))
    return f"{BRAND}：{len(alerts)} 条（{kinds}）"


def facts(alert: Alert, *, with_time: bool = True) -> list[tuple[str, str]]:
    """The labelled lines of one alert, in the order a person reads them.

    ``with_time`` False: the digest's heading already says when (robot messages have a
    byte limit, and ten alerts of one burst should fit in one message).
    """
    rows: list[tuple[str, str]] = [("时间", beijing_time(alert.at))] if with_time else []
    if alert.post_title:
        number = f"（编号 {alert.post_id}）" if alert.post_id.isdigit() else ""
        rows.append(("稿件", f"《{_one_line(alert.post_title)}》{number}"))
    account = _one_line(alert.account or alert.account_id)
    unit = _one_line(alert.unit)
    if account and unit:
        rows.append(("账号", f"{account}（{unit}）"))
    elif account or unit:
        rows.append(("账号" if account else "单位", account or unit))
    rows.append(("原因", _one_line(alert.reason)))
    rows.append(("处理", _one_line(alert.what_to_do)))
    return rows


def markdown_parts(alerts: Sequence[Alert], owner: str, max_bytes: int,
                   line_break: str = "\n") -> list[Part]:
    """The digest as Markdown messages, each at most ``max_bytes`` UTF-8 bytes.

    Parts cover the alerts in order; ``Part.count`` says how many each carries, so a
    caller that sent only the first parts knows which alerts are still owed.
    ``line_break`` separates the lines of a block (DingTalk joins single newlines).
    """
    same_minute = len({beijing_time(a.at) for a in alerts}) == 1
    when = f"时间：{beijing_time(alerts[0].at)}\n" if same_minute and alerts else ""
    heading = f"## {_md(title(alerts))}\n收件人：{_md(owner)}\n{when}"
    room = max_bytes - _size(heading) - _size("（第 99/99 部分）\n")
    groups: list[list[str]] = [[]]
    used = 0
    for number, alert in enumerate(alerts, 1):
        block = _fit(_markdown_block(number, alert, line_break, not same_minute), room)
        if groups[-1] and used + _size(block) > room:
            groups.append([])
            used = 0
        groups[-1].append(block)
        used += _size(block)
    if len(groups) == 1:
        return [Part(heading + "".join(groups[0]), len(groups[0]))]
    return [
        Part(heading + f"（第 {n}/{len(groups)} 部分）\n" + "".join(group), len(group))
        for n, group in enumerate(groups, 1)
    ]


def _markdown_block(number: int, alert: Alert, line_break: str, with_time: bool) -> str:
    lines = [f"\n### {number}. {alert.kind.label}"]
    for label, value in facts(alert, with_time=with_time):
        bold = label in ("原因", "处理")
        lines.append(f"> **{label}：**{_md(value)}" if bold else f"> {label}：{_md(value)}")
    return line_break.join(lines) + "\n"


def email(alerts: Sequence[Alert], owner: str) -> EmailText:
    """Subject, plain text and a simple HTML version of the same digest."""
    subject = title(alerts)
    text_lines = [f"{owner}，您好：", "", f"socialbot 有 {len(alerts)} 条提醒需要您知悉。", ""]
    html_blocks = []
    for i, alert in enumerate(alerts, 1):
        text_lines.append(f"{i}. {alert.kind.label}")
        text_lines += [f"   {label}：{value}" for label, value in facts(alert)]
        text_lines.append("")
        rows = "".join(
            f"<tr><th align=\"left\" style=\"padding:2px 12px 2px 0\">{html.escape(label)}</th>"
            f"<td>{html.escape(value)}</td></tr>"
            for label, value in facts(alert)
        )
        html_blocks.append(
            f"<h3>{i}. {html.escape(alert.kind.label)}</h3><table>{rows}</table>"
        )
    footer = "此邮件由 socialbot 自动发送，请勿直接回复。"
    text_lines.append(footer)
    body_html = (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"></head><body>"
        f"<p>{html.escape(owner)}，您好：</p>"
        f"<p>socialbot 有 {len(alerts)} 条提醒需要您知悉。</p>"
        + "".join(html_blocks)
        + f"<p style=\"color:#666\">{footer}</p></body></html>"
    )
    return EmailText(subject=subject, text="\n".join(text_lines) + "\n", html=body_html)


def _one_line(text: str) -> str:
    return _SPACE_RE.sub(" ", text or "").strip()


def _md(text: str) -> str:
    """Text shown as written in robot Markdown: a stray * or ` must not restyle a line.

    The robots' Markdown subsets do not document backslash escapes, so the two
    characters that would change the look are swapped for their full-width forms.
    """
    return text.translate(_MD_LOOKALIKES)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _fit(block: str, room: int) -> str:
    """A single block longer than a whole message is cut, visibly."""
    if _size(block) <= room:
        return block
    cut = block.encode("utf-8")[: max(room - _size("…\n"), 0)].decode("utf-8", "ignore")
    return cut + "…\n"
