"""The campaign report: summary draft, .docx and PDF read back, totals traced to inputs.

Figures are made up in tests/report_figures.py (seeded, so every run is the same); the
documents are written for real into tmp_path and opened again with the libraries staff's
software stands in for: python-docx for Word, pypdf and PDFium for the PDF.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from socialbot.cli import cli
from socialbot.report.build import build_report
from socialbot.report.load import load_figures
from socialbot.report.model import METRICS
from socialbot.report.summary import BODY_MAX, BODY_MIN, han_count
from tests.report_figures import ACTIVITIES_FILE, UNITS, figures_data, write_figures

DAY = date(2022, 6, 24)
METRIC_OF = {f"{platform}_{name}": (platform, name)
             for platform, names in METRICS.items() for name in names}


def build(tmp_path: Path, data: dict[str, Any], name: str = "report"):  # type: ignore[no-untyped-def]
    source = write_figures(tmp_path / f"{name}-figures.json", data)
    return build_report(load_figures(source, ACTIVITIES_FILE), tmp_path / name, DAY, source.name)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The whole city with some figures not collected: one build shared by several tests."""
    tmp = tmp_path_factory.mktemp("city")
    data = figures_data(collected=False)
    written = build(tmp, data)
    return data, written, json.loads(written.files["json"].read_text("utf-8"))


# --- the summary -------------------------------------------------------------------


def test_han_count_counts_only_chinese_characters() -> None:
    assert han_count("累计阅读12345次，“在看”27次。") == 8
    assert han_count("abc，123。") == 0


@pytest.mark.parametrize("case", ["one unit", "three units", "all units", "not collected"])
def test_summary_length_is_within_the_brief(tmp_path: Path, case: str) -> None:
    data = {
        "one unit": lambda: figures_data(units=[UNITS[11]]),
        "three units": lambda: figures_data(units=UNITS[:3], items_per_unit=2),
        "all units": lambda: figures_data(),
        "not collected": lambda: figures_data(collected=False),
    }[case]()
    summary = build(tmp_path, data).summary
    assert BODY_MIN <= summary.han_characters <= BODY_MAX, summary.body
    assert summary.title == "关于2022年“世界认可日”宣传活动开展情况的总结"


def test_summary_is_deterministic(tmp_path: Path) -> None:
    data = figures_data(units=UNITS[:5])
    first = build(tmp_path, data, "a").summary
    second = build(tmp_path, copy.deepcopy(data), "b").summary
    assert first.paragraphs == second.paragraphs


def test_summary_names_only_activities_that_were_held(tmp_path: Path) -> None:
    data = figures_data(units=[UNITS[0]], items_per_unit=3)
    for item in data["items"]:
        item["activity"] = 7
    summary = build(tmp_path, data).summary
    held = summary.paragraphs[1]
    assert held.startswith("各项活动开展情况：一是开展实验室“云开放”活动")
    assert "二是" not in held
    assert "“举办‘6·9世界认可日’主题宣传活动”" in held  # named among those not held
    assert "本次统计中暂无发布记录" in held


def test_every_number_in_the_summary_comes_from_report_json(city) -> None:  # type: ignore[no-untyped-def]
    _data, written, report = city
    # Titles quote the brief and the posts (《…》, “…”, the activities' own wording); the
    # numbers in them are words, not figures.
    body = written.summary.body
    for row in report["by_activity"]:
        body = body.replace(row["title"], "")
    body = re.sub(r"《[^》]*》|“[^”]*”", "", body)
    allowed = set()
    for key in report["summary"]["figures_used"]:
        if key in report["totals"]:
            allowed.add(report["totals"][key]["value"])
    for part in ("by_activity",):
        for row in report[part]:
            allowed.update(row[k]["value"] for k in ("wechat_articles", "weibo_posts"))
    allowed.update(row["reads"] for row in report["top_read"])
    allowed.update(row["reposts"] for row in report["top_reposted"])
    dates = {int(n) for n in re.findall(r"(\d+)月(\d+)日", body) for n in n}
    years = {2022}
    for number in re.findall(r"\d+", body):
        n = int(number)
        assert n in allowed or n in dates or n in years or _counted_missing(n, report), number


def _counted_missing(n: int, report: dict[str, Any]) -> bool:
    """Counts the summary states about gaps: items or account-days not collected (per
    platform), units with nothing published."""
    totals = report["totals"]

    def missing(prefix: str) -> int:
        return len(set().union(*(totals[k]["not_collected"] for k in totals
                                 if k.startswith(prefix))))

    follow = set().union(*(totals[k]["not_collected"] for k in totals
                           if k.startswith("followers_")))
    follow_accounts = len({day.rsplit("@", 1)[0] for day in follow})
    silent = len(report["units"]) - totals["units_publishing"]["value"]
    return n in {missing("wechat_"), missing("weibo_"), len(follow), follow_accounts, silent}


