"""The post files that once hung or crashed socialbot, through the real CLI as staff run it
(a separate process each time): exit code 2, a Chinese message that names the file and
line, no traceback, nothing queued and nothing outside the output folder touched.

A hang fails the test through pytest-timeout; the process group is killed whatever
happens, and an address-space limit keeps a memory bomb from taking the machine down.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from socialbot.config_file import load_settings
from socialbot.store import open_store
from tests.helpers import GOOD_POST, write_config, write_post
from tests.processes import Children
from tests.support_hostile import DOT_NAMES, HOSTILE_POSTS, assert_staff_message
from tests.support_tree import tree_digest

pytestmark = pytest.mark.timeout(120)
MEMORY_LIMIT = 1536 * 1024**2  # socialbot needs under 1 GB of address space


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_config(tmp_path)
    posts = tmp_path / "posts"
    write_post(posts, name="0601-good.md")
    for name, (text, _line, _words) in HOSTILE_POSTS.items():
        write_post(posts, name=f"0609-{name}.md", text=text)
    for name in DOT_NAMES:
        write_post(posts, name=name, text=GOOD_POST)
    return tmp_path


def socialbot(project: Path, *args: str) -> tuple[int, str]:
    """Run ``python -m socialbot`` in ``project``; its exit code and all it printed."""
    env = {**os.environ, "COLUMNS": "300", "PYTHONUNBUFFERED": "1"}
    with Children() as kids:  # the group dies also when pytest-timeout interrupts a hang
        proc = kids.start(
            [sys.executable, "-m", "socialbot", "--config", str(project / "config.toml"), *args],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=_limit_memory,
        )
        output, _ = proc.communicate()
    return proc.returncode, output


def hostile_files(project: Path) -> list[str]:
    return [f"posts/0609-{name}.md" for name in HOSTILE_POSTS] + [
        f"posts/{name}" for name in DOT_NAMES
    ]


def assert_every_problem_located(output: str) -> None:
    assert "Traceback" not in output
    problems = re.findall(r"^\s+- (.+?)：(.+)$", output, flags=re.M)
    assert problems, output
    for where, message in problems:
        assert where.strip(), output
        assert_staff_message(message)


def assert_hostile_posts_refused(output: str) -> None:
    for name, (_text, line, words) in HOSTILE_POSTS.items():
        located = re.search(rf"0609-{name}\.md 第 {line} 行：[^\n]*{re.escape(words)}", output)
        assert located, f"{name} not located in:\n{output}"
    for name in DOT_NAMES:
        assert f"✗ {name}" in output
        assert re.search(rf"- {re.escape(name)}：文件名只能用小写字母", output), output
    assert_every_problem_located(output)


def test_check_refuses_each_hostile_post_with_its_line(project: Path) -> None:
    code, output = socialbot(project, "check", *hostile_files(project))
    assert code == 2, output
    assert_hostile_posts_refused(output)
    assert f"{len(HOSTILE_POSTS) + len(DOT_NAMES)} 篇稿件有误" in output


def test_preview_refuses_them_and_touches_nothing_else(project: Path) -> None:
    out = project / "out" / "preview"
    code, output = socialbot(project, "preview", "posts/0601-good.md")
    assert code == 0, output
    before = tree_digest(project, skip=out)

    code, output = socialbot(project, "preview")  # the whole folder, hostile posts included

    assert code == 2, output
    assert_hostile_posts_refused(output)
    assert "共 1 篇通过" in output
    assert tree_digest(project, skip=out) == before
    assert sorted(p.name for p in (out / "posts").iterdir()) == ["0601-good"]


@pytest.mark.parametrize("name", [*(f"0609-{n}.md" for n in HOSTILE_POSTS), *DOT_NAMES])
def test_queue_add_refuses_and_queues_nothing(project: Path, name: str) -> None:
    code, output = socialbot(
        project, "queue", "add", f"posts/{name}", "--at", "2030-06-09 09:00", "--by", "张三"
    )
    assert code == 2, output
    assert name in output
    assert_every_problem_located(output)
    settings = load_settings(project / "config.toml")
    assert open_store(settings).list_queue(include_finished=True) == ([], 0)
