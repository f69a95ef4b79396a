"""Shared rules for the data files staff write (post front matter, config.toml).

Both are plain data: bounded in size, and every text in them is clean Unicode that can
be saved, shown and published. A value that breaks a rule becomes a :class:`TextProblem`
with the line it is on; the caller adds which file it is.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

KIB = 1024

# Characters no text in a post or config may hold: control characters other than tab and
# line break (C0, DEL, C1), lone surrogates (from escapes such as "\uD800"; they cannot be
# written as UTF-8) and Unicode noncharacters.
_NONCHARACTERS = "".join(
    f"\\U{(plane << 16) | low:08X}" for plane in range(17) for low in (0xFFFE, 0xFFFF)
)
FORBIDDEN_CHAR_RE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)


class TextProblem(Exception):
    """A problem in a data file at ``line`` (1-based; None when no line applies)."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def describe_char(ch: str) -> str:
    """A character as staff can look it up: the code point, plus what kind it is."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        kind = "无法保存的半个代理字符，多半来自 \\u 转义"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "看不见的控制字符"
    else:
        kind = "Unicode 非字符"
    return f"U+{code:04X}（{kind}）"


def forbidden_char(text: str) -> tuple[int, str] | None:
    """The first forbidden character in ``text`` and its index, or None when clean."""
    match = FORBIDDEN_CHAR_RE.search(text)
    return (match.start(), match.group()) if match else None


def size_label(limit: int) -> str:
    """A byte limit in the words staff use, with a feel for how much Chinese text fits."""
    amount = f"{limit // (KIB * KIB)} MB" if limit >= KIB * KIB else f"{limit // KIB} KB"
    return f"{amount}（约 {limit // 3 // 10000} 万个汉字）" if limit >= 30000 else amount


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Never reads more than ``limit + 1`` bytes, so a huge file or ``/dev/zero`` is refused
    without filling memory, and a FIFO or device is refused without blocking on it.
    OSError (missing, a folder, no permission) is left to the caller.
    """
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise TextProblem(None, "不是普通文件（可能是设备或管道），无法作为文本读取")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TextProblem(None, f"文件太大，超过上限 {size_label(limit)}")
    return data


def decode_text(data: bytes) -> str:
    """UTF-8 text (a leading BOM dropped) with every line break written as ``\\n``.

    Raises TextProblem naming the line of the first byte that is not UTF-8.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TextProblem(
            line, "不是 UTF-8 编码的文本（可能用 GBK 等其他编码保存了）；请另存为 UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_at(text: str, index: int, first_line: int = 1) -> int:
    """The line number of character ``index`` in ``text`` whose first line is ``first_line``."""
    return first_line + text.count("\n", 0, max(0, min(index, len(text))))