# --- report.json: totals equal the sums of the inputs ----------------------------------


def test_totals_equal_the_sums_of_the_inputs(city) -> None:  # type: ignore[no-untyped-def]
    data, _written, report = city
    items = {i["id"]: i for i in data["items"]}
    accounts = {a["id"]: a for a in data["accounts"]}
    for key, (platform, name) in METRIC_OF.items():
        if key not in report["totals"]:
            continue
        total = report["totals"][key]
        of_platform = {i for i, v in items.items()
                       if accounts[v["account"]]["platform"] == platform}
        collected = {i for i in of_platform if name in items[i]["figures"]}
        assert set(total["sums"]) == collected, key
        assert set(total["not_collected"]) == of_platform - collected, key
        assert total["value"] == sum(items[i]["figures"][name]["value"] for i in collected), key
        assert sorted(total["sources"]) == sorted(items[i]["figures"][name]["source"]
                                                  for i in collected)
    days = {f"{d['account']}@{d['day']}": d for d in data["account_days"]}
    for key in ("followers_gained", "followers_lost"):
        total = report["totals"][key]
        assert total["value"] == sum(days[d][key]["value"] for d in total["sums"])
        assert all(key not in days[d] for d in total["not_collected"])
    wechat = {i for i, v in items.items() if accounts[v["account"]]["platform"] == "wechat"}
    assert set(report["totals"]["wechat_articles"]["counts"]) == wechat
    assert report["totals"]["wechat_articles"]["value"] == len(wechat)


def test_per_activity_and_per_cell_totals_add_up(city) -> None:  # type: ignore[no-untyped-def]
    data, _written, report = city
    items = {i["id"]: i for i in data["items"]}
    for row in report["by_activity"]:
        reads = row["wechat_reads"]
        assert all(items[i]["activity"] == row["activity"] for i in reads["sums"])
        assert reads["value"] == (sum(items[i]["figures"]["reads"]["value"] for i in reads["sums"])
                                  if reads["sums"] else None)
    cells = sum(c["wechat_articles"]["value"] + c["weibo_posts"]["value"]
                for c in report["coverage"])
    with_activity = sum(1 for i in data["items"] if i["activity"] is not None)
    assert cells == with_activity


def test_a_missing_figure_is_not_counted_as_zero(tmp_path: Path) -> None:
    data = figures_data(units=UNITS[:2], items_per_unit=3)
    wechat_items = [i for i in data["items"] if i["account"].endswith("_wechat")]
    gone = wechat_items[0]
    del gone["figures"]["reads"]
    written = build(tmp_path, data, "partly")
    report = json.loads(written.files["json"].read_text("utf-8"))
    reads = report["totals"]["wechat_reads"]
    assert gone["id"] in reads["not_collected"] and gone["id"] not in reads["sums"]
    assert reads["value"] == sum(i["figures"]["reads"]["value"] for i in wechat_items[1:])
    assert "其中1篇文章的部分数据未采集，未计入" in written.summary.body

    for item in data["items"]:
        item["figures"].pop("reads", None)
    written = build(tmp_path, data, "none")
    report = json.loads(written.files["json"].read_text("utf-8"))
    assert report["totals"]["wechat_reads"]["value"] is None
    assert "阅读数据未采集" in written.summary.body
    assert not re.search(r"阅读0", written.summary.body)
    assert "阅读量" not in written.summary.body  # no best-read list without reads
    csv_text = written.files["coverage_csv"].read_text("utf-8-sig")
    assert "未采集" in csv_text


# --- the .docx read back -------------------------------------------------------------


def test_docx_has_title_body_tables_and_page_numbers(city) -> None:  # type: ignore[no-untyped-def]
    data, written, _report = city
    doc = Document(str(written.files["docx"]))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith("初稿")
    assert texts[1] == "关于2022年“世界认可日”宣传活动\n开展情况的总结"  # a two-line title
    for paragraph in written.summary.paragraphs:
        assert paragraph in texts
    assert "上海市市场监督管理局" in texts and "2022年6月24日" in texts
    title_fonts = doc.paragraphs[1].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert title_fonts.get(qn("w:eastAsia")) == "黑体"
    assert title_fonts.get(qn("w:hint")) == "eastAsia"  # quotes drawn full width
    body_fonts = doc.paragraphs[2].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert body_fonts.get(qn("w:eastAsia")) == "仿宋"

    figures, coverage = doc.tables
    assert [c.text for c in figures.rows[0].cells] == ["指标", "数值", "说明"]
    assert len(coverage.rows) == 1 + len(data["units"])
    assert [c.text for c in coverage.rows[0].cells][:2] == ["单位", "（一）"]
    assert coverage.columns[0].width > coverage.columns[1].width  # room for unit names
    assert coverage.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    silent = next(r for r in coverage.rows[1:] if r.cells[0].text == UNITS[5])
    assert {c.text for c in silent.cells[1:]} == {"—"}  # a unit with nothing: all gaps

    footer = doc.sections[0].footer._element.xml
    assert "w:fldChar" in footer and re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    assert len(doc.inline_shapes) == 2  # the two charts


