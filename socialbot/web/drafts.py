"""The composer's form ↔ a post file, and where each problem belongs in the form.

The console writes the same Markdown-with-front-matter file staff write by hand, so
the CLI and the console stay interchangeable: a post saved in the browser is an
ordinary post file in the posts folder, queued through the same intake path as
``queue add``. This module is pure: no HTTP, no store.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from socialbot.errors import Problem
from socialbot.frontmatter import parse_front_matter, split_post
from socialbot.post_file import text_fields
from socialbot.render.templates import make_environment

# Front-matter keys the composer edits; anything else in a file is kept as it was.
FORM_KEYS = ("template", "title", "author", "digest", "date", "kicker", "link")
FIELD_LABELS = {
    "template": "模板", "title": "标题", "author": "作者", "digest": "摘要", "date": "活动日期",
    "kicker": "封面小标题", "link": "原文链接", "body": "正文", "images": "图片",
    "targets": "发布账号", "at": "发布时间", "name": "稿件代号", "general": "整篇稿件",
}
# What staff call the details the packaged templates read (a staff template's own
# details are shown by their key).
DETAIL_LABELS = {
    "time": "时间", "place": "地点", "highlights": "活动亮点", "summary": "简介",
    "guests": "嘉宾", "platform": "平台", "topic": "主题", "initiator": "倡议单位",
    "points": "倡议要点", "host_units": "主办单位", "labs": "开放实验室", "source": "来源",
    "findings": "主要发现", "partner": "合作单位", "expert": "专家", "topics": "话题",
    "audience": "面向对象", "sessions": "场次", "guided_by": "指导单位",
    "hosted_by": "主办单位", "undertaken_by": "承办单位",
}
_DETAIL_RE = re.compile(
    r"details\s*(?:\.\s*get\(\s*[\"'](\w+)[\"']|\.\s*(\w+)|\[\s*[\"'](\w+)[\"']\s*\])")
_REF_RE = re.compile(r"{%-?\s*(?:extends|include|import|from)\s+[\"']([\w./-]+)[\"']")
_FIELD_RE = re.compile(r"字段 ([\w.]+)")
_LINE_RE = re.compile(r"第 (\d+) 行")
_ACCOUNT_RE = re.compile(r"账号 ([\w-]+)")
_KEYWORDS = (("标题", "title"), ("摘要", "digest"), ("作者", "author"), ("封面", "images"),
             ("配图", "images"), ("图片", "images"), ("正文", "body"), ("链接", "link"))


def template_details(templates_dir: Path | None, name: str) -> list[str]:
    """The ``details`` keys a template (and what it extends or imports) reads, in order."""
    env = make_environment(templates_dir)
    assert env.loader is not None
    seen: set[str] = set()
    found: list[str] = []
    todo = [f"{name}.j2"]
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        try:
            source, _, _ = env.loader.get_source(env, current)
        except Exception:  # a missing or refused template: the render reports it
            continue
        for match in _DETAIL_RE.finditer(source):
            key = next(g for g in match.groups() if g)
            if key not in ("get", "items", "keys", "values") and key not in found:
                found.append(key)
        todo += _REF_RE.findall(source)
    return found


def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key, key)


@dataclass
class Draft:
    """What the form holds; ``extra`` keeps front-matter keys the form does not show."""

    fields: dict[str, str] = field(default_factory=dict)  # FORM_KEYS + platform text fields
    details: dict[str, str] = field(default_factory=dict)  # one line each, or one per line
    body: str = ""
    images: list[tuple[str, str]] = field(default_factory=list)  # (name in body, file)
    cover: str = ""  # file of the cover photo ("" = the template's own)
    accounts: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def field_names(self) -> list[str]:
        return [*FORM_KEYS, *text_fields()]


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_text(text: str) -> Draft:
    """A post file's text as the form shows it (raises TextProblem if it is unreadable)."""
    split = split_post(text.replace("\r\n", "\n"))
    meta = dict(parse_front_matter(split.front_matter, split.front_matter_line))
    draft = Draft(body=split.body.strip("\n"))
    for key in [*FORM_KEYS, *text_fields()]:
        if key in meta:
            draft.fields[key] = _plain(meta.pop(key))
    details = meta.pop("details", None)
    if isinstance(details, dict):
        draft.details = {str(k): _plain(v) for k, v in details.items()}
    images = meta.pop("images", None)
    if isinstance(images, dict):
        draft.images = [(str(k), str(v)) for k, v in images.items()]
    cover = meta.get("cover")
    if isinstance(cover, dict) and isinstance(cover.get("photo"), str):
        draft.cover = cover["photo"]
        if draft.cover not in {p for _n, p in draft.images}:
            draft.images.append(("", draft.cover))
    accounts = meta.pop("accounts", None)
    if isinstance(accounts, list):
        draft.accounts = [str(a) for a in accounts]
    elif isinstance(accounts, str):
        draft.accounts = [a.strip() for a in accounts.split(",") if a.strip()]
    draft.extra = meta
    return draft


def from_form(form: dict[str, Any], base: Draft | None = None) -> Draft:
    """The submitted form as a draft; ``base`` supplies what the form does not carry."""
    draft = Draft(extra=dict(base.extra) if base else {})
    for key in draft.field_names():
        value = str(form.get(key) or "").strip()
        if value:
            draft.fields[key] = value
    for key, value in form.items():
        if key.startswith("details.") and str(value).strip():
            draft.details[key.removeprefix("details.")] = str(value).strip()
    draft.body = str(form.get("body") or "").replace("\r\n", "\n").strip("\n")
    names = list(form.get("image_name[]") or [])
    paths = list(form.get("image_path[]") or [])
    draft.images = [(str(n).strip(), str(p)) for n, p in zip(names, paths, strict=False) if p]
    draft.cover = str(form.get("cover") or "")
    draft.accounts = [str(a) for a in form.get("accounts[]") or []]
    return draft


