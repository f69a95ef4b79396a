"""Fuzzing the files staff write: hundreds of generated post files and config files that mix
valid structure with hostile YAML/TOML. Whatever they hold, reading one gives a Post
(whose text can all be written out) or a PostError/ConfigError whose every problem is
Chinese and names the file — never a traceback, never a hang.

Deterministic: hypothesis is derandomized and keeps no example database, so every run
tries the same files. A hang fails through the per-test timeout.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialbot.config_file import load_settings
from socialbot.errors import ConfigError, PostError
from socialbot.post_file import load_post
from tests.helpers import BASE_CONFIG, GOOD_POST, REPO
from tests.support_hostile import ALIAS_BOMB, assert_staff_message

POST_EXAMPLES = 600
CONFIG_EXAMPLES = 200
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)

KEYS = ("template", "title", "author", "digest", "date", "kicker", "weibo", "details", "x")
VALID_LINES = (
    "template: news",
    "template: livestream",
    "title: 实验室“云开放”直播预告",
    "author: 上海市场监管",
    "digest: 6月9日，走进检验检测实验室。",
    "date: 2022-06-09",
    "kicker: 直播预告",
    "link: https://scjgj.sh.gov.cn/wad2022/lab",
    "weibo: 6月9日14:00，实验室“云开放”直播。",
    "accounts: [shsmr_wechat, shsmr_weibo]",
    "comments: true",
    "details:\n  time: 2022年6月9日 14:00\n  platform: 视频号\n  labs: [上海市质检院]",
    "images:\n  chart: images/none.png",
    "cover: {photo: photos/none.jpg}",
)
YAML_NOISE = "[]{}:,#&*!|>'\"%@`-? \t\\中文标题ab01"
TAGS = ("int", "float", "bool", "timestamp", "binary", "str", "set", "omap", "null",
        "python/object/apply:os.system", "python/name:os.system")
ESCAPES = ("\\uD800", "\\uDFFF", "\\x00", "\\e", "\\a", "\\uFFFE", "\\U0010FFFF", "\\N",
           "\\q", "\\x8", "\\u12", "\\U00110000", "\\L", "\\_", "\\/")


@st.composite
def hostile_line(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(KEYS))
    kind = draw(st.integers(0, 11))
    if kind == 0:  # anchors and aliases, a bomb among them
        return draw(st.sampled_from((
            f"{key}: &a [x, y]", f"{key}: *a", f"{key}: &a\n  k: v", "<<: *a",
            ALIAS_BOMB, "".join(f"  {line}\n" for line in ALIAS_BOMB.splitlines()),
        )))
    if kind == 1:  # explicit tags
        tag = draw(st.sampled_from(TAGS))
        value = draw(st.sampled_from(("abc", "2022-13-99", "1", "", "[a]", "{a: b}")))
        return draw(st.sampled_from((
            f"{key}: !!{tag} {value}", f"{key}: !<tag:yaml.org,2002:{tag}> {value}",
            f"{key}: ! {value}", f"{key}: !local {value}", f"%TAG ! tag:x,2000:\n{key}: !y 1",
        )))
    if kind == 2:  # deep nesting, flow and block
        depth = draw(st.integers(1, 1500))
        opener = draw(st.sampled_from(("[", "{", "[{a: ", "{a: [", "- ")))
        closer = {"[": "]", "{": "}", "[{a: ": "}]", "{a: [": "]}", "- ": ""}[opener]
        closed = draw(st.booleans())
        if draw(st.booleans()):
            return "".join(" " * (2 * i) + f"k{i}:\n" for i in range(min(depth, 200)))
        return f"{key}: " + opener * depth + "x" + (closer * depth if closed else "")
    if kind == 3:  # escapes in double quotes: surrogates, NUL, noncharacters, bad ones
        escape = draw(st.sampled_from(ESCAPES))
        return f'{key}: "前{escape}后"'
    if kind == 4:  # raw control characters
        char = chr(draw(st.sampled_from((*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)))))
        return f"{key}: 文字{char}文字"
    if kind == 5:  # huge scalars, keys and lists
        size = draw(st.integers(1_000, 70_000))
        return draw(st.sampled_from((
            f"{key}: " + "字" * (size // 3), f"{key}: " + "x" * size, "k" * size + ": v",
            f"{key}: [" + "a, " * (size // 3) + "]", f'{key}: "' + "\\u4e2d" * (size // 6) + '"',
        )))
    if kind == 6:  # broken indentation and tabs
        line = draw(st.sampled_from(VALID_LINES))
        indent = draw(st.sampled_from((" ", "   ", "\t", " \t", "\t\t")))
        return "\n".join(indent + part for part in line.split("\n"))
    if kind == 7:  # unbalanced quotes and brackets
        return draw(st.sampled_from((
            f"{key}: '未闭合", f'{key}: "未闭合', f"{key}: [a, b", f"{key}: {{a: b",
            f"{key}: a]", f"{key}: }}", f"{key}: 标题: 副标题", f"{key}: - a",
        )))
    if kind == 8:  # document markers, directives and complex keys
        return draw(st.sampled_from((
            "...", "--- x", "%YAML 1.1", "%YAML 2.0", "? [a, b]\n: c", "? a\n: b", ": x",
            "- a", f"{key}:\n- a\n-b", f"{key}: |\n  多行\n  文字", f"{key}: >-\n 折叠",
            f"{key}: |0",
        )))
    if kind == 9:  # duplicates and null-ish values
        return draw(st.sampled_from((f"{key}: a\n{key}: b", f"{key}:", f"{key}: ~", "~: x",
                                     f"{key}: 14:00", f"{key}: 0601", f"{key}: 0x1F")))
    if kind == 10:  # anything built from YAML's special characters
        return draw(st.text(alphabet=YAML_NOISE, max_size=80))
    return draw(st.text(max_size=40))  # any Unicode at all


def usually(draw: st.DrawFn, common: object, *rare: object) -> object:
    """``common`` nine times in ten, else one of ``rare``: the outer layers of a file
    (fences, encoding, line breaks) stay mostly valid so the YAML inside gets tested."""
    roll = draw(st.integers(0, 9))
    return common if roll < 9 or not rare else draw(st.sampled_from(rare))


@st.composite
def post_files(draw: st.DrawFn) -> tuple[str, bytes]:
    if draw(st.booleans()):  # a real post with a few hostile lines (or none) slipped in
        lines = GOOD_POST.split("\n")[1:14]
        for _ in range(draw(st.integers(0, 2))):
            lines.insert(draw(st.integers(0, len(lines))), draw(hostile_line()))
    else:
        lines = draw(st.lists(
            st.one_of(st.sampled_from(VALID_LINES), hostile_line()), min_size=1, max_size=10
        ))
    front = "\n".join(lines)
    body = usually(
        draw, "检验检测是**质量的守门人**。\n\n## 小标题\n\n- 列表\n",
        "", "正文" * 200, "<script>alert(1)</script>\n[链接](javascript:alert(1))\n\x00\x1b",
        "长" * draw(st.sampled_from((10, 400_000))),
    )
    opening = usually(draw, "---\n", "---  \n", "", "--- x\n", "\n---\n")
    closing = usually(draw, "\n---\n", "\n---\t\n", "\n", "\n...\n", "\n---")
    text = f"{opening}{front}{closing}{body}"
    text = text.replace("\n", str(usually(draw, "\n", "\r\n", "\r", "\u2028", "\x85")))
    encoding = str(usually(draw, "utf-8", "gbk", "utf-16"))
    data = text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "ignore")
    if usually(draw, False, True):
        data = b"\xef\xbb\xbf" + data
    stray = usually(draw, b"", b"\xff", b"\xc3\x28", b"\x80", b"\xed\xa0\x80")
    at = draw(st.integers(0, len(data)))
    data = data[:at] + bytes(stray) + data[at:]  # type: ignore[call-overload]
    name = str(usually(
        draw, "0609-fuzz.md", "...md", "..md", "0609-Fuzz.md", "my post.md", "0609-\u212a.md",
        "0609-fuzz\n.md", "-0609.md", "0609-中文.md",
    ))
    return name, data


@pytest.mark.timeout(240)
def test_generated_post_files_give_a_post_or_a_located_chinese_error(tmp_path: Path) -> None:
    tried: list[str] = []

    @settings(FUZZ, max_examples=POST_EXAMPLES)
    @given(post_files())
    def read_one(case: tuple[str, bytes]) -> None:
        name, data = case
        path = tmp_path / name
        path.write_bytes(data)
        tried.append(name)
        try:
            post = load_post(path, assets_dir=REPO / "assets")
        except PostError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert name in problem.where, problem
                assert_staff_message(problem.message)
        else:  # everything it holds can be written out as UTF-8 (the preview crash)
            as_json = json.dumps(dataclasses.asdict(post), default=str, ensure_ascii=False)
            as_json.encode("utf-8")
        finally:
            path.unlink()

    read_one()
    assert len(tried) >= 500


TOML_NOISE = "[]{}=\"'#.,\\ \t\n中文az09"


@st.composite
def config_files(draw: st.DrawFn) -> bytes:
    lines = BASE_CONFIG.format(
        posts="posts", templates=str(REPO / "templates" / "posts"), assets=str(REPO / "assets")
    ).split("\n")
    for _ in range(draw(st.integers(0, 4))):
        depth = draw(st.integers(1, 1200))
        hostile = draw(st.sampled_from((
            "x = " + "[" * depth, "x = " + "{a = " * depth, "x = " + "[" * depth + "]" * depth,
            'name = "\\uD800"', 'name = "\\u0000"', "name = '\x07'", 'x = { "\\u0001" = 1 }',
            "x = " + "9" * depth * 5, 'x = "' + "长" * depth * 60 + '"',
            "[organisation]", "[[accounts]]", "x = 1979-02-30", "x = 上海", 'x = """未闭合',
            "[accounts.shsmr_wechat]\nplatform = 5", "timezone = 8", "= 1", "a.b.c = 1",
        )))
        noise = draw(st.text(alphabet=TOML_NOISE, max_size=60))
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = [draw(st.sampled_from((hostile, noise)))]
    text = "\n".join(lines)
    text = text.replace("\n", draw(st.sampled_from(("\n", "\r\n"))))
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


@pytest.mark.timeout(180)
def test_generated_config_files_give_settings_or_a_located_chinese_error(
    tmp_path: Path,
) -> None:
    tried: list[int] = []
    path = tmp_path / "config.toml"

    @settings(FUZZ, max_examples=CONFIG_EXAMPLES)
    @given(config_files())
    def read_one(data: bytes) -> None:
        path.write_bytes(data)
        tried.append(len(data))
        try:
            load_settings(path)
        except ConfigError as exc:
            for problem in exc.problems:
                assert "config.toml" in problem.where, problem
                assert_staff_message(problem.message)

    read_one()
    assert len(tried) >= CONFIG_EXAMPLES
