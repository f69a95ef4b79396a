"""A fingerprint of a folder tree, to prove a command changed nothing outside its output."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_digest(root: Path, *, skip: Path | None = None) -> dict[str, str]:
    """Every entry under ``root`` (``skip`` and what is under it left out): relative path
    -> content hash for files, link target for symlinks, "dir" for folders."""
    skip = skip.resolve() if skip is not None else None
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        if skip is not None and (here.resolve() == skip or skip in here.resolve().parents):
            dirs[:] = []
            continue
        for name in dirs + files:
            path = here / name
            if skip is not None and path.resolve() == skip:
                continue
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
