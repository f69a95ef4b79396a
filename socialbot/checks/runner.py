"""Run every content rule over a post's fields at the level ``[checks]`` gives it.

``checker_for(settings)`` loads the office's word lists once per process (again only
when a list file changes); a malformed list is a ConfigError naming its lines.
``ContentError`` is how callers refuse a post with block findings.
"""

from __future__ import annotations

import functools

from socialbot.checks.fields import post_fields, settings_fields
from socialbot.checks.model import Finding, Kind, Report, Severity, TextField
from socialbot.checks.registry import REGISTRY
from socialbot.checks.wordlists import Matcher, WordLists, load_wordlist
from socialbot.config import CheckSettings, Settings
from socialbot.errors import ConfigError, Problem, SocialbotError
from socialbot.post import Post


class ContentError(SocialbotError):
    """A post with block findings: it may not be queued or published."""

    title = "内容检查未通过，不能加入队列或发布"

    def __init__(self, findings: list[Finding] | tuple[Finding, ...]):
        self.findings = tuple(findings)
        super().__init__([as_problem(f) for f in self.findings])


def as_problem(finding: Finding) -> Problem:
    return Problem(finding.where, f"[{finding.severity.label}·{finding.label}] {finding.message}")


class ContentChecker:
    """The rules, their levels and the word lists, ready to check any number of posts."""

    def __init__(self, lists: WordLists, levels: dict[str, Severity] | None = None,
                 shared: tuple[TextField, ...] = ()):
        self.lists = lists
        self.levels = levels or {}
        self.shared = shared  # config texts every post shows: checked with each post

    def level(self, rule: str) -> Severity:
        return self.levels.get(rule, Severity.BLOCK)

    def check_fields(self, fields: list[TextField]) -> Report:
        findings: list[Finding] = []
        seen: set[tuple[str, str, int, int]] = set()
        for field in fields:
            for rule in REGISTRY:
                if field.kind not in rule.kinds:
                    continue
                for hit in rule.scan(field, self.lists):
                    key = (rule.id, field.name, hit.start, hit.end)
                    if key in seen:
                        continue
                    seen.add(key)
                    excerpt = field.text[hit.start:hit.end]
                    findings.append(Finding(
                        rule=rule.id, label=rule.label, severity=self.level(rule.id),
                        file=field.file, field=field.name,
                        line=field.line_of(hit.start, excerpt), excerpt=excerpt,
                        message=hit.message,
                    ))
        findings.sort(key=lambda f: (f.severity is not Severity.BLOCK, _field_rank(fields, f),
                                     f.line or 0))
        return Report(tuple(findings))

    def check_post(self, post: Post) -> Report:
        return self.check_fields([*post_fields(post), *self.shared])

    def check_text(self, text: str, *, name: str = "text", kind: Kind = Kind.PLAIN) -> Report:
        """Check a loose piece of text (tests, benchmarks, future callers)."""
        return self.check_fields([TextField(name, text, kind, line=1, exact_lines=True)])


def _field_rank(fields: list[TextField], finding: Finding) -> int:
    for i, field in enumerate(fields):
        if field.name == finding.field:
            return i
    return len(fields)


def checker_for(settings: Settings) -> ContentChecker:
    """The checker for a config (word lists loaded and validated), which also checks the
    config's own texts that every post shows."""
    loaded = _checker(settings.checks)
    return ContentChecker(loaded.lists, loaded.levels, tuple(settings_fields(settings)))


@functools.lru_cache(maxsize=4)
def _checker_cached(checks: CheckSettings,
                    stamps: tuple[tuple[str, int, int], ...]) -> ContentChecker:
    """One checker per config and list-file version (``stamps`` is only a cache key)."""
    def matcher(name: str, need_suggestion: bool) -> Matcher:
        path = checks.wordlist(name)
        return load_wordlist(path, need_suggestion=need_suggestion) if path else Matcher([])

    lists = WordLists(
        sensitive_words=matcher("sensitive_words", False),
        misspellings=matcher("misspellings", True),
        official_names=matcher("official_names", True),
    )
    levels = {rule: Severity(level) for rule, level in checks.levels}
    return ContentChecker(lists, levels)


def _checker(checks: CheckSettings) -> ContentChecker:
    stamps = []
    for name, path in checks.wordlists:
        try:
            stat = path.stat()
        except OSError:
            raise ConfigError(Problem(str(path), f"词表文件不存在或无法读取（{name}）")) from None
        stamps.append((name, stat.st_mtime_ns, stat.st_size))
    return _checker_cached(checks, tuple(stamps))


def check_post(post: Post, settings: Settings) -> Report:
    return checker_for(settings).check_post(post)
