"""PyYAML's English problems, told in Chinese a comms staffer can act on.

PyYAML reports a problem (what went wrong), where it noticed it, and often a context
(what it was reading and where that started: an open quote, a ``[``). The useful place
for staff is often where the context started, so each rule says which place to show.
Nothing of PyYAML's wording reaches staff: an unknown problem gets a general hint.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import yaml

from socialbot.strictdata import describe_char

QUOTE_HINT = (
    "值里有英文冒号加空格“: ”或“ #”，或以 [ { & * ! | > ' \" % @ ` 等符号开头时，"
    "请用引号把整段文字括起来"
)
ANCHOR_MESSAGE = "头信息中不能使用“&”（YAML 锚点）；文字以 & 开头时请用引号括起来"
ALIAS_MESSAGE = "头信息中不能使用“*”（YAML 引用）；文字以 * 开头时请用引号括起来"
TAG_MESSAGE = "头信息中不能使用“!”标签（如 !!int、!!timestamp）；文字以 ! 开头时请用引号括起来"
DIRECTIVE_MESSAGE = "头信息中不能使用以 % 开头的 YAML 指令；文字以 % 开头时请用引号括起来"
GENERAL_MESSAGE = "头信息格式有误，请检查这一行及上一行的冒号、引号、括号和缩进"

_FOUND_RE = re.compile(
    r"(?:found character|but found|but got) ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
)
_TOKEN_WORDS = {  # PyYAML's token names, as staff see them in the file
    "<stream end>": "头信息结束",
    "<document end>": "“...”",
    "<document start>": "“---”",
    "<scalar>": "文字",
    "<block end>": "缩进结束",
    "<block mapping start>": "新的一组字段",
    "<block sequence start>": "新的列表",
    "<block entry>": "“- ”",
    "<key>": "字段名",
    "<value>": "“: ”",
}


@dataclass(frozen=True)
class Explained:
    index: int | None  # character index in the YAML text where the problem should be shown
    message: str


def _found(problem: str) -> str:
    """What PyYAML found where it expected something else, in words staff recognise."""
    match = _FOUND_RE.search(problem)
    if not match:
        return "别的内容"
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return "别的内容"
    if not isinstance(value, str):
        return "别的内容"
    if value in _TOKEN_WORDS:
        return _TOKEN_WORDS[value]
    if value in ("\0", ""):
        return "头信息结束"
    if value == "\t":
        return "Tab 键字符"
    if len(value) == 1 and value.isprintable():
        return f"“{value}”"
    return "别的内容"


def explain(exc: yaml.YAMLError) -> Explained:
    """Chinese words (and the place to show) for a PyYAML reader, scanner or parser error."""
    if isinstance(exc, yaml.reader.ReaderError):
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)[:1]
        return Explained(exc.position, f"含有不允许的字符 {describe_char(char or ' ')}，请删除")
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Explained(None, GENERAL_MESSAGE)
    problem = exc.problem or ""
    context = exc.context or ""
    here = exc.problem_mark.index if exc.problem_mark else None
    start = exc.context_mark.index if exc.context_mark else here
    found = _found(problem)
    if "anchor" in context or "alias" in context:
        return Explained(here, ANCHOR_MESSAGE if "anchor" in context else ALIAS_MESSAGE)
    if "tag" in context or "tag" in problem:
        return Explained(here, TAG_MESSAGE)
    if "directive" in context:
        return Explained(here, DIRECTIVE_MESSAGE)
    if "quoted scalar" in context and ("end of stream" in problem or "separator" in problem):
        return Explained(start, "引号没有成对：这一行开始的引号直到头信息结束都没有闭合")
    if "escape" in problem:
        return Explained(
            here, "双引号中的反斜杠“\\”写法不对；要写反斜杠本身请写成“\\\\”，或改用单引号"
        )
    if "block scalar" in context:
        return Explained(here, "“|”或“>”（多行文字）后面只能紧跟换行，文字从下一行开始并缩进")
    if problem == "could not find expected ':'":
        return Explained(
            start, "这一行缺少“字段: 值”中的英文冒号加空格，或这一行的引号、括号没有闭合"
        )
    if problem == "mapping values are not allowed here":
        return Explained(here, "这里多了一个英文冒号加空格“: ”，或缩进不对；" + QUOTE_HINT)
    if problem in ("sequence entries are not allowed here", "mapping keys are not allowed here"):
        mark = "- " if problem.startswith("sequence") else "? "
        return Explained(here, f"这里不能以“{mark}”开始，请检查这一行的缩进")
    if problem.startswith("expected ',' or ']'"):
        return Explained(start, "方括号 [ ] 没有正确结束：缺少“]”，或各项之间缺少英文逗号")
    if problem.startswith("expected ',' or '}'"):
        return Explained(start, "花括号 { } 没有正确结束：缺少“}”，或各项之间缺少英文逗号")
    if problem.startswith("expected <block end>"):
        return Explained(here, "缩进不一致：这一行与同一层的字段没有对齐（前面的空格数要相同）")
    if "cannot start any token" in problem:
        if found == "Tab 键字符":
            return Explained(here, "这一行用了 Tab 键；头信息只能用空格缩进")
        return Explained(here, f"{found}不能出现在这里；" + QUOTE_HINT)
    if problem.startswith("expected the node content"):
        return Explained(here, f"这里缺少值，却遇到了{found}；" + QUOTE_HINT)
    if problem.startswith("expected '<document start>'"):
        return Explained(here, "这一行不是“字段: 值”的形式，请检查缩进和冒号")
    return Explained(here, GENERAL_MESSAGE)
