"""The preview output folder: the only place preview writes, and only what it wrote.

Preview replaces its own earlier output on every run, so it must never mistake anything
else for its own. The rules:

- The output folder may not contain the config, posts, templates or assets, and must be
  new, empty, or an earlier preview (it carries :data:`MARKER`). Anything else is
  refused before a single file is written.
- A post's folder name is its validated post id (lower-case letters, digits and ``-``),
  never the raw file name; a second post with the same id in one run gets the id plus a
  hash of its path, so two posts never share a folder.
- Each post is written into a fresh staging folder inside ``posts/`` and moved into
  place only when complete; a folder is replaced or removed only when it carries this
  tool's marker (or, for output written before markers existed, holds nothing but the
  file names preview writes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from socialbot.errors import Problem, SocialbotError
from socialbot.post import post_id_for, valid_post_id

MARKER = ".socialbot-preview"
SIGNATURE = "socialbot preview output; safe to delete"
STAGING_PREFIX = ".staging-"
REPLACED_PREFIX = ".replaced-"
_STAGED_FILE_RE = re.compile(re.escape(STAGING_PREFIX) + "[0-9a-f]{12}")
_IMAGE_FILE = r"[a-z0-9_]+(?:-[a-z0-9_]+)*-[0-9a-f]{10}\.(?:jpg|png|gif|webp)"
FONTS = "fonts"  # the web font subset and its licence
NOT_OURS = "已有同名文件夹，不是预览生成的，没有覆盖；请删除它或换一个 --out 目录"


class PreviewRefused(SocialbotError):
    title = "预览未生成"


def _read_marker(folder: Path) -> list[str] | None:
    """The marker's lines when ``folder`` is a real folder carrying this tool's marker."""
    marker = folder / MARKER
    if folder.is_symlink() or not folder.is_dir() or marker.is_symlink() or not marker.is_file():
        return None
    try:
        lines = marker.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines if lines and lines[0] == SIGNATURE else None


def _write_marker(folder: Path, source: Path | None = None) -> None:
    lines = [SIGNATURE]
    if source is not None:
        lines.append(json.dumps({"source": str(source)}))  # ASCII-safe for any file name
    (folder / MARKER).write_text("\n".join(lines) + "\n", "utf-8")


def _marker_source(lines: list[str]) -> str | None:
    with contextlib.suppress(ValueError, IndexError, TypeError, AttributeError):
        return str(json.loads(lines[1])["source"])
    return None


def _post_file_re() -> re.Pattern[str]:
    """What preview writes per post: the page, the platforms' text files, the images."""
    from socialbot.platforms import PLATFORMS

    names = ["index.html", *(n for p in PLATFORMS.values() for n in p.preview_file_names)]
    return re.compile("|".join([*map(re.escape, names), _IMAGE_FILE]))


