"""The composer: write or edit a post in the browser, with a live phone preview.

Saving goes through the same path as the CLI: the form becomes an ordinary post file
in the posts folder, rendered and checked by ``socialbot.intake`` and queued by
``store.queue.add_entries`` (new) or re-rendered and passed to ``store.review.edit``
(an edit, which voids an approval of other content). Each save keeps the file's text
as a new version (``store.versions``) so the history page can show who changed what.

The preview renders the unsaved form into a temporary post file and runs exactly the
checks ``queue add`` runs; each problem is shown next to the field it is about.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from socialbot import channel_source
from socialbot.checks.model import Finding
from socialbot.config import Settings
from socialbot.errors import Problem, StoreError
from socialbot.intake import prepare, render_file, source_path
from socialbot.people import ADMIN, EDITOR, Person
from socialbot.platforms import PLATFORMS
from socialbot.post import valid_post_id
from socialbot.post_file import text_fields
from socialbot.render.templates import available_templates, template_label
from socialbot.rendered import RenderedPost
from socialbot.store import review, versions
from socialbot.store.models import PostRecord
from socialbot.store.queue import QueueRefused, add_entries
from socialbot.store.times import in_past, parse_time
from socialbot.store_rules import rules_of
from socialbot.strictdata import TextProblem
from socialbot.web import access, drafts
from socialbot.web.auth import CSRF_HEADER, Viewer, csrf_ok
from socialbot.web.cards import platform_cards
from socialbot.web.context import Console, checked_form, console_of, signed_in, visible_post

PREVIEW_IMAGES = 200  # rendered images kept for preview pages, across all signed-in staff
UPLOADS = "uploads"  # folder inside the assets folder for pictures uploaded in the console
UPLOAD_NAME = r"[0-9a-f]{16}\.(?:png|jpg)"
SHA = r"[0-9a-f]{64}"
ACCOUNT_RE = re.compile(r"账号 ([\w-]+)")


def compose_routes() -> list[BaseRoute]:
    return [
        Route("/compose", _new_form, methods=["GET"]),
        Route("/compose", _save_new, methods=["POST"]),
        Route("/compose/preview", _preview, methods=["POST"]),
        Route("/compose/upload", _upload, methods=["POST"]),
        Route("/compose/uploads/{name:str}", _uploaded),
        Route("/compose/image/{sha:str}", _preview_image),
        Route("/posts/{queue_id:int}/edit", _edit_form, methods=["GET"]),
        Route("/posts/{queue_id:int}/edit", _save_edit, methods=["POST"]),
        Route("/posts/{queue_id:int}/versions", _versions),
    ]


# --- who may write where --------------------------------------------------------------


def writable_units(person: Person, settings: Settings) -> set[str]:
    """Units whose accounts this person may write for: editor or admin there."""
    if person.sees_all(settings):
        return set(settings.units)
    return {r.unit for r in person.roles if r.role in (EDITOR, ADMIN)}


def writable_accounts(person: Person, settings: Settings) -> list[str]:
    units = writable_units(person, settings)
    return [a for a in settings.accounts if settings.unit_of(a) in units]


def edit_refusal(person: Person, settings: Settings, post: PostRecord) -> str | None:
    """Why this person may not edit the post (None: they may)."""
    missing = access.post_units(settings, post) - writable_units(person, settings)
    if missing:
        names = "、".join(settings.units[u].name if u in settings.units else (u or "未分配单位")
                         for u in sorted(missing))
        return f"你不是{names}的编辑，不能修改这篇稿件"
    return None


# --- shared state ---------------------------------------------------------------------


@dataclass
class ComposeState:
    """Per-app: the channels for platform checks, and recently rendered preview images."""

    channels: channel_source.Channels
    images: OrderedDict[tuple[int, str], tuple[str, bytes]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, person: Person, rendered: RenderedPost) -> dict[str, str]:
        """Remember the draft's images for this person; sha → URL for the preview cards."""
        files = {}
        with self.lock:
            for image in rendered.images():
                key = (person.id, image.sha256)
                self.images[key] = (image.mime, image.data)
                self.images.move_to_end(key)
                files[image.sha256] = f"/compose/image/{image.sha256}"
            while len(self.images) > PREVIEW_IMAGES:
                self.images.popitem(last=False)
        return files

    def image(self, person: Person, sha: str) -> tuple[str, bytes] | None:
        with self.lock:
            return self.images.get((person.id, sha))


