"""Each content rule on its own: what it reports, where, and what it leaves alone."""

from __future__ import annotations

import pytest

from socialbot.checks.model import Kind, Severity, TextField
from socialbot.checks.runner import ContentChecker
from socialbot.checks.wordlists import Matcher, WordLists, parse_wordlist
from tests.helpers import REPO


def _list(text: str, *, need_suggestion: bool) -> Matcher:
    return Matcher(parse_wordlist(text, file="t.txt", need_suggestion=need_suggestion))


@pytest.fixture(scope="module")
def shipped() -> ContentChecker:
    """The word lists the project ships, every rule at its default level."""
    from socialbot.checks.levels import default_levels

    folder = REPO / "wordlists"
    lists = WordLists(
        sensitive_words=_list((folder / "sensitive.txt").read_text("utf-8"), need_suggestion=False),
        misspellings=_list((folder / "misspellings.txt").read_text("utf-8"), need_suggestion=True),
        official_names=_list((folder / "official_names.txt").read_text("utf-8"),
                             need_suggestion=True),
    )
    return ContentChecker(lists, {k: Severity(v) for k, v in default_levels().items()})


def rules(checker: ContentChecker, text: str, kind: Kind = Kind.PLAIN) -> list[str]:
    return [f.rule for f in checker.check_text(text, kind=kind).findings]


def only(checker: ContentChecker, text: str, rule: str, kind: Kind = Kind.PLAIN):
    found = [f for f in checker.check_text(text, kind=kind).findings if f.rule == rule]
    assert found, f"{rule} not reported for {text!r}"
    return found


# --- word lists -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("我们要再接再励，争取更大成绩。", "再接再励", "再接再厉"),
    ("工作要按步就班地推进。", "按步就班", "按部就班"),
    ("市民迫不急待地走进直播间。", "迫不急待", "迫不及待"),
    ("面对难题一愁莫展。", "一愁莫展", "一筹莫展"),
    ("行业发展如火如茶。", "如火如茶", "如火如荼"),
])
def test_misspellings_from_the_shipped_list_block(shipped, text, wrong, right) -> None:
    [finding] = only(shipped, text, "misspelling")
    assert finding.severity is Severity.BLOCK
    assert finding.excerpt == wrong and right in finding.message


@pytest.mark.parametrize("text", ["我们要再接\n再励，争取更大成绩。", "我们要再接 再励。",
                                  "我们要再接\n  再励。"])
def test_misspelling_split_by_a_line_break_or_space_is_found(shipped, text) -> None:
    [finding] = only(shipped, text, "misspelling", Kind.MARKDOWN)
    assert finding.line == 1 and "再接再厉" in finding.message


def test_words_in_separate_paragraphs_are_not_joined(shipped) -> None:
    assert "misspelling" not in rules(shipped, "我们要再接\n\n再励", Kind.MARKDOWN)


def test_correct_idioms_are_not_reported(shipped) -> None:
    text = "再接再厉，按部就班，迫不及待，一筹莫展，如火如荼，以德报怨，这座落成于去年的大楼。"
    assert rules(shipped, text) == []


def test_sensitive_word_blocks_with_its_suggestion(shipped) -> None:
    [finding] = only(shipped, "会见台湾总统一事", "sensitive_word")
    assert finding.severity is Severity.BLOCK
    assert "台湾地区领导人" in finding.message


def test_official_name_variants_warn_but_the_full_name_and_short_form_pass(shipped) -> None:
    [finding] = only(shipped, "国家市场监管总局发布通知。", "official_name")
    assert finding.severity is Severity.WARN and "国家市场监督管理总局" in finding.message
    assert rules(shipped, "国家市场监督管理总局、市场监管总局（国家认证认可监督管理委员会）") == []
    [theme] = only(shipped, "主题是传递质量信任、服务绿色发展。", "official_name")
    assert "传递质量信任，服务绿色发展" in theme.message


def test_a_wrong_form_inside_a_correct_form_is_not_reported() -> None:
    names = "监管局 → 监督管理局\n浦东市场监管局 → 浦东新区市场监管局\n"
    lists = WordLists(Matcher([]), Matcher([]), _list(names, need_suggestion=True))
    checker = ContentChecker(lists)
    assert rules(checker, "浦东新区市场监管局") == []  # "监管局" sits inside a correct form
    assert [f.excerpt for f in checker.check_text("某区监管局、浦东市场监管局").findings] == [
        "监管局", "浦东市场监管局"]


def test_overlapping_terms_report_the_longest_once() -> None:
    lists = WordLists(Matcher([]),
                      _list("蜂涌 → 蜂拥\n蜂涌而至 → 蜂拥而至\n", need_suggestion=True),
                      Matcher([]))
    found = ContentChecker(lists).check_text("游客蜂涌而至").findings
    assert [f.excerpt for f in found] == ["蜂涌而至"]


