"""The strict front-matter reader: plain data only, every refusal in Chinese with a line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from socialbot.errors import PostError
from socialbot.frontmatter import MAX_BYTES, MAX_DEPTH, parse_front_matter
from socialbot.platforms import PLATFORMS
from socialbot.post_file import MAX_BODY_BYTES, MAX_BODY_CHARS, load_post
from socialbot.strictdata import TextProblem
from tests.helpers import GOOD_POST, write_post
from tests.support_hostile import ALIAS_BOMB, assert_staff_message

pytestmark = pytest.mark.timeout(60)


def refused(text: str) -> TextProblem:
    with pytest.raises(TextProblem) as info:
        parse_front_matter(text)
    assert_staff_message(info.value.message)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (ALIAS_BOMB, 2, "锚点"),
        ("a: x\nb: *a\n", 3, "引用"),
        ("title: !!int abc\n", 2, "标签"),
        ("date: !!timestamp 2022-13-99\n", 2, "标签"),
        ("x: !!python/object/apply:os.system [ls]\n", 2, "标签"),
        ("x: !<tag:yaml.org,2002:str> a\n", 2, "标签"),
        ("x: ! a\n", 2, "标签"),
        ("title: " + "[" * 1000 + "\n", 2, "层级太深"),
        ("details:\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 40)), 22, "层级太深"),
        ('title: "\\uD800"\n', 2, "U+D800"),
        ('title: "a\\x00b"\n', 2, "U+0000"),
        ("title: a\x07b\n", 2, "U+0007"),
        ("title: x\ntitle: y\n", 3, "重复出现（第 2 行"),
        ("? [a, b]\n: c\n", 2, "字段名只能是文字"),
        ("title: 'abc\nauthor: x\n", 2, "引号没有成对"),
        ('title: "abc\n', 2, "引号没有成对"),
        ("author: [上海市场监管\n", 2, "方括号"),
        ("details: {a: b\n", 2, "花括号"),
        ("title: 标题: 副标题\n", 2, "冒号"),
        ("details:\n  a: 1\n b: 2\n", 4, "缩进"),
        ("details:\n\ta: 1\n", 3, "Tab"),
        ("title: `x`\n", 2, "“`”不能出现在这里"),
        ("title: a\n...\nauthor: b\n", 4, "字段"),
        ("- a\n- b\n", 2, "字段: 值"),
        ('title: "\\q"\n', 2, "反斜杠"),
    ],
)
def test_refusals_are_located_chinese(text: str, line: int, words: str) -> None:
    problem = refused(text)
    assert problem.line == line
    assert words in problem.message


def test_alias_bomb_is_refused_at_its_first_anchor_without_expanding() -> None:
    bomb = ALIAS_BOMB + "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]\n" for i in range(2, 200))
    assert refused(bomb).line == 2


def test_plain_values_never_change_what_staff_wrote() -> None:
    data = parse_front_matter(
        "a: 14:00\nb: 0609\nc: 3.50\nd: 2022-06-09\ne: yes\nf: 1_000\ng: 2022\nh: -7\n"
        "i: true\nj: FALSE\nk: ~\nl:\nm: '0609'\nn: 0x1F\no: .inf\np: "
        + "9" * 30 + "\n2022: 年份作为字段名\n"
    )
    assert data == {
        "a": "14:00", "b": "0609", "c": "3.50", "d": "2022-06-09", "e": "yes", "f": "1_000",
        "g": 2022, "h": -7, "i": True, "j": False, "k": None, "l": None, "m": "0609",
        "n": "0x1F", "o": ".inf", "p": "9" * 30, "2022": "年份作为字段名",
    }


def test_a_signed_number_keeps_its_sign_as_written() -> None:
    """Previously ``+86`` became 86 and ``-0`` became 0: what staff wrote, changed."""
    assert parse_front_matter("a: +86\nb: -0\nc: -7\n") == {"a": "+86", "b": "-0", "c": -7}


def test_depth_limit_is_exactly_the_documented_one() -> None:
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_front_matter(ok)["a"] is not None
    refused("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")


def test_front_matter_size_is_bounded() -> None:
    parse_front_matter("title: " + "字" * ((MAX_BYTES - 100) // 3))
    assert "头信息太长" in refused("title: " + "字" * (MAX_BYTES // 3 + 1)).message


def test_empty_front_matter_reports_missing_fields(tmp_path: Path) -> None:
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text="---\n---\n正文\n"))
    assert "字段 template：缺少必填字段" in info.value.render()


def test_missing_closing_fence_is_named(tmp_path: Path) -> None:
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text="---\ntitle: x\n正文\n"))
    assert "头信息没有结束" in info.value.render()


def test_bom_and_crlf_are_read_like_plain_files(tmp_path: Path) -> None:
    path = tmp_path / "0609-lab.md"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_POST.replace("\n", "\r\n").encode("utf-8"))
    post = load_post(path)
    assert post.title == "实验室“云开放”直播预告" and post.body_line == 15
    assert "\r" not in post.body


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "0609-lab.md"
    path.write_bytes(GOOD_POST.encode("utf-8").replace(b"author:", "作者".encode("gbk") + b":"))
    with pytest.raises(PostError) as info:
        load_post(path)
    assert "0609-lab.md 第 4 行：不是 UTF-8 编码" in info.value.render()


def test_body_and_file_sizes_are_bounded(tmp_path: Path) -> None:
    long_body = GOOD_POST + "长" * (MAX_BODY_BYTES // 3 + 10)
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=long_body))
    assert "第 15 行：正文太长" in info.value.render()
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=GOOD_POST + "x" * (2 * MAX_BODY_BYTES)))
    assert "文件太大" in info.value.render()


def test_a_body_longer_than_any_article_is_refused_before_markdown_parsing(tmp_path) -> None:
    """Markdown parsing costs about 1 s per 30,000 short lines; a body of 100,000 lines of
    ``<`` once took 30 s in ``check``. No publishable article is longer than the limit."""
    longest = max(getattr(p, "content_max_chars", 0) for p in PLATFORMS.values())
    assert longest and 2 * longest <= MAX_BODY_CHARS
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=GOOD_POST + "<\n" * (MAX_BODY_CHARS // 2 + 1)))
    assert "第 15 行：正文太长" in info.value.render()
    assert "万字" in info.value.render()
    load_post(write_post(tmp_path, text=GOOD_POST + "长" * (MAX_BODY_CHARS - 100)))


def test_a_pipe_is_refused_without_waiting_for_it(tmp_path: Path) -> None:
    fifo = tmp_path / "0609-pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(PostError) as info:
        load_post(fifo)
    assert "不是普通文件" in info.value.render()
