"""Preview writes only inside its output folder and only replaces what it wrote itself,
whatever the post files are called and wherever --out points."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import cli
from socialbot.preview.folders import MARKER
from tests.helpers import GOOD_POST, write_config, write_post
from tests.support_tree import tree_digest

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with its config, one good post and a notes file of the office."""
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path)
    write_post(tmp_path / "posts", name="0601-good.md")
    (tmp_path / "notes.txt").write_text("办公室的文件，不能被删除", "utf-8")
    return tmp_path


def run(project: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(project / "config.toml"), *args], catch_exceptions=False
    )


def preview_into(project: Path, out: Path, *posts: str):
    return run(project, "preview", *posts, "--out", str(out))


@pytest.mark.parametrize("only_it", [True, False], ids=["the-post-alone", "whole-campaign"])
@pytest.mark.parametrize("name", ["...md", "..md"])
def test_dot_named_post_touches_nothing_but_its_own_failure(
    project: Path, name: str, only_it: bool
) -> None:
    out = project / "out" / "preview"
    assert preview_into(project, out).exit_code == 0  # an earlier good run
    earlier_page = out / "posts" / "0601-good" / "index.html"
    assert earlier_page.is_file()
    kept = out / "审核意见.txt"  # something staff put in the preview folder
    kept.write_text("保留", "utf-8")
    post = write_post(project / "posts", name=name)
    before = tree_digest(project, skip=out)

    result = preview_into(project, out, *([str(post)] if only_it else []))

    assert result.exit_code == 2, result.output
    assert f"✗ {name}" in result.output and "文件名只能用小写字母" in result.output
    assert "Traceback" not in result.output
    assert tree_digest(project, skip=out) == before
    assert earlier_page.is_file() and kept.is_file() and (out / "index.html").is_file()
    assert sorted(p.name for p in (out / "posts").iterdir()) == ["0601-good"]


@pytest.mark.parametrize("name", ["...md", "..md"])
def test_out_dot_with_a_dot_named_post_is_refused_untouched(project: Path, name: str) -> None:
    write_post(project / "posts", name=name)
    before = tree_digest(project)

    result = run(project, "preview", "--out", ".")

    assert result.exit_code == 2
    assert "预览未生成" in result.output and "输出目录包含预览要读取的文件" in result.output
    assert tree_digest(project) == before


def test_out_as_the_posts_folder_is_refused_untouched(project: Path) -> None:
    write_post(project / "posts", name="...md")
    before = tree_digest(project)
    result = run(project, "preview", "--out", "posts")
    assert result.exit_code == 2 and "预览未生成" in result.output
    assert tree_digest(project) == before


def test_out_as_a_folder_that_holds_a_post_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "drafts"
    elsewhere.mkdir()
    post = write_post(elsewhere, name="0602-draft.md")
    before = tree_digest(project)
    result = preview_into(project, elsewhere, str(post))
    assert result.exit_code == 2 and "0602-draft.md" in result.output
    assert tree_digest(project) == before


def test_a_folder_of_other_files_is_refused_untouched(project: Path) -> None:
    out = project / "shared"
    out.mkdir()
    (out / "index.html").write_text("<p>别人的网页</p>", "utf-8")
    before = tree_digest(project)
    result = preview_into(project, out)
    assert result.exit_code == 2
    assert "不是 socialbot 生成的预览目录" in result.output
    assert tree_digest(project) == before


def test_posts_whose_names_collide_get_separate_folders(project: Path) -> None:
    """Same post id twice (the same name in two folders): two previews."""
    other = project / "other"
    other.mkdir()
    first = write_post(project / "posts", name="0609-lab.md")
    second = write_post(other, name="0609-lab.md", text=GOOD_POST.replace("直播预告", "另一篇"))
    out = project / "preview"
    before = tree_digest(project, skip=out)

    result = preview_into(project, out, str(first), str(second))

    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (out / "posts").iterdir())
    assert len(folders) == 2 and folders[0] == "0609-lab"
    assert folders[1].startswith("0609-lab-")
    index = (out / "index.html").read_text("utf-8")
    for folder in folders:
        assert (out / "posts" / folder / "index.html").is_file()
        assert f'href="posts/{folder}/index.html"' in index
    assert "另一篇" in (out / "posts" / folders[1] / "index.html").read_text("utf-8")
    assert tree_digest(project, skip=out) == before


