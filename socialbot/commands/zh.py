"""Click's own words (usage errors, help, metavars, --version) in Simplified Chinese.

Click words a mistyped option or a missing ``--by`` in English, through ``gettext``
looked up at call time in each of its modules. Staff read Chinese, so those lookups
are pointed at the table below. The words Click builds without ``gettext`` (the
``Usage:`` line's ``[OPTIONS]``, type names such as ``TEXT``, argument names such as
``QUEUE_ID``, the heading colon, the ``1<=x<=16`` range and the trailing full stop of
a missing-parameter error) are translated by the small patches in :func:`install`.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

from click import core, exceptions, formatting, types
from click._compat import strip_ansi
from rich.cells import cell_len

MESSAGES = {
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看帮助。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少子命令。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不需要取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里需要文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，这里需要文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "Usage:": "用法：",
    "Aborted!": "已中止。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Value must be an iterable.": "取值必须是一组值。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是有效的是/否取值，可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 无法执行。",
    "Invalid start character for option ({option})": "选项开头的字符无效（{option}）",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
}
PLURALS = {  # singular key -> (singular, plural)
    "Did you mean {possibility}?": (
        "是不是想用 {possibility}？", "（是不是想用其中之一：{possibilities}？）"),
    "Option {name!r} requires an argument.": (
        "选项 {name!r} 需要一个值。", "选项 {name!r} 需要 {nargs} 个值。"),
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）", "多余的参数（{args}）"),
    "{value!r} is not {choice}.": ("{value!r} 不是 {choice}。", "{value!r} 不在 {choices} 之中。"),
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个值，只给了 1 个。",
                                              "需要 {nargs} 个值，只给了 1 个。"),
}
# Upper-case words Click puts in usage lines and help: type names and argument names.
METAVARS = {
    "OPTIONS": "选项",
    "COMMAND": "命令",
    "ARGS": "参数",
    "TEXT": "文本",
    "INTEGER RANGE": "整数",
    "FLOAT RANGE": "数字",
    "INTEGER": "整数",
    "FLOAT": "数字",
    "BOOLEAN": "是或否",
    "FILENAME": "文件",
    "PATH": "路径",
    "FILE": "文件",
    "DIRECTORY": "文件夹",
    "POSTS": "稿件文件",
    "POST": "稿件文件",
    "QUEUE_ID": "编号",
}
_METAVAR_WORDS = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(METAVARS, key=len, reverse=True)) + r")\b")
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        one, many = PLURALS[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


def metavar(text: str) -> str:
    """``[OPTIONS] QUEUE_ID`` → ``[选项] 编号``."""
    return _METAVAR_WORDS.sub(lambda m: METAVARS[m.group(1)], text)


def _describe_range(self: Any) -> str:
    low = f"大于 {self.min}" if self.min_open else f"不小于 {self.min}"
    high = f"小于 {self.max}" if self.max_open else f"不大于 {self.max}"
    if self.min is None:
        return high
    if self.max is None:
        return low
    if not self.min_open and not self.max_open:
        return f"{self.min} 到 {self.max}"
    return f"{low}、{high}"


def _missing_format(original: Callable[[Any], str]) -> Callable[[Any], str]:
    @functools.wraps(original)
    def format_message(self: Any) -> str:
        text = original(self).replace(". ", "。").rstrip(".")
        return text if text.endswith(("。", "？", "！")) else text + "。"

    return format_message


def _translated(original: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(original)
    def make(self: Any, *args: Any, **kwargs: Any) -> str:
        return metavar(original(self, *args, **kwargs))

    make._socialbot_zh = True  # type: ignore[attr-defined]
    return make


def _write_usage(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, metavar(args), "用法：" if prefix is None else prefix)

    write_usage._socialbot_zh = True  # type: ignore[attr-defined]
    return write_usage


def _write_heading(self: Any, heading: str) -> None:
    self.write(f"{'':>{self.current_indent}}{heading}：\n")


def _term_len(text: str) -> int:
    """Columns on screen: a Chinese character takes two (Click counts one)."""
    return cell_len(strip_ansi(text))


def install() -> None:
    """Point Click's message lookups at the Chinese table and patch the rest (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    if getattr(core.Parameter.make_metavar, "_socialbot_zh", False):
        return
    for cls in (core.Parameter, core.Argument, core.Option):
        if "make_metavar" in vars(cls):
            cls.make_metavar = _translated(vars(cls)["make_metavar"])  # type: ignore[method-assign]
    formatting.HelpFormatter.write_usage = _write_usage(  # type: ignore[method-assign]
        formatting.HelpFormatter.write_usage)
    formatting.HelpFormatter.write_heading = _write_heading  # type: ignore[method-assign]
    formatting.term_len = _term_len  # aligns the option and command columns of --help
    types._NumberRangeBase._describe_range = _describe_range  # type: ignore[method-assign]
    exceptions.MissingParameter.format_message = _missing_format(  # type: ignore[method-assign]
        exceptions.MissingParameter.format_message)
