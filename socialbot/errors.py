"""Errors staff can act on.

Every error carries a list of :class:`Problem` so a check reports everything wrong
at once, each with where (file, line or field) and the rule broken, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where it is and what rule it breaks (staff-facing, Chinese)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message


class SocialbotError(Exception):
    """Base of every error socialbot reports to staff instead of a traceback."""

    title = "出错了"

    def __init__(self, problems: list[Problem] | Problem | str, *, title: str | None = None):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        if title:
            self.title = title
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.title}（共 {len(self.problems)} 处）："]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ConfigError(SocialbotError):
    title = "配置文件有误"


class PostError(SocialbotError):
    title = "稿件有误"


class RenderError(SocialbotError):
    title = "稿件无法排版"


class PublishError(SocialbotError):
    title = "发布失败"


class StoreError(SocialbotError):
    title = "发布队列操作失败"
