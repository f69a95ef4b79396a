"""``status`` on SQLite reads through ``store.lite`` (sqlite3): the same answers as the store.

One database holds every kind of row status reports (failed, unknown, stale sending,
held for review, left as a draft, next due, a day's message of two articles, a pause,
quota sends and an exhausted bucket, a remembered token expiry); the report and the
printed command output must be identical whichever path read them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from test_store_helpers import NOW, add, tiny_rendered

from socialbot.cli import cli
from socialbot.commands import status as status_command
from socialbot.platforms.weibo.tokens import token_expiry_key, token_fingerprint
from socialbot.status import collect
from socialbot.store import lite, open_reader, pauses, quota
from socialbot.store.kv import SqlKeyValueStore
from socialbot.store.migrations import MIGRATIONS
from socialbot.store.models import State
from socialbot.store.schema import deliveries
from socialbot.store.sql import SqlStore
from socialbot.store_rules import rules_of
from tests.helpers import modules_loaded_by

WEIBO_TOKEN = "weibo-token-for-status"
AT = NOW + dt.timedelta(hours=1)
LATER = NOW + dt.timedelta(hours=3)  # when status is asked


@pytest.fixture
def busy_queue(db, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Every kind of row status reports, in the test's SQLite queue."""
    monkeypatch.setenv("SB_T_WB", WEIBO_TOKEN)
    failed = add(db, settings, tiny_rendered("a"), ["city_weibo"], AT)
    unknown = add(db, settings, tiny_rendered("b", seed=2), ["mass_service"], AT)
    stale = add(db, settings, tiny_rendered("c", seed=3), ["svc_wechat"], AT)
    add(db, settings, tiny_rendered("d", seed=4), ["sub_wechat"], AT)  # held for review
    # The Weibo bucket is LATER's hour: its first instant counts, the next hour's does not.
    for n, minutes in enumerate((0, 5, 6, 60)):
        add(db, settings, tiny_rendered(f"h{n}", seed=30 + n), ["city_weibo"],
            LATER + dt.timedelta(minutes=minutes))
    for n in range(2):  # one day's message: two articles, one send against the quota
        add(db, settings, tiny_rendered(f"m{n}", seed=40 + n), ["mass_service"],
            NOW + dt.timedelta(days=2, minutes=n))
    drafted = add(db, settings, tiny_rendered("e", seed=5), ["svc_wechat"], AT)
    sent = add(db, settings, tiny_rendered("f", seed=6), ["svc_wechat"], AT)
    for n in range(12):  # more than status lists as next
        add(db, settings, tiny_rendered(f"n{n}", title=f"下一篇{n}", seed=10 + n),
            ["city_weibo"], NOW + dt.timedelta(days=1, minutes=n))
    with db.tx() as conn:
        for post, values in (
            (failed, {"state": State.FAILED.value, "message": "20021 内容违规"}),
            (unknown, {"state": State.UNKNOWN.value, "message": "平台查询超时",
                       "next_check_at": LATER + dt.timedelta(minutes=10)}),
            (stale, {"state": State.SENDING.value, "claimed_by": "otherhost/1/abc",
                     "lease_until": NOW}),
            (drafted, {"state": State.DRAFTED.value, "remote_id": "draft-media-1"}),
            (sent, {"state": State.SENT.value, "sent_at": AT, "remote_id": "m-1"}),
        ):
            conn.execute(update(deliveries).where(deliveries.c.post == post).values(**values))
        quota.record_send_in(conn, "mass_service", rules_of(settings).accounts[
            "mass_service"].quota, 999, LATER)
        quota.mark_full(conn, "sub_wechat", rules_of(settings).accounts["sub_wechat"].quota, LATER)
    pauses.pause(db, rules_of(settings), "张三", NOW, account="city_weibo", reason="核对稿件")
    account = settings.accounts["city_weibo"]
    key = token_expiry_key(account, token_fingerprint(settings.secret_for(account)))  # type: ignore[arg-type]
    db.kv().set(key, (LATER + dt.timedelta(days=3)).isoformat())
    return db