def _legacy_post_folder(folder: Path) -> bool:
    """A post folder written by preview before markers: only preview's own file names
    (kept so older output is replaced)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    entries = list(folder.iterdir())
    ours = _post_file_re()
    return bool(entries) and all(
        not e.is_symlink() and e.is_file() and ours.fullmatch(e.name) for e in entries
    )


def _legacy_root(root: Path) -> bool:
    """An output folder written by preview before markers: its plan.json says so."""
    plan, index = root / "plan.json", root / "index.html"
    if plan.is_symlink() or not plan.is_file() or not index.is_file():
        return False
    try:
        data = json.loads(plan.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("dry_run") is True and "accounts" in data


def _fresh(folder: Path, prefix: str, create: Callable[[Path], object]) -> Path:
    """A new name in ``folder`` made with ``create`` (which fails if the name exists).

    Unlike tempfile's, the result gets the usual permissions, so pages stay readable.
    """
    while True:
        path = folder / f"{prefix}{secrets.token_hex(6)}"
        try:
            create(path)
        except FileExistsError:
            continue
        return path


def _path_hash(path: Path) -> str:
    return hashlib.sha256(os.fsencode(path)).hexdigest()[:8]


class OutputFolder:
    """A checked preview output folder and the post folders written in it this run."""

    def __init__(self, root: Path):
        self.root = root
        self.posts = root / "posts"
        self.fonts = root / FONTS
        self.written: dict[str, Path] = {}  # folder name -> the post file written into it

    @classmethod
    def open(cls, out_dir: Path, inputs: Iterable[Path]) -> OutputFolder:
        """Check ``out_dir`` against ``inputs`` (files and folders preview reads), create
        what is missing and sweep up staging folders an interrupted run left behind.

        Raises PreviewRefused for a folder preview must not write into; OSError when the
        folder cannot be created.
        """
        root = out_dir.resolve()
        for source in inputs:
            source = source.resolve()
            if source == root or root in source.parents:
                raise PreviewRefused(Problem(
                    str(out_dir),
                    f"输出目录包含预览要读取的文件或目录（{source}），写入预览会覆盖它们；"
                    "请用 --out 指定一个专用的新目录，如 out/preview",
                ))
        if root.exists() and not root.is_dir():
            raise PreviewRefused(Problem(str(out_dir), "输出位置不是目录，请换一个 --out 目录"))
        foreign = root.is_dir() and _read_marker(root) is None and any(root.iterdir())
        if foreign and not _legacy_root(root):
            raise PreviewRefused(Problem(
                str(out_dir),
                "输出目录里已有其他文件，且不是 socialbot 生成的预览目录；为免覆盖，"
                "请用 --out 指定一个新目录或空目录",
            ))
        root.mkdir(parents=True, exist_ok=True)
        if _read_marker(root) is None:
            _write_marker(root)
        folder = cls(root)
        for sub in (folder.posts, folder.fonts):  # a link here would lead writes elsewhere
            if sub.is_symlink() or (sub.exists() and not sub.is_dir()):
                raise PreviewRefused(Problem(str(sub),
                                             f"预览目录中的 {sub.name} 不是普通目录，请删除它"))
            sub.mkdir(exist_ok=True)
        folder._sweep()
        return folder

    def _sweep(self) -> None:
        """Remove what an interrupted run left: marked staging and replaced folders, and
        half-written top-level files under the exact names write_file gives them."""
        for entry in self.posts.iterdir():
            if entry.name.startswith((STAGING_PREFIX, REPLACED_PREFIX)) and _read_marker(entry):
                shutil.rmtree(entry, ignore_errors=True)
        for entry in self.root.iterdir():
            if _STAGED_FILE_RE.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
                entry.unlink(missing_ok=True)

    def _ours(self, folder: Path) -> bool:
        return _read_marker(folder) is not None or _legacy_post_folder(folder)

    def _free_or_ours(self, name: str) -> bool:
        target = self.posts / name
        if name in self.written:
            return False
        return not (target.exists() or target.is_symlink()) or self._ours(target)

    def folder_name(self, post_id: str, source: Path) -> str | None:
        """The folder for a post: its id, or id + path hash when the id is taken; None
        when both names are held by something preview did not write."""
        if not valid_post_id(post_id):
            return None
        for name in (post_id, f"{post_id}-{_path_hash(source.resolve())}"):
            if self._free_or_ours(name):
                return name
        return None

    @contextlib.contextmanager
    def staging(self, source: Path) -> Iterator[Path]:
        """A fresh marked folder to write one post into; removed unless moved into place."""
        staged = _fresh(self.posts, STAGING_PREFIX, lambda path: path.mkdir())
        try:
            _write_marker(staged, source.resolve())
            yield staged
        finally:
            if staged.exists():
                shutil.rmtree(staged, ignore_errors=True)

    def publish(self, staged: Path, name: str, source: Path) -> Path:
        """Move a complete staging folder to ``posts/<name>``, replacing only our own."""
        target = self.posts / name
        old = None
        if target.exists() or target.is_symlink():
            if not self._ours(target):  # folder_name checked; it may have changed since
                raise PreviewRefused(Problem(str(target), NOT_OURS))
            old = _fresh(self.posts, REPLACED_PREFIX, target.rename)
            if _read_marker(old) is None:
                _write_marker(old)  # a legacy folder: mark it so a sweep may finish the job
        staged.rename(target)
        self.written[name] = source.resolve()
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def discard_stale(self, source: Path) -> None:
        """Remove the earlier preview of a post that failed this run, so no outdated page
        stays behind — only a folder whose marker names this very post file."""
        post_id = post_id_for(source)
        if not valid_post_id(post_id):
            return  # such a post never had a folder
        resolved = source.resolve()
        for name in (post_id, f"{post_id}-{_path_hash(resolved)}"):
            target = self.posts / name
            lines = _read_marker(target)
            if name not in self.written and lines and _marker_source(lines) == str(resolved):
                shutil.rmtree(target, ignore_errors=True)

    def write_file(self, name: str, content: str | bytes) -> Path:
        """Write a file at the top of the output folder, whole or not at all."""
        target = self.root / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        temp = _fresh(self.root, STAGING_PREFIX, lambda path: path.open("xb").close())
        try:
            temp.write_bytes(data)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return target
