"""Notices carrying lists and machine values; places filled from their problem's values."""

from __future__ import annotations

import datetime as dt

import pytest

from socialbot.notices import Notice, decode, notice, problem, shown
from socialbot.times import BEIJING
from socialbot.wording import CATALOG, PLACES


@pytest.fixture
def catalog():
    CATALOG["test.list"] = "{ids:list}；{items:items}；{state:state}；{times}"
    PLACES["test_account"] = "账号 {account}"
    yield
    del CATALOG["test.list"], PLACES["test_account"]


def test_a_notice_keeps_lists_and_words_machine_values(catalog):
    at = (dt.datetime(2022, 6, 9, 9, 0, tzinfo=BEIJING), dt.datetime(2022, 6, 10, 9, 0,
                                                                       tzinfo=BEIJING))
    kept = notice("test.list", ids=("a", "b"), items=("甲：一", "乙：二"), state="sending",
                  times=at)
    assert decode(kept.encode()) == kept
    assert shown(kept.encode()) == ("a、b；甲：一；乙：二；发送中；"
                                    "2022-06-09 09:00、2022-06-10 09:00")
    assert decode(Notice("test.list", {"ids": ()}).encode()) == Notice("test.list", {"ids": ()})


def test_a_place_is_filled_from_the_values_of_its_problem(catalog):
    found = problem("@test_account", "test.list", account="weibo_main", ids=(), items=(),
                    state="due", times=())
    assert str(found) == "账号 weibo_main：；；到期待发；"


def test_a_list_of_text_that_is_not_a_time_survives_beside_times(catalog):
    kept = Notice("test.list", {"ids": ("a", "b"), "times": (dt.datetime(2022, 6, 9, 9, 0,
                                                                         tzinfo=BEIJING),)})
    assert decode(kept.encode()) == kept
