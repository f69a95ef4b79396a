"""The sample campaign states only what the campaign notice states, and passes every check.

The notice is ``campaign/source/``. Only its public part counts as a source of facts:
section 三、活动要求 holds instructions to the units (report by 6月25日 …) that must
never appear in a public post. A claim here is a number, a date, a time of day, a
count in Chinese numerals, an organisation name or a web address; each one in a
sample post (or drawn into a sample image) must appear in that public part or in
config.toml. The scanner is tested on invented claims so it can be seen to fail.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.checks.runner import checker_for
from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.post_file import load_post
from tests.helpers import REPO

POSTS = REPO / "campaign" / "posts"
NOTICE = REPO / "campaign" / "source" / "2022-world-accreditation-day-notice.txt"
TEMPLATES = REPO / "templates" / "posts"
INTERNAL_FROM = "三、活动要求"


def _public_notice() -> str:
    text = NOTICE.read_text("utf-8")
    assert INTERNAL_FROM in text
    return text.split(INTERNAL_FROM)[0]


CORPUS = _public_notice() + (REPO / "config.toml").read_text("utf-8")
CORPUS_NUMBERS = set(re.findall(r"\d+(?:\.\d+)?", CORPUS))

DATE_RE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|\d{1,2}·\d{1,2}")
TIME_RE = re.compile(r"(?<!\d)\d{1,2}[:：]\d{2}(?!\d)")
COUNT_RE = re.compile(r"[一二三四五六七八九十百千万两]+"
                      r"(?:个|项|大|场|次|家|位|名|批|份|条|期|届|类|天)")
URL_RE = re.compile(r"https?://[^\s\"'）)】]+")
ORG_SUFFIXES = ("监管局", "管理局", "总局", "委员会", "研究院", "学院", "大学", "协会", "中心",
                "联盟", "公司", "组织", "论坛", "研究所", "电科所", "实验室", "平台")
NAME_PUNCT = set("、，。：；！？“”‘’（）《》【】「」…—·｜ \t\n")
FUNCTION_CHARS = set("由在和与及同向为对将的是了以从经即并或暨等各本该其于把被让给跟就都也又还再")


def _iso_to_cn(value: str) -> str:
    year, month, day = value.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def unsupported_claims(text: str, corpus: str = CORPUS) -> list[str]:
    """Every claim in ``text`` the public notice (or the config) does not make."""
    numbers = set(re.findall(r"\d+(?:\.\d+)?", corpus)) if corpus is not CORPUS else CORPUS_NUMBERS
    out = []
    for m in DATE_RE.finditer(text):
        date = _iso_to_cn(m.group(0)) if "-" in m.group(0) else m.group(0)
        if date not in corpus:
            out.append(f"日期 {m.group(0)}")
    out += [f"时间 {m.group(0)}" for m in TIME_RE.finditer(text) if m.group(0) not in corpus]
    for m in re.finditer(r"\d+(?:\.\d+)?", DATE_RE.sub(" ", text)):
        if m.group(0) not in numbers:
            out.append(f"数字 {m.group(0)}")
    out += [f"数量 {m.group(0)}" for m in COUNT_RE.finditer(text) if m.group(0) not in corpus]
    out += [f"网址 {m.group(0)}" for m in URL_RE.finditer(text) if m.group(0) not in corpus]
    out += [f"单位 {name}" for name in _unknown_names(text, corpus)]
    return out


def _unknown_names(text: str, corpus: str) -> list[str]:
    """Names ending in an organisation word whose full form the corpus does not hold.

    Within the run of Chinese text before the organisation word, some tail the corpus
    knows (e.g. 市检验检测认证协会) must start the run or sit next to a function word
    (由、和、等 …): "上海某某检验检测认证协会" has known tails, but each of them
    starts in the middle of a name the corpus does not hold.
    """
    found = []
    for suffix in ORG_SUFFIXES:
        for m in re.finditer(suffix, text):
            end, run = m.end(), m.start()
            while run > 0 and text[run - 1] not in NAME_PUNCT and not text[run - 1].isascii():
                run -= 1
            if not any(text[b:end] in corpus and (b == run or text[b - 1] in FUNCTION_CHARS
                                                  or text[b] in FUNCTION_CHARS)
                       for b in range(run, m.start() + 1)):
                found.append(text[run:end])
    return found


def sample_files() -> list[Path]:
    return sorted(POSTS.glob("*.md"))


# --- the scanner itself can fail ----------------------------------------------------------

@pytest.mark.parametrize(("text", "claim"), [
    ("直播定于6月8日举行。", "日期 6月8日"),
    ("date: 2022-06-08", "日期 2022-06-08"),
    ("当天14:00开播。", "时间 14:00"),
    ("全市共有1,234家机构。", "数字 234"),
    ("行业营收增长12.5%。", "数字 12.5"),
    ("从三个维度分析。", "数量 三个"),
    ("八项重点活动", "数量 八项"),
    ("与上海交通大学安泰经济与管理学院联合发布", "单位 "),
    ("静安区检验检测实验室开放", "单位 "),
    ("各单位于6月25日前报送活动总结。", "日期 6月25日"),
    ("联系电话：64220000转2838", "数字 64220000"),
    ("详见 https://scjgj.sh.gov.cn/wad2022/lab", "网址 https://scjgj.sh.gov.cn/wad2022/lab"),
])
def test_the_claim_scanner_finds_invented_facts(text: str, claim: str) -> None:
    found = unsupported_claims(text)
    assert any(c.startswith(claim) for c in found), found


def test_the_claim_scanner_accepts_the_notice_wording() -> None:
    text = ("2022年6月9日是第15个“世界认可日”。市市场监管局联合上海交通大学安泰学院发布"
            "2021年度本市检验检测认证行业发展情况；“沪检云”公共服务平台；强化“四大功能”、"
            "深化“五个中心”；静安区市场监管局、市质量监督检验技术研究院等承办。")
    assert unsupported_claims(text) == []


# --- the samples --------------------------------------------------------------------------

@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_sample_post_states_only_facts_from_the_notice(path: Path) -> None:
    assert unsupported_claims(path.read_text("utf-8")) == []


def internal_wording(text: str, size: int = 12) -> list[str]:
    """Runs of ``size`` characters that only the notice's internal part (三、活动要求:
    instructions to the units) holds; a public post must not repeat them as claims."""
    notice = NOTICE.read_text("utf-8")
    public, internal = notice.split(INTERNAL_FROM)
    runs = {text[i:i + size] for i in range(len(text) - size + 1)}
    return sorted(r for r in runs if "\n" not in r and r in internal and r not in public)


def test_the_internal_wording_scanner_can_fail() -> None:
    assert internal_wording("行业切实践行“传递信任，服务发展”的责任和使命。")


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_sample_post_does_not_repeat_the_notice_instructions(path: Path) -> None:
    """Previously the wrap-up post ended by stating as achieved what the notice asks the
    units to show (重点体现……切实践行“传递信任，服务发展”的责任和使命)."""
    assert internal_wording(path.read_text("utf-8")) == []


def test_sample_images_state_only_facts_from_the_notice() -> None:
    source = (REPO / "assets" / "images" / "make_images.py").read_text("utf-8")
    drawn = re.findall(r"\.text\([^\n]*?\"([^\"]+)\"", source)
    assert drawn, "the image script draws text"
    for text in drawn:
        assert unsupported_claims(text) == [], text
    assert not (REPO / "assets" / "images" / "report-2021-chart.png").exists()


def test_sample_campaign_passes_every_check_with_no_finding() -> None:
    settings = load_settings(REPO / "config.toml")
    assert settings.checks.wordlist("misspellings") is not None  # the shipped lists are on
    checker = checker_for(settings)
    findings = [str(f) for path in sample_files()
                for f in checker.check_post(load_post(path, assets_dir=settings.assets_dir))
                .findings]
    assert findings == []


def test_check_command_on_the_sample_campaign_is_clean() -> None:
    result = CliRunner().invoke(cli, ["--config", str(REPO / "config.toml"), "check"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "全部检查通过" in result.output and "提醒" not in result.output.split("词表")[1]


def test_calendar_and_post_files_agree() -> None:
    with (REPO / "campaign" / "calendar.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    listed = [r["post"] for r in rows]
    assert sorted(listed) == [p.name for p in sample_files()]
    assert len(set(listed)) == len(listed)
    settings = load_settings(REPO / "config.toml")
    for row in rows:
        assert set(row["accounts"].split(";")) <= set(settings.accounts), row
        assert re.fullmatch(r"2022-06-\d{2} \d{2}:\d{2}", row["time"]), row


# Each of the notice's eight activities has its own sample post, which names it.
ACTIVITIES = {
    "（一）": ("0609-world-accreditation-day.md", "主题宣传活动"),
    "（二）": ("0609-industry-report-2021.md", "2021年度本市检验检测认证行业发展情况"),
    "（三）": ("0610-brand-forum.md", "“上海品牌”认证"),
    "（四）": ("0606-industry-initiative.md", "复工复产行动倡议"),
    "（五）": ("0602-epidemic-stories.md", "疫情防控宣传素材"),
    "（五） 贴图": ("0605-epidemic-photo-story.md", "疫情防控宣传素材"),
    "（六）": ("0608-reopening-science.md", "在线科普宣传"),
    "（七）": ("0608-lab-open-day.md", "实验室“云开放”直播活动"),
    "（八）": ("0613-training-series.md", "系列宣贯培训"),
}


def test_every_activity_of_the_notice_has_a_post() -> None:
    notice = _public_notice()
    for number, (name, phrase) in ACTIVITIES.items():
        number = number.split()[0]
        assert number in notice and phrase in notice, (number, phrase)
        assert phrase in (POSTS / name).read_text("utf-8"), name


# --- templates carry no claims ---------------------------------------------------------------

LABELS = {
    "指导单位", "主办单位", "承办单位", "时间", "形式", "地点", "重点活动", "论坛主题", "邀请嘉宾",
    "倡议发起", "倡议内容", "直播时间", "观看平台", "开放实验室", "平台", "发布单位", "发布日期",
    "主要发现", "主讲", "本期要点", "培训平台", "面向对象", "培训内容", "来源", "参考链接", "详情",
    # the default kicker of each kind of post: a label, not a claim
    "活动公告", "颁证仪式", "分论坛", "行业倡议", "直播预告", "工作动态", "行业发布", "科普课堂",
    "宣贯培训", "图片故事",
}


def template_words(source: str) -> list[str]:
    """The Chinese text a template writes itself (comments and CSS left out)."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    return re.findall(r"[\u4e00-\u9fff]+", source)


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.j2")), ids=lambda p: p.name)
def test_templates_write_labels_only(path: Path) -> None:
    words = template_words(path.read_text("utf-8"))
    assert [w for w in words if w not in LABELS] == []


