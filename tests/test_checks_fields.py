"""A post as located text fields: every field followers see, with its line in the file."""

from __future__ import annotations

from pathlib import Path

from socialbot.checks.fields import post_fields
from socialbot.checks.model import Kind
from socialbot.post_file import load_post

POST = """\
---
template: forum
title: 分论坛
digest: >
  第一行摘要
  第二行摘要
link: https://scjgj.sh.gov.cn/
details:
  topic: 推动上海品牌建设和高质量发展
  guests:
    - 长三角品牌建设代表
    - 获证组织代表
  nested:
    inner: 内层文字
  count: 15
---


正文第一段。

正文第二段。
"""


def test_fields_carry_their_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "0610-forum.md"
    path.write_text(POST, encoding="utf-8")
    fields = {f.name: f for f in post_fields(load_post(path))}
    assert fields["title"].line == 3 and fields["title"].kind is Kind.PLAIN
    assert fields["link"].kind is Kind.URL and fields["link"].line == 7
    assert fields["details.topic"].line == 9
    assert fields["details.guests[1]"].line == 12
    assert fields["details.nested.inner"].line == 14
    assert fields["details.count"].text == "15"
    body = fields["body"]
    assert body.kind is Kind.MARKDOWN and body.line == 19  # blank lines after --- skipped
    assert body.line_of(body.text.index("第二段")) == 21


def test_a_folded_value_is_placed_on_the_line_that_holds_the_text(tmp_path: Path) -> None:
    path = tmp_path / "0610-forum.md"
    path.write_text(POST, encoding="utf-8")
    digest = {f.name: f for f in post_fields(load_post(path))}["digest"]
    assert digest.text.startswith("第一行摘要")
    assert digest.line_of(digest.text.index("第二行"), "第二行摘要") == 6


def test_a_post_saved_with_a_bom_and_crlf_keeps_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "0610-forum.md"
    path.write_bytes(b"\xef\xbb\xbf" + POST.replace("\n", "\r\n").encode("utf-8"))
    fields = {f.name: f for f in post_fields(load_post(path))}
    assert fields["title"].line == 3
    assert fields["details.guests[1]"].line == 12
    assert fields["body"].line == 19
