"""Notices: the store records codes and values; the words staff read live outside it."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from socialbot.notices import Notice, decode, notice, problem, shown
from socialbot.times import BEIJING
from socialbot.wording import CATALOG, PLACES

PACKAGE = Path(__file__).resolve().parents[1] / "socialbot"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Store modules whose staff text has not moved to the catalog yet; shrinks to nothing.
NOT_YET: set[str] = set()


def _string_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant that is not a docstring."""
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_the_store_holds_no_staff_text():
    offenders = [
        f"store/{path.name}:{line}"
        for path in sorted((PACKAGE / "store").glob("*.py")) if path.name not in NOT_YET
        for line, text in _string_literals(ast.parse(path.read_text("utf-8")))
        if CJK.search(text)
    ]
    assert offenders == []


def test_the_scan_finds_staff_text_where_it_is():
    """The scan itself works: it finds the words where they now live."""
    literals = [text for path in (PACKAGE / "wording").glob("*.py")
                for _, text in _string_literals(ast.parse(path.read_text("utf-8")))]
    assert sum(bool(CJK.search(text)) for text in literals) >= len(CATALOG) > 0


def _codes_used() -> set[tuple[str, str]]:
    """(file, code) for every ``notice("…")`` / ``problem(where, "…")`` call in the package."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            index = {"notice": 0, "problem": 1}.get(node.func.id)
            if index is not None and len(node.args) > index \
                    and isinstance(node.args[index], ast.Constant):
                found.add((path.relative_to(PACKAGE).as_posix(), str(node.args[index].value)))
    return found


def test_every_code_the_package_uses_is_worded():
    missing = sorted(f"{file}: {code}" for file, code in _codes_used() if code not in CATALOG)
    assert missing == []


def test_every_place_code_is_named():
    missing = []
    for path in PACKAGE.rglob("*.py"):
        for _line, text in _string_literals(ast.parse(path.read_text("utf-8"))):
            if re.fullmatch(r"@[a-z_.]+", text) and text[1:] not in PLACES:
                missing.append(f"{path.name}: {text}")
    assert missing == []


def test_a_notice_survives_a_row_and_reads_the_same():
    CATALOG["test.moved"] = "已移到 {at}（{why}）"
    try:
        at = dt.datetime(2022, 6, 10, 9, 0, tzinfo=BEIJING)
        kept = notice("test.moved", at=at, why="额度已满").encode()
        assert decode(kept) == Notice("test.moved", {"at": at, "why": "额度已满"})
        assert shown(kept) == "已移到 2022-06-10 09:00（额度已满）"
        assert "额度已满" in kept  # the row stays readable to a person with a SQL prompt
    finally:
        del CATALOG["test.moved"]


def test_a_time_is_shown_in_its_own_offset():
    CATALOG["test.at"] = "{at}"
    try:
        utc = dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC)
        assert notice("test.at", at=utc.astimezone(BEIJING)).text() == "2022-06-09 09:00"
    finally:
        del CATALOG["test.at"]


@pytest.mark.parametrize("text", ["", "平台返回 45009：今日额度已用完", "{not json", '{"a": 1}'])
def test_plain_text_rows_are_shown_as_written(text):
    assert decode(text) is None and shown(text) == text


def test_a_problem_names_its_place_in_words():
    CATALOG["test.empty"] = "不能为空"
    PLACES["test_time"] = "时间"
    try:
        assert str(problem("@test_time", "test.empty")) == "时间：不能为空"
        assert str(problem("--at", "test.empty")) == "--at：不能为空"
    finally:
        del CATALOG["test.empty"], PLACES["test_time"]


def test_an_unknown_code_fails_loudly():
    with pytest.raises(KeyError):
        notice("no.such.code").text()


def test_free_text_inside_a_notice_is_shown_as_typed():
    """A comment or reason that looks like a stored notice is not read as one."""
    CATALOG["test.comment"] = "评论：{text}"
    try:
        typed = '{"notice": "record.refused"}'
        assert shown(notice("test.comment", text=typed).encode()) == f"评论：{typed}"
    finally:
        del CATALOG["test.comment"]


def test_a_notice_the_system_nested_is_worded():
    CATALOG["test.outer"] = "结果：{message}"
    CATALOG["test.inner"] = "已尝试 {n} 次"
    try:
        kept = notice("test.outer", message=notice("test.inner", n=5)).encode()
        assert shown(kept) == "结果：已尝试 5 次"
    finally:
        del CATALOG["test.outer"], CATALOG["test.inner"]


@pytest.mark.parametrize("row", ['{"notice": "no.such.code"}', '{"notice": "record.gave_up"}',
                                 '{"notice": "record.gave_up", "values": [1]}'])
def test_a_row_this_version_cannot_word_is_shown_as_kept(row):
    """A code from a newer version, or values missing, never breaks a page."""
    assert shown(row) == row
