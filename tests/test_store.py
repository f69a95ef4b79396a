"""The queue store: schema and migrations, review rules, quota ledger, pauses, series."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from sqlalchemy import select, text
from test_store_helpers import NOW, SH, add, entry, make_settings, snapshot, tiny_rendered

from socialbot.errors import StoreError
from socialbot.store import actions, open_store, pauses, quota, review
from socialbot.store.audit import entries
from socialbot.store.claims import promote_due
from socialbot.store.content import load_rendered
from socialbot.store.migrations import MIGRATIONS
from socialbot.store.models import State
from socialbot.store.queue import QueueRefused, add_entries, deliveries_of
from socialbot.store.recurrence import CronProblem, occurrences, parse_cron
from socialbot.store.schema import deliveries, posts
from socialbot.store_rules import rules_of

AT = dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)


def states(db, queue_id):
    with db.tx(write=False) as conn:
        return {d.account: d.state for d in deliveries_of(conn, queue_id)}


# --- schema -------------------------------------------------------------------------------


def test_schema_is_versioned_and_migrating_twice_changes_nothing(db, settings):
    assert db.version() == MIGRATIONS[-1][0]
    again = open_store(settings)
    assert again.version() == db.version()
    with db.tx(write=False) as conn:
        rows = conn.execute(text("SELECT version, description FROM schema_version")).all()
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]


def test_sqlite_runs_in_wal_mode(db):
    with db.tx(write=False) as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_rendered_content_is_readable_json_and_round_trips(db, settings):
    rendered = tiny_rendered()
    queue_id = add(db, settings, rendered, ["sub_wechat"], AT)
    with db.tx(write=False) as conn:
        raw = conn.execute(select(posts.c.rendered).where(posts.c.id == queue_id)).scalar()
        back = load_rendered(conn, queue_id)
    doc = json.loads(raw)
    assert doc["title"] == rendered.title and "data" not in doc["parts"]["wechat"]["cover"]
    assert back == rendered and back.content_hash == rendered.content_hash


def test_audit_log_is_append_only_in_the_database(db, settings):
    add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    path = db.engine.url.database
    raw = sqlite3.connect(path)
    for sql in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(sql)
    raw.close()
    assert entries(db)[0].action == "add"


# --- adding and refusing ------------------------------------------------------------------


def test_add_creates_one_delivery_per_account_with_review_state(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat", "city_weibo"], AT)
    assert states(db, queue_id) == {"sub_wechat": State.QUEUED, "city_weibo": State.APPROVED}
    with db.tx(write=False) as conn:
        keys = {d.delivery_key for d in deliveries_of(conn, queue_id)}
    assert len(keys) == 2 and all(len(k) == 64 for k in keys)


@pytest.mark.parametrize(("targets", "at", "reason"), [
    (["nobody"], AT, "未知账号 nobody"),
    (["sub_wechat"], NOW - dt.timedelta(hours=2), "已经过去"),
    (["sub_wechat"], None, "缺少发布时间"),
    ([], AT, "没有指定发布账号"),
])
def test_refusals_name_the_reason_and_change_nothing(db, settings, targets, at, reason):
    add(db, settings, tiny_rendered("other"), ["city_weibo"], AT)
    before = snapshot(db)
    with pytest.raises(QueueRefused) as err:
        add(db, settings, tiny_rendered(), targets, at)
    assert reason in err.value.render()
    assert snapshot(db) == before


def test_one_bad_entry_refuses_the_whole_batch_with_every_reason(db, settings):
    good = entry(tiny_rendered("a"), ["city_weibo"], AT)
    past = entry(tiny_rendered("b"), ["city_weibo"], NOW - dt.timedelta(days=1))
    unknown = entry(tiny_rendered("c"), ["ghost"], AT)
    before = snapshot(db)
    with pytest.raises(QueueRefused) as err:
        add_entries(db, rules_of(settings), [good, past, unknown], NOW, actor="x")
    message = err.value.render()
    assert "已经过去" in message and "ghost" in message
    assert not good.problems and past.problems and unknown.problems
    assert snapshot(db) == before


def test_same_post_to_same_account_twice_is_refused(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    before = snapshot(db)
    with pytest.raises(QueueRefused, match=f"编号 {queue_id}"):
        add(db, settings, tiny_rendered(), ["city_weibo"], AT + dt.timedelta(days=1))
    assert snapshot(db) == before


# --- quota ledger ---------------------------------------------------------------------------


def test_posts_of_one_shanghai_day_share_the_subscription_accounts_one_mass_send(db, settings):
    add(db, settings, tiny_rendered("a"), ["sub_wechat"], AT)
    add(db, settings, tiny_rendered("b"), ["sub_wechat"], AT.replace(hour=20))  # joins it
    with db.tx() as conn:
        rule = rules_of(settings).accounts["sub_wechat"].quota
        assert rule is not None
        use = quota.usage_in(conn, "sub_wechat", rule, AT)
        assert use.planned == 1  # one message, not two sends
        quota.mark_full(conn, "sub_wechat", rule, AT + dt.timedelta(days=2))
    before = snapshot(db)
    with pytest.raises(QueueRefused) as err:  # a new day whose send is used up (console)
        add(db, settings, tiny_rendered("c"), ["sub_wechat"], AT + dt.timedelta(days=2))
    message = err.value.render()
    assert "订阅号每天" in message and "下一个可用时间：2022-06-12 09:00" in message
    assert snapshot(db) == before
    # The next Shanghai day is free, even though it is the same UTC day at 07:00+08:00.
    add(db, settings, tiny_rendered("d"), ["sub_wechat"], dt.datetime(2022, 6, 10, 7, 0, tzinfo=SH))


def test_service_mass_send_counts_four_per_month_and_publish_reach_is_free(db, settings):
    for n in range(4):
        add(db, settings, tiny_rendered(f"m{n}"), ["mass_service"], AT + dt.timedelta(days=n))
    with pytest.raises(QueueRefused, match=r"服务号每个自然月.*2022-07-01"):
        add(db, settings, tiny_rendered("m5"), ["mass_service"], AT + dt.timedelta(days=10))
    for n in range(6):  # reach = publish: no quota
        add(db, settings, tiny_rendered(f"p{n}"), ["svc_wechat"], AT)


def test_weibo_thirty_per_hour(db, settings):
    batch = [entry(tiny_rendered(f"w{n}"), ["city_weibo"], AT + dt.timedelta(minutes=n))
             for n in range(30)]
    add_entries(db, rules_of(settings), batch, NOW, actor="x")
    with pytest.raises(QueueRefused, match=r"微博每小时.*下一个可用时间：2022-06-09 10:00"):
        add(db, settings, tiny_rendered("w31"), ["city_weibo"], AT + dt.timedelta(minutes=40))


def test_quota_counts_entries_of_the_same_batch(db, settings):
    batch = [entry(tiny_rendered(f"a{n}"), ["mass_service"], AT + dt.timedelta(days=n))
             for n in range(5)]  # five days' messages: a service account has four a month
    with pytest.raises(QueueRefused):
        add_entries(db, rules_of(settings), batch, NOW, actor="x")
    assert batch[4].problems and not any(e.problems for e in batch[:4])


# --- review ---------------------------------------------------------------------------------


def test_four_eyes_refuses_the_author(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT, author="张三")
    with pytest.raises(StoreError, match="作者不能审核自己的稿件"):
        review.approve(db, rules_of(settings), queue_id, " 张三 ", NOW)
    assert states(db, queue_id) == {"sub_wechat": State.QUEUED}
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    assert states(db, queue_id) == {"sub_wechat": State.APPROVED}


def test_four_eyes_off_lets_the_author_approve(tmp_path):
    settings = make_settings(tmp_path, four_eyes=False)
    db = open_store(settings)
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT, author="张三")
    review.approve(db, rules_of(settings), queue_id, "张三", NOW)
    assert states(db, queue_id) == {"sub_wechat": State.APPROVED}


def test_approval_binds_to_hash_and_an_edit_voids_it(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat", "city_weibo"], AT)
    with pytest.raises(StoreError, match="内容已变化"):
        review.approve(db, rules_of(settings), queue_id, "李四", NOW, expect_hash="deadbeef")
    review.approve(db, rules_of(settings), queue_id, "李四", NOW,
                   expect_hash=tiny_rendered().content_hash[:8])
    changed = tiny_rendered(body="改过的正文")
    result = review.edit(db, rules_of(settings), queue_id, changed, "作者甲", NOW)
    assert "审核已作废" in result.notes[0]
    assert states(db, queue_id) == {"sub_wechat": State.QUEUED, "city_weibo": State.APPROVED}
    with db.tx(write=False) as conn:
        ds = deliveries_of(conn, queue_id)
    assert {d.content_hash for d in ds} == {changed.content_hash}
    actions_logged = [e.action for e in entries(db, post=queue_id)]
    assert actions_logged[-2:] == ["edit", "void"]
    # Same content again: nothing changes.
    assert review.edit(db, rules_of(settings), queue_id, changed, "作者甲", NOW).changed == 0


def test_reject_holds_every_target_until_edited_and_approved(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat", "city_weibo"], AT)
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    review.reject(db, rules_of(settings), queue_id, "王五", "标题有错别字", NOW)
    assert set(states(db, queue_id).values()) == {State.QUEUED}
    review.edit(db, rules_of(settings), queue_id, tiny_rendered(title="改正后的标题"), "作者甲",
                NOW)
    assert states(db, queue_id)["city_weibo"] == State.APPROVED
    assert states(db, queue_id)["sub_wechat"] == State.QUEUED


def test_unapproved_delivery_is_missed_not_published_after_grace(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    promote_due(db, rules_of(settings), AT + dt.timedelta(minutes=5))
    assert states(db, queue_id) == {"sub_wechat": State.QUEUED}
    missed = promote_due(db, rules_of(settings), AT + dt.timedelta(hours=2))
    assert [d.account for d in missed] == ["sub_wechat"]
    assert states(db, queue_id) == {"sub_wechat": State.MISSED}


# --- actions ------------------------------------------------------------------------------------


def test_cancel_reschedule_retry(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo", "svc_wechat"], AT)
    later = AT + dt.timedelta(days=1)
    actions.reschedule(db, rules_of(settings), queue_id, later, "作者甲", NOW, account="city_weibo")
    with db.tx(write=False) as conn:
        due = {d.account: d.due_at for d in deliveries_of(conn, queue_id)}
    assert due["city_weibo"] == later and due["svc_wechat"] == AT
    with pytest.raises(StoreError, match="已经过去"):
        actions.reschedule(db, rules_of(settings), queue_id, NOW - dt.timedelta(days=1), "x", NOW)
    actions.cancel(db, queue_id, "作者甲", NOW, account="svc_wechat")
    assert states(db, queue_id)["svc_wechat"] == State.CANCELLED
    with pytest.raises(StoreError, match="没有需要重试"):
        actions.retry(db, rules_of(settings), queue_id, "x", NOW)


def test_reschedule_joins_that_days_message_and_is_checked_against_quota(db, settings):
    add(db, settings, tiny_rendered("a"), ["sub_wechat"], AT)
    other = add(db, settings, tiny_rendered("b"), ["sub_wechat"], AT + dt.timedelta(days=1))
    actions.reschedule(db, rules_of(settings), other, AT.replace(hour=18), "x", NOW)  # joins 6·9
    with db.tx() as conn:
        (moved,) = deliveries_of(conn, other)
        quota.mark_full(conn, "sub_wechat", rules_of(settings).accounts["sub_wechat"].quota,
                        AT + dt.timedelta(days=3))
    assert moved.message_slot == "2022-06-09"
    before = snapshot(db)
    with pytest.raises(StoreError, match="订阅号每天"):  # a day whose one send is used up
        actions.reschedule(db, rules_of(settings), other, AT + dt.timedelta(days=3), "x", NOW)
    assert snapshot(db) == before


# --- pauses -------------------------------------------------------------------------------------


def test_pause_and_resume_flag_pending_deliveries(db, settings):
    a = add(db, settings, tiny_rendered("a"), ["city_weibo", "svc_wechat"], AT)
    frozen = pauses.pause(db, rules_of(settings), "值班员", NOW, account="city_weibo",
                          reason="演练")
    assert frozen == 1
    b = add(db, settings, tiny_rendered("b"), ["city_weibo"], AT)  # added while paused
    with db.tx(write=False) as conn:
        flags = {(d.post, d.account): d.paused for d in
                 [*deliveries_of(conn, a), *deliveries_of(conn, b)]}
    assert flags == {(a, "city_weibo"): True, (a, "svc_wechat"): False, (b, "city_weibo"): True}
    pauses.pause(db, rules_of(settings), "值班员", NOW)
    assert {p.scope for p in pauses.active_pauses(db)} == {"city_weibo", "*"}
    assert pauses.resume(db, "值班员", NOW, account="city_weibo") == ["city_weibo"]
    with db.tx(write=False) as conn:
        assert all(d.paused for d in deliveries_of(conn, a))  # global pause still on
    pauses.resume(db, "值班员", NOW)
    with db.tx(write=False) as conn:
        assert not any(d.paused for d in deliveries_of(conn, a))
    assert [e.action for e in entries(db)].count("pause") == 2
    with pytest.raises(StoreError, match="未知账号"):
        pauses.pause(db, rules_of(settings), "x", NOW, account="ghost")


# --- recurring posts -----------------------------------------------------------------------------


def test_cron_weekday_follows_crontab_not_apscheduler():
    fire = next(occurrences("0 9 * * 1", SH, NOW))  # NOW is Wednesday 2022-06-08
    assert fire.astimezone(SH) == dt.datetime(2022, 6, 13, 9, 0, tzinfo=SH)  # Monday
    sunday = next(occurrences("30 8 * * 0", SH, NOW)).astimezone(SH)
    assert sunday.strftime("%a %H:%M") == "Sun 08:30"
    with pytest.raises(CronProblem):
        parse_cron("0 9 * *", SH)
    with pytest.raises(CronProblem):
        parse_cron("0 9 * * 9", SH)


def test_recurring_post_creates_occurrences_with_distinct_keys(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], None, cron="0 9 * * *")
    with db.tx(write=False) as conn:
        ds = deliveries_of(conn, queue_id)
    assert len(ds) == 8  # the next 8 days are materialised
    assert len({d.delivery_key for d in ds}) == 8
    assert ds[0].due_at.astimezone(SH) == dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)


def test_recurring_approval_binds_to_series_hash(db, settings):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], None, cron="0 9 * * 1")
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    from socialbot.store.claims import extend_series

    created = extend_series(db, rules_of(settings), NOW + dt.timedelta(days=14))
    assert created >= 1
    with db.tx(write=False) as conn:
        rows = conn.execute(select(deliveries.c.state).where(deliveries.c.post == queue_id)).all()
    assert {r[0] for r in rows} == {"approved"}


def test_database_folder_that_cannot_be_made_is_a_store_error(tmp_path):
    (tmp_path / "not-a-folder").write_text("x", "utf-8")
    with pytest.raises(StoreError) as info:
        open_store(f"sqlite:///{tmp_path / 'not-a-folder' / 'queue.db'}")
    assert "无法创建数据库所在的文件夹" in info.value.render()


@pytest.mark.parametrize("expr", ["99 * * * *", "x 9 * * 1", "0 25 * * *"])
def test_bad_cron_is_explained_in_chinese(expr):
    with pytest.raises(CronProblem) as info:
        parse_cron(expr, SH)
    message = str(info.value)
    assert "分（0–59）" in message
    assert not any(word in message for word in ("Error", "value", "Unrecognized"))
