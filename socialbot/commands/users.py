"""``socialbot users``: staff accounts for the web console (the first admin is made here).

Passwords are read from a hidden prompt or from stdin (``--password-stdin``), never from
an argument, which would land in the shell history and the process list.
"""

from __future__ import annotations

import sys

import click
from rich.table import Table

from socialbot.commands.context import AppContext, StaffError, pass_app, staff_errors
from socialbot.commands.output import console
from socialbot.config import Settings
from socialbot.errors import Problem, StoreError
from socialbot.passwords import hash_password
from socialbot.people import Role, check_password, check_username, parse_role
from socialbot.store import audit, open_store, people
from socialbot.store.db import utcnow
from socialbot.store.times import show


@click.group("users")
def users() -> None:
    """工作人员账号：添加、列出、停用、启用，修改密码（控制台登录用）。"""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次密码")
    problem = check_password(password)
    if problem:
        raise StaffError(StoreError(problem, title="不能设置密码").render())
    return password


def _roles(texts: tuple[str, ...], settings: Settings) -> list[Role]:
    roles, problems = [], []
    for text in texts:
        parsed = parse_role(text, settings)
        (problems if isinstance(parsed, Problem) else roles).append(parsed)
    if not texts:
        problems.append(Problem("--role", "至少需要一个角色，如 --role shsmr:editor"))
    if problems:
        raise StoreError(problems, title="不能添加用户")
    return roles  # type: ignore[return-value]


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", help="显示的姓名（默认同用户名）")
@click.option("--role", "role_texts", multiple=True,
              help="单位代号:角色，可重复；角色为 editor、admin "
                   "或 reviewer:审级（1 初审、2 复审、3 终审）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）")
@pass_app
@staff_errors
def add(app: AppContext, username: str, display_name: str | None, role_texts: tuple[str, ...],
        password_stdin: bool) -> None:
    """添加用户。

    \b
    示例：
      socialbot users add zhangsan --name 张三 --role shsmr:editor
      socialbot users add lisi --name 李四 --role shsmr:reviewer:1 --role shjc:reviewer:2
      socialbot users add admin --name 管理员 --role shsmr:admin
    """
    settings = app.settings
    username = username.strip().lower()
    problem = check_username(username)
    if problem:
        raise StoreError(problem)
    roles = _roles(role_texts, settings)
    password = _read_password(password_stdin)
    person = people.add_user(open_store(settings), username, display_name or username,
                             hash_password(password), roles, utcnow(), by=audit.os_user())
    console.print(f"[green]✓[/] 已添加用户 {person.username}（{person.display_name}）："
                  + "、".join(r.label(settings) for r in person.roles))


@users.command("list")
@pass_app
@staff_errors
def list_(app: AppContext) -> None:
    """列出所有用户及其单位和角色。"""
    settings = app.settings
    everyone = people.list_people(open_store(settings))
    if not everyone:
        console.print("还没有用户。添加第一位管理员："
                      "socialbot users add admin --role 单位代号:admin")
        return
    table = Table("用户名", "姓名", "状态")
    table.add_column("单位与角色", overflow="fold")  # one role a line, never cut off
    for p in everyone:
        table.add_row(p.username, p.display_name, "已停用" if p.disabled else "正常",
                      "\n".join(r.label(settings) for r in p.roles) or "（无）")
    console.print(table)


@users.command("disable")
@click.argument("username")
@pass_app
@staff_errors
def disable(app: AppContext, username: str) -> None:
    """停用用户：立即退出其所有登录，不能再登录。"""
    _set_disabled(app, username, True)
    console.print(f"[green]✓[/] 已停用 {username}，其所有登录已退出")


@users.command("enable")
@click.argument("username")
@pass_app
@staff_errors
def enable(app: AppContext, username: str) -> None:
    """重新启用已停用的用户。"""
    _set_disabled(app, username, False)
    console.print(f"[green]✓[/] 已启用 {username}")


def _set_disabled(app: AppContext, username: str, disabled: bool) -> None:
    people.set_disabled(open_store(app.settings), username, disabled, utcnow(),
                        by=audit.os_user())


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（一行）")
@pass_app
@staff_errors
def passwd(app: AppContext, username: str, password_stdin: bool) -> None:
    """修改用户密码：其所有登录随即退出。"""
    store = open_store(app.settings)
    if people.get_person(store, username) is None:
        raise StoreError(Problem("用户名", f"没有用户“{username}”（用 socialbot users list 查看）"))
    password = _read_password(password_stdin)
    people.set_password(store, username, hash_password(password), utcnow(), by=audit.os_user())
    console.print(f"[green]✓[/] 已修改 {username} 的密码，其所有登录已退出；"
                  f"时间：{show(utcnow(), app.settings.tz)}")


COMMANDS: list[click.Command] = [users]
