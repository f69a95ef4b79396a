"""Failures staff read, in Chinese that says what to do: OS errors and unusable databases.

``strerror`` is the C library's English ("Permission denied"); :func:`os_reason` names
the cause in Chinese. :class:`DatabaseUnavailable` is what the store raises when the
database cannot be used (the translation itself is ``socialbot.store.errors``, the only
place that knows SQLAlchemy's and the drivers' exceptions).
"""

from __future__ import annotations

import errno

from socialbot.errors import StoreError


class DatabaseUnavailable(StoreError):
    """The database could not be used; nothing was changed by the failed operation."""

    title = "数据库无法使用，操作没有完成"
    exit_code = 3  # a person is needed (as with ``status``), not bad input


_OS_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "磁盘是只读的",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.ENOENT: "不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.EEXIST: "已经存在",
    errno.EIO: "磁盘读写出错",
    errno.ENAMETOOLONG: "路径太长",
    errno.EADDRINUSE: "端口已被占用",
    errno.EADDRNOTAVAIL: "本机没有这个地址",
    errno.EMFILE: "打开的文件太多",
}


def os_reason(exc: OSError) -> str:
    """Why an ``OSError`` happened, in Chinese (``strerror`` is the C library's English)."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    name = errno.errorcode.get(exc.errno or 0)
    return f"系统错误 {name}" if name else "系统错误"
