"""The calendar's and the audit page's reads, on SQLite and on PostgreSQL: deliveries by
time window and filters, what an account sent, and audit entries by filter and scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from test_postgres import pg_url  # noqa: F401  (the PostgreSQL fixture)
from test_store_helpers import NOW, SH, add, make_settings, tiny_rendered

from socialbot.notices import shown
from socialbot.store import State, agenda, open_store, pauses
from socialbot.store import audit as audit_store
from socialbot.store.audit import AuditFilter
from socialbot.store.schema import deliveries
from socialbot.store_rules import rules_of

DAY = dt.datetime(2022, 6, 9, 0, 0, tzinfo=SH)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "postgres":
        settings = make_settings(tmp_path, database_url=request.getfixturevalue("pg_url"))
    else:
        settings = make_settings(tmp_path)
    db = open_store(settings)
    yield settings, db
    db.dispose()


def fill(settings, db) -> dict[str, int]:
    return {
        "a": add(db, settings, tiny_rendered("0609-a", "甲"), ["sub_wechat", "city_weibo"],
                 DAY.replace(hour=9), author="editor1"),
        "b": add(db, settings, tiny_rendered("0609-b", "乙", seed=2), ["city_weibo"],
                 DAY.replace(hour=15), author="editor2"),
        "c": add(db, settings, tiny_rendered("0610-c", "丙", seed=3), ["svc_wechat"],
                 DAY.replace(day=10, hour=9), author="editor1"),
    }


def test_between_reads_a_window_with_filters_soonest_first(store):
    settings, db = store
    ids = fill(settings, db)
    day = agenda.between(db, DAY, DAY + dt.timedelta(days=1))
    assert [(i.title, i.delivery.account) for i in day] == [
        ("甲", "city_weibo"), ("甲", "sub_wechat"), ("乙", "city_weibo")] or [
        (i.title, i.delivery.account) for i in day] == [
        ("甲", "sub_wechat"), ("甲", "city_weibo"), ("乙", "city_weibo")]
    assert all(i.author in ("editor1", "editor2") and i.cron is None for i in day)
    assert [i.title for i in agenda.between(db, DAY, DAY + dt.timedelta(days=2),
                                            accounts={"svc_wechat"})] == ["丙"]
    assert [i.title for i in agenda.between(db, DAY, DAY + dt.timedelta(days=2),
                                            post_ids={"0609-b"})] == ["乙"]
    assert agenda.between(db, DAY, DAY + dt.timedelta(days=2), states={"sent"}) == []
    assert agenda.between(db, DAY, DAY + dt.timedelta(days=2), accounts=set()) == []
    [one] = [d for d in db.deliveries_of(ids["c"])]
    found = agenda.one(db, one.id)
    assert found is not None and found.delivery == one and found.post_id == "0610-c"
    assert agenda.one(db, 999_999) is None


def test_sent_lists_an_accounts_sends_latest_first(store):
    settings, db = store
    ids = fill(settings, db)
    for name, hour in (("a", 9), ("b", 15)):
        d = next(d for d in db.deliveries_of(ids[name]) if d.account == "city_weibo")
        with db.tx() as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == d.id).values(
                state=str(State.SENT), sent_at=DAY.replace(hour=hour)))
    assert [i.title for i in agenda.sent(db, "city_weibo")] == ["乙", "甲"]
    assert [i.title for i in agenda.sent(db, "city_weibo", limit=1)] == ["乙"]
    assert agenda.sent(db, "sub_wechat") == []


def test_audit_search_filters_and_keeps_to_the_scope(store):
    settings, db = store
    ids = fill(settings, db)
    pauses.pause(db, rules_of(settings), "admin", NOW, account="svc_wechat", reason="测试暂停")
    pauses.pause(db, rules_of(settings), "admin", NOW)  # about every account: no account named
    everything, total = audit_store.search(db, AuditFilter())
    assert total == len(everything) >= 5 and everything[0].action == "pause"
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    adds, _ = audit_store.search(db, AuditFilter(action="add", actor="editor1"))
    assert {e.post for e in adds} == {ids["a"], ids["c"]}
    mine, _ = audit_store.search(db, AuditFilter(), scope={"city_weibo"})
    assert {e.post for e in mine} == {ids["a"], ids["b"]}
    assert {e.account for e in mine} == {"sub_wechat", "city_weibo"}  # a's, via its post
    assert not any(e.action == "pause" for e in mine)
    svc, _ = audit_store.search(db, AuditFilter(account="svc_wechat"))
    assert [(e.action, e.post) for e in svc] == [("pause", None), ("add", ids["c"])]
    assert shown(svc[0].detail) == "暂停账号 svc_wechat：测试暂停"
    later = DAY.replace(year=2030)
    assert audit_store.search(db, AuditFilter(since=later))[1] == 0
    assert audit_store.search(db, AuditFilter(until=later))[1] == total
    page, count = audit_store.search(db, AuditFilter(), offset=1, limit=2)
    assert count == total and [e.id for e in page] == [e.id for e in everything[1:3]]
    assert "admin" in audit_store.actors(db) and "editor2" in audit_store.actors(db)
