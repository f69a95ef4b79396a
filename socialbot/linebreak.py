"""Where Chinese text may break: unbreakable clusters under the kinsoku rules.

Chinese may break between any two characters, but Latin words and numbers ("2022",
"IAF/ILAC") must stay whole, and kinsoku rules forbid closing punctuation at the start
of a line and opening punctuation at its end. The image typesetter
(``socialbot.render.typeset``) and the terminal tables (``socialbot.commands.layout``)
both break lines here; this module needs no font, so a command printing a table does
not load Pillow.
"""

from __future__ import annotations

import functools
import re

# Characters that must not start a line (closing punctuation, iteration marks).
NO_START = frozenset(
    "，。、；：？！）》」』”’…—％‰〕】〉｝］｠〗〙〛〟・·‧ー々〻゛゜ヽヾ"
    "～!),.:;?]}%℃°‐–｜|"
    "﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞"
)
# Characters that must not end a line (opening punctuation).
NO_END = frozenset("（《「『“‘〔【〈｛［｟〖〘〚〝([{￥$＄£€·・")


def is_cjk(ch: str) -> bool:
    """True for characters that allow a line break on either side."""
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, CJK symbols/punctuation, kana, ideographs
        or 0xA000 <= cp <= 0xA4CF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFE10 <= cp <= 0xFE1F
        or 0xFE30 <= cp <= 0xFE6F
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


# Short quoted names and titles (“世界认可日”, 《标准化法》) read badly when split.
_SHORT_QUOTE = re.compile(r"[“‘《「『【〈][^“”‘’《》「」『』【】〈〉\n]{1,8}[”’》」』】〉]")


# Measure words stay with their number: "2022年" "6月" "9日" "15个".
_NUMBER_UNIT = re.compile(r"(?<=[0-9])[年月日号时分秒点届次个家项名位人万亿元岁期倍]")


# Without a segmenter any two ideographs may part; these campaign words are
# common in titles, and splitting them ("认 / 证") is what readers notice most.
_KEEP_WORDS = (
    "世界认可日 认证认可 检验检测 市场监管 绿色发展 质量信任 上海品牌 复工复产 "
    "疫情防控 实验室 云开放 一带一路 标准化 认证 认可 检验 检测 质量 上海 "
    "品牌 绿色 发展 服务 信任 直播 活动 发布 仪式 行业 机构 企业 技术 "
    "标准 主题 宣传 论坛 培训 科普 创新 案例 年度 倡议 双碳 产品 组织 "
    "集中 获证 颁证 世界 国际 经济 环境 社会 安全 健康 走进 助力 助推 支持 "
    "启动 开讲 回顾 展示 征集 风采 建设 要点 一线 防疫 抗疫 凝心 聚力 宣贯 "
    "系列 分论坛 守门人 共话 浦东 合作 交流 推动 促进 提升 可持续 高质量"
)
KEEP_TOGETHER = tuple(_KEEP_WORDS.split())
_KEEP = re.compile("|".join(sorted(KEEP_TOGETHER, key=len, reverse=True)))


def _glued_positions(paragraph: str) -> set[int]:
    """Indices that must not be preceded by a break."""
    glued: set[int] = set()
    for pattern in (_SHORT_QUOTE, _KEEP):
        for m in pattern.finditer(paragraph):
            glued.update(range(m.start() + 1, m.end()))
    glued.update(m.start() for m in _NUMBER_UNIT.finditer(paragraph))
    return glued


def _units(paragraph: str) -> list[tuple[bool, str]]:
    """Split into (space_before, unit): single CJK chars or whole non-CJK words."""
    glued = _glued_positions(paragraph)
    out: list[tuple[bool, str]] = []
    space = in_word = False
    for i, ch in enumerate(paragraph):
        if ch in (" ", "\u3000"):
            space, in_word = True, False
            continue
        cjk = is_cjk(ch) or ch in "…—"
        if out and not space and (i in glued or (in_word and not cjk)):
            out[-1] = (out[-1][0], out[-1][1] + ch)
        else:
            out.append((space, ch))
        in_word, space = not cjk, False
    return out


def clusters(paragraph: str) -> list[tuple[bool, str]]:
    """Unbreakable clusters of one paragraph, each with a space-before flag."""
    return list(cached_clusters(paragraph))


@functools.lru_cache(maxsize=1024)
def cached_clusters(paragraph: str) -> tuple[tuple[bool, str], ...]:
    """Group units so that no break falls where kinsoku forbids it.

    A unit opening with closing punctuation joins the previous cluster, and a
    cluster ending with opening punctuation absorbs the next unit.  Runs such
    as "——" or "。”" therefore move to the next line together with the
    character before them.
    """
    out: list[tuple[bool, str]] = []
    for space, unit in _units(paragraph):
        if out and (unit[0] in NO_START or out[-1][1][-1] in NO_END):
            prev_space, prev = out[-1]
            out[-1] = (prev_space, prev + (" " if space else "") + unit)
        else:
            out.append((space, unit))
    return tuple(out)
