"""A third platform, registered in one line, goes the whole way: check → preview → queue →
publish → reconcile, through the same commands and pipeline staff use."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from platform_toy import TOY, ToyBoard, write_template

from socialbot import platforms
from socialbot.channel_source import Channels
from socialbot.cli import cli
from socialbot.config import load_settings
from socialbot.kv import open_kv
from socialbot.runner import run_due
from socialbot.store import open_store
from socialbot.store.models import State
from socialbot.store.queue import deliveries_of
from tests.helpers import CONFIG_HEADER

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


def test_a_registered_platform_goes_from_check_to_reconcile(toy, board, tmp_path):
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
