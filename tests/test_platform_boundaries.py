"""The core knows platforms only through the registry: no product module outside a
platform's own package names one in its code (labels staff read may still say 微信)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "socialbot"
NAMES = re.compile(r"wechat|weibo", re.IGNORECASE)
ALLOWED = ("platforms/wechat/", "platforms/weibo/", "platforms/__init__.py")


def identifiers(tree: ast.AST) -> list[tuple[int, str]]:
    """Every name the code itself uses: variables, attributes, definitions, imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            names = [node.arg]
        elif isinstance(node, ast.alias):
            names = [node.name, node.asname or ""]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        found += [(getattr(node, "lineno", 0), n) for n in names if n]
    return found


def product_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if not p.relative_to(PACKAGE).as_posix().startswith(ALLOWED)]


def test_no_product_module_outside_a_platform_package_names_a_platform():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
        for path in product_modules()
        for line, name in identifiers(ast.parse(path.read_text("utf-8")))
        if NAMES.search(name)
    ]
    assert offenders == []


def test_platform_names_are_compared_nowhere_outside_the_platforms():
    """``account.platform == "wechat"`` is a platform branch too, even as a string."""
    offenders = []
    for path in product_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    if isinstance(side, ast.Constant) and isinstance(side.value, str) \
                            and NAMES.fullmatch(side.value):
                        offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert offenders == []


def test_the_check_sees_a_platform_name():
    """The scan itself works: it finds the names where they are allowed."""
    tree = ast.parse((PACKAGE / "platforms" / "__init__.py").read_text("utf-8"))
    assert any(NAMES.search(name) for _, name in identifiers(tree))


def test_the_registry_loads_no_renderer_or_http_stack():
    """Reading the config asks the registry; that must not pull in Pillow, Jinja2,
    requests or wechatpy (a channel, a render or a preview loads them when needed)."""
    code = ("import sys, socialbot.platforms; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True, cwd=PACKAGE.parent)
    loaded = set(done.stdout.split())
    assert loaded.isdisjoint({"PIL", "jinja2", "requests", "wechatpy", "cryptography"})
