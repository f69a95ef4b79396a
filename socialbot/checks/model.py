"""What the content checks look at (text fields with their place in the file) and report.

A rule sees one :class:`TextField` at a time and yields :class:`Hit` values (a span of
the field's text and a Chinese message); the runner turns hits into located
:class:`Finding` values. Rules never see posts, files, the store or the channels.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """What a finding does to a post: stop it, or ask a reviewer to let it through."""

    BLOCK = "block"
    WARN = "warn"

    @property
    def label(self) -> str:
        return "拦截" if self is Severity.BLOCK else "提醒"


class Kind(StrEnum):
    """How a field's text is written, which decides the rules that apply to it."""

    PLAIN = "plain"  # title, digest, weibo, details values …
    MARKDOWN = "markdown"  # the body
    URL = "url"  # link, source_url


@dataclass(frozen=True)
class TextField:
    """One piece of staff-written text and where it sits in the post file.

    ``line`` is the file line of the text's first character. In the body every text
    line is a file line (``exact_lines``); a front-matter value may be folded by YAML,
    so its findings are placed by searching ``source_lines`` (the front matter from
    the field's own line on) for the offending text.
    """

    name: str  # "title", "details.points[2]", "body"
    text: str
    kind: Kind = Kind.PLAIN
    file: str = ""
    line: int | None = None
    exact_lines: bool = False
    source_lines: tuple[str, ...] = ()

    def line_of(self, start: int, excerpt: str = "") -> int | None:
        """The file line of ``text[start]`` (best effort for front-matter values)."""
        if self.line is None:
            return None
        if self.exact_lines:
            return self.line + self.text.count("\n", 0, start)
        needle = excerpt.strip() or self.text[start:start + 8].strip()
        if needle:
            for offset, source in enumerate(self.source_lines):
                if needle in source:
                    return self.line + offset
        return self.line


@dataclass(frozen=True)
class Hit:
    """A rule's raw result: ``text[start:end]`` of one field breaks the rule."""

    start: int
    end: int
    message: str


@dataclass(frozen=True)
class Finding:
    """One located problem, in the words staff read."""

    rule: str
    label: str  # the rule in Chinese, e.g. 错别字
    severity: Severity
    file: str
    field: str
    line: int | None
    excerpt: str
    message: str

    @property
    def where(self) -> str:
        """``0609-x.md 第 14 行（正文）`` or ``0609-x.md 字段 digest（第 5 行）``."""
        if self.field == "body":
            line = f" 第 {self.line} 行" if self.line else ""
            return f"{self.file}{line}（正文）"
        line = f"（第 {self.line} 行）" if self.line else ""
        return f"{self.file} 字段 {self.field}{line}"

    def __str__(self) -> str:
        return f"[{self.severity.label}·{self.label}] {self.where}：{self.message}"

    def key(self) -> str:
        """What an override covers: the rule, the field and the offending text."""
        return f"{self.rule}|{self.field}|{self.excerpt}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "label": self.label, "severity": str(self.severity),
            "file": self.file, "field": self.field, "line": self.line,
            "excerpt": self.excerpt, "message": self.message,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Finding:
        return cls(
            rule=str(d["rule"]), label=str(d["label"]), severity=Severity(d["severity"]),
            file=str(d["file"]), field=str(d["field"]), line=d.get("line"),
            excerpt=str(d["excerpt"]), message=str(d["message"]),
        )


@dataclass(frozen=True)
class Report:
    """Every finding for one post, blocks first."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def blocks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.BLOCK)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARN)

    @property
    def clean(self) -> bool:
        return not self.findings


def warnings_fingerprint(content_hash: str, warnings: list[Finding] | tuple[Finding, ...]) -> str:
    """Binds an override to one content and the exact warnings a reviewer let through."""
    keys = sorted(w.key() for w in warnings)
    raw = json.dumps([content_hash, keys], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