def to_text(draft: Draft, *, accounts: list[str] | None = None) -> str:
    """The post file for ``draft``: YAML front matter, then the Markdown body."""
    meta: dict[str, Any] = {}
    for key in draft.field_names():
        value = draft.fields.get(key, "")
        if value:
            meta[key] = value
    chosen = draft.accounts if accounts is None else accounts
    if chosen:
        meta["accounts"] = list(chosen)
    cover = dict(draft.extra.get("cover") or {}) if isinstance(draft.extra.get("cover"),
                                                                dict) else {}
    cover.pop("photo", None)
    if draft.cover:
        cover["photo"] = draft.cover
    named = {n: p for n, p in draft.images if n}
    if named:
        meta["images"] = named
    if draft.details:
        meta["details"] = {k: _detail_value(v) for k, v in draft.details.items()}
    for key, value in draft.extra.items():
        if key not in meta and key != "cover":
            meta[key] = value
    if cover:
        meta["cover"] = cover
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000,
                           default_flow_style=False)
    return f"---\n{front}---\n{draft.body}\n"


def _detail_value(text: str) -> str | list[str]:
    """One line stays text; several lines become a list (the templates show both)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines if len(lines) > 1 else (lines[0] if lines else "")


def line_fields(text: str) -> dict[int, str]:
    """Front-matter line number → the form field it belongs to."""
    found: dict[int, str] = {}
    current = "general"
    lines = text.split("\n")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            break
        top = re.match(r"^([\w-]+):", line)
        if top:
            current = top.group(1)
            found[number] = _field_key(current)
            continue
        nested = re.match(r"^\s+([\w-]+):", line)
        if nested and current == "details":
            found[number] = f"details.{nested.group(1)}"
        else:
            found[number] = found.get(number - 1, _field_key(current))
    return found


def _field_key(key: str) -> str:
    if key in ("cover", "images"):
        return "images"
    if key == "accounts":
        return "targets"
    return key


def field_of(problem: Problem, lines: dict[int, str], body_line: int,
             text_field_of: dict[str, str], known: set[str],
             text_labels: dict[str, str] | None = None) -> str:
    """Which form field a problem belongs to (``general`` when none fits).

    ``text_field_of`` maps an account id to its platform's own text field, if any;
    ``text_labels`` maps what staff call a field (微博正文, 标题) to its key.
    """
    text_labels = {**{v: k for k, v in FIELD_LABELS.items()}, **(text_labels or {})}
    where, message = problem.where, problem.message
    named = _FIELD_RE.search(where) or _FIELD_RE.search(message)
    if named:
        key = _field_key(named.group(1).split(".")[0]) if not named.group(1).startswith(
            "details.") else named.group(1)
        return key if key in known else "general"
    if "（正文）" in where:
        return "body"
    named_by = where.split(" ", 1)[1] if " " in where else ""
    for label, key in text_labels.items():  # "0609-x.md 微博正文": a field by its name
        if named_by.startswith(label) and key in known:
            return key
    line = _LINE_RE.search(where)
    if line:
        number = int(line.group(1))
        if number >= body_line:
            return "body"
        return lines.get(number, "general") if lines.get(number, "general") in known \
            else "general"
    account = _ACCOUNT_RE.search(where)
    if account:
        own = text_field_of.get(account.group(1), "")
        for word, key in _KEYWORDS:
            if word in message and key in known and not (own and key == "body"):
                return key
        if own and own in known:
            return own
        return "targets"
    return "general"


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line): kind is add, del, hunk or same; text is escaped later."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), "旧版本", "新版本",
                                     lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out


# --- uploaded images -----------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a camera JPEG; the renderer scales it down
MAX_SIDE = 10_000  # pixels, either side
MAX_PIXELS = 40_000_000  # what the renderer is willing to decode
MIN_SIDE = 200  # smaller cannot fill a cover or a Weibo image
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


@dataclass(frozen=True)
class Upload:
    file_name: str  # <sha16>.<ext>, the name kept in the uploads folder
    width: int
    height: int
    mime: str


def check_upload(name: str, data: bytes) -> Upload | Problem:
    """An uploaded picture, validated before it is written: type, size and pixels."""
    from PIL import Image, UnidentifiedImageError

    where = f"上传的图片“{name[:60]}”"
    if not data:
        return Problem(where, "文件是空的")
    if len(data) > MAX_UPLOAD_BYTES:
        return Problem(where, f"文件有 {len(data) / 1024 / 1024:.1f} MB，超过上限 "
                              f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    try:
        with Image.open(io.BytesIO(data)) as im:
            kind, width, height = im.format or "", im.width, im.height
            if kind not in FORMATS:
                return Problem(where, f"格式为 {kind or '未知'}，只能上传 JPEG 或 PNG 图片")
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                return Problem(where, f"图片为 {width}×{height} 像素，超过上限（每边最多 "
                                      f"{MAX_SIDE} 像素，共 {MAX_PIXELS // 10_000} 万像素）")
            if min(width, height) < MIN_SIDE:
                return Problem(where, f"图片只有 {width}×{height} 像素，太小（每边至少 "
                                      f"{MIN_SIDE} 像素）")
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        return Problem(where, "不是可以读取的图片文件（只能上传 JPEG 或 PNG 图片）")
    ext, mime = FORMATS[kind]
    sha = hashlib.sha256(data).hexdigest()
    return Upload(f"{sha[:16]}.{ext}", width, height, mime)
