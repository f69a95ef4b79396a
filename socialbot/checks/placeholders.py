"""Placeholders: the marks a writer leaves where a fact is still missing.

A sample or draft may say 【待补充：直播时间】 instead of inventing a time; this rule
makes sure such a mark can never be published. It looks for draft notes in brackets,
"此处填写…", TODO-style tags, runs of X / × / ＊ / □, and template leftovers.
Brackets alone are fine: 【活动公告】 is a normal Weibo heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from socialbot.checks.model import Hit, Kind, TextField
from socialbot.checks.prose import prose
from socialbot.checks.wordlists import WordLists

DRAFT_WORDS = (r"待补充|待填写|待填|待确认|待核实|待核对|待定|待更新|待提供|待完善|待修改|待落实"
               r"|此处|暂定|请填写|请补充|请输入|请替换|TODO|TBD|FIXME")
STRICT_DRAFT_WORDS = (r"待补充|待填写|待确认|待核实|待核对|待更新|待提供|待完善|此处"
                      r"|请填写|请补充|请输入|请替换|TODO|TBD|FIXME")

PATTERNS: tuple[tuple[re.Pattern[str], frozenset[Kind]], ...] = (
    # 【待补充：时间】, 【】 — a square-bracket note with a draft word, or an empty one
    (re.compile(rf"【[^【】\n]{{0,40}}?(?:{DRAFT_WORDS})[^【】\n]{{0,40}}】|【\s*】"),
     frozenset(Kind)),
    # [待确认] (此处填写) 〔待补充〕 {{TODO}}
    (re.compile(rf"[\[［(（〔{{｛][^\[\]［］()（）〔〕{{}}｛｝\n]{{0,40}}?(?:{STRICT_DRAFT_WORDS})"
                rf"[^\[\]［］()（）〔〕{{}}｛｝\n]{{0,40}}[\]］)）〕}}｝]"), frozenset(Kind)),
    # 此处填写单位名称
    (re.compile(r"此处(?:填写|插入|补充|添加|替换|放置|输入|粘贴|填入)"),
     frozenset({Kind.PLAIN, Kind.MARKDOWN})),
    # TODO / FIXME / TBD / TKTK, and dummy text
    (re.compile(r"(?<![A-Za-z])(?:TODO|FIXME|TBD|TKTK)(?![A-Za-z])|lorem ipsum", re.IGNORECASE),
     frozenset(Kind)),
    # template leftovers: {{ name }}, ${name}
    (re.compile(r"\{\{[^{}\n]{0,40}\}\}|\$\{[^{}\n]{0,40}\}"), frozenset(Kind)),
)

# Runs of fill-in marks are read from the prose only (so /xxgk/ in a web address is fine).
FILL_INS = (
    re.compile(r"(?<![A-Za-z0-9_])[XxＸｘ×]{2,}(?![A-Za-z])"),  # XX月XX日, ××局, XXX
    re.compile(r"＊{2,}"),  # ＊＊＊
    re.compile(r"□{2,}"),  # □□单位
    # ○○年: but not beside a Chinese numeral, as in 二○○八年 (○ typed for the zero 〇)
    re.compile(r"(?<![〇零一二三四五六七八九十])[○◯]{2,}(?![〇零一二三四五六七八九十])"),
)
PLAIN_STARS = re.compile(r"\*{3,}")  # *** in a title or digest (the body's *** is Markdown)


def placeholder(field: TextField, lists: WordLists) -> Iterator[Hit]:
    found: list[tuple[int, int]] = []
    for pattern, kinds in PATTERNS:
        if field.kind in kinds:
            found += [m.span() for m in pattern.finditer(field.text)]
    text = prose(field)
    for pattern in FILL_INS:
        found += [m.span() for m in pattern.finditer(text)]
    if field.kind is Kind.PLAIN:
        found += [m.span() for m in PLAIN_STARS.finditer(text)]
    end = -1
    for start, stop in sorted(found, key=lambda s: (s[0], -s[1])):
        if start < end:
            continue
        end = stop
        excerpt = field.text[start:stop]
        yield Hit(start, stop, f"“{excerpt}”是尚未填写的占位内容，请换成核实过的真实内容")