def test_the_light_reader_answers_as_the_store_does(busy_queue, settings):
    reader = lite.open_lite_reader(settings.database_url)
    assert isinstance(reader, lite.LiteReader)
    try:
        light = collect(settings, reader, LATER)
    finally:
        reader.dispose()
    full = collect(settings, busy_queue, LATER)
    assert reader_answers(settings, "last_sent") == busy_queue.last_sent() != {}
    assert reader_answers(settings, "first_post_at") == busy_queue.first_post_at()
    assert light.dumps(settings) == full.dumps(settings)
    # The comparison covers every part of the report.
    assert {i.delivery.state for i in full.attention} == {
        State.FAILED, State.UNKNOWN, State.SENDING, State.QUEUED}
    assert len(full.next_due) == 10 and full.pauses and full.tokens["city_weibo"]
    assert [i.delivery.state for i in full.drafts] == [State.DRAFTED]
    slots = [d.message_slot for d, _title in busy_queue.live_work()
             if d.account == "mass_service" and d.state != State.UNKNOWN]
    assert len(slots) == 2 and len(set(slots)) == 1 and None not in slots  # one send
    # mass_service: one send recorded, the unknown one, and one message of two articles.
    assert {q.account: q.used for q in full.quota} == {
        "sub_wechat": 1, "mass_service": 3, "city_weibo": 3}
    assert any(f.account == "city_weibo" for f in full.reminders)  # the token expires soon


def reader_answers(settings, method: str):  # type: ignore[no-untyped-def]
    reader = lite.open_lite_reader(settings.database_url)
    assert reader is not None
    try:
        return getattr(reader, method)()
    finally:
        reader.dispose()


def test_the_command_prints_the_same_through_either_path(busy_queue, settings, monkeypatch):
    monkeypatch.setattr(status_command, "utcnow", lambda: LATER)
    monkeypatch.setenv("COLUMNS", "240")
    config = str(settings.path)
    used: list[str] = []
    real = lite.open_lite_reader

    def spy(url: str) -> lite.LiteReader | None:
        found = real(url)
        used.append(type(found).__name__)
        return found

    monkeypatch.setattr(lite, "open_lite_reader", spy)
    runs = {}
    for path in ("light", "full"):
        for flag in ((), ("--json",)):
            result = CliRunner().invoke(cli, ["--config", config, "status", *flag])
            runs[path, flag] = (result.exit_code, result.output)
        monkeypatch.setattr(lite, "open_lite_reader", lambda url: None)
    assert used == ["LiteReader", "LiteReader"]
    for flag in ((), ("--json",)):
        assert runs["light", flag] == runs["full", flag]
        assert runs["light", flag][0] == 3
    assert "内容违规" in runs["light", ()][1] and "已暂停：city_weibo" in runs["light", ()][1]


def test_expired_key_values_read_as_absent_on_both_paths(db, settings):
    SqlKeyValueStore(db, clock=lambda: 1000.0).set("old", "x", ttl=10)
    db.kv().set("kept", "y")
    reader = lite.open_lite_reader(settings.database_url)
    assert reader is not None
    try:
        assert [reader.kv().get(k) for k in ("old", "kept", "none")] == [None, "y", None]
    finally:
        reader.dispose()
    assert [db.kv().get(k) for k in ("old", "kept", "none")] == [None, "y", None]


def test_anything_but_a_ready_sqlite_file_goes_to_the_full_store(tmp_path: Path, settings):
    import sqlite3

    assert lite.open_lite_reader("postgresql+psycopg://postgres@127.0.0.1:5432/test") is None
    assert lite.open_lite_reader("sqlite://") is None
    assert lite.open_lite_reader(f"sqlite:///{tmp_path}/missing.db") is None
    assert not (tmp_path / "missing.db").exists()  # never created by the reader
    assert lite.open_lite_reader(f"sqlite:///{tmp_path}/q.db?timeout=5") is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert lite.open_lite_reader(f"sqlite:///{empty}") is None  # not migrated yet
    # open_reader then opens (and migrates) the store, as status always did.
    fresh = settings.database_url
    assert not Path(lite.sqlite_path(fresh) or "").exists()
    reader = open_reader(settings)
    try:
        assert isinstance(reader, SqlStore) and reader.version() == MIGRATIONS[-1][0]
    finally:
        reader.dispose()
    reader = open_reader(settings)
    try:
        assert isinstance(reader, lite.LiteReader)
    finally:
        reader.dispose()


def test_the_reader_knows_the_latest_migration():
    """A new migration must be checked against this reader before status reads through it."""
    assert MIGRATIONS[-1][0] == lite.SCHEMA_VERSION


def test_status_on_sqlite_loads_neither_sqlalchemy_nor_rendering(busy_queue, settings):
    loaded, out = modules_loaded_by(["--config", str(settings.path), "status"], (
        "sqlalchemy", "PIL", "jinja2", "markdown_it", "requests", "socialbot.render",
        "socialbot.rendering"))
    assert loaded == [] and "需要处理" in out
