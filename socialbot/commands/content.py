"""Commands about content: preview (dry run) and check."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import Progress

from socialbot.checks.levels import WORDLISTS
from socialbot.checks.model import Finding
from socialbot.checks.runner import checker_for
from socialbot.checks.wordlists import WordLists
from socialbot.commands.context import EXIT_PROBLEMS, AppContext, pass_app, staff_errors
from socialbot.commands.layout import say
from socialbot.commands.output import console, err_console
from socialbot.config import Settings
from socialbot.errors import Problem, SocialbotError
from socialbot.explain import os_reason
from socialbot.post_file import load_post
from socialbot.preview import write_preview
from socialbot.preview.writer import campaign_posts
from socialbot.render.templates import available_templates, template_label
from socialbot.rendering import render_post, target_accounts


def _post_paths(app: AppContext, posts: tuple[Path, ...]) -> list[Path]:
    paths = list(posts) or campaign_posts(app.settings)
    if not paths:
        raise click.ClickException(f"没有找到稿件：{app.settings.posts_dir} 中没有 .md 文件")
    return paths


@click.command()
@click.argument("posts", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="预览输出目录（默认 out/preview）",
)
@pass_app
@staff_errors
def preview(app: AppContext, posts: tuple[Path, ...], out_dir: Path | None) -> None:
    """预演：排版全部稿件（或指定稿件），生成手机预览页面和发布计划，不调用任何接口。

    \b
    示例：
      socialbot preview
      socialbot preview campaign/posts/0609-lab-open-day.md --out /tmp/p
    """
    settings = app.settings
    paths = _post_paths(app, posts)
    out = out_dir or settings.preview_dir
    try:
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("排版中", total=len(paths))
            result = write_preview(settings, paths, out,
                                   progress=lambda _p: progress.advance(task))
    except OSError as exc:  # the output folder cannot be created or written
        problem = Problem(str(out), f"预览文件无法写入（{os_reason(exc)}），请换一个 --out 目录")
        raise SocialbotError(problem, title="预览未生成") from None
    for p in result.posts:
        mark = "!" if p.warnings else "✓"
        say(console, f"{mark} {p.rendered.source}  {p.rendered.title}")
        _print_findings(p.warnings)
    for path, exc in result.failures:
        say(err_console, f"✗ {path.name}", style="red")
        say(err_console, exc.render())
    console.print()
    say(console, f"预览已生成：{result.index}")
    say(console, f"发布计划：{result.plan}")
    say(console, f"共 {len(result.posts)} 篇通过，{len(result.failures)} 篇有误。")
    warned = sum(1 for p in result.posts if p.warnings)
    if warned:
        say(console, f"其中 {warned} 篇有内容检查提醒：加入队列后须由审核人注明理由放行。")
    if result.failures:
        raise SystemExit(EXIT_PROBLEMS)


@click.command()
@click.argument("posts", nargs=-1, type=click.Path(path_type=Path))
@click.option("--offline", is_flag=True, help="不向平台查询各账号能力（认证、群发、发布）")
@pass_app
@staff_errors
def check(app: AppContext, posts: tuple[Path, ...], offline: bool) -> None:
    """检查配置、模板和稿件，列出所有问题及其位置（不生成文件）。

    \b
    内容检查（错敏词、错别字、规范名称、占位内容、个人信息、标点、链接与 HTML）：
      [拦截] 稿件不能加入队列或发布，命令以状态 2 退出；
      [提醒] 只列出，命令仍以状态 0 退出；加入队列后须由审核人注明理由放行。

    \b
    不指定稿件时，还会向平台查询每个公众号能做什么（已认证/未认证、可群发、可发布、
    仅可存草稿）；不能通过接口发出的账号会说明怎样在公众号后台手动发出。--offline 跳过。
    """
    settings = app.settings  # a bad config raises here, with every problem listed
    say(console, f"✓ 配置文件 {settings.path.name}：{len(settings.accounts)} 个账号")
    names = available_templates(settings.templates_dir)
    say(console, f"✓ 模板：{'、'.join(template_label(n) for n in names)}")
    checker = checker_for(settings)  # a malformed word list is a config error (exit 2)
    say(console, f"✓ 词表：{_wordlists_line(settings, checker.lists)}")
    if not posts and not offline:
        _print_abilities(settings)
    failures = warned = 0
    for path in _post_paths(app, posts):
        try:
            post = load_post(path, assets_dir=settings.assets_dir)
        except SocialbotError as exc:
            failures += 1
            say(err_console, f"✗ {path.name}", style="red")
            say(err_console, exc.render())
            continue
        report = checker.check_post(post)
        try:
            render_post(post, settings, target_accounts(post, settings))
        except SocialbotError as exc:
            failures += 1
            say(err_console, f"✗ {path.name}", style="red")
            say(err_console, exc.render())
            _print_findings(report.findings, err=True)
            continue
        if report.blocks:
            failures += 1
            say(err_console, f"✗ {path.name}  {post.title}", style="red")
            _print_findings(report.findings, err=True)
        elif report.warnings:
            warned += 1
            say(console, f"! {path.name}  {post.title}", style="yellow")
            _print_findings(report.warnings)
        else:
            say(console, f"✓ {path.name}  {post.title}")
    if warned:
        console.print()
        say(console, f"{warned} 篇稿件有内容检查提醒：可以加入队列，但须由审核人注明理由放行"
                     "（queue approve 编号 --by 审核人 --override-warnings \"理由\"）。")
    for line in _drafts_waiting(settings):
        say(console, f"! {line}", style="yellow")
    if failures:
        err_console.print()
        say(err_console, f"{failures} 篇稿件有误或被拦截，请按上面的提示修改。")
        raise SystemExit(EXIT_PROBLEMS)
    console.print()
    say(console, "全部检查通过。" if not warned else "没有拦截问题。")


def _print_abilities(settings: Settings) -> None:
    """Ask each platform what each account may do (fresh: staff asked for a check)."""
    from socialbot.abilities import account_abilities
    from socialbot.kv import MemoryKeyValueStore

    found = account_abilities(settings, MemoryKeyValueStore(), fresh=True)
    if not found:
        return
    say(console, "账号能力（向平台查询）：")
    for item in found:
        style = {"✓": None, "!": "yellow", "?": "yellow"}[item.mark]
        for line in item.lines(settings):
            say(console, "  " + line, style=style)


def _drafts_waiting(settings: Settings) -> list[str]:
    """Messages left in an account's draft box for a person to send (from the queue).

    Read only when the queue exists: ``check`` never creates a database.
    """
    from socialbot.status import DRAFT_TODO, collect
    from socialbot.store import open_store, store_exists
    from socialbot.store.db import utcnow

    if not store_exists(settings.database_url):
        return []
    try:
        store = open_store(settings)
        drafts = collect(settings, store, utcnow()).drafts
        store.dispose()
    except SocialbotError:  # an unusable queue is status's business, not check's
        return []
    return [f"编号 {i.delivery.post}《{i.title}》→ {i.delivery.account}：已存草稿，待人工群发。"
            f"{DRAFT_TODO}" for i in drafts]


def _print_findings(findings: tuple[Finding, ...], *, err: bool = False) -> None:
    out = err_console if err else console
    for f in findings:
        say(out, f"  - {f}", style="red" if f.severity == "block" else "yellow")


def _wordlists_line(settings: Settings, lists: WordLists) -> str:
    """How many entries each configured list has, and which list is not configured."""
    parts = []
    for name, label in WORDLISTS.items():
        configured = settings.checks.wordlist(name) is not None
        parts.append(f"{label} {lists.size(name)} 条" if configured else f"未配置{label}")
    return "、".join(parts)


COMMANDS = [preview, check]
