"""The Jinja2 environment for post templates: sandboxed, strict, user-overridable.

Staff templates in the configured folder win over the packaged ones of the same
name (a ChoiceLoader), so a district bureau can restyle one kind of post without
forking. The sandbox lets a template read attributes of plain data only (text,
numbers, dates, lists, mappings): a staff template is not trusted code, and any other
object in its context (a ``Path`` has ``read_text``) would let it read files such as
the secrets file into a published article. StrictUndefined turns a misspelt or missing
variable into an error at preview time instead of a blank in a published article.
"""

from __future__ import annotations

import contextlib
import functools
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from socialbot.errors import Problem, RenderError

PACKAGED_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "posts"
TEMPLATE_LABELS = {  # what staff call each packaged kind of post
    "announcement": "活动公告",
    "livestream": "直播预告",
    "forum": "分论坛",
    "report": "行业发布",
    "initiative": "倡议",
    "science": "科普",
    "training": "宣贯培训",
    "ceremony": "颁证仪式",
    "news": "综合新闻",
    "newspic": "贴图",
}
THEME_CSS = "_theme.css"
# Modules whose objects a template may read attributes of: plain data and Jinja's own.
PLAIN_DATA_MODULES = frozenset({"builtins", "datetime", "markupsafe", "jinja2"})


class PostTemplateEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with attribute access limited to plain data."""

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        module = type(obj).__module__.partition(".")[0]
        return module in PLAIN_DATA_MODULES and super().is_safe_attribute(obj, attr, value)


TEMPLATE_SUFFIXES = (".j2", ".css")


class TemplateFolderLoader(FileSystemLoader):
    """Template files (.j2, .css) that really lie in the folder, symlinks resolved.

    ``{% include %}`` and ``{% extends %}`` may not read any other file: not the
    secrets file when the folder is the project folder, nor a link leading out of it.
    """

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder.resolve()

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        if not template.endswith(TEMPLATE_SUFFIXES):
            raise TemplateNotFound(template)
        source, filename, uptodate = super().get_source(environment, template)
        if self.folder not in Path(filename).resolve().parents:
            raise TemplateNotFound(template)
        return source, filename, uptodate


@functools.lru_cache(maxsize=8)
def make_environment(user_dir: Path | None) -> PostTemplateEnvironment:
    loaders: list[BaseLoader] = []
    if user_dir and user_dir.resolve() != PACKAGED_TEMPLATES and user_dir.is_dir():
        loaders.append(TemplateFolderLoader(user_dir))
    loaders.append(TemplateFolderLoader(PACKAGED_TEMPLATES))
    env = PostTemplateEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["cn_date"] = cn_date
    return env


def cn_date(value: object) -> str:
    """2022-06-09 → 2022年6月9日 (how Chinese official texts write dates)."""
    year, month, day = (
        getattr(value, "year", None),
        getattr(value, "month", None),
        getattr(value, "day", None),
    )
    if year is None:
        return str(value)
    return f"{year}年{month}月{day}日"


def template_label(name: str) -> str:
    """"活动公告（announcement）" for a packaged kind; the bare name for a staff template."""
    label = TEMPLATE_LABELS.get(name)
    return f"{label}（{name}）" if label else name


def available_templates(user_dir: Path | None) -> list[str]:
    env = make_environment(user_dir)
    names = {n.removesuffix(".j2") for n in env.list_templates(extensions=["j2"])}
    return sorted(n for n in names if not n.startswith("_"))


def theme_css(user_dir: Path | None) -> str:
    env = make_environment(user_dir)
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, THEME_CSS)
    return source


def render_template(
    name: str, context: dict[str, object], user_dir: Path | None, where: str,
    blocks: dict[str, str],
) -> dict[str, str]:
    """Render the named blocks of a post template; errors name file and line.

    ``blocks`` maps a block name (a platform's name) to what staff call that part; the
    result maps each block name to its output. The whole template is rendered first, so
    an error anywhere in it is reported, and so the inheritance chain is resolved.
    """
    env = make_environment(user_dir)
    if name.startswith("_") or "/" in name:
        raise RenderError(Problem(where, f"模板名“{name}”无效"))
    try:
        template = env.get_template(f"{name}.j2")
    except TemplateNotFound:
        known = "、".join(available_templates(user_dir))
        raise RenderError(Problem(where, f"未知模板“{name}”，可用模板：{known}")) from None
    except TemplateSyntaxError as exc:
        raise RenderError(
            Problem(
                f"模板 {exc.filename or name} 第 {exc.lineno} 行", f"模板语法错误：{exc.message}"
            )
        ) from None
    with _template_errors(name, where):
        context_ = template.new_context(context)
        for _ in template.root_render_func(context_):
            pass  # fills context_.blocks with the whole chain of ``extends``
        missing = [label for block, label in blocks.items() if block not in context_.blocks]
        if missing:
            raise RenderError(Problem(
                f"模板 {name}.j2", f"模板必须继承 _base.j2（缺少{'、'.join(missing)}部分）"))
        return {block: "".join(context_.blocks[block][0](context_)).strip() for block in blocks}


@contextlib.contextmanager
def _template_errors(name: str, where: str) -> Iterator[None]:
    """Template failures as RenderErrors that name the template line."""
    try:
        yield
    except RenderError:
        raise
    except UndefinedError as exc:
        raise RenderError(
            Problem(_template_line(exc, name), _undefined_message(exc, where))
        ) from None
    except TemplateNotFound as exc:
        raise RenderError(Problem(_template_line(exc, name), (
            f"模板引用的“{exc.name}”不是模板文件夹中的模板（.j2）；"
            "模板只能引用同一模板文件夹中的其他模板"))) from None
    except SecurityError as exc:
        raise RenderError(Problem(_template_line(exc, name), (
            "模板使用了不允许的写法：模板只能读取稿件和活动的文字、数字和日期，"
            "不能读取文件或调用程序内部的功能"))) from None
    except TemplateError as exc:
        raise RenderError(Problem(_template_line(exc, name), f"模板出错：{exc}")) from None
    except Exception as exc:  # e.g. `join` over a number: a details value of the wrong kind
        raise RenderError(Problem(
            _template_line(exc, name),
            f"稿件 {where.split(' ')[0]} 的 details 中有值的类型不对（{type(exc).__name__}），"
            "请对照模板检查：列表写成 [甲, 乙]，文字不要写成列表或表",
        )) from None


FACT_MACROS = "_facts.j2"  # the shared fact()/items() macros: report the line that calls them


def _template_line(exc: Exception, name: str) -> str:
    """The innermost template line of the error (not the ``extends`` at line 1)."""
    where = f"模板 {name}.j2"
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith(".j2") and Path(filename).name != FACT_MACROS:
            where = f"模板 {Path(filename).name} 第 {lineno} 行"
    return where


def _undefined_message(exc: UndefinedError, where: str) -> str:
    detail = str(exc.message or exc)
    detail = detail.replace("'dict object' has no attribute", "缺少字段").replace(
        "is undefined", "未定义"
    )
    return f"模板变量未定义（{detail}）：请在稿件 {where.split(' ')[0]} 的 details 中补上"
