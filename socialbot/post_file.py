"""Post files: Markdown with YAML front matter, loaded into a typed :class:`~socialbot.post.Post`.

Loading reports every problem at once, each with the file, the line (for YAML errors)
or the field, and the rule broken, so staff can fix a post in one go. Each platform
declares its own front-matter text field, so this module sits above the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from socialbot.errors import PostError, Problem
from socialbot.explain import os_reason
from socialbot.frontmatter import MAX_BYTES as MAX_FRONT_MATTER_BYTES
from socialbot.frontmatter import parse_front_matter, split_post
from socialbot.platforms import PLATFORMS
from socialbot.post import WINDOWS_DEVICE_NAMES, Post, post_id_for, valid_post_id
from socialbot.strictdata import KIB, TextProblem, decode_text, read_bounded

# Twice WeChat's 20,000-character article limit: room for the Markdown the HTML drops, and
# a bound on parsing time (Markdown costs about 1 s per 30,000 short lines).
MAX_BODY_CHARS = 40_000  # twice the longest article any platform takes (20,000 characters)
MAX_BODY_BYTES = 4 * MAX_BODY_CHARS  # UTF-8 needs at most 4 bytes a character
MAX_FILE_BYTES = MAX_FRONT_MATTER_BYTES + MAX_BODY_BYTES + KIB

KNOWN_FIELDS = {
    "template": "模板名称（必填）",
    "title": "标题（必填）",
    "author": "作者",
    "digest": "摘要",
    "date": "活动日期（YYYY-MM-DD）",
    "organiser": "主办单位",
    "kicker": "封面小标题",
    "accounts": "发布账号列表",
    "cover": "封面设置（photo、logo）",
    "images": "正文图片",
    "link": "原文链接（微博安全域名下的网址）",
    "source_url": "阅读原文链接",
    "details": "模板所需的其他信息",
    "comments": "是否开放留言",
}


def text_fields() -> dict[str, str]:
    """Front-matter fields that hold one platform's own text: field → what staff call it.

    Each platform declares its own (``Platform.post_text_field``), so a new platform's
    field is known without touching this module.
    """
    return {p.post_text_field: p.post_text_label for p in PLATFORMS.values()
            if p.post_text_field}



def load_post(path: str | Path, *, assets_dir: Path | None = None) -> Post:
    """Read one post file; raise PostError listing every problem found.

    The file is plain data written by staff: it is read with bounded size, strict UTF-8
    and a strict front-matter reader (socialbot.frontmatter), so no input can hang,
    exhaust memory or end in a traceback; every refusal names the file and line.
    """
    path = Path(path)
    name = path.name

    def at(line: int | None) -> str:
        return f"{name} 第 {line} 行" if line else name

    try:
        text = decode_text(read_bounded(path, MAX_FILE_BYTES))
        split = split_post(text)
        meta = parse_front_matter(split.front_matter, split.front_matter_line)
    except FileNotFoundError:
        raise PostError(Problem(str(path), "稿件文件不存在")) from None
    except IsADirectoryError:
        raise PostError(Problem(str(path), "这是一个文件夹，不是稿件文件（.md）")) from None
    except OSError as exc:
        raise PostError(Problem(str(path), f"稿件文件无法读取（{os_reason(exc)}）")) from None
    except TextProblem as problem:
        raise PostError(Problem(at(problem.line), problem.message)) from None
    if len(split.body) > MAX_BODY_CHARS:
        raise PostError(Problem(at(split.body_line), (
            f"正文太长：共 {len(split.body)} 字，超过上限 {MAX_BODY_CHARS // 10000} 万字"
            "（公众号文章正文最多 2 万字符）")))
    return _PostReader(path, meta, split.body, split.body_line, assets_dir).post()


class _PostReader:
    def __init__(
        self, path: Path, meta: dict[str, Any], body: str, body_line: int, assets_dir: Path | None
    ):
        self.path = path
        self.meta = meta
        self.body = body
        self.body_line = body_line
        self.assets_dir = assets_dir
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.path.name} 字段 {key}", message))

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.meta.get(key)
        if value is None:
            if required:
                self.fail(key, "缺少必填字段")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(key, "应为文本")
            return ""
        return str(value).strip()

    def url(self, key: str) -> str:
        value = self.text(key)
        if value and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
            self.fail(key, f"应为完整网址（http:// 或 https:// 开头），现为“{value}”")
        return value

    def file(self, key: str, value: Any) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "应为图片文件路径")
            return None
        candidates = [self.path.parent / value]
        if self.assets_dir:
            candidates.append(self.assets_dir / value)
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        self.fail(key, f"图片文件不存在：{value}（在稿件目录和 assets/ 中都没有找到）")
        return None

    def post(self) -> Post:
        fields = KNOWN_FIELDS | text_fields()
        for key, value in self.meta.items():
            if key not in fields:
                known = "、".join(fields)
                self.fail(str(key), f"未知字段（可用字段：{known}）")
            elif value is None:
                self.fail(str(key), "值为空（YAML 中 # 之后的文字是注释；内容以 # 开头时请加引号）")
        post_id = post_id_for(self.path)
        if post_id in WINDOWS_DEVICE_NAMES:
            self.problems.append(Problem(self.path.name, (
                f"文件名“{post_id}”是 Windows 保留的设备名，预览文件夹在 Windows 上无法打开；"
                "请换一个名字，如 0609-forum.md")))
        elif not valid_post_id(post_id):
            self.problems.append(
                Problem(self.path.name, "文件名只能用小写字母、数字和连字符（-），如 0609-forum.md")
            )
        template = self.text("template", required=True)
        title = self.text("title", required=True)
        date = self.date()
        accounts = self.accounts()
        cover = self.meta.get("cover") or {}
        cover_photo = cover_logo = None
        if not isinstance(cover, dict):
            self.fail("cover", "应为 photo/logo 设置，如 cover: {photo: photos/lab.jpg}")
        else:
            for key in cover:
                if key not in ("photo", "logo"):
                    self.fail(f"cover.{key}", "未知字段（可用：photo、logo）")
            if "photo" in cover:
                cover_photo = self.file("cover.photo", cover["photo"])
            if "logo" in cover:
                cover_logo = self.file("cover.logo", cover["logo"])
        images = self.images()
        details = self.meta.get("details") or {}
        if not isinstance(details, dict):
            self.fail("details", "应为“名称: 值”的表")
            details = {}
        comments = self.meta.get("comments", False)
        if not isinstance(comments, bool):
            self.fail("comments", "应为 true 或 false")
        body = self.body.strip("\n")
        if not body.strip():
            self.problems.append(Problem(f"{self.path.name} 第 {self.body_line} 行", "正文为空"))
        post = Post(
            id=post_id,
            path=self.path.resolve(),
            template=template,
            title=title,
            body=body,
            author=self.text("author"),
            digest=self.text("digest"),
            date=date,
            organiser=self.text("organiser"),
            kicker=self.text("kicker"),
            accounts=accounts,
            cover_photo=cover_photo,
            cover_logo=cover_logo,
            images=images,
            link=self.url("link"),
            source_url=self.url("source_url"),
            texts={name: value for name in text_fields() if (value := self.text(name))},
            details=details,
            comments=bool(comments),
            body_line=self.body_line,
        )
        if self.problems:
            raise PostError(self.problems)
        return post

    def date(self) -> dt.date | None:
        value = self.meta.get("date")
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail("date", f"日期无效：“{value}”，应为 YYYY-MM-DD，如 2022-06-09")
            return None

    def accounts(self) -> tuple[str, ...]:
        value = self.meta.get("accounts", [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("accounts", "应为账号名列表，如 [shsmr_wechat, shsmr_weibo]")
            return ()
        return tuple(value)

    def images(self) -> dict[str, Path]:
        value = self.meta.get("images") or {}
        if not isinstance(value, dict):
            self.fail("images", "应为“名称: 文件路径”的表，正文中用 ![说明](名称) 引用")
            return {}
        images: dict[str, Path] = {}
        for name, file in value.items():
            resolved = self.file(f"images.{name}", file)
            if resolved:
                images[str(name)] = resolved
        return images
