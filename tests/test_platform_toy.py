"""A third platform, registered in one line, goes the whole way: check → preview → queue →
publish → reconcile → campaign report, through the same commands and pipeline staff use."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from platform_toy import TOY, ToyBoard, write_template

from socialbot import platforms
from socialbot.channel_source import Channels
from socialbot.cli import cli
from socialbot.config_file import load_settings
from socialbot.kv import open_kv
from socialbot.report.build import build_report
from socialbot.report.load import load_figures
from socialbot.runner import run_due
from socialbot.store import open_store
from socialbot.store.models import State
from socialbot.store.queue import deliveries_of
from tests.helpers import CONFIG_HEADER
from tests.report_figures import ACTIVITIES_FILE, UNITS, figures_data, write_figures

TOKEN = "toy-token-0123456789"
POST = """\
---
template: toy_note
title: 实验室开放日
accounts: [board_main]
---
6月9日，实验室向公众开放。
"""
LONG_POST = POST.replace("实验室开放日", "实验室开放日" * 12)
DAY = date(2022, 6, 24)


@pytest.fixture
def toy() -> Iterator[None]:
    platforms.register(TOY)  # the one registry line a new platform needs
    yield
    platforms.unregister(TOY.name)


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch) -> Iterator[ToyBoard]:
    monkeypatch.setenv("SB_TEST_TOY_TOKEN", TOKEN)
    with ToyBoard(TOKEN) as b:
        yield b


def _config(root: Path, url: str) -> Path:
    write_template(root / "templates")
    (root / "posts").mkdir()
    path = root / "config.toml"
    path.write_text(CONFIG_HEADER + f"""[paths]
posts = "posts"
templates = "templates"
[database]
path = "queue.db"
[accounts.board_main]
platform = "toy"
name = "园区公告板"
board = "lobby"
token_env = "SB_TEST_TOY_TOKEN"
api_base = "{url}"
""", encoding="utf-8")
    return path


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


ACTIVITIES = """\
notice = "关于开展开放日活动的通知"
campaign = "2022年实验室开放日"
theme = "走进实验室"

[[activities]]
number = 1
title = "开展实验室开放活动"
organisers = "各实验室"
posts = ["0609-open-day"]
"""


def test_a_registered_platform_goes_from_check_to_report(toy, board, tmp_path):
    config = _config(tmp_path, board.url)
    (tmp_path / "posts" / "0609-open-day.md").write_text(POST, encoding="utf-8")
    (tmp_path / "posts" / "0610-too-long.md").write_text(LONG_POST, encoding="utf-8")
    own_text = POST.replace("accounts:", "notice: 园区今日开放\naccounts:")
    (tmp_path / "posts" / "0611-own-text.md").write_text(own_text, encoding="utf-8")

    checked = _run(config, "check", str(tmp_path / "posts" / "0610-too-long.md"))
    assert checked.exit_code == 2, checked.output
    said = checked.output.replace("\n", "")
    assert "（公告板 board_main）：公告有 82 个字，超过上限 60 个字" in said
    (tmp_path / "posts" / "0610-too-long.md").unlink()
    assert _run(config, "check").exit_code == 0

    out = tmp_path / "preview"
    previewed = _run(config, "preview", "--out", str(out))
    assert previewed.exit_code == 0, previewed.output
    page = (out / "posts" / "0609-open-day" / "index.html").read_text("utf-8")
    assert 'data-testid="toy-card"' in page and "【6·9世界认可日】实验室开放日" in page
    own = (out / "posts" / "0611-own-text" / "index.html").read_text("utf-8")
    assert "园区今日开放" in own  # the platform's own front-matter field reached its block
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    (call,) = plan["accounts"]["board_main"]["deliveries"][0]["calls"]
    assert call["payload"]["board"] == "lobby"
    assert call["payload"]["token"] == "***" and TOKEN not in json.dumps(plan)
    assert board.requests == []  # the dry run called nothing

    settings = load_settings(config)
    at = dt.datetime.now(settings.tz).replace(second=0, microsecond=0) + dt.timedelta(days=1)
    added = _run(config, "queue", "add", "0609-open-day", "--at", f"{at:%Y-%m-%d %H:%M}",
                 "--by", "张三")
    assert added.exit_code == 0, added.output
    shown = _run(config, "queue", "show", "1")
    assert "公告正文：【6·9世界认可日】实验室开放日" in shown.output
    approved = _run(config, "queue", "approve", "1", "--by", "李审核")
    assert approved.exit_code == 0, approved.output

    store = open_store(settings)
    channels = Channels(settings, kv=open_kv(settings))
    try:
        board.drop_next_answer = True  # pinned, but the answer is lost
        (first,) = run_due(settings, store, channels, at)
        assert first.state is State.UNKNOWN and len(board.notes) == 1
        later = at + dt.timedelta(hours=2)
        (second,) = run_due(settings, store, channels, later)
        assert (second.kind, second.state) == ("reconcile", State.SENT)
        assert len(board.notes) == 1  # settled by asking, not by pinning again
        assert run_due(settings, store, channels, later) == []
        with store.tx(write=False) as conn:
            (d,) = deliveries_of(conn, 1)
        assert d.state is State.SENT and d.remote_id == "n1"
    finally:
        store.dispose()
    assert [r.split("?")[0] for r in board.requests] == ["POST /notes", "GET /notes"]

    activities = tmp_path / "activities.toml"
    activities.write_text(ACTIVITIES, encoding="utf-8")
    reported = _run(config, "report", "--activities", str(activities),
                    "--out", str(tmp_path / "report"), "--date", "2022-06-24")
    assert reported.exit_code == 0, reported.output
    report = json.loads((tmp_path / "report" / "report.json").read_text("utf-8"))
    assert report["totals"]["toy_notes"]["counts"] == ["delivery-1"]
    assert report["totals"]["toy_views"]["value"] is None  # no figures collected: not 0
    assert report["by_activity"][0]["toy_notes"]["value"] == 1
    assert "依托政务公告板开展线上宣传" in report["summary"]["paragraphs"][0]
    assert "共发布公告1条" in report["summary"]["paragraphs"][0]
    assert "公告浏览数据未采集" in "".join(report["summary"]["paragraphs"])
    rows = (tmp_path / "report" / "覆盖情况.csv").read_text("utf-8-sig").splitlines()
    header, first = rows[0].split(","), rows[1].split(",")
    assert first[header.index("公告（条）")] == "1"
    assert first[header.index("公告浏览（次）")] == "未采集"


def _with_board(data: dict[str, Any]) -> dict[str, Any]:
    """The city's figures plus one notice board per unit, each note seen some times."""
    for index, unit in enumerate(data["units"]):
        account = f"u{index:02d}_toy"
        data["accounts"].append({"id": account, "name": f"{unit}公告板", "unit": unit,
                                 "platform": "toy"})
        data["items"].append({
            "id": f"{account}-0", "post_id": "0609-0", "title": f"{unit}开放日公告",
            "activity": 7, "account": account, "published": "2022-06-09 09:00",
            "figures": {"views": {"value": 100 + index, "source": f"toy:{account}"}}})
    return data


