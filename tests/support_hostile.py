"""Hostile post files (the ones that once hung or crashed socialbot) and what staff must
see instead: a Chinese message that says where, never a parser's English."""

from __future__ import annotations

import re

from tests.helpers import GOOD_POST

# Nine levels of nine references: a few hundred bytes that expand to 9**9 list items.
ALIAS_BOMB = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)
)


def _with_title(value: str) -> str:
    return GOOD_POST.replace("title: 实验室“云开放”直播预告", f"title: {value}")


def _bomb_in_details() -> str:
    """The bomb inside ``details``, set off by ``labs``, a list the template walks."""
    indented = "".join(f"  {line}\n" for line in ALIAS_BOMB.splitlines())
    return GOOD_POST.replace("details:\n", "details:\n" + indented).replace(
        "labs: [上海市质量监督检验技术研究院]", "labs: *l8"
    )


# name -> (post file text, the line staff are sent to, words the message must hold)
HOSTILE_POSTS: dict[str, tuple[str, int, str]] = {
    "alias-bomb": (_bomb_in_details(), 11, "锚点"),
    "tag-int": (_with_title("!!int abc"), 3, "标签"),
    "tag-timestamp": (
        GOOD_POST.replace("date: 2022-06-09", "date: !!timestamp 2022-13-99"), 6, "标签"
    ),
    "deep-nesting": (_with_title("[" * 1000), 3, "层级太深"),
    # In the digest: no glyph check reads it, so only writing it out would notice.
    "surrogate": (
        GOOD_POST.replace("digest: 6月9日，", 'digest: "6月9日\\uD800"\n# '), 5, "U+D800"
    ),
}
DOT_NAMES = ("...md", "..md")

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_QUOTED_RE = re.compile(r"“[^”]*”|「[^」]*」")  # staff's own text, echoed back in quotes
_ENGLISH_RE = re.compile(
    r"\b(?:expected|found|while|scanning|parsing|allowed|could not|stream|mapping|"
    r"sequence|token|scalar|invalid|cannot|unclosed|unterminated|illegal|escaped|"
    r"duplicate|error|traceback|line \d|column|exception|decode)\b",
    re.IGNORECASE,
)


def assert_staff_message(message: str) -> None:
    """Chinese, and none of PyYAML's, tomllib's or Python's English."""
    assert _CJK_RE.search(message), f"not Chinese: {message!r}"
    leak = _ENGLISH_RE.search(_QUOTED_RE.sub("", message))
    assert leak is None, f"English leaks into {message!r}"
