"""A notice kept in a row (a delivery's message, an audit detail) reads worded wherever
staff see it, and a row written as plain text before notices still reads as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import update
from test_queue_cli import Env

from socialbot.notices import notice
from socialbot.store import audit as audit_store
from socialbot.store.schema import deliveries
from socialbot.times import BEIJING
from socialbot.web.watch import audit_csv_text

AT = dt.datetime(2030, 6, 10, 9, 0, tzinfo=BEIJING)
MOVED = notice("queue.moved_to_next_message", account="sub_wechat", moved_from="2030-06-09",
               day="2030-06-10", at=AT)
WORDED = ("sub_wechat 在 2030-06-09 的群发消息已经发出（或推送时间已过），"
          "这篇已改入 2030-06-10 的消息，2030-06-10 09:00 发出")


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = Env(tmp_path, monkeypatch)
    yield e
    e.db.dispose()


def _queued(env: Env) -> int:
    result = env.run("queue", "add", "0609-wad", "--at", env.later(days=2), "--to",
                     "sub_wechat", "--by", "张三")
    assert result.exit_code == 0, result.output
    return 1


def _set_message(env: Env, text: str) -> None:
    with env.db.tx() as conn:
        conn.execute(update(deliveries).values(message=text))


def test_a_delivery_message_kept_as_a_notice_reads_worded_on_the_cli(env):
    n = _queued(env)
    _set_message(env, MOVED.encode())
    assert MOVED.text() == WORDED
    shown = env.run("queue", "show", str(n))
    assert shown.exit_code == 0 and "群发消息已经发出" in shown.output
    assert '"notice"' not in shown.output
    [d] = json.loads(env.run("queue", "show", str(n), "--json").output)["deliveries"]
    assert d["message"] == WORDED and d["message_code"] == "queue.moved_to_next_message"
    assert d["state_label"] == "待审核"
    [listed] = json.loads(env.run("queue", "list", "--json").output)[0]["deliveries"]
    assert listed["message"] == WORDED


def test_a_plain_text_message_from_before_notices_reads_as_written(env):
    n = _queued(env)
    _set_message(env, "平台返回 45009：今日额度已用完")
    [d] = json.loads(env.run("queue", "show", str(n), "--json").output)["deliveries"]
    assert d["message"] == "平台返回 45009：今日额度已用完" and "message_code" not in d
    assert "平台返回 45009：今日额度已用完" in env.run("queue", "show", str(n)).output


def test_audit_details_kept_as_notices_read_worded_on_the_cli_and_in_the_csv(env):
    n = _queued(env)
    with env.db.tx() as conn:
        audit_store.record(conn, actor=audit_store.system_actor("worker-1"), action="hold",
                           post=n, account="sub_wechat", detail=MOVED.encode())
        audit_store.record(conn, actor="张三", action="comment", post=n, detail="旧的纯文本记录")
    entries = audit_store.entries(env.db, post=n)
    [added] = [e for e in entries if e.action == "add"]
    assert added.detail.startswith("{")  # the row keeps the notice, not the words

    rows = list(csv.reader(io.StringIO(audit_csv_text(entries, env.settings)[1:])))
    by_action = {row[2]: row for row in rows[1:]}
    added_row = by_action["加入队列"][6]
    assert added_row.startswith("0609-wad") and "；发布时间 " in added_row
    assert by_action["暂缓"][1] == "系统:worker-1" and by_action["暂缓"][6] == WORDED
    assert by_action["评论"][6] == "旧的纯文本记录"

    table = env.run("audit", "--post", str(n))
    assert "系统:worker-1" in table.output and "群发消息已经发出" in table.output
    assert '"notice"' not in table.output
    data = json.loads(env.run("audit", "--json", "--post", str(n)).output)
    held = next(a for a in data if a["action"] == "hold")
    assert held["actor"] == "系统:worker-1" and held["action_label"] == "暂缓"
    assert held["detail"] == WORDED and held["detail_code"] == "queue.moved_to_next_message"