# --- placeholders -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "直播时间：【待补充：直播时间】",
    "地点（待确认）",
    "嘉宾：此处填写嘉宾姓名",
    "2022年XX月XX日",
    "××局",
    "TODO 核实数据",
    "负责人：＊＊＊",
    "□□单位",
    "您好，{{ name }}",
    "【】",
])
def test_placeholders_block(shipped, text) -> None:
    [finding, *_] = only(shipped, text, "placeholder")
    assert finding.severity is Severity.BLOCK


@pytest.mark.parametrize("text", [
    "【活动公告】第15个“世界认可日”",  # a Weibo heading, not a placeholder
    "二〇二二年六月",  # the Chinese zero
    "详见 https://scjgj.sh.gov.cn/xxgk/xxx.html",  # xx in a web address
    "具体时间另行公布",
    "3×3 的矩阵",
])
def test_text_that_only_looks_like_a_placeholder_passes(shipped, text) -> None:
    assert "placeholder" not in rules(shipped, text)


def test_placeholder_in_a_link_field_is_found() -> None:
    field = TextField("link", "https://scjgj.sh.gov.cn/TODO", Kind.URL, "a.md", line=9)
    [finding] = ContentChecker(WordLists.empty()).check_fields([field]).findings
    assert finding.rule == "placeholder" and finding.line == 9


# --- privacy ------------------------------------------------------------------------------

def test_id_card_with_a_valid_check_digit_blocks_and_is_masked(shipped) -> None:
    [finding] = only(shipped, "身份证号11010519491231002X。", "id_card")
    assert finding.severity is Severity.BLOCK
    assert "11010519491231002X" not in finding.message


@pytest.mark.parametrize("text", [
    "编号110105194912310021",  # wrong check digit
    "编号110105194913310028",  # no 13th month
    "编号990105194912310024",  # no such region
    "代码91310000MA1FL1234X",  # a unified social credit code
])
def test_numbers_that_are_not_id_cards_pass(shipped, text) -> None:
    assert "id_card" not in rules(shipped, text)


@pytest.mark.parametrize("text", [
    "身份证号 110105 19491231 002X",  # grouped with spaces, as people copy them
    "身份证号110105-19491231-002x",
    "身份证号１１０１０５１９４９１２３１００２Ｘ",  # full-width digits from a Chinese IME
    "编号 2022 身份证 110105 1949 1231 002X",  # a number just before does not hide it
])
def test_id_card_in_spaced_or_full_width_form_is_found(shipped, text) -> None:
    [finding] = only(shipped, text, "id_card")
    assert finding.excerpt.replace(" ", "").replace("-", "")[-4:] in ("002X", "002x", "００２Ｘ")


def test_mobile_number_in_full_width_digits_warns(shipped) -> None:
    assert only(shipped, "联系电话１３８１２３４５６７８", "mobile")
    assert only(shipped, "联系电话１３８－１２３４－５６７８", "mobile")


def test_mobile_numbers_warn_in_every_written_form(shipped) -> None:
    for text in ("电话13812345678", "电话 138-1234-5678", "+86 138 1234 5678"):
        [finding] = only(shipped, text, "mobile")
        assert finding.severity is Severity.WARN
    assert "mobile" not in rules(shipped, "联系电话：64220000转2838")


def test_bank_card_needs_luhn_and_an_issuer_prefix(shipped) -> None:
    [finding] = only(shipped, "卡号 6222 0212 3456 7894", "bank_card")
    assert finding.severity is Severity.BLOCK
    assert "bank_card" not in rules(shipped, "证书编号 6222 0212 3456 7895")  # Luhn fails
    assert "bank_card" not in rules(shipped, "订单号 1234567812345670")  # no card prefix


def test_personal_email_warns_and_a_government_address_passes(shipped) -> None:
    [finding] = only(shipped, "邮箱lixinlin3110＠163.com", "email")
    assert finding.severity is Severity.WARN and "lixinlin3110＠163.com" in finding.message
    assert "email" not in rules(shipped, "邮箱 office@scjgj.sh.gov.cn")


# --- typography -------------------------------------------------------------------------

def test_half_width_punctuation_in_chinese_warns_with_the_right_mark(shipped) -> None:
    found = only(shipped, "今天,我们开展活动.", "punctuation")
    assert [f.excerpt for f in found] == [",", "."]
    assert "，" in found[0].message and "。" in found[1].message
    assert found[0].severity is Severity.WARN


def test_half_width_marks_in_numbers_times_and_addresses_pass(shipped) -> None:
    text = "2022年6月9日14:00，比例3:1，共1,000家，网址 https://scjgj.sh.gov.cn/a,b 。"
    assert "punctuation" not in rules(shipped, text)


def test_half_width_parentheses_around_chinese(shipped) -> None:
    [finding] = only(shipped, "国家认证认可监督管理委员会(认监委)", "punctuation")
    assert "（认监委）" in finding.message
    assert "punctuation" not in rules(shipped, "IAF (International Accreditation Forum)")


def test_repeated_punctuation_and_ellipses(shipped) -> None:
    assert [f.excerpt for f in only(shipped, "欢迎参加！！", "repeated_punctuation")] == ["！！"]
    assert only(shipped, "等等…", "repeated_punctuation")
    assert only(shipped, "等等。。。", "repeated_punctuation")
    assert "repeated_punctuation" not in rules(shipped, "等等……还有——")