_STATE_LOCK = threading.Lock()


def _state(request: Request) -> ComposeState:
    with _STATE_LOCK:
        state = getattr(request.app.state, "compose", None)
        if state is None:
            state = ComposeState(channel_source.default_channels(console_of(request).settings))
            request.app.state.compose = state
    return state


# --- forms ----------------------------------------------------------------------------


def _form_dict(form: FormData) -> dict[str, Any]:
    """Repeated fields (``name[]``) as lists, everything else as text."""
    out: dict[str, Any] = {}
    for key in form:
        if key.endswith("[]"):
            out[key] = [str(v) for v in form.getlist(key) if isinstance(v, str)]
        else:
            value = form.get(key)
            out[key] = value if isinstance(value, str) else ""
    return out


@dataclass
class Checked:
    """A rendered draft: problems per field (refusing), warnings per field, the cards."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    cards: list[Markup] = field(default_factory=list)
    rendered: RenderedPost | None = None

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.problems.values())

    @property
    def warning_count(self) -> int:
        return sum(len(v) for v in self.warnings.values())


def field_keys(draft: drafts.Draft, details: list[str]) -> list[str]:
    """Every form field that has a slot for its checks."""
    return ["name", "template", *draft.field_names(), *(f"details.{d}" for d in details),
            "body", "images", "targets", "at", "general"]


def _sort(checked: Checked, problems: list[Problem], findings: list[Finding], text: str,
          known: set[str], settings: Settings) -> None:
    from socialbot.frontmatter import split_post

    lines = drafts.line_fields(text)
    try:
        body_line = split_post(text).body_line
    except TextProblem:
        body_line = 10**9
    own = {a: PLATFORMS[acc.platform].post_text_field
           for a, acc in settings.accounts.items() if acc.platform in PLATFORMS}
    labels = {label: key for key, label in text_fields().items()}
    for p in problems:
        key = drafts.field_of(p, lines, body_line, own, known, labels)
        checked.problems.setdefault(key, []).append(_message(p, settings))
    for f in findings:
        key = f.field if f.field in known else (
            drafts.field_of(Problem(f.where, f.message), lines, body_line, own, known, labels))
        checked.warnings.setdefault(key, []).append(
            f"[{f.severity.label}·{f.label}] {f.message}" + (f"（“{f.excerpt}”）"
                                                              if f.excerpt else ""))


def _message(problem: Problem, settings: Settings) -> str:
    """The message, naming the account when a platform rule is about one account."""
    found = ACCOUNT_RE.search(problem.where)
    if found and found.group(1) in settings.accounts:
        return f"{problem.message}（{settings.accounts[found.group(1)].name}）"
    return problem.message


def check_draft(console: Console, state: ComposeState, person: Person, draft: drafts.Draft,
                *, post: PostRecord | None, at_text: str, name: str) -> Checked:
    """Render ``draft`` as ``queue add`` would and sort every problem by form field."""
    settings = console.settings
    allowed = writable_accounts(person, settings)
    details = drafts.template_details(settings.templates_dir,
                                      draft.fields.get("template", ""))
    known = set(field_keys(draft, details))
    checked = Checked()
    extra: list[Problem] = []
    if post is None:
        targets = [a for a in draft.accounts if a in allowed]
        if not targets:
            extra.append(Problem("发布账号", "请至少选择一个发布账号"))
        at = parse_time(at_text, settings.tz, "发布时间")
        if isinstance(at, Problem):
            extra.append(at)
        elif in_past(at, console.clock()):
            extra.append(Problem("发布时间", "发布时间已经过去，请选择以后的时间（北京时间）"))
        if not valid_post_id(name):
            extra.append(Problem("稿件代号", "稿件代号只能用小写字母、数字和连字符（-），"
                                             "2–64 个字符，如 0609-lab-open-day"))
        elif (settings.posts_dir / f"{name}.md").exists():
            extra.append(Problem("稿件代号", f"已有同名稿件 {name}.md，请换一个代号"))
        base = settings.posts_dir
        file_name = name if valid_post_id(name) else "draft"
    else:
        targets = list(post.targets)
        base = source_path(settings, post.source).parent
        file_name = post.post_id
    for p in extra:
        key = {"发布账号": "targets", "发布时间": "at", "稿件代号": "name"}[p.where]
        checked.problems.setdefault(key, []).append(p.message)
    text = drafts.to_text(_anchored(draft, base), accounts=targets or allowed)
    with tempfile.TemporaryDirectory(prefix="socialbot-compose-") as folder:
        path = Path(folder) / f"{file_name}.md"
        path.write_text(text, "utf-8")
        rendered, problems, warnings = render_file(settings, path, tuple(targets or allowed),
                                                   state.channels)
    _sort(checked, problems, warnings, text, known, settings)
    if rendered is not None:
        files = state.keep(person, rendered)
        checked.cards = platform_cards(settings, rendered, targets or allowed, files)
        checked.rendered = rendered
    return checked


def _anchored(draft: drafts.Draft, base: Path) -> drafts.Draft:
    """Picture paths relative to the post's folder made absolute, for a copy elsewhere."""
    def fix(p: str) -> str:
        return str(base / p) if p and not Path(p).is_absolute() and (base / p).is_file() else p

    cover = dict(draft.extra.get("cover") or {}) if isinstance(draft.extra.get("cover"),
                                                                dict) else {}
    extra = dict(draft.extra)
    if "logo" in cover and isinstance(cover["logo"], str):
        extra["cover"] = {**cover, "logo": fix(cover["logo"])}
    return replace(draft, images=[(n, fix(p)) for n, p in draft.images],
                   cover=fix(draft.cover), extra=extra)


