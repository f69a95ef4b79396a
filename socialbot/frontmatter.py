"""A post's front matter as plain data, read strictly.

Post files are written by staff, so their front matter may hold text, true/false, whole
numbers, lists and tables — nothing else. This reader walks PyYAML's event stream
(the pure-Python parser: a state machine, so nesting costs no recursion) and builds the
data itself, so every rule is checked at the first event that breaks it, before
anything is expanded:

- no anchors or aliases (``&a`` / ``*a``: the "billion laughs" memory bomb);
- no explicit tags (``!!int abc``, ``!!timestamp 2022-13-99``, ``!!python/...``);
- at most :data:`MAX_DEPTH` levels of lists and tables, and :data:`MAX_BYTES` in all;
- no control characters, lone surrogates or noncharacters in any key or value;
- no repeated keys, and a table (not a list or text) at the top.

Plain (unquoted) values keep the meaning staff expect and never change what they wrote:
``true``/``false``, empty/``null``, whole numbers written plainly (``2022``) — anything
else, including ``14:00``, ``0609``, ``3.50`` and dates, stays text exactly as written
(YAML 1.1 would read ``14:00`` as 840 and ``0601`` as 385). Keys are always text.

PyYAML's own parse errors are told in Chinese by :mod:`socialbot.yaml_messages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from socialbot.strictdata import (
    KIB,
    TextProblem,
    describe_char,
    forbidden_char,
    line_at,
    size_label,
)
from socialbot.yaml_messages import ALIAS_MESSAGE, ANCHOR_MESSAGE, TAG_MESSAGE, explain

MAX_DEPTH = 20
MAX_BYTES = 64 * KIB
FENCE_RE = re.compile(r"---[ \t]*")
_PLAIN_INT_RE = re.compile(r"0|-?[1-9][0-9]{0,17}")  # written as it prints: no +, no -0
DEPTH_MESSAGE = f"层级太深：列表和表最多嵌套 {MAX_DEPTH} 层，请检查多余的 [ {{ 或缩进"
OUT_OF_RANGE_MESSAGE = "双引号中的“\\U”转义超出了 Unicode 的范围，请删除"
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}


@dataclass(frozen=True)
class SplitPost:
    """A post file cut into its front matter and its body, with where each starts."""

    front_matter: str
    front_matter_line: int
    body: str
    body_line: int


def split_post(text: str) -> SplitPost:
    """Cut ``text`` (line breaks already ``\\n``) at its two ``---`` lines."""
    lines = text.split("\n")
    if not FENCE_RE.fullmatch(lines[0]):
        raise TextProblem(1, "缺少开头的 --- 头信息（front matter）：文件第一行应为 ---")
    for number, line in enumerate(lines[1:], start=1):
        if FENCE_RE.fullmatch(line):
            return SplitPost(
                front_matter="\n".join(lines[1:number]),
                front_matter_line=2,
                body="\n".join(lines[number + 1 :]),
                body_line=number + 2,
            )
    raise TextProblem(1, "头信息没有结束：第 1 行的 --- 之后还需要一行 --- 把头信息和正文分开")


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__()
        self.mark = mark


class _EventParser(Reader, Scanner, Parser):
    """PyYAML's reader, scanner and parser only: events, never constructed objects."""

    def __init__(self, text: str):
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        """Stop at the first ``[``/``{`` too deep, while scanning: the scanner reads ahead
        over every open bracket on a line, which costs time quadratic in their number."""
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.get_mark())
        super().fetch_flow_collection_start(TokenClass)


@dataclass
class _Table:
    data: dict[str, Any]
    key: str | None = None
    key_marks: dict[str, yaml.Mark] = field(default_factory=dict)  # lines found on demand


@dataclass
class _List:
    data: list[Any]


_NOT_SET = object()


