"""Chinese typography (GB/T 15834 标点符号用法): half-width marks, quotes, repeats.

Half-width punctuation inside Chinese sentences is found by autocorrect-py's linter
(the AutoCorrect project's rules, which already skip URLs, code and Markdown syntax).
Only its ``fullwidth`` rule is on: its spacing rules would ask for a space between
Chinese and digits or Latin letters ("2022 年 6 月 9 日"), which official Chinese
style does not use, and its spellcheck is English-only. Quotes, parentheses and
repeated marks are ours: autocorrect leaves "…" and (…) alone in Chinese text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

import autocorrect_py

from socialbot.checks.model import Hit, Kind, TextField
from socialbot.checks.prose import CJK, is_cjk, line_starts, prose
from socialbot.checks.wordlists import WordLists

AUTOCORRECT_RULES = """
rules:
  fullwidth: 1
  space-word: 0
  space-punctuation: 0
  space-bracket: 0
  space-backticks: 0
  space-dash: 0
  space-dollar: 0
  no-space-fullwidth: 0
  no-space-fullwidth-quote: 0
  halfwidth-word: 0
  halfwidth-punctuation: 0
  spellcheck: 0
"""
autocorrect_py.load_config(AUTOCORRECT_RULES)  # process-wide; socialbot is its only user

HALF_PARENS_RE = re.compile(r"\(([^()\n]{0,200})\)")
REPEAT_RE = re.compile(r"([！？。，、；：])\1+")
ELLIPSIS_RUN_RE = re.compile(r"…+")
DOTS_RE = re.compile(rf"(?<=[{CJK}，。！？”])(?:\.{{3,}}|。{{3,}})")
STRAIGHT_QUOTED_RE = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
CORNER_QUOTES_RE = re.compile(r"[「」『』]")
SURROGATE_RE = re.compile("[\ud800-\udfff]")


def punctuation(field: TextField, lists: WordLists) -> Iterator[Hit]:
    """Half-width , . ! ? : ; and ( ) where the sentence around them is Chinese."""
    if field.kind is Kind.URL:
        return
    yield from _autocorrect_hits(field)
    text = prose(field)
    for m in HALF_PARENS_RE.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        if any(is_cjk(c) for c in m.group(1)) or (before and is_cjk(before)):
            yield Hit(*m.span(), f"中文句子中的半角括号“{m.group(0)}”应为全角“（{m.group(1)}）”")


def _autocorrect_hits(field: TextField) -> Iterator[Hit]:
    kind = "markdown" if field.kind is Kind.MARKDOWN else "text"
    starts = line_starts(field.text)
    text = SURROGATE_RE.sub("\ufffd", field.text)  # the linter needs encodable text
    for number, col, was, fixed in _lint(text, kind):
        base = starts[number - 1] + col - 1 if number <= len(starts) else 0
        matcher = difflib.SequenceMatcher(a=was, b=fixed, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            old, new = was[i1:i2], fixed[j1:j2]
            yield Hit(base + i1, base + max(i2, i1 + 1),
                      f"中文句子中的半角“{old}”应为全角“{new}”")


def _lint(text: str, kind: str) -> list[tuple[int, int, str, str]]:
    """autocorrect's (line, column, old, new) for ``text``. When its parser gives up on
    pathological text ("call limit reached", e.g. thousands of ``[``), each line is linted
    alone and the lines it cannot parse are skipped."""
    try:
        return [(r.line, r.col, r.old, r.new) for r in autocorrect_py.lint_for(text, kind).lines]
    except ValueError:
        pass
    results = []
    for number, line in enumerate(text.split("\n"), start=1):
        try:
            found = autocorrect_py.lint_for(line, kind).lines
        except ValueError:
            continue
        results += [(number, r.col, r.old, r.new) for r in found]
    return results


def repeated_punctuation(field: TextField, lists: WordLists) -> Iterator[Hit]:
    """！！ 。。 ，， and ellipses that are not the two-part “……”."""
    text = prose(field)
    taken: list[tuple[int, int]] = []
    for m in DOTS_RE.finditer(text):
        taken.append(m.span())
        yield Hit(*m.span(), f"“{m.group(0)}”应写作省略号“……”")
    for m in ELLIPSIS_RUN_RE.finditer(text):
        if len(m.group(0)) != 2:
            yield Hit(*m.span(), f"省略号写了 {len(m.group(0))} 个“…”，应为两个：“……”")
    for m in REPEAT_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        yield Hit(*m.span(), f"标点“{m.group(0)}”重复，请只保留一个“{m.group(1)}”")


def quotes(field: TextField, lists: WordLists) -> Iterator[Hit]:
    """Straight or corner quotes in Chinese text, and “ ” that do not pair up."""
    text = prose(field)
    for m in STRAIGHT_QUOTED_RE.finditer(text):
        if any(is_cjk(c) for c in m.group(0)) or _cjk_beside(text, m.start(), m.end()):
            yield Hit(*m.span(), f"中文中的直引号{m.group(0)}应改为弯引号“”或‘’")
    for m in CORNER_QUOTES_RE.finditer(text):
        yield Hit(*m.span(), f"引号 {m.group(0)} 应改为“”或‘’（内地通用写法）")
    open_at: list[int] = []
    for i, char in enumerate(text):
        if char == "“":
            open_at.append(i)
        elif char == "”":
            if open_at:
                open_at.pop()
            else:
                yield Hit(i, i + 1, "这个右引号 ” 前面缺少对应的左引号 “")
    for i in open_at:
        yield Hit(i, i + 1, "这个左引号 “ 后面缺少对应的右引号 ”")


def _cjk_beside(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return is_cjk(before) or is_cjk(after)