def _context(console: Console, viewer: Viewer, draft: drafts.Draft, *,
             post: PostRecord | None, at_text: str = "", name: str = "",
             checked: Checked | None = None, message: str = "", base_hash: str = ""
             ) -> dict[str, Any]:
    settings = console.settings
    template = draft.fields.get("template", "")
    details = drafts.template_details(settings.templates_dir, template) if template else []
    for key in draft.details:  # a detail the file has but the template does not read
        if key not in details:
            details.append(key)
    templates = [(t, template_label(t)) for t in available_templates(settings.templates_dir)]
    return {
        "draft": draft, "post": post, "at_text": at_text, "post_name": name,
        "templates": templates, "details": [(d, drafts.detail_label(d)) for d in details],
        "texts": text_fields(), "labels": drafts.FIELD_LABELS,
        "accounts": writable_accounts(viewer.person, settings),
        "keys": field_keys(draft, details), "checked": checked or Checked(),
        "message": message, "base_hash": base_hash, "nav": "compose",
    }


# --- pages ----------------------------------------------------------------------------


def _new_name(console: Console) -> str:
    today = console.clock().astimezone(console.settings.tz)
    return f"{today:%m%d}-post-{secrets.token_hex(2)}"


@signed_in
async def _new_form(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    settings = console.settings
    if not writable_accounts(viewer.person, settings):
        raise HTTPException(403, "你在任何单位都不是编辑，不能撰写稿件")
    draft = drafts.Draft(fields={"template": "news", "author": settings.organisation_short})
    tomorrow = (console.clock().astimezone(settings.tz) + dt.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    context = _context(console, viewer, draft, post=None, name=_new_name(console),
                       at_text=tomorrow.strftime("%Y-%m-%d %H:%M"))
    return console.page("compose.html.j2", request, viewer, **context)


def _current_text(console: Console, post: PostRecord) -> tuple[Path, str]:
    path = source_path(console.settings, post.source)
    try:
        return path, path.read_text("utf-8")
    except OSError:
        raise HTTPException(409, f"稿件文件 {post.source} 不存在或无法读取，不能在控制台修改"
                                 "（请用命令行 queue edit）") from None


def _editable(console: Console, person: Person, queue_id: int) -> PostRecord:
    post, _ds = visible_post(console, person, queue_id)
    refusal = edit_refusal(person, console.settings, post)
    if refusal:
        raise HTTPException(403, refusal)
    return post


@signed_in
async def _edit_form(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    queue_id = int(request.path_params["queue_id"])
    post = await run_in_threadpool(_editable, console, viewer.person, queue_id)
    _path, text = await run_in_threadpool(_current_text, console, post)
    try:
        draft = drafts.from_text(text)
    except TextProblem as exc:
        raise HTTPException(409, f"稿件文件 {post.source} 第 {exc.line} 行：{exc} "
                                 "（请先在文件中改正）") from None
    message = "已保存" if request.query_params.get("saved") else ""
    # The preview drawn into the page itself, so the page's font faces cover it too.
    checked = await run_in_threadpool(check_draft, console, _state(request), viewer.person,
                                      draft, post=post, at_text="", name=post.post_id)
    context = _context(console, viewer, draft, post=post, message=message,
                       base_hash=post.content_hash, checked=checked)
    return console.page("compose.html.j2", request, viewer, **context)


@signed_in
async def _preview(request: Request, viewer: Viewer) -> Response:
    """The phone preview and every check, for the unsaved form (htmx, as staff type)."""
    console = console_of(request)
    await checked_form(request, viewer)
    form = _form_dict(await request.form())
    post = None
    queue_id = form.get("queue_id", "")
    base = None
    if queue_id.isdigit():
        post = await run_in_threadpool(_editable, console, viewer.person, int(queue_id))
        _path, text = await run_in_threadpool(_current_text, console, post)
        base = _lenient(text)
    draft = drafts.from_form(form, base)
    state = _state(request)
    checked = await run_in_threadpool(check_draft, console, state, viewer.person, draft,
                                      post=post, at_text=form.get("at", ""),
                                      name=form.get("name", "").strip())
    context = _context(console, viewer, draft, post=post, checked=checked)
    # No inline extra font here: cutting one costs seconds per new character typed, and
    # its stack would replace the page's. The page's own faces cover what it was opened
    # with; newly typed rare characters use the system's CJK font until the next load.
    body = console.jinja.get_template("_compose_preview.html.j2").render(
        request=request, viewer=viewer, **context)
    return HTMLResponse(body)


def _lenient(text: str) -> drafts.Draft | None:
    try:
        return drafts.from_text(text)
    except TextProblem:
        return None


@signed_in
async def _save_new(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    await checked_form(request, viewer)
    form = _form_dict(await request.form())
    draft = drafts.from_form(form)
    name = form.get("name", "").strip()
    at_text = form.get("at", "")
    state = _state(request)
    queue_id, checked = await run_in_threadpool(
        _queue_new, console, state, viewer.person, draft, name, at_text)
    if queue_id is not None:
        return RedirectResponse(f"/posts/{queue_id}/edit?saved=1", status_code=303)
    context = _context(console, viewer, draft, post=None, name=name, at_text=at_text,
                       checked=checked, message="")
    return console.page("compose.html.j2", request, viewer, 422, refused=True, **context)


def _queue_new(console: Console, state: ComposeState, person: Person, draft: drafts.Draft,
               name: str, at_text: str) -> tuple[int | None, Checked]:
    """Write the post file and queue it as ``queue add`` does; on any problem, neither."""
    settings = console.settings
    checked = check_draft(console, state, person, draft, post=None, at_text=at_text, name=name)
    if checked.count:
        return None, checked
    allowed = writable_accounts(person, settings)
    targets = tuple(a for a in draft.accounts if a in allowed)
    at = parse_time(at_text, settings.tz, "发布时间")
    assert not isinstance(at, Problem)
    text = drafts.to_text(draft, accounts=list(targets))
    path = settings.posts_dir / f"{name}.md"
    try:
        settings.posts_dir.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        checked.problems.setdefault("name", []).append(f"已有同名稿件 {name}.md，请换一个代号")
        return None, checked
    try:
        entry = prepare(settings, str(path), targets=targets, at=at, author=person.username,
                        channels=state.channels)
        now = console.clock()
        add_entries(console.store, rules_of(settings), [entry], now, actor=person.username)
    except QueueRefused as exc:
        path.unlink(missing_ok=True)
        _sort(checked, [p for e in exc.entries for p in e.problems], [], text,
              set(field_keys(draft, list(draft.details))), settings)
        return None, checked
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    assert entry.queue_id is not None and entry.rendered is not None
    versions.record(console.store, post=entry.queue_id, actor=person.username, at=now,
                    source=text, content_hash=entry.rendered.content_hash,
                    note="在控制台撰写并加入队列")
    return entry.queue_id, checked


@signed_in
async def _save_edit(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    await checked_form(request, viewer)
    form = _form_dict(await request.form())
    queue_id = int(request.path_params["queue_id"])
    post = await run_in_threadpool(_editable, console, viewer.person, queue_id)
    if form.get("base_hash") != post.content_hash:
        raise HTTPException(409, "这篇稿件在你打开之后已被修改（内容指纹不同），"
                                 "请重新打开修改页面，以免覆盖别人的修改")
    path, text = await run_in_threadpool(_current_text, console, post)
    base = _lenient(text)
    draft = drafts.from_form(form, base)
    if base is not None:
        draft.accounts = base.accounts  # the targets stay; rescheduling is elsewhere
    state = _state(request)
    checked, notes = await run_in_threadpool(
        _edit_post, console, state, viewer.person, post, draft, path, text)
    if checked is None:
        return RedirectResponse(f"/posts/{queue_id}/edit?saved=1", status_code=303)
    context = _context(console, viewer, draft, post=post, checked=checked,
                       base_hash=post.content_hash, message=notes)
    return console.page("compose.html.j2", request, viewer, 422, refused=True, **context)


def _edit_post(console: Console, state: ComposeState, person: Person, post: PostRecord,
               draft: drafts.Draft, path: Path, old_text: str) -> tuple[Checked | None, str]:
    """Rewrite the post file and re-render it as ``queue edit`` does; undo on any problem."""
    settings = console.settings
    new_text = drafts.to_text(draft)
    checked = Checked()
    if new_text == old_text:
        return None, ""
    _write(path, new_text)
    try:
        rendered, problems, warnings = render_file(settings, path, post.targets,
                                                   state.channels)
        if problems or rendered is None:
            _write(path, old_text)
            details = drafts.template_details(settings.templates_dir,
                                              draft.fields.get("template", ""))
            _sort(checked, problems, [], new_text, set(field_keys(draft, details)), settings)
            return checked, ""
        now = console.clock()
        result = review.edit(console.store, rules_of(settings), post.id, rendered,
                             person.username, now, warnings=warnings)
    except StoreError as exc:
        _write(path, old_text)
        checked.problems.setdefault("general", []).extend(str(p) for p in exc.problems)
        return checked, ""
    except BaseException:
        _write(path, old_text)
        raise
    if not versions.history(console.store, post.id):  # queued before versions were kept
        versions.record(console.store, post=post.id, actor=post.author, at=post.created_at,
                        source=old_text, content_hash=post.content_hash,
                        note="修改前的稿件文件")
    note = "；".join(("在控制台修改", *result.notes))
    versions.record(console.store, post=post.id, actor=person.username, at=now,
                    source=new_text, content_hash=result.content_hash, note=note)
    return None, ""


def _write(path: Path, text: str) -> None:
    """Replace the file whole: a reader sees the old text or the new, never half."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


# --- images ---------------------------------------------------------------------------


@signed_in
async def _upload(request: Request, viewer: Viewer) -> Response:
    """One picture into the assets' uploads folder, after checking type, size and pixels."""
    console = console_of(request)
    if not csrf_ok(viewer.csrf, request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, "安全校验未通过（页面已过期或请求不是从控制台发出的），"
                                 "请刷新页面后重试")
    if not writable_accounts(viewer.person, console.settings):
        raise HTTPException(403, "你在任何单位都不是编辑，不能上传图片")
    size = request.headers.get("content-length", "")
    if size.isdigit() and int(size) > drafts.MAX_UPLOAD_BYTES + 64 * 1024:
        return _upload_error(console, request, viewer, Problem(
            "上传的图片", f"文件超过上限 {drafts.MAX_UPLOAD_BYTES // 1024 // 1024} MB"))
    form = await request.form(max_files=1, max_fields=200)
    upload = form.get("image")
    if not isinstance(upload, UploadFile):
        return _upload_error(console, request, viewer, Problem("上传的图片", "请先选择图片文件"))
    data = await upload.read(drafts.MAX_UPLOAD_BYTES + 1)
    checked = drafts.check_upload(upload.filename or "", data)
    if isinstance(checked, Problem):
        return _upload_error(console, request, viewer, checked)
    folder = console.settings.assets_dir / UPLOADS

    def store() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / checked.file_name
        if not target.exists():
            _write_bytes(target, data)

    await run_in_threadpool(store)
    existing = {str(v) for v in form.getlist("image_name[]")}
    number = 1
    while f"img{number}" in existing:
        number += 1
    return console.page("_compose_image.html.j2", request, viewer, image_name=f"img{number}",
                        path=f"{UPLOADS}/{checked.file_name}", upload=checked, cover="")


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _upload_error(console: Console, request: Request, viewer: Viewer,
                  problem: Problem) -> Response:
    response = console.page("_message.html.j2", request, viewer, 422, kind="error",
                            message=f"{problem.where}：{problem.message}")
    response.headers.update({"HX-Retarget": "#upload-msg", "HX-Reswap": "innerHTML"})
    return response


@signed_in
async def _uploaded(request: Request, viewer: Viewer) -> Response:
    """An uploaded picture (for the composer's thumbnails)."""
    name = str(request.path_params["name"])
    if not re.fullmatch(UPLOAD_NAME, name):
        raise HTTPException(404)
    path = console_of(request).settings.assets_dir / UPLOADS / name
    try:
        data = await run_in_threadpool(path.read_bytes)
    except OSError:
        raise HTTPException(404) from None
    mime = "image/png" if name.endswith(".png") else "image/jpeg"
    return Response(data, media_type=mime, headers={"cache-control": "private, max-age=3600"})


@signed_in
async def _preview_image(request: Request, viewer: Viewer) -> Response:
    """An image of a draft this person previewed (cover, poster, picture in the text)."""
    sha = str(request.path_params["sha"])
    found = _state(request).image(viewer.person, sha) if re.fullmatch(SHA, sha) else None
    if found is None:
        raise HTTPException(404)
    mime, data = found
    return Response(data, media_type=mime, headers={"cache-control": "private, max-age=600"})


# --- history --------------------------------------------------------------------------


@signed_in
async def _versions(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    queue_id = int(request.path_params["queue_id"])
    post, _ds = await run_in_threadpool(visible_post, console, viewer.person, queue_id)
    found = await run_in_threadpool(versions.history, console.store, queue_id)
    rows = []
    previous = ""
    for v in found:
        rows.append((v, drafts.diff_lines(previous, v.source) if previous else []))
        previous = v.source
    rows.reverse()
    can_edit = edit_refusal(viewer.person, console.settings, post) is None
    return console.page("versions.html.j2", request, viewer, post=post, rows=rows,
                        can_edit=can_edit, nav="compose")