def test_a_failing_post_never_removes_a_preview_written_for_another_file(project: Path) -> None:
    other = project / "other"
    other.mkdir()
    first = write_post(project / "posts", name="0609-lab.md")
    second = write_post(other, name="0609-lab.md")
    out = project / "out" / "preview"
    assert preview_into(project, out, str(first)).exit_code == 0
    second.write_text(GOOD_POST.replace("template: livestream\n", ""), "utf-8")

    result = preview_into(project, out, str(second))

    assert result.exit_code == 2
    assert (out / "posts" / "0609-lab" / "index.html").is_file()


def test_a_folder_preview_did_not_write_is_never_replaced(project: Path) -> None:
    out = project / "out" / "preview"
    assert preview_into(project, out).exit_code == 0
    mine = out / "posts" / "0601-good"
    shutil.rmtree(mine)
    mine.mkdir()
    (mine / "notes.txt").write_text("有人放在这里的文件", "utf-8")

    result = preview_into(project, out)

    assert result.exit_code == 0, result.output
    assert (mine / "notes.txt").read_text("utf-8") == "有人放在这里的文件"
    assert not (mine / "index.html").exists()
    moved = [p for p in (out / "posts").iterdir() if p.name.startswith("0601-good-")]
    assert len(moved) == 1 and (moved[0] / "index.html").is_file()


def test_leftovers_of_an_interrupted_run_are_swept_but_only_ours(project: Path) -> None:
    out = project / "out" / "preview"
    assert preview_into(project, out).exit_code == 0
    ours = out / "posts" / ".staging-0123456789ab"
    ours.mkdir()
    (ours / MARKER).write_text((out / MARKER).read_text("utf-8"), "utf-8")
    (ours / "index.html").write_text("半截", "utf-8")
    theirs = out / "posts" / ".staging-not-ours"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("x", "utf-8")
    half_written = out / ".staging-0123456789ab"
    half_written.write_text("<html>半截", "utf-8")
    notes = out / ".staging-notes"
    notes.write_text("x", "utf-8")

    assert preview_into(project, out).exit_code == 0

    assert not ours.exists() and not half_written.exists()
    assert (theirs / "keep.txt").is_file() and notes.is_file()


def test_output_of_an_older_version_is_taken_over(project: Path) -> None:
    """A preview folder written before markers existed is recognised and refreshed."""
    out = project / "out" / "preview"
    assert preview_into(project, out).exit_code == 0
    for marker in out.rglob(MARKER):
        marker.unlink()
    stale = out / "posts" / "0601-good" / "index.html"
    stale.write_text("旧版本的页面", "utf-8")

    result = preview_into(project, out)

    assert result.exit_code == 0, result.output
    assert "旧版本的页面" not in stale.read_text("utf-8")
    assert (out / MARKER).is_file()
    assert json.loads((out / "plan.json").read_text("utf-8"))["posts"] == 1


@pytest.mark.parametrize("sub", ["fonts", "posts"])
def test_a_linked_subfolder_never_leads_preview_out_of_its_folder(project: Path, sub: str) -> None:
    """Previously a ``fonts`` link in an earlier preview made preview write its font and
    licence wherever the link pointed, and delete older subsets there."""
    out = project / "out" / "preview"
    assert preview_into(project, out).exit_code == 0
    shutil.rmtree(out / sub)
    (out / sub).symlink_to(project / "posts", target_is_directory=True)
    before = tree_digest(project, skip=out)

    result = preview_into(project, out)

    assert result.exit_code == 2, result.output
    assert f"{sub} 不是普通目录" in result.output and "Traceback" not in result.output
    assert tree_digest(project, skip=out) == before
