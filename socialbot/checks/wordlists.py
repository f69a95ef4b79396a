"""The office's word lists: 错敏词, common misspellings and official names.

Each list is a plain UTF-8 text file staff edit (format documented at its top): one
entry a line, ``错误写法 → 正确写法`` (the sensitive-word list may give a term alone),
``#`` starts a comment line. Matching uses one Aho-Corasick automaton per list
(pyahocorasick), so a post is scanned once per list however long the list grows.

A match that lies inside a correct form (e.g. a short wrong form inside the full
official name) is not reported: the correct form is what the list asks for.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from socialbot.checks.folding import Joined
from socialbot.checks.model import Hit, TextField
from socialbot.errors import ConfigError, Problem
from socialbot.explain import os_reason

ARROWS = ("→", "->")
MIN_TERM_CHARS = 2
MAX_TERM_CHARS = 100


@dataclass(frozen=True)
class Entry:
    term: str
    suggestion: str  # "" when the list gives none
    line: int


class Matcher:
    """Leftmost-longest, non-overlapping occurrences of a list's terms in a text."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._terms = _automaton({e.term: e for e in entries})
        self._correct = _automaton({e.suggestion: e for e in entries if e.suggestion})

    def find(self, text: str) -> list[tuple[int, int, Entry]]:
        found = sorted(_spans(self._terms, text), key=lambda m: (m[0], m[0] - m[1]))
        correct = list(_spans(self._correct, text))
        out: list[tuple[int, int, Entry]] = []
        end = -1
        for start, stop, entry in found:
            if start < end or any(cs <= start and stop <= ce for cs, ce, _ in correct):
                continue
            out.append((start, stop, entry))
            end = stop
        return out


def _automaton(words: dict[str, Entry]) -> ahocorasick.Automaton | None:
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, entry in words.items():
        automaton.add_word(word, (word, entry))
    automaton.make_automaton()
    return automaton


def _spans(automaton: ahocorasick.Automaton | None,
           text: str) -> Iterator[tuple[int, int, Entry]]:
    if automaton is None or not text:
        return
    for last, (word, entry) in automaton.iter(text):
        yield last + 1 - len(word), last + 1, entry


@dataclass(frozen=True)
class WordLists:
    """The three lists a run uses (named as in ``[checks]``); one not configured is empty."""

    sensitive_words: Matcher
    misspellings: Matcher
    official_names: Matcher

    def size(self, name: str) -> int:
        matcher: Matcher = getattr(self, name)
        return len(matcher.entries)

    @classmethod
    def empty(cls) -> WordLists:
        return cls(Matcher([]), Matcher([]), Matcher([]))


def parse_wordlist(text: str, *, file: str, need_suggestion: bool) -> list[Entry]:
    """Entries of one list; ConfigError naming every malformed line."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{file} 第 {number} 行"
        message = _line_problem(line, need_suggestion)
        if message:
            problems.append(Problem(where, message))
            continue
        term, suggestion = _split(line)
        if term in seen:
            problems.append(Problem(where, f"“{term}”与第 {seen[term]} 行重复"))
            continue
        seen[term] = number
        entries.append(Entry(term, suggestion, number))
    if problems:
        raise ConfigError(problems, title="词表格式有误")
    return entries


def _split(line: str) -> tuple[str, str]:
    for arrow in ARROWS:
        if arrow in line:
            term, _, suggestion = line.partition(arrow)
            return term.strip(), suggestion.strip()
    return line, ""


def _line_problem(line: str, need_suggestion: bool) -> str:
    arrows = sum(line.count(a) for a in ARROWS)
    if arrows > 1:
        return "一行只能有一个箭头（错误写法 → 正确写法）"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in line):
        return "含有不可见的控制字符"
    term, suggestion = _split(line)
    if not term:
        return "箭头前缺少要查找的写法"
    if arrows and not suggestion:
        return "箭头后缺少正确写法"
    if need_suggestion and not arrows:
        return "缺少正确写法，格式应为“错误写法 → 正确写法”"
    if len(term) < MIN_TERM_CHARS:
        return f"“{term}”太短（至少 {MIN_TERM_CHARS} 个字），会误报"
    if len(term) > MAX_TERM_CHARS or len(suggestion) > MAX_TERM_CHARS:
        return f"超过 {MAX_TERM_CHARS} 个字"
    if suggestion == term:
        return "错误写法与正确写法相同"
    if suggestion and term in suggestion:
        return f"错误写法“{term}”包含在正确写法“{suggestion}”之中，会把正确写法也报出来"
    return ""


def load_wordlist(path: Path, *, need_suggestion: bool) -> Matcher:
    """A list file as a matcher, cached until the file changes."""
    try:
        stat = path.stat()
    except OSError:
        raise ConfigError(Problem(str(path), "词表文件不存在或无法读取")) from None
    return _load(path, stat.st_mtime_ns, stat.st_size, need_suggestion)


@functools.lru_cache(maxsize=16)
def _load(path: Path, _mtime: int, _size: int, need_suggestion: bool) -> Matcher:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(Problem(str(path), "词表不是 UTF-8 编码的文本文件")) from None
    except OSError as exc:
        raise ConfigError(Problem(str(path), f"词表文件无法读取（{os_reason(exc)}）")) from None
    return Matcher(parse_wordlist(text, file=path.name, need_suggestion=need_suggestion))


# --- the rules -----------------------------------------------------------------------

def _find(matcher: Matcher, text: str) -> Iterator[tuple[int, int, Entry]]:
    """Matches in ``text`` read as followers do: a line break or space inside a word
    does not split it ("再接\n再励" is still 再接再励)."""
    joined = Joined(text)
    for start, end, entry in matcher.find(joined.text):
        yield (*joined.span(start, end), entry)


def sensitive_word(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for start, end, entry in _find(lists.sensitive_words, field.text):
        advice = f"，建议写作“{entry.suggestion}”" if entry.suggestion else ""
        yield Hit(start, end, f"“{entry.term}”是错敏词，不能发布{advice}")


def misspelling(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for start, end, entry in _find(lists.misspellings, field.text):
        yield Hit(start, end, f"“{entry.term}”是错别字，应为“{entry.suggestion}”")


def official_name(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for start, end, entry in _find(lists.official_names, field.text):
        yield Hit(start, end, f"“{entry.term}”写法不规范，应写作“{entry.suggestion}”")
