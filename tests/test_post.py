from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialbot.errors import PostError
from socialbot.post_file import load_post
from tests.helpers import GOOD_POST, REPO, write_post


def test_good_post_loads_typed(tmp_path: Path) -> None:
    post = load_post(write_post(tmp_path))
    assert post.id == "0609-lab"
    assert post.template == "livestream"
    assert post.date == dt.date(2022, 6, 9)
    assert post.details["labs"] == ["上海市质量监督检验技术研究院"]
    assert post.body.startswith("检验检测")
    assert post.body_line == 15


def test_all_problems_reported_with_fields(tmp_path: Path) -> None:
    text = (
        GOOD_POST.replace("date: 2022-06-09", "date: 2022-13-45")
        .replace("kicker: 直播预告", "kicker: 直播预告\ncolour: red\naccounts: 7")
        .replace("template: livestream\n", "")
    )
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=text))
    messages = info.value.render()
    assert "字段 template：缺少必填字段" in messages
    assert "字段 date：日期无效" in messages
    assert "字段 colour：未知字段" in messages
    assert "字段 accounts：应为账号名列表" in messages
    assert len(info.value.problems) == 4


def test_yaml_error_gives_line(tmp_path: Path) -> None:
    text = GOOD_POST.replace("author: 上海市场监管", "author: [上海市场监管")
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=text))
    assert "0609-lab.md 第 4 行：方括号 [ ] 没有正确结束" in info.value.render()


def test_missing_front_matter(tmp_path: Path) -> None:
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text="只有正文\n"))
    assert "缺少开头的 ---" in info.value.render()


def test_missing_image_named(tmp_path: Path) -> None:
    text = GOOD_POST.replace(
        "kicker: 直播预告", "kicker: 直播预告\nimages:\n  photo: photos/none.jpg"
    )
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=text), assets_dir=REPO / "assets")
    assert "images.photo" in info.value.render()
    assert "photos/none.jpg" in info.value.render()


def test_bad_file_name(tmp_path: Path) -> None:
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, name="My Post.md"))
    assert "文件名" in info.value.render()


def test_sample_campaign_posts_all_load() -> None:
    paths = sorted((REPO / "campaign" / "posts").glob("*.md"))
    assert len(paths) >= 9
    posts = [load_post(p, assets_dir=REPO / "assets") for p in paths]
    # The cover prints ``date`` as the event's date: only a date the notice gives (6月9日).
    dates = {p.date for p in posts} - {None}
    assert dates == {dt.date(2022, 6, 9)}
    kinds = {p.template for p in posts}
    assert {
        "announcement",
        "livestream",
        "forum",
        "report",
        "initiative",
        "science",
        "training",
        "ceremony",
        "news",
    } <= kinds


def test_empty_value_explains_yaml_comment(tmp_path: Path) -> None:
    text = GOOD_POST.replace("weibo: 6月9日14:00", "weibo: #世界认可日# 6月9日14:00")
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, text=text))
    assert "字段 weibo：值为空" in info.value.render()


def test_a_file_name_with_capitals_is_refused_not_folded(tmp_path):
    """0609-LAB.md must not become 0609-lab and share a queue identity with 0609-lab.md."""
    from socialbot.errors import PostError
    from socialbot.post_file import load_post

    path = tmp_path / "0609-LAB.md"
    path.write_text("---\ntemplate: news\ntitle: 标题\n---\n正文\n", encoding="utf-8")
    with pytest.raises(PostError) as info:
        load_post(path)
    assert "文件名只能用小写字母" in info.value.render()


@pytest.mark.parametrize("name", ["con.md", "nul.md", "aux.md", "com1.md", "lpt9.md"])
def test_a_windows_device_name_is_refused(tmp_path: Path, name: str) -> None:
    """The post id names the preview folder; ``posts/con`` cannot be opened or copied on
    Windows, where staff open the preview from a shared drive."""
    with pytest.raises(PostError) as info:
        load_post(write_post(tmp_path, name=name))
    assert "Windows" in info.value.render() and name in info.value.render()
