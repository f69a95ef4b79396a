"""Labels for the store's machine values; databases named as staff configured them."""

from __future__ import annotations

import pytest

from socialbot.store import audit
from socialbot.store.errors import database_problem
from socialbot.store.models import State
from socialbot.wording.labels import (
    ACTION_LABELS,
    STATE_LABELS,
    SYSTEM,
    actor_label,
    label,
    scope_label,
)


def test_every_state_has_a_label_in_the_order_of_the_states():
    assert list(STATE_LABELS) == [str(s) for s in State]
    assert label(State.DRAFTED) == "已存草稿，待人工群发" and label("no_such") == "no_such"


def test_the_daemon_acts_as_a_machine_value_and_reads_as_the_system():
    assert audit.SYSTEM == SYSTEM
    actor = audit.system_actor("worker-1")
    assert actor == "system:worker-1" and actor_label(actor) == "系统:worker-1"
    assert actor_label("系统:host") == "系统:host"  # a row from before reads as written
    assert actor_label("张三") == "张三" and actor_label("systematic:x") == "systematic:x"
    assert scope_label("*") == "全部账号" and scope_label("weibo_main") == "weibo_main"
    assert ACTION_LABELS["mark_sent"] == "标为已发出"


@pytest.mark.parametrize(("url", "place"), [
    (None, "数据库"),
    ("sqlite:///data/queue.db", "数据库文件 data/queue.db"),
    ("sqlite://", "内存数据库"),
    ("postgresql+psycopg://u:secret@db.example:5433/queue",
     "PostgreSQL 数据库 queue（db.example:5433）"),
    ("postgresql+psycopg://u@db.example", "PostgreSQL 数据库（db.example:5432）"),
])
def test_a_database_is_named_as_staff_configured_it_without_a_password(url, place):
    error = database_problem(ConnectionRefusedError("refused"), url)
    assert [p.where for p in error.problems] == [place]
    assert "secret" not in str(error)
