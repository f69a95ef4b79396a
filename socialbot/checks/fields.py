"""A post as the text fields staff wrote, each with its line in the post file.

Every field that reaches followers is checked: title, author, digest, kicker,
organiser, weibo, link, source_url, every text inside ``details`` and the body. The
post file is read once more for line numbers; if it cannot be, findings still name
the field, only without a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from socialbot.checks.model import Kind, TextField
from socialbot.config import Settings
from socialbot.frontmatter import split_post
from socialbot.post import Post
from socialbot.strictdata import TextProblem, decode_text

PLAIN_FIELDS = ("title", "author", "digest", "kicker", "organiser")  # + each platform's text
URL_FIELDS = ("link", "source_url")
MAX_DEPTH = 12


class _Source:
    """The front matter's lines (file line = index + 2) and where the body starts."""

    def __init__(self, post: Post):
        self.lines: list[str] = []
        self.body_line = post.body_line
        try:
            parts = split_post(decode_text(post.path.read_bytes()))
        except (OSError, TextProblem):
            return
        self.lines = parts.front_matter.split("\n")
        rest = parts.body
        # post.py strips the blank lines that open the body
        self.body_line = parts.body_line + len(rest) - len(rest.lstrip("\n"))

    def key_line(self, key: str, after: int = 0) -> int | None:
        """Index of the line where ``key:`` is written, at or after index ``after``."""
        pattern = re.compile(rf"^\s*(?:-\s+)?[\"']?{re.escape(key)}[\"']?\s*:")
        for i in range(after, len(self.lines)):
            if pattern.match(self.lines[i]):
                return i
        return None

    def value_line(self, value: str, after: int) -> int:
        """Index of the first line at or after ``after`` that shows the value's start."""
        needle = value.strip().split("\n")[0][:12]
        if needle:
            for i in range(after, len(self.lines)):
                if needle in self.lines[i]:
                    return i
        return after

    def field(self, name: str, text: str, kind: Kind, file: str, index: int | None) -> TextField:
        if index is None:
            return TextField(name, text, kind, file)
        return TextField(name, text, kind, file, line=index + 2,
                         source_lines=tuple(self.lines[index:]))


def post_fields(post: Post) -> list[TextField]:
    """Every staff-written text of ``post`` that followers may see, located."""
    source = _Source(post)
    file = post.path.name
    fields = []
    values = [*((n, getattr(post, n), Kind.PLAIN) for n in PLAIN_FIELDS),
              *((n, text, Kind.PLAIN) for n, text in post.texts.items()),  # e.g. weibo
              *((n, getattr(post, n), Kind.URL) for n in URL_FIELDS)]
    for name, value, kind in values:
        if value:
            at = source.key_line(name)
            index = source.value_line(value, at) if at is not None else None
            fields.append(source.field(name, value, kind, file, index))
    details_at = source.key_line("details")
    for name, value in _leaves(post.details, "details", 0):
        at = None
        if details_at is not None:
            key = re.sub(r"\[\d+\]$", "", name).rsplit(".", 1)[-1]
            at = source.key_line(key, details_at + 1)
        index = source.value_line(value, at) if at is not None else None
        fields.append(source.field(name, value, Kind.PLAIN, file, index))
    fields.append(TextField("body", post.body, Kind.MARKDOWN, file, line=source.body_line,
                            exact_lines=True))
    return fields


def _leaves(value: Any, name: str, depth: int) -> Iterator[tuple[str, str]]:
    """(dotted name, text) of every text inside ``details``; numbers count as text."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{name}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{name}[{i}]", depth + 1)
    elif isinstance(value, str):
        yield name, value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield name, str(value)


def settings_fields(settings: Settings) -> list[TextField]:
    """The config texts every post shows (campaign name, theme, slogan, link; the
    organisation's names), located in the config file when its lines can be read."""
    values = {
        ("organisation", "name"): settings.organisation,
        ("organisation", "short_name"): settings.organisation_short,
        ("campaign", "name"): settings.campaign.name,
        ("campaign", "theme"): settings.campaign.theme,
        ("campaign", "slogan"): settings.campaign.slogan,
        ("campaign", "link"): settings.campaign.link,
    }
    try:
        lines = settings.path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    fields = []
    for (table, key), text in values.items():
        if text:
            kind = Kind.URL if key == "link" else Kind.PLAIN
            fields.append(TextField(f"{table}.{key}", text, kind, settings.path.name,
                                    line=_toml_line(lines, table, key)))
    return fields


def _toml_line(lines: list[str], table: str, key: str) -> int | None:
    """The line of ``key = …`` inside ``[table]`` (1-based), or None."""
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
    assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
    inside = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("["):
            inside = bool(header.match(line))
        elif inside and assignment.match(line):
            return number
    return None