def test_the_template_label_check_can_fail() -> None:
    old = '<p class="closing">足不出户，走进实验室——欢迎预约观看。</p>'
    assert [w for w in template_words(old) if w not in LABELS]


def test_livestream_without_a_booking_says_nothing_about_booking(tmp_path: Path) -> None:
    settings = load_settings(REPO / "config.toml")
    from socialbot.rendering import render_post

    rendered = render_post(load_post(POSTS / "0608-lab-open-day.md",
                                     assets_dir=settings.assets_dir), settings)
    html = rendered.wechat.content_html
    for invented in ("预约", "直播时间", "观看平台", "6月8日", "6月9日"):
        assert invented not in html
    assert "静安区市场监管局" in html and "承办单位" in html


# --- the draft example ----------------------------------------------------------------------

def test_the_draft_example_is_refused_for_its_placeholders(tmp_path: Path) -> None:
    draft = REPO / "examples" / "draft-with-placeholders.md"
    assert not (POSTS / draft.name).exists()
    copy = tmp_path / draft.name
    shutil.copy(draft, copy)
    result = CliRunner().invoke(cli, ["--config", str(REPO / "config.toml"), "check", str(copy)],
                                catch_exceptions=False)
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "[拦截·占位内容]" in text and "字段 details.time" in text and "（正文）" in text
