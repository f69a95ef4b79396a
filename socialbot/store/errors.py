"""Database failures in Chinese that says what to do, never a driver's English.

SQLite says ``disk I/O error`` and PostgreSQL ``connection refused``; staff need to
know which database, what went wrong and what to try. :func:`database_problem` is the
one translation: ``Database.tx`` and engine creation raise its result, and the CLI's
error boundary uses :func:`explain_database` for anything that still slips through.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from socialbot.errors import Problem
from socialbot.explain import DatabaseUnavailable, os_reason

LOCKED = ("数据库正被其他程序占用，等待超时。请稍后重试；"
          "如果一直如此，请检查是否有卡住的 socialbot 进程")
DISK = "读写数据库文件时磁盘出错。请检查磁盘是否已满或损坏、数据库文件是否在可用的磁盘上，然后重试"
FULL = "磁盘已满，数据库无法写入。请清理磁盘空间后重试"
READ_ONLY = ("数据库是只读的，无法写入。请检查数据库文件及其所在文件夹的写权限，"
             "或把 [database] 指向可写的位置")
CANNOT_OPEN = "无法打开数据库文件。请检查 [database] path 指向的文件夹是否存在、是否有读写权限"
CORRUPT = ("数据库文件已损坏，或不是 socialbot 的数据库。"
           "请检查 [database] path；如有备份，请从备份恢复")
NO_TABLE = ("数据库里缺少 socialbot 需要的表，可能指向了别的数据库，或数据库不完整。"
            "请检查 [database] 的设置")
NO_DATABASE = "PostgreSQL 中没有这个数据库。请先创建它，或检查 [database] url 中的数据库名"
LOGIN = "PostgreSQL 拒绝登录。请检查 [database] url 中的用户名和密码"
DENIED = "数据库拒绝了这次操作（权限不足）。请让数据库管理员给该用户授予读写权限"
UNREACHABLE = ("无法连接 PostgreSQL 数据库。请确认数据库服务已启动，"
               "[database] url 中的地址和端口正确，且本机能连到它")
DROPPED = "与数据库的连接中断。请稍后重试；如果一直如此，请检查数据库服务是否正常"
BUSY = "数据库的连接数已满。请稍后重试，或请数据库管理员调大连接上限"
NO_DRIVER = "缺少 PostgreSQL 驱动。请安装：pip install 'socialbot[postgres]'"
BAD_URL = "数据库地址无法识别。格式如 postgresql+psycopg://用户名:密码@主机:5432/数据库名"

# (what the driver's text contains, lower-cased) -> what staff read; first match wins.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message) for pattern, message in (
        (r"database is locked|table is locked|lock timeout|could not obtain lock|deadlock",
         LOCKED),
        (r"disk i/o error|input/output error", DISK),
        (r"disk is full|no space left|could not extend file", FULL),
        (r"readonly database|read-only|read only", READ_ONLY),
        (r"unable to open database file", CANNOT_OPEN),
        (r"not a database|file is encrypted|malformed", CORRUPT),
        (r'database "[^"]*" does not exist', NO_DATABASE),
        (r"password authentication failed|no password supplied|authentication failed"
         r'|role "[^"]*" does not exist', LOGIN),
        (r"permission denied|insufficient privilege|must be owner", DENIED),
        (r"no such table|no such column|relation \"[^\"]*\" does not exist"
         r"|column \"[^\"]*\" does not exist", NO_TABLE),
        (r"too many connections|remaining connection slots", BUSY),
        (r"connection refused|could not connect|connection timed out|timeout expired"
         r"|could not translate host name|name or service not known|no route to host"
         r"|network is unreachable|temporary failure in name resolution", UNREACHABLE),
        (r"server closed the connection|terminating connection|connection already closed"
         r"|ssl syscall error|eof detected|connection is closed|connection reset",
         DROPPED),
    )
)


def where(url: str | None) -> str:
    """The database as staff configured it: a file path, or host/database (no password)."""
    if not url:
        return "数据库"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "数据库"
    if parsed.get_backend_name() == "sqlite":
        return f"数据库文件 {parsed.database}" if parsed.database else "内存数据库"
    host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return f"PostgreSQL 数据库 {parsed.database or ''}（{host}）".replace(" （", "（")


def _driver_text(exc: BaseException) -> str:
    inner: Any = getattr(exc, "orig", None) or exc.__cause__ or exc
    return str(inner).lower()


def database_problem(exc: BaseException, url: str | None = None) -> DatabaseUnavailable:
    """``exc`` (a SQLAlchemy/driver error) as a located, actionable Chinese error."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    place = where(url)
    if isinstance(exc, NoSuchModuleError | ImportError | ModuleNotFoundError):
        return DatabaseUnavailable(Problem(place, NO_DRIVER))
    if isinstance(exc, ArgumentError):
        return DatabaseUnavailable(Problem("[database] url", BAD_URL))
    if isinstance(exc, OSError):
        return DatabaseUnavailable(Problem(place, f"无法访问（{os_reason(exc)}）"))
    text = _driver_text(exc)
    for pattern, message in _RULES:
        if pattern.search(text):
            return DatabaseUnavailable(Problem(place, message))
    code = type(getattr(exc, "orig", None) or exc).__name__
    return DatabaseUnavailable(Problem(
        place, f"数据库出错，操作没有完成（错误类型 {code}）。请稍后重试；"
               "如果一直如此，请把这条信息和发生的时间告诉技术人员"))


def explain_database(exc: BaseException, url: str | None = None) -> DatabaseUnavailable | None:
    """``exc`` in Chinese if it came from the database layer, else None."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, SQLAlchemyError | DBAPIError):
        return database_problem(exc, url)
    return None