def test_quotes(shipped) -> None:
    assert only(shipped, '主题是"传递质量信任"。', "quotes")
    assert only(shipped, "主题是「传递质量信任」。", "quotes")
    assert only(shipped, "主题是“传递质量信任。", "quotes")
    assert only(shipped, "主题是传递质量信任”。", "quotes")
    assert "quotes" not in rules(shipped, "主题是“传递质量信任，‘服务’绿色发展”。")


def test_markdown_code_and_link_targets_are_not_prose(shipped) -> None:
    body = "见[官网](https://scjgj.sh.gov.cn/a,b)。代码`a,b`不查。\n\n```\n代码块,不查.\n```\n"
    assert rules(shipped, body, Kind.MARKDOWN) == []


# --- links, markup, control characters --------------------------------------------------

@pytest.mark.parametrize("body", [
    "[点此](javascript:alert(1))",
    "[点此](JavaScript:alert(1))",
    "<javascript:alert(1)>",
    "![图](data:text/html;base64,AAAA)",
    "[文件](file:///etc/passwd)",
    "[点此](&#106;avascript:alert(1))",
])
def test_dangerous_links_block(shipped, body) -> None:
    [finding] = only(shipped, body, "unsafe_link", Kind.MARKDOWN)
    assert finding.severity is Severity.BLOCK


def test_ordinary_links_pass(shipped) -> None:
    body = "见[上海市市场监督管理局](https://scjgj.sh.gov.cn/)网站。"
    assert rules(shipped, body, Kind.MARKDOWN) == []


def test_raw_html_in_the_body_blocks_with_its_line(shipped) -> None:
    body = "第一段。\n\n<div align=\"center\">居中</div>\n\n第三段<span>文字</span>。\n"
    found = only(shipped, body, "raw_html", Kind.MARKDOWN)
    assert [(f.line, f.excerpt[:4]) for f in found] == [(3, "<div"), (5, "<spa"), (5, "</sp")]
    assert all(f.severity is Severity.BLOCK for f in found)
    assert only(shipped, "标题<b>加粗</b>", "raw_html")  # a plain field too
    assert "raw_html" not in rules(shipped, "见 <https://scjgj.sh.gov.cn/>", Kind.MARKDOWN)


@pytest.mark.parametrize(("char", "name"), [
    ("\x00", "NUL"), ("\u202e", "双向"), ("\u200b", "零宽"), ("\x07", "控制"), ("\ud800", "代理"),
])
def test_control_and_invisible_characters_block(shipped, char, name) -> None:
    [finding] = only(shipped, f"文字{char}文字", "control_char")
    assert finding.severity is Severity.BLOCK and name in finding.message


def test_every_rule_in_levels_is_registered_and_labelled() -> None:
    from socialbot.checks.levels import RULES
    from socialbot.checks.registry import REGISTRY

    assert sorted(r.id for r in REGISTRY) == sorted(RULES)
    assert all(r.label == RULES[r.id][0] for r in REGISTRY)


def test_body_findings_carry_the_file_line() -> None:
    field = TextField("body", "第一行\n\n第三行【待补充】", Kind.MARKDOWN, "x.md", line=12,
                      exact_lines=True)
    [finding] = ContentChecker(WordLists.empty()).check_fields([field]).findings
    assert finding.line == 14 and finding.where == "x.md 第 14 行（正文）"


def test_the_body_is_parsed_as_markdown_once_for_all_rules(shipped, monkeypatch) -> None:
    from socialbot.checks import markup

    calls: list[str] = []
    parse = markup._md.parse
    monkeypatch.setattr(markup._md, "parse", lambda text: calls.append(text) or parse(text))
    markup.parsed.cache_clear()
    body = "正文<b>加粗</b>，[链接](javascript:alert(1))。"
    assert {"raw_html", "unsafe_link"} <= set(rules(shipped, body, Kind.MARKDOWN))
    assert calls == [body]


def test_a_year_written_with_circles_is_not_a_placeholder(shipped) -> None:
    """二○○八年 (○ typed for the numeral 〇) is common in official texts; it was refused
    as unfilled content. A run of circles on its own still is one."""
    assert "placeholder" not in rules(shipped, "二○○八年以来，二〇〇八年以来")
    assert only(shipped, "○○年○○月，□□单位", "placeholder")


@pytest.mark.parametrize("body", ["[" * 40000, "[a](javascript:" * 2000, "(" * 30000])
def test_text_the_typography_linter_cannot_parse_is_no_traceback(shipped, body) -> None:
    """autocorrect's parser gives up ("call limit reached") on such text; that ended
    ``check`` in a traceback. The other rules still run, and other lines are linted."""
    text = body + "\n今天,我们开展活动."
    found = only(shipped, text, "punctuation", Kind.MARKDOWN)
    assert {f.excerpt for f in found} >= {",", "."}
