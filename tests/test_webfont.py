"""The web font subset: exactly the glyphs asked for, renamed, cached by its characters."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from socialbot.config_file import load_settings
from socialbot.preview import write_preview
from socialbot.render import webfont
from socialbot.render.fonts import DEFAULT_FONT_INDEX, default_font_path
from tests.helpers import write_config, write_post


@pytest.fixture(scope="module")
def source_cmap() -> set[int]:
    with TTFont(str(default_font_path()), fontNumber=DEFAULT_FONT_INDEX, lazy=True) as font:
        return set(font.getBestCmap())


def _open(data: bytes) -> TTFont:
    return TTFont(io.BytesIO(data))


def test_subset_has_exactly_the_characters_asked_for(source_cmap: set[int]) -> None:
    chars = webfont.text_chars("认证认可检验检测：传递质量信任")
    font = _open(webfont.subset_font(chars))
    assert font.flavor == "woff2"
    assert set(font.getBestCmap()) == {ord(c) for c in chars} & source_cmap
    assert ord("鑫") not in font.getBestCmap()  # a character no text asked for
    assert {ord(c) for c in "Az09，。“”"} <= set(font.getBestCmap())  # ASCII, punctuation


def test_subset_is_renamed_and_keeps_the_licence_notice() -> None:
    font = _open(webfont.subset_font("中文"))
    names = font["name"]
    assert names.getDebugName(1) == webfont.FAMILY
    assert names.getDebugName(6).startswith("SocialbotCJKSans-")
    assert font["CFF "].cff.fontNames == [names.getDebugName(6)]
    assert "Adobe" in names.getDebugName(0)
    assert "Open Font License" in names.getDebugName(13)


def test_subset_is_a_small_fraction_of_the_collection() -> None:
    data = webfont.subset_font(webfont.text_chars("上海市市场监督管理局" * 3))
    assert len(data) < 200_000 < default_font_path().stat().st_size


def test_key_depends_on_the_set_of_characters_only() -> None:
    assert webfont.subset_key("甲乙丙") == webfont.subset_key("丙乙甲甲")
    assert webfont.subset_key("甲乙丙") != webfont.subset_key("甲乙丁")


def test_text_chars_decodes_references_and_drops_control_characters() -> None:
    chars = webfont.text_chars("&#x4e2d;&amp;文\x00\n")
    assert {"中", "文", "&"} <= chars
    assert "\x00" not in chars and "\n" not in chars


def test_write_reuses_the_subset_for_the_same_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = webfont.write_webfont(tmp_path, ["<p>质量信任</p>"])
    assert first.url == f"fonts/{first.path.name}"
    assert (tmp_path / "fonts" / "OFL.txt").is_file()

    def must_not_subset(chars: object) -> bytes:
        raise AssertionError("subset made again for the same characters")

    monkeypatch.setattr(webfont, "subset_font", must_not_subset)
    again = webfont.write_webfont(tmp_path, ["<p>信任质量</p>"])  # same set of characters
    assert again.path == first.path


def test_write_replaces_an_older_subset_and_leaves_other_files(tmp_path: Path) -> None:
    old = webfont.write_webfont(tmp_path, ["甲"])
    mine = tmp_path / "fonts" / "team-logo.woff2"
    mine.write_bytes(b"not ours")
    new = webfont.write_webfont(tmp_path, ["乙"])
    assert new.path != old.path and new.path.is_file()
    assert not old.path.exists()
    assert mine.read_bytes() == b"not ours"


def test_css_and_licence_name_the_file() -> None:
    css = webfont.font_face_css("fonts/x.woff2")
    assert f'font-family: "{webfont.FAMILY}"' in css and 'url("fonts/x.woff2")' in css
    assert webfont.font_stack().startswith(f'"{webfont.FAMILY}", ')
    text = webfont.licence_text("x.woff2")
    assert "x.woff2 is a subset of Noto Sans CJK SC" in text
    assert "SIL OPEN FONT LICENSE Version 1.1" in text


def test_preview_ships_a_font_with_every_character_of_its_pages(
    tmp_path: Path, source_cmap: set[int]
) -> None:
    settings = load_settings(write_config(tmp_path))
    post = write_post(tmp_path / "posts")
    result = write_preview(settings, [post], tmp_path / "out")
    assert result.ok, [e.render() for _, e in result.failures]
    css = (tmp_path / "out" / "preview.css").read_text("utf-8")
    url = re.search(r'src: url\("([^"]+)"\) format\("woff2"\)', css).group(1)
    font = TTFont(tmp_path / "out" / url)
    assert font["name"].getDebugName(1) == webfont.FAMILY
    assert (tmp_path / "out" / "fonts" / "OFL.txt").is_file()
    assert f'font-family: "{webfont.FAMILY}"' in css
    pages = [result.index, *(p.page for p in result.posts)]
    shown = set("".join(html.unescape(p.read_text("utf-8")) for p in pages))
    wanted = {ord(c) for c in shown if c.isprintable()} & source_cmap
    missing = wanted - set(font.getBestCmap())
    assert not missing, "".join(map(chr, sorted(missing)))
    assert "检" in shown and ord("检") in font.getBestCmap()
