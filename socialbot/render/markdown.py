"""Post body (CommonMark) to HTML, resolving images and moving external links.

WeChat articles cannot carry arbitrary external links or images: images must be
uploaded (they become ``asset:`` refs here, replaced by upload URLs at publish
time) and links outside WeChat become a numbered reference list at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from socialbot.errors import Problem

_STRONG_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)


def _cjk_strong(state: StateInline, silent: bool) -> bool:
    """``**…**`` next to Chinese punctuation, e.g. 是**“主题”**。

    CommonMark's flanking rules refuse to open bold between a Chinese character and
    full-width punctuation, leaving literal asterisks in the article; Chinese text
    has no spaces to help, so bold is matched here as a plain pair first.
    """
    if not state.src.startswith("**", state.pos):
        return False
    match = _STRONG_RE.match(state.src, state.pos, state.posMax)
    if not match:
        return False
    if not silent:
        end = state.posMax
        state.push("strong_open", "strong", 1).markup = "**"
        state.pos, state.posMax = match.start(1), match.end(1)
        state.md.inline.tokenize(state)
        state.posMax = end
        state.push("strong_close", "strong", -1).markup = "**"
    state.pos = match.end()
    return True


_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
_md.inline.ruler.before("emphasis", "cjk_strong", _cjk_strong)


@dataclass
class BodyResult:
    html: str
    image_refs: list[tuple[str, int]] = field(default_factory=list)  # (name, line)
    references: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def render_body(
    markdown: str, *, source: Path, first_line: int, image_names: set[str],
    keep_hosts: tuple[str, ...] = (),
) -> BodyResult:
    """Render ``markdown``; image sources must be names declared in ``images:``.

    Links to ``keep_hosts`` stay links; every other link becomes a numbered reference.
    """
    result = BodyResult(html="")
    tokens = _md.parse(markdown)
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = first_line + (block.map[0] if block.map else 0)
        _rewrite_inline(block.children, line, source, image_names, keep_hosts, result)
    result.html = _md.renderer.render(tokens, _md.options, {})
    return result


def _rewrite_inline(
    children: list[Token], line: int, source: Path, image_names: set[str],
    keep_hosts: tuple[str, ...], result: BodyResult,
) -> None:
    for i, token in enumerate(children):
        if token.type == "image":
            name = str(token.attrGet("src") or "")
            if name not in image_names:
                declared = "、".join(sorted(image_names)) or "（无）"
                result.problems.append(
                    Problem(
                        f"{source.name} 第 {line} 行",
                        f"正文引用的图片“{name}”没有在 images 中声明（已声明：{declared}）",
                    )
                )
            token.attrSet("src", f"image:{name}")
            result.image_refs.append((name, line))
        elif token.type == "link_open":
            href = str(token.attrGet("href") or "")
            host = (urlsplit(href).hostname or "").lower()
            if host in keep_hosts:
                continue
            if not href.startswith(("http://", "https://")):
                result.problems.append(
                    Problem(f"{source.name} 第 {line} 行", f"链接“{href}”不是完整网址")
                )
            close = _matching_close(children, i)
            result.references.append((_link_text(children[i + 1 : close]), href))
            number = len(result.references)
            token.type, token.tag, token.nesting, token.attrs = "text", "", 0, {}
            token.content = ""
            children[close].type, children[close].tag, children[close].nesting = "text", "", 0
            children[close].content = f"[{number}]"


def _matching_close(children: list[Token], start: int) -> int:
    for j in range(start + 1, len(children)):
        if children[j].type == "link_close":
            return j
    return len(children) - 1


def _link_text(tokens: list[Token]) -> str:
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline")).strip()
