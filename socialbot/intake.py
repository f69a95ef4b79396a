"""Turning "this post file, to these accounts, at this time" into a checked queue entry.

Loading, rendering, the content checks and each channel's platform checks happen
here, before any transaction; every problem is collected on the entry so staff see
them all at once. Content-check blocks are problems (nothing is queued); warnings
travel with the entry and must be overridden by the reviewer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from socialbot.checks.model import Finding
from socialbot.config import Settings
from socialbot.errors import Problem, SocialbotError
from socialbot.platforms.base import Channel
from socialbot.post import post_id_for
from socialbot.post_file import load_post
from socialbot.rendered import RenderedPost
from socialbot.store.queue import Entry
from socialbot.store_rules import alone_on

ChannelLookup = Callable[[str], Channel]


def find_post_file(settings: Settings, name: str, base: Path | None = None) -> Path | None:
    """A post by path, or by name inside the posts folder (with or without ``.md``)."""
    candidates = [Path(name)]
    if base is not None:
        candidates.insert(0, base / name)
    candidates += [settings.posts_dir / name, settings.posts_dir / f"{name}.md"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


def stored_source(settings: Settings, path: Path) -> str:
    """The path kept in the queue: relative to the config folder when inside it."""
    try:
        return str(path.resolve().relative_to(settings.root))
    except ValueError:
        return str(path.resolve())


def source_path(settings: Settings, source: str) -> Path:
    path = Path(source)
    return path if path.is_absolute() else settings.root / path


def render_file(settings: Settings, path: Path, targets: tuple[str, ...],
                channels: ChannelLookup | None,
                ) -> tuple[RenderedPost | None, list[Problem], list[Finding]]:
    """Render ``path`` for ``targets``, run the content checks and each account's
    platform checks: (rendering, problems that refuse it, warnings to override)."""
    from socialbot.checks.runner import as_problem, checker_for  # heavy; only load here
    from socialbot.rendering import render_post

    problems: list[Problem] = []
    try:
        post = load_post(path, assets_dir=settings.assets_dir)
        report = checker_for(settings).check_post(post)
        known = [settings.accounts[a] for a in targets if a in settings.accounts]
        rendered = render_post(post, settings, known)
    except SocialbotError as exc:
        return None, list(exc.problems), []
    problems += [as_problem(f) for f in report.blocks]
    if channels is not None:
        for account_id in targets:
            if account_id not in settings.accounts:
                continue
            try:
                found = channels(account_id).check(rendered)
            except SocialbotError as exc:
                found = [Problem(f"账号 {account_id}", p.message) for p in exc.problems]
            problems += [Problem(f"账号 {account_id} {p.where}".strip(), p.message) for p in found]
    return rendered, problems, list(report.warnings)


def prepare(settings: Settings, name: str, *, targets: tuple[str, ...] | None,
            at: dt.datetime | None, author: str, channels: ChannelLookup | None,
            cron: str | None = None, until: dt.datetime | None = None, label: str = "",
            base: Path | None = None, problems: list[Problem] | None = None) -> Entry:
    """A queue entry for one post file, with every problem found (none: ready to add)."""
    problems = list(problems or [])
    path = find_post_file(settings, name, base)
    entry = Entry(label=label or Path(name).name, source=name,
                  post_id=post_id_for(Path(name)), targets=targets or (), author=author,
                  at=at, cron=cron, until=until, problems=problems)
    if path is None:
        entry.problems.append(Problem(name, f"稿件文件不存在（也不在 {settings.posts_dir} 中）"))
        return entry
    entry.source = stored_source(settings, path)
    entry.post_id = post_id_for(path)
    if not entry.targets:  # the post's own accounts, else all of them (as the preview shows)
        with contextlib.suppress(SocialbotError):  # reported by render_file below
            post = load_post(path, assets_dir=settings.assets_dir)
            entry.targets = post.accounts or tuple(settings.accounts)
    rendered, found, warnings = render_file(settings, path, entry.targets, channels)
    entry.rendered = rendered
    entry.alone_on = alone_on(settings, rendered, entry.targets)
    entry.problems += found
    entry.warnings = warnings
    return entry
