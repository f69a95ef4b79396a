"""The product never imports the practice platform; it offers the platform's commands only
through the ``socialbot.commands`` entry point group."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import cli
from socialbot.commands import plugins
from tests.helpers import REPO

PRACTICE = "socialbot_practice"


def practice_references(path: Path) -> Iterator[str]:
    """Every import of the practice package in ``path``, and every string naming it
    (what ``importlib.import_module`` or ``__import__`` would need)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value] if PRACTICE in node.value else []
        else:
            continue
        for name in names:
            if name == PRACTICE or name.startswith(PRACTICE + ".") or PRACTICE in name:
                yield f"{path}:{node.lineno}: {name}"


def test_the_product_package_never_imports_the_practice_platform() -> None:
    sources = sorted((REPO / "socialbot").rglob("*.py"))
    assert len(sources) > 50, "walked the product package"
    found = [ref for path in sources for ref in practice_references(path)]
    assert found == []


def test_the_walk_finds_each_kind_of_reference(tmp_path: Path) -> None:
    """The check above can fail: imports and import-by-name are all found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import socialbot_practice\n"
        "from socialbot_practice.demo import run_demo_queue\n"
        "import importlib\n"
        "importlib.import_module('socialbot_practice.practice')\n",
        "utf-8",
    )
    assert [ref.split(":")[1] for ref in practice_references(sample)] == ["1", "2", "4"]


def test_the_practice_commands_come_from_entry_points() -> None:
    installed = plugins.installed_commands()
    assert {"sandbox", "demo"} <= set(installed)
    assert all(installed[n].value.startswith(PRACTICE + ".") for n in ("sandbox", "demo"))
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "sandbox" in result.output and "demo" in result.output


@pytest.fixture
def extra_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A package installed on sys.path offering a working and a broken command."""
    (tmp_path / "hello_addon.py").write_text(
        "import click\n\n@click.command()\ndef hello():\n    click.echo('你好')\n", "utf-8"
    )
    info = tmp_path / "hello_addon-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-addon\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[socialbot.commands]\nhello = hello_addon:hello\nbroken = no_such_module_xyz:command\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins.installed_commands.cache_clear()
    yield tmp_path
    plugins.installed_commands.cache_clear()
    for name in ("hello", "broken"):
        cli.commands.pop(name, None)
    sys.modules.pop("hello_addon", None)


def test_an_installed_package_adds_a_command_and_a_broken_one_is_skipped(
    extra_distribution: Path,
) -> None:
    hello = CliRunner().invoke(cli, ["hello"])
    assert hello.exit_code == 0 and hello.output == "你好\n"

    listed = CliRunner().invoke(cli, ["--help"])
    assert listed.exit_code == 0, listed.output
    assert "hello" in listed.output
    assert "附加命令 broken 无法加载（ModuleNotFoundError），已跳过" in listed.output
    assert "Traceback" not in listed.output


def test_the_light_scan_finds_what_importlib_metadata_finds(extra_distribution: Path) -> None:
    """The group as ``importlib.metadata`` reads it, from the same sys.path."""
    from importlib.metadata import entry_points

    expected = {ep.name: ep.value for ep in entry_points(group=plugins.ENTRY_POINT_GROUP)}
    found = {name: ep.value for name, ep in plugins.installed_commands().items()}
    assert found == expected
    assert {"hello", "broken", "sandbox", "demo"} <= set(found)


def test_the_first_distribution_of_a_name_wins(extra_distribution: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A second copy of hello-addon later on sys.path is shadowed, as Python shadows it."""
    later = tmp_path / "later"
    info = later / "Hello.Addon-2.0.dist-info"
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text("[socialbot.commands]\nshadowed = x:y\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(later)])
    plugins.installed_commands.cache_clear()
    assert "shadowed" not in plugins.installed_commands()


def test_entry_points_text_is_read_by_section() -> None:
    text = (
        "# comment\n[console_scripts]\nsocialbot = socialbot.cli:main\n\n"
        "[socialbot.commands]\n; another comment\nhello = pkg.mod:group.hello [extra]\n"
    )
    assert plugins.group_entries(text) == {"hello": "pkg.mod:group.hello [extra]"}
    entry = plugins.AddOnCommand("x", "os.path:join [extra]")
    import os.path

    assert entry.load() is os.path.join