# --- the PDF rendered and inspected ------------------------------------------------------


def test_pdf_renders_with_the_chinese_font_embedded(city) -> None:  # type: ignore[no-untyped-def]
    _data, written, _report = city
    path = written.files["pdf"]
    reader = PdfReader(str(path))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts.append((str(font["/BaseFont"]), embedded))
    assert fonts and all(embedded for _name, embedded in fonts)
    assert all(re.match(r"/[A-Z]{6}\+NotoSansCJK", name) for name, _ in fonts)  # subset
    assert path.stat().st_size < 2_000_000  # a subset, not the 19 MB collection

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        first = pdf[0]
        text = first.get_textpage().get_text_range()
        assert "关于2022年“世界认可日”宣传活动开展情况的总结" in text
        image = first.render(scale=1).to_pil().convert("L")
        dark = sum(image.histogram()[:128])
        assert dark > 0.01 * image.width * image.height  # ink, not a blank page
        last = pdf[len(pdf) - 1].get_textpage().get_text_range()
        assert "（八）开展认证认可检验检测系列宣贯培训" in last
    finally:
        pdf.close()


# --- coverage table and the command ------------------------------------------------------


def test_coverage_csv_and_html_show_gaps(city) -> None:  # type: ignore[no-untyped-def]
    data, written, _report = city
    lines = written.files["coverage_csv"].read_text("utf-8-sig").splitlines()
    assert len(lines) == 1 + 8 * len(data["units"])
    silent = [line for line in lines if line.startswith(UNITS[5] + ",")]
    assert len(silent) == 8 and all(",0,0," in line for line in silent)
    page = written.files["coverage_html"].read_text("utf-8")
    assert page.count('class="gap"') >= 8 and UNITS[5] in page


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["report", "--activities", str(ACTIVITIES_FILE), *args])


def test_cli_writes_a_unit_report(tmp_path: Path) -> None:
    source = write_figures(tmp_path / "figures.json", figures_data(units=UNITS[:4]))
    result = run("--figures", str(source), "--unit", UNITS[2], "--out", str(tmp_path / "out"),
                 "--date", "2022-06-24")
    assert result.exit_code == 0, result.output
    assert "初稿" in result.output and UNITS[2] in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["reporting_unit"] == UNITS[2] and report["units"] == [UNITS[2]]
    assert "我局围绕" in report["summary"]["paragraphs"][0]


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["items"][2]["figures"].update(reads={"value": "很多", "source": "x"}),
     "items 第 3 项 figures.reads.value：应为不小于 0 的整数"),
    (lambda d: d["items"][0].update(activity=9), "items 第 1 项 activity：活动序号应为 1–8"),
    (lambda d: d["items"][1].update(published="6月9日"), "items 第 2 项 published：北京时间应写成"),
    (lambda d: d["items"][0]["figures"].update(reposts={"value": 1, "source": "x"}),
     "figures.reposts：微信公众号没有这项数据"),
    (lambda d: d["accounts"][0].update(unit="不存在的局"),
     "accounts 第 1 项 unit：单位“不存在的局”"),
])
def test_cli_bad_figures_are_located_and_exit_2(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    data = figures_data(units=UNITS[:2], items_per_unit=2)
    mutate(data)
    source = write_figures(tmp_path / "figures.json", data)
    result = run("--figures", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "figures.json" in result.output and expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_cli_broken_json_and_unknown_unit(tmp_path: Path) -> None:
    broken = tmp_path / "figures.json"
    broken.write_text('{"units": ["甲"],\n  "items": [}\n', "utf-8")
    result = run("--figures", str(broken))
    assert result.exit_code == 2 and "figures.json 第 2 行" in result.output
    source = write_figures(tmp_path / "ok.json", figures_data(units=UNITS[:2]))
    result = run("--figures", str(source), "--unit", "火星局", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "没有单位“火星局”" in result.output


def test_a_unit_with_nothing_published_claims_nothing(tmp_path: Path) -> None:
    source = write_figures(tmp_path / "figures.json", figures_data())
    result = run("--figures", str(source), "--unit", UNITS[5], "--out", str(tmp_path / "out"),
                 "--date", "2022-06-24")
    assert result.exit_code == 0, result.output
    assert "不在 400–650 字之间" in result.output and "请人工补充" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    body = "".join(report["summary"]["paragraphs"])
    assert "暂无本次活动的发布记录" in body and "均暂无发布记录" in body
    assert "开展线上宣传" not in body and "一是" not in body and "累计" not in body
    assert report["summary"]["within_range"] is False
