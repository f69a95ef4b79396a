"""The storage interface: paging, reads the service layer uses, kv in the migrations."""

from __future__ import annotations

import ast
import datetime as dt
import sqlite3
from pathlib import Path

from test_store_helpers import NOW, SH, add, tiny_rendered

import socialbot
from socialbot.store import Store, open_store, review
from socialbot.store.migrations import MIGRATIONS
from socialbot.store.sql import SqlStore
from socialbot.store_rules import rules_of

AT = dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)


def test_open_store_returns_the_sql_implementation_of_the_interface(db):
    assert isinstance(db, Store) and isinstance(db, SqlStore)
    assert db.version() == MIGRATIONS[-1][0]


def test_queue_pages_soonest_first_and_counts_every_post(db, settings):
    ids = [add(db, settings, tiny_rendered(f"p{n}", seed=n), ["city_weibo"],
               AT + dt.timedelta(hours=n)) for n in range(7)]
    first, total = db.list_queue(limit=3)
    assert total == 7 and [p.id for p, _ in first] == ids[:3]
    last, _ = db.list_queue(offset=6, limit=3)
    assert [p.id for p, _ in last] == ids[6:]
    everything, _ = db.list_queue()
    assert [p.id for p, _ in everything] == ids


def test_finished_posts_are_listed_only_when_asked(db, settings):
    done = add(db, settings, tiny_rendered("a"), ["city_weibo"], AT)
    live = add(db, settings, tiny_rendered("b", seed=2), ["city_weibo"], AT + dt.timedelta(hours=1))
    from socialbot.store import actions

    actions.cancel(db, done, "张三", NOW)
    assert [p.id for p, _ in db.list_queue()[0]] == [live]
    assert [p.id for p, _ in db.list_queue(include_finished=True)[0]] == [done, live]
    (only, ds), = db.list_queue(state="cancelled")[0]
    assert only.id == done and [d.state for d in ds] == ["cancelled"]


def test_reads_the_service_layer_uses(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat", "city_weibo"], AT)
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    assert db.post(queue_id).approved_by == "李四"
    ds = db.deliveries_of(queue_id)
    assert {d.account for d in ds} == {"sub_wechat", "city_weibo"}
    assert db.holding(ds[0].delivery_key) == ds[0]
    assert db.state_counts() == {"approved": 2}
    assert db.next_wake(NOW) == AT and db.next_wake(AT) is None
    assert {d.id for d, _title in db.live_work()} == {d.id for d in ds}
    assert db.rendered(queue_id).post_id == tiny_rendered().post_id
    assert db.attempts_of([d.id for d in ds]) == []


def test_the_key_value_data_lives_in_the_same_database(db):
    kv = db.kv()
    kv.set("token", "x", ttl=60)
    assert kv.get("token") == "x"
    kv.delete_many(["token"])
    assert kv.get("token") is None


def test_an_old_database_gains_the_kv_table_and_indexes_by_migration(tmp_path):
    path = tmp_path / "old.db"
    old = SqlStore(f"sqlite:///{path}", migrate=False)
    with old.tx() as conn:  # as version 1 left it: no kv table, no lookup indexes
        MIGRATIONS[0][2](conn, "sqlite")
        conn.exec_driver_sql("DROP TABLE kv")
        conn.exec_driver_sql("DROP INDEX ix_posts_post_id")
        conn.exec_driver_sql("DROP INDEX ix_deliveries_key")
        conn.exec_driver_sql("DROP INDEX ix_deliveries_post")
        conn.exec_driver_sql("INSERT INTO schema_version VALUES (1, '2022-06-01', 'initial')")
    old.dispose()
    store = open_store(f"sqlite:///{path}")
    assert store.version() == MIGRATIONS[-1][0]
    store.dispose()
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"kv", "ix_posts_post_id", "ix_deliveries_post", "ix_deliveries_key"} <= names


def test_no_module_outside_the_store_imports_sqlalchemy():
    package = Path(socialbot.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if (package / "store") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "sqlalchemy" or n.startswith("sqlalchemy.") for n in names):
                offenders.append(str(path.relative_to(package)))
    assert offenders == []
