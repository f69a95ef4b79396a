"""Write the dry-run preview folder: index, one page per post, images and plan.json."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from socialbot.checks.runner import ContentError, checker_for
from socialbot.config import Account, Settings
from socialbot.errors import Problem, SocialbotError
from socialbot.platforms import PLATFORMS, channel_for
from socialbot.post_file import load_post
from socialbot.preview.folders import NOT_OURS, OutputFolder, PreviewRefused
from socialbot.preview.messages import (
    Message,
    Place,
    calendar_places,
    daily_messages,
    default_calendar,
)
from socialbot.preview.post_preview import PostPreview
from socialbot.render.templates import template_label
from socialbot.render.webfont import font_ready_script, font_stack, write_webfont
from socialbot.rendered import ImageAsset, RenderedPost, delivery_key
from socialbot.rendering import render_post, target_accounts
from socialbot.times import show

PAGES = Path(__file__).with_name("templates")


@dataclass
class PreviewResult:
    out_dir: Path
    index: Path
    plan: Path
    posts: list[PostPreview] = field(default_factory=list)
    failures: list[tuple[Path, SocialbotError]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)  # mass-send accounts' daily sends
    calendar_note: str = ""  # why the calendar was not used, if it was not

    @property
    def ok(self) -> bool:
        return not self.failures


def campaign_posts(settings: Settings) -> list[Path]:
    """Every post file of the campaign, in file-name (date) order."""
    return sorted(settings.posts_dir.glob("*.md"))


def write_preview(
    settings: Settings,
    paths: list[Path],
    out_dir: Path,
    progress: Callable[[Path], None] | None = None,
    calendar: Path | None = None,
) -> PreviewResult:
    """Render ``paths`` into ``out_dir``; a failing post is reported and leaves no files.

    A post the content checks block fails like a post that does not render: it could
    never be published, so it has no preview and no place in the plan.

    Only ``out_dir`` is ever written, and in it only what preview wrote itself is
    replaced or removed (socialbot.preview.folders), whatever the post files are called.

    Mass-send accounts get their daily messages (``messages.html``, and ``messages`` in
    plan.json): days and order from ``calendar`` (default: the campaign's calendar.csv).
    """
    checker = checker_for(settings)  # a malformed word list stops here, before any output
    inputs = [settings.path, settings.posts_dir, settings.templates_dir, settings.assets_dir,
              *([settings.secrets_file] if settings.secrets_file else []),
              *(file for _name, file in settings.checks.wordlists), *paths]
    folder = OutputFolder.open(out_dir, inputs)
    result = PreviewResult(folder.root, folder.root / "index.html", folder.root / "plan.json")
    env = _page_environment()
    for path in paths:
        try:
            post = load_post(path, assets_dir=settings.assets_dir)
            report = checker.check_post(post)
            if report.blocks:
                raise ContentError(report.blocks)
            accounts = target_accounts(post, settings)
            rendered = render_post(post, settings, accounts)
            calls = _plan(settings, rendered, accounts)
            name = folder.folder_name(post.id, path)
            if name is None:
                raise PreviewRefused(Problem(str(folder.posts / post.id), NOT_OURS))
        except SocialbotError as exc:
            folder.discard_stale(path)
            result.failures.append((path, exc))
        else:
            with folder.staging(path) as staged:
                _write_post(env, settings, rendered, accounts, calls, staged)
                post_dir = folder.publish(staged, name, path)
            page = post_dir / "index.html"
            result.posts.append(PostPreview(rendered, accounts, page, calls, report.warnings))
        if progress:
            progress(path)
    places: dict[str, Place] = {}
    try:
        places = calendar_places(settings, calendar or default_calendar(settings))
    except SocialbotError as exc:  # queue import reports it in full; the preview goes on
        result.calendar_note = f"日程表无法读取，按稿件自身日期分组：{exc.render()}"
    result.messages = daily_messages(settings, result.posts, places)
    if result.messages:
        folder.write_file("messages.html", env.get_template("messages.html").render(
            settings=settings, result=result, cards=_message_cards(result.messages),
            generated=_shown_now(settings)))
    folder.write_file("plan.json", _plan_json(settings, result))
    folder.write_file(
        "index.html",
        env.get_template("index.html").render(
            settings=settings,
            result=result,
            generated=_shown_now(settings),
            failures=[(p.name, e) for p, e in result.failures],
        ),
    )
    pages = [result.index, *(p.page for p in result.posts)]
    if result.messages:
        pages.append(folder.root / "messages.html")
    _write_style(env, folder, pages)
    return result


def _message_cards(messages: list[Message]) -> list[tuple[Message, Markup]]:
    """Each message as the follower's chat shows it (the platform draws it)."""
    cards = []
    for m in messages:
        p = PLATFORMS[m.account.platform]
        items = [(post.rendered.parts[p.name], f"posts/{post.folder}",
                  f"posts/{post.folder}/index.html") for post in m.posts]
        cards.append((m, p.message_card(m.account, items, m.day_label)))
    return cards


def _write_style(env: Environment, folder: OutputFolder, pages: list[Path]) -> None:
    """preview.css, loading a font subset that covers every page of this run.

    The font ships with the pages, so Chinese looks the same on a machine without any
    system CJK font.
    """
    texts = [page.read_text("utf-8") for page in pages]
    texts.append((PAGES / "preview.css").read_text("utf-8"))
    font = write_webfont(folder.root, texts, subdir=folder.fonts.name)
    css = env.get_template("preview.css").render(font_face=font.css, font_stack=font_stack())
    folder.write_file("preview.css", css)


def _plan(
    settings: Settings, rendered: RenderedPost, accounts: list[Account]
) -> dict[str, list[dict[str, object]]]:
    calls: dict[str, list[dict[str, object]]] = {}
    for account in accounts:
        channel = channel_for(account, settings, None)
        key = delivery_key(rendered.post_id, account.id, rendered.content_hash)
        calls[account.id] = [c.to_json() for c in channel.plan(rendered, key)]
    return calls


def _write_post(
    env: Environment,
    settings: Settings,
    rendered: RenderedPost,
    accounts: list[Account],
    calls: dict[str, list[dict[str, object]]],
    post_dir: Path,
) -> Path:
    files = {img.sha256: _write_image(post_dir, img) for img in rendered.images()}
    cards: list[Markup] = []
    checks: list[tuple[str, int, int]] = []
    for name, part in rendered.parts.items():
        platform = PLATFORMS[name]
        for file_name, text in platform.preview_files(part).items():
            (post_dir / file_name).write_text(text, "utf-8")
        checks += platform.preview_checks(part)
        mine = [a for a in accounts if a.platform == name]
        if mine:
            cards.append(platform.preview_card(part, mine, files, rendered))
    page = post_dir / "index.html"
    page.write_text(
        env.get_template("post.html").render(
            settings=settings,
            r=rendered,
            accounts=accounts,
            calls=calls,
            checks=checks,
            cards=cards,
            generated=_shown_now(settings),
        ),
        "utf-8",
    )
    return page


def _write_image(post_dir: Path, image: ImageAsset) -> str:
    (post_dir / image.filename).write_bytes(image.data)
    return image.filename


def _plan_json(settings: Settings, result: PreviewResult) -> str:
    accounts: dict[str, dict[str, object]] = {}
    for preview in result.posts:
        for account in preview.accounts:
            entry = accounts.setdefault(
                account.id,
                {
                    "platform": account.platform,
                    "name": account.name,
                    "api_base": account.api_base,
                    "reach": PLATFORMS[account.platform].reach(account),
                    "deliveries": [],
                },
            )
            entry["deliveries"].append(
                {  # type: ignore[union-attr]
                    "post_id": preview.rendered.post_id,
                    "title": preview.rendered.title,
                    "content_hash": preview.rendered.content_hash,
                    "calls": preview.calls[account.id],
                }
            )
    in_messages: dict[tuple[str, str], str] = {}
    for m in result.messages:
        messages = accounts[m.account.id].setdefault("messages", [])
        messages.append(m.to_json())  # type: ignore[union-attr]
        if len(m.posts) > 1:
            for post in m.posts:
                in_messages[(m.account.id, post.rendered.post_id)] = m.day_label
    for account_id, entry in accounts.items():
        for d in entry["deliveries"]:  # type: ignore[union-attr]
            day = in_messages.get((account_id, d["post_id"]))
            if day is not None:  # its calls are the message's (see "messages")
                d["calls"], d["message"] = [], day
    plan = {
        "dry_run": True,
        "generated_at": _now(settings),
        "note": (
            "预演：以下为正式发布时将按顺序调用的接口及参数，"
            "本次未调用任何接口；密钥与令牌以 *** 代替。"
            "群发账号同一天的稿件合成一条消息：见各账号的 messages"
            "（一次 draft/add 含全部文章，一次 sendall）。"
        ),
        "posts": len(result.posts),
        "failed_posts": [p.name for p, _ in result.failures],
        "accounts": accounts,
    }
    return json.dumps(plan, ensure_ascii=False, indent=2)


def _now(settings: Settings) -> str:
    """For plan.json: a machine-readable time with its offset."""
    return dt.datetime.now(settings.tz).isoformat(timespec="seconds")


def _shown_now(settings: Settings) -> str:
    """For the pages staff read: Beijing time as staff write it."""
    return show(dt.datetime.now(settings.tz), settings.tz)


def _page_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(PAGES)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["template_label"] = template_label
    env.globals["font_ready"] = Markup(font_ready_script())
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env