class _Builder:
    """Plain Python data from YAML events, refusing anything that is not plain data."""

    def __init__(self, text: str, first_line: int):
        self.text = text
        self.first_line = first_line
        self.stack: list[_Table | _List] = []
        self.root: Any = _NOT_SET
        self.root_mark: yaml.Mark | None = None
        self.documents = 0

    def line(self, mark: yaml.Mark | None) -> int:
        return line_at(self.text, mark.index if mark else 0, self.first_line)

    def refuse(self, event: yaml.Event, message: str) -> TextProblem:
        return TextProblem(self.line(event.start_mark), message)

    def add(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.refuse(event, "头信息里只能有一组字段；请删除多余的 --- 或 ... 行")
        elif isinstance(event, yaml.AliasEvent):
            raise self.refuse(event, ALIAS_MESSAGE)
        elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            self.node(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()

    def node(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            raise self.refuse(event, ANCHOR_MESSAGE)
        if getattr(event, "tag", None) is not None:
            raise self.refuse(event, TAG_MESSAGE)
        if isinstance(event, yaml.ScalarEvent):
            self.check_text(event, event.value)
            plain = event.implicit[0] and event.style is None
            self.place(event, resolve_plain(event.value) if plain else event.value, event.value)
            return
        container: _Table | _List = (
            _Table({}) if isinstance(event, yaml.MappingStartEvent) else _List([])
        )
        self.place(event, container.data, None)
        self.stack.append(container)
        if len(self.stack) > MAX_DEPTH:
            raise self.refuse(event, DEPTH_MESSAGE)

    def place(self, event: yaml.NodeEvent, value: Any, key_text: str | None) -> None:
        if not self.stack:
            self.root = value
            self.root_mark = event.start_mark
            return
        top = self.stack[-1]
        if isinstance(top, _List):
            top.data.append(value)
        elif top.key is not None:
            top.data[top.key] = value
            top.key = None
        elif key_text is None:
            raise self.refuse(event, "字段名只能是文字，不能是列表或表")
        elif key_text in top.data:
            first = self.line(top.key_marks[key_text])
            raise self.refuse(event, f"字段“{key_text}”重复出现（第 {first} 行已经写过）")
        else:
            top.key = key_text
            top.key_marks[key_text] = event.start_mark

    def check_text(self, event: yaml.ScalarEvent, value: str) -> None:
        bad = forbidden_char(value)
        if bad:
            raise self.refuse(event, f"含有不允许的字符 {describe_char(bad[1])}，请删除")

    def result(self) -> dict[str, Any]:
        if self.root is _NOT_SET or self.root is None:
            return {}
        if not isinstance(self.root, dict):
            raise TextProblem(self.line(self.root_mark), "头信息应为“字段: 值”的形式，每行一个字段")
        return self.root


def resolve_plain(value: str) -> Any:
    """An unquoted value: null, true/false, a plainly written whole number, or the text."""
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if _PLAIN_INT_RE.fullmatch(value):
        return int(value)
    return value


def parse_front_matter(text: str, first_line: int = 2) -> dict[str, Any]:
    """The front matter ``text`` (its first line is ``first_line`` of the file) as data.

    Raises TextProblem, in Chinese and with the file line, for anything that is not plain
    data or not well-formed YAML.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise TextProblem(first_line, f"头信息太长，超过上限 {size_label(MAX_BYTES)}")
    builder = _Builder(text, first_line)
    parser: _EventParser | None = None
    try:
        parser = _EventParser(text)
        while parser.check_event():
            builder.add(parser.get_event())
    except yaml.YAMLError as exc:
        explained = explain(exc)
        index = explained.index if explained.index is not None else 0
        line = min(line_at(text, index, first_line), line_at(text, len(text), first_line))
        raise TextProblem(line, explained.message) from None
    except _TooDeep as deep:
        raise TextProblem(line_at(text, deep.mark.index, first_line), DEPTH_MESSAGE) from None
    except ValueError:  # PyYAML's chr() on an escape past U+10FFFF, such as "\U00110000"
        index = parser.get_mark().index if parser is not None else 0
        raise TextProblem(line_at(text, index, first_line), OUT_OF_RANGE_MESSAGE) from None
    finally:
        if parser is not None:
            parser.dispose()
    return builder.result()