def test_a_registered_platform_is_counted_in_the_report_beside_the_others(toy, tmp_path):
    """The report goes over the registered platforms: the board's notes are counted, in
    registry order after WeChat and Weibo, and what those two show does not change."""
    units = UNITS[:3]
    before = build_report(load_figures(write_figures(tmp_path / "before.json",
                                                     figures_data(units=units)),
                                       ACTIVITIES_FILE), tmp_path / "before", DAY)
    after = build_report(load_figures(write_figures(tmp_path / "after.json",
                                                    _with_board(figures_data(units=units))),
                                      ACTIVITIES_FILE), tmp_path / "after", DAY)
    old = json.loads(before.files["json"].read_text("utf-8"))
    new = json.loads(after.files["json"].read_text("utf-8"))

    assert new["totals"]["toy_notes"]["value"] == 3
    assert new["totals"]["toy_views"]["value"] == 100 + 101 + 102
    assert new["totals"]["toy_accounts"]["label"] == "有发布的公告板（个）"
    for key in ("wechat_articles", "weibo_posts", "wechat_reads", "weibo_reposts"):
        assert new["totals"][key] == old["totals"][key], key
    assert list(new["by_activity"][6]) == ["activity", "title", "organisers", "wechat_articles",
                                           "weibo_posts", "toy_notes", "wechat_reads",
                                           "weibo_reposts", "toy_views"]
    assert new["by_activity"][6]["toy_notes"]["value"] == 3
    assert new["top_viewed"] == [{"id": "u02_toy-0", "title": f"{units[2]}开放日公告",
                                  "unit": units[2], "account": "u02_toy", "views": 102,
                                  "source": "toy:u02_toy"}]
    assert new["top_read"] == old["top_read"] and new["top_reposted"] == old["top_reposted"]

    opening, _held, reach, best, *_ = after.summary.paragraphs
    assert "依托政务微信公众号、微博、公告板开展线上宣传" in opening
    assert "、公告3条" in opening
    assert "公告累计浏览303次" in reach
    assert best.endswith(f"浏览最多的公告为{units[2]}发布的《{units[2]}开放日公告》（浏览102次）。")

    header = after.files["coverage_csv"].read_text("utf-8-sig").splitlines()[0].split(",")
    assert header == ["单位", "活动序号", "活动", "微信文章（篇）", "微博（条）", "公告（条）",
                      "微信阅读（次）", "阅读未采集（篇）", "微博转发（次）", "转发未采集（条）",
                      "公告浏览（次）", "浏览未采集（条）", "发布编号"]
    page = after.files["coverage_html"].read_text("utf-8")
    assert ("发布数（微信文章篇数、微博条数与公告条数合计）、微信阅读次数、微博转发次数、"
            "公告浏览次数") in page
    assert "览102" in page  # the board's reach in its cell
