"""TOML files staff edit (config.toml, the secrets file), read strictly and told in Chinese.

``tomllib`` is exact about TOML but not about staff: deep nesting ends in RecursionError,
a 5,000-digit number in ValueError, and every other problem is English. This reader
bounds the size, measures nesting before tomllib recurses, translates tomllib's
problems with the line, and refuses control characters and lone surrogates in any key
or text value.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from socialbot.strictdata import (
    KIB,
    TextProblem,
    decode_text,
    describe_char,
    forbidden_char,
    line_at,
    read_bounded,
)

MAX_BYTES = 256 * KIB  # the secrets file, and any TOML without a limit of its own
# config.toml: a nation-wide rollout names ~2,000 accounts at ~200 bytes each (~400 KB).
MAX_CONFIG_BYTES = 2048 * KIB
MAX_DEPTH = 20

# tomllib problem (its wording up to the first variable part) -> what staff read.
_MESSAGES = (
    ("Invalid statement", "这一行不是有效的配置写法：应为“名称 = 值”或“[表名]”"),
    ("Expected newline or end of document after a statement",
     "一行只能写一项配置，值的后面多了内容（文字要用英文双引号括起来）"),
    ("Expected '=' after a key", "配置项名称后面缺少“=”"),
    ("Invalid initial character for a key part",
     "配置项名称写法不对：只能用字母、数字、- 和 _，其他文字要用英文双引号括起来"),
    ("Expected ']' at the end of a table declaration", "表名缺少结尾的“]”"),
    ("Expected ']]' at the end of an array declaration", "表名缺少结尾的“]]”"),
    ("Cannot declare", "同一个表名 [..] 写了两次"),
    ("Cannot overwrite a value", "这一项与前面的配置重复：同一个配置项只能写一次"),
    ("Cannot mutate immutable namespace", "不能给已经写完的行内表 { } 或数组再添加配置项"),
    ("Cannot redefine namespace", "这个表名已经用作别的值，不能再当作表"),
    ("Duplicate inline table key", "花括号 { } 中有重复的配置项"),
    ("Unclosed array", "方括号 [ ] 没有闭合，或各项之间缺少英文逗号"),
    ("Unclosed inline table", "花括号 { } 没有闭合，或各项之间缺少英文逗号（行内表要写在同一行）"),
    ("Unescaped '\\' in a string", "双引号文字中的反斜杠“\\”写法不对：请写成“\\\\”，或改用单引号"),
    ("Invalid hex value", "“\\u”转义写法不对，应为 4 位十六进制数字"),
    ("Escaped character is not a Unicode scalar value",
     "“\\u”转义得到的不是有效字符（如 \\uD800），请删除"),
    ("Unterminated string", "引号没有成对：文字缺少结尾的引号"),
    ("Expected", "引号没有成对：到文件结尾都没有找到结尾的引号"),
    ("Illegal character '\\n'", "引号没有成对：这一行的文字缺少结尾的引号"),
    ("Found invalid character", "含有不允许的字符（看不见的控制字符），请删除"),
    ("Illegal character", "含有不允许的字符（看不见的控制字符），请删除"),
    ("Invalid date or datetime", "日期或时间无效"),
    ("Invalid value", "值的写法不对：文字要用英文双引号括起来，如 name = \"上海市场监管\""),
)
_WHERE_RE = re.compile(r"\(at (?:line (\d+), column \d+|end of document)\)\s*$")
_SPECIAL_RE = re.compile(r"\"\"\"|'''|[\"'#\[\]{}]")
_BASIC_RE = re.compile(r'(?:[^"\\\n]|\\.)*"?')
_LITERAL_RE = re.compile(r"[^'\n]*'?")
_ML_BASIC_RE = re.compile(r'(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)', re.S)


def read_toml(path: Path, *, limit: int = MAX_BYTES) -> dict[str, Any]:
    """The data in the TOML file ``path``; TextProblem (Chinese, with a line) otherwise.

    OSError (missing file, a folder, no permission) is left to the caller. Messages never
    quote the file's text, so this is safe for the secrets file too.
    """
    return parse_toml(decode_text(read_bounded(path, limit)))


def parse_toml(text: str) -> dict[str, Any]:
    """The data in TOML ``text``; TextProblem (Chinese, with a line) otherwise."""
    check_nesting(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TextProblem(_line(exc, text), _message(str(exc))) from None
    except RecursionError:  # check_nesting keeps tomllib well inside the limit
        raise TextProblem(None, f"方括号或花括号嵌套太深（最多 {MAX_DEPTH} 层）") from None
    except ValueError:  # an integer too long for Python to convert
        raise TextProblem(None, "数字太长，请检查是否多写了数字") from None
    check_text_values(data)
    return data


def _message(problem: str) -> str:
    for start, words in _MESSAGES:
        if problem.startswith(start):
            return words
    return "格式有误，请检查这一行的引号、括号和等号"


def _line(exc: tomllib.TOMLDecodeError, text: str) -> int:
    lineno = getattr(exc, "lineno", None)  # Python 3.14 adds it
    if isinstance(lineno, int) and lineno > 0:
        return lineno
    match = _WHERE_RE.search(str(exc))
    if match and match.group(1):
        return int(match.group(1))
    return line_at(text, len(text.rstrip("\n")))  # "at end of document": the last line


def check_nesting(text: str) -> None:
    """Refuse more than MAX_DEPTH open ``[``/``{`` outside strings and comments.

    A quick scan, not a parser: it only has to keep tomllib's recursion bounded.
    """
    depth, pos = 0, 0
    while match := _SPECIAL_RE.search(text, pos):
        token, pos = match.group(), match.end()
        if token == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        elif token == '"""':
            pos = _ML_BASIC_RE.match(text, pos).end()  # type: ignore[union-attr]
        elif token == "'''":
            end = text.find("'''", pos)
            pos = len(text) if end < 0 else end + 3
        elif token == '"':
            pos = _BASIC_RE.match(text, pos).end()  # type: ignore[union-attr]
        elif token == "'":
            pos = _LITERAL_RE.match(text, pos).end()  # type: ignore[union-attr]
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise TextProblem(
                    line_at(text, match.start()),
                    f"方括号或花括号嵌套太深：最多 {MAX_DEPTH} 层，请检查多余的 [ 或 {{",
                )
        else:
            depth = max(0, depth - 1)


def check_text_values(data: dict[str, Any]) -> None:
    """Refuse control characters and lone surrogates in any key or text value."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                _refuse_bad_text(where or "（顶层）", str(key), "中有一个名称")
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i + 1}]", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            _refuse_bad_text(where, value, "的值")


def _refuse_bad_text(where: str, text: str, what: str) -> None:
    bad = forbidden_char(text)
    if bad:
        raise TextProblem(None, f"配置项 {where} {what}含有不允许的字符 {describe_char(bad[1])}")
