"""publish_due with a recording channel: outcomes, isolation, reconcile, misfires, pauses."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from sqlalchemy import select, update
from test_store_helpers import NOW, SH, FakeChannels, add, tiny_rendered

from socialbot.errors import ConfigError
from socialbot.notices import shown
from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.runner import run_due as publish_due
from socialbot.store import pauses, review
from socialbot.store.audit import entries
from socialbot.store.claims import claim_next, worker_identity
from socialbot.store.models import State
from socialbot.store.queue import deliveries_of
from socialbot.store.schema import deliveries, quota_ledger
from socialbot.store_rules import rules_of
from tests import processes

AT = dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)


@pytest.fixture
def channels(settings):
    return FakeChannels(settings)


def only(db, queue_id):
    with db.tx(write=False) as conn:
        (d,) = deliveries_of(conn, queue_id)
    return d


def test_nothing_goes_out_before_its_time(db, settings, channels):
    add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    assert publish_due(settings, db, channels, AT - dt.timedelta(seconds=1)) == []
    assert channels.all_published() == []
    reports = publish_due(settings, db, channels, AT)
    assert [(r.account, r.state) for r in reports] == [("city_weibo", State.SENT)]


def test_approved_post_goes_out_exactly_once_with_its_delivery_key(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat", "city_weibo"], AT)
    publish_due(settings, db, channels, AT)
    assert [a for a in channels.by_account] == ["city_weibo"]  # sub_wechat not approved
    review.approve(db, rules_of(settings), queue_id, "李四", AT)
    publish_due(settings, db, channels, AT + dt.timedelta(minutes=1))
    publish_due(settings, db, channels, AT + dt.timedelta(minutes=2))
    with db.tx(write=False) as conn:
        ds = {d.account: d for d in deliveries_of(conn, queue_id)}
    assert {a: d.state for a, d in ds.items()} == {"sub_wechat": State.SENT,
                                                   "city_weibo": State.SENT}
    for account, d in ds.items():
        assert [p[1] for p in channels(account).published] == [d.delivery_key]
        assert d.remote_id and d.sent_at is not None
    with db.tx(write=False) as conn:
        ledger = conn.execute(select(quota_ledger.c.account, quota_ledger.c.kind)).all()
    assert sorted(ledger) == [("city_weibo", "sent"), ("sub_wechat", "sent")]
    actions = [e.action for e in entries(db, post=queue_id)]
    assert actions.count("claim") == 2 and actions.count("publish") == 2


def test_unapproved_or_voided_post_is_never_published(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    review.edit(db, rules_of(settings), queue_id, tiny_rendered(body="新内容"), "作者甲", NOW)
    publish_due(settings, db, channels, AT + dt.timedelta(minutes=5))
    assert channels.all_published() == []
    assert only(db, queue_id).state == State.QUEUED
    # Even a row forced to "due" behind the store's back is not claimed without approval.
    with db.tx() as conn:
        conn.execute(update(deliveries).values(state="due"))
    later = AT + dt.timedelta(minutes=6)
    assert claim_next(db, rules_of(settings), worker_identity(), later) is None


def test_one_failing_delivery_does_not_stop_the_others(db, settings, channels):
    bad = add(db, settings, tiny_rendered("a"), ["city_weibo"], AT)
    good = add(db, settings, tiny_rendered("b"), ["svc_wechat"], AT)
    review.approve(db, rules_of(settings), good, "李四", NOW)
    channels("city_weibo").script = [RuntimeError("connection reset")]
    reports = publish_due(settings, db, channels, AT)
    assert {r.account: r.state for r in reports} == {"city_weibo": State.UNKNOWN,
                                                     "svc_wechat": State.SENT}
    assert "RuntimeError" in only(db, bad).message


def test_channel_that_cannot_be_built_fails_with_the_reason(db, settings):
    add(db, settings, tiny_rendered(), ["city_weibo"], AT)

    def broken(account_id):
        raise ConfigError("缺少密钥：请设置环境变量 SB_T_WB")

    (report,) = publish_due(settings, db, broken, AT)
    assert report.state == State.FAILED and "缺少密钥" in report.message


def test_failed_outcome_needs_a_person_then_retry_sends(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    channels("city_weibo").script = [DeliveryResult(Outcome.FAILED, "20021 内容违规")]
    publish_due(settings, db, channels, AT)
    assert only(db, queue_id).state == State.FAILED
    from socialbot.store import actions

    actions.retry(db, rules_of(settings), queue_id, "值班员", AT + dt.timedelta(minutes=10))
    publish_due(settings, db, channels, AT + dt.timedelta(minutes=10))
    assert only(db, queue_id).state == State.SENT


def test_reschedule_outcome_moves_the_post_and_marks_the_bucket_full(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    retry_at = AT + dt.timedelta(hours=1)
    channels("city_weibo").script = [
        DeliveryResult(Outcome.RESCHEDULE, "10024 发布次数超限", retry_at=retry_at)]
    publish_due(settings, db, channels, AT)
    d = only(db, queue_id)
    assert d.state == State.APPROVED and d.due_at == retry_at and "超限" in shown(d.message)
    assert "quota" in [e.action for e in entries(db, post=queue_id)]
    publish_due(settings, db, channels, retry_at)
    assert only(db, queue_id).state == State.SENT


def test_exhausted_bucket_reschedules_without_calling_the_platform(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    with db.tx() as conn:  # the platform said "45028 no quota" earlier today
        conn.execute(quota_ledger.insert().values(
            account="sub_wechat", bucket="day:2022-06-09", kind="exhausted", at=AT))
    assert publish_due(settings, db, channels, AT) == []
    d = only(db, queue_id)
    assert d.state == State.APPROVED and d.due_at == AT + dt.timedelta(days=1)
    assert channels.all_published() == []
    assert "quota" in [e.action for e in entries(db, post=queue_id)]


def test_retry_outcome_backs_off_then_fails_after_the_limit(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    channels("city_weibo").script = [DeliveryResult(Outcome.RETRY, "10009 系统繁忙")] * 5
    now = AT
    for _ in range(5):
        publish_due(settings, db, channels, now)
        d = only(db, queue_id)
        now = d.due_at
    assert d.state == State.FAILED and "已尝试 5 次" in shown(d.message)
    assert len(channels("city_weibo").published) == 5


def test_misfire_within_grace_publishes_beyond_grace_is_missed(db, settings, channels):
    late_ok = add(db, settings, tiny_rendered("a"), ["city_weibo"], AT)
    too_late = add(db, settings, tiny_rendered("b"), ["svc_wechat"], AT)
    review.approve(db, rules_of(settings), too_late, "李四", NOW)
    pauses.pause(db, rules_of(settings), "x", NOW, account="svc_wechat")
    publish_due(settings, db, channels, AT + dt.timedelta(minutes=30))
    pauses.resume(db, "x", NOW)
    reports = publish_due(settings, db, channels, AT + dt.timedelta(hours=2))
    assert only(db, late_ok).state == State.SENT
    assert only(db, too_late).state == State.MISSED
    assert [r.kind for r in reports] == ["missed"]
    assert "missed" in [e.action for e in entries(db, post=too_late)]


def test_global_pause_freezes_everything_and_resume_releases(db, settings, channels):
    add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    pauses.pause(db, rules_of(settings), "值班员", NOW, reason="突发舆情")
    assert publish_due(settings, db, channels, AT) == []
    pauses.resume(db, "值班员", NOW)
    assert [r.state for r in publish_due(settings, db, channels, AT)] == [State.SENT]


def _stuck_in_sending(db, queue_id, claimed_by, lease_until):
    with db.tx() as conn:
        conn.execute(update(deliveries).where(deliveries.c.post == queue_id).values(
            state="sending", claimed_by=claimed_by, claim_token="old", lease_until=lease_until))


def test_expired_lease_is_reconciled_not_republished_when_it_went_through(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    key = only(db, queue_id).delivery_key
    channels("city_weibo").delivered.add(key)  # the dead worker's call reached the platform
    _stuck_in_sending(db, queue_id, "otherhost/1/abc", AT + dt.timedelta(seconds=300))
    assert publish_due(settings, db, channels, AT + dt.timedelta(seconds=100)) == []
    (report,) = publish_due(settings, db, channels, AT + dt.timedelta(seconds=301))
    assert report.kind == "reconcile" and report.state == State.SENT
    assert channels("city_weibo").published == []
    assert channels("city_weibo").reconciled == [key]


def test_expired_lease_not_on_platform_is_published_again_with_same_key(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    key = only(db, queue_id).delivery_key
    _stuck_in_sending(db, queue_id, "otherhost/1/abc", AT)
    reports = publish_due(settings, db, channels, AT + dt.timedelta(seconds=10))
    assert [(r.kind, r.state) for r in reports] == [("reconcile", State.DUE),
                                                     ("publish", State.SENT)]
    assert [p[1] for p in channels("city_weibo").published] == [key]


def test_dead_worker_on_this_machine_is_recovered_without_waiting(db, settings, channels):
    import socket

    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    proc = processes.run([sys.executable, "-c", "import os; print(os.getpid())"],
                         capture_output=True, text=True, check=True, timeout=300)
    dead = f"{socket.gethostname()}/{proc.stdout.strip()}/zz"
    _stuck_in_sending(db, queue_id, dead, AT + dt.timedelta(hours=1))
    reports = publish_due(settings, db, channels, AT + dt.timedelta(seconds=5))
    assert [r.kind for r in reports] == ["reconcile", "publish"]
    assert only(db, queue_id).state == State.SENT


def test_unknown_outcome_is_checked_later_and_settled(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    channels("city_weibo").script = [
        DeliveryResult(Outcome.UNKNOWN, "超时", details={"went_through": True})]
    publish_due(settings, db, channels, AT)
    d = only(db, queue_id)
    assert d.state == State.UNKNOWN and d.next_check_at > AT
    assert publish_due(settings, db, channels, AT + dt.timedelta(seconds=5)) == []
    (report,) = publish_due(settings, db, channels, d.next_check_at)
    assert report.state == State.SENT
    assert len(channels("city_weibo").published) == 1


def test_a_check_that_never_settles_ends_with_a_person_after_a_bounded_schedule(
        db, settings, channels):
    from socialbot.recording import RECONCILE_LIMIT
    from socialbot.status import collect

    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    channel = channels("city_weibo")
    channel.script = [DeliveryResult(Outcome.UNKNOWN, "超时")]
    checks = []

    def never_sure(rendered, key):
        checks.append(key)
        return DeliveryResult(Outcome.UNKNOWN, "平台查询超时")

    channel.reconcile = never_sure  # type: ignore[method-assign]
    publish_due(settings, db, channels, AT)
    d = only(db, queue_id)
    while d.state == State.UNKNOWN:
        assert len(checks) <= RECONCILE_LIMIT
        publish_due(settings, db, channels, d.next_check_at)
        d = only(db, queue_id)
    assert d.state == State.NEEDS_PERSON and len(checks) == RECONCILE_LIMIT
    assert f"核实 {RECONCILE_LIMIT} 次" in shown(d.message) and "queue retry" in shown(d.message)
    assert d.next_check_at is None
    assert publish_due(settings, db, channels, AT + dt.timedelta(days=2)) == []  # asks no more
    assert len(channel.published) == 1
    status = collect(settings, db, AT + dt.timedelta(days=2))
    assert status.needs_attention and status.attention[0].delivery.state == State.NEEDS_PERSON
    # A person asks for one more check; --force would publish again instead.
    from socialbot.store import actions

    actions.retry(db, rules_of(settings), queue_id, "张三", AT + dt.timedelta(days=2))
    assert only(db, queue_id).state == State.UNKNOWN


def test_stop_event_takes_no_new_work(db, settings, channels):
    import threading

    for n in range(3):
        add(db, settings, tiny_rendered(f"p{n}"), ["city_weibo"], AT)
    stop = threading.Event()
    channel = channels("city_weibo")
    original = channel.publish

    def publish_then_stop(rendered, key):
        stop.set()  # SIGTERM arrives during the first call
        return original(rendered, key)

    channel.publish = publish_then_stop  # type: ignore[method-assign]
    reports = publish_due(settings, db, channels, AT, stop=stop)
    assert [r.state for r in reports] == [State.SENT]  # finished and recorded, then stopped
    with db.tx(write=False) as conn:
        left = conn.execute(select(deliveries.c.state)).scalars().all()
    assert sorted(left) == ["due", "due", "sent"]


def test_status_reports_what_needs_a_person(db, settings, channels):
    from socialbot.status import collect

    failed = add(db, settings, tiny_rendered("a"), ["city_weibo"], AT)
    stuck = add(db, settings, tiny_rendered("b"), ["svc_wechat"], AT)
    waiting = add(db, settings, tiny_rendered("c"), ["mass_service"], AT + dt.timedelta(days=1))
    channels("city_weibo").script = [DeliveryResult(Outcome.FAILED, "20021 内容违规")]
    publish_due(settings, db, channels, AT)
    _stuck_in_sending(db, stuck, "otherhost/1/abc", AT)
    report = collect(settings, db, AT + dt.timedelta(minutes=5))
    reasons = {item.delivery.post: item.reason for item in report.attention}
    assert "内容违规" in reasons[failed]
    assert "发送中断" in reasons[stuck]
    assert [i.delivery.post for i in report.next_due] == [waiting]
    assert report.needs_attention
    quota_left = {q.account: q.left for q in report.quota}
    assert quota_left == {"sub_wechat": 1, "mass_service": 3, "city_weibo": 30}
    json_text = report.dumps(settings)
    assert "发送中断" in json_text


def test_parallel_loops_share_the_work_without_sharing_a_delivery(db, settings, channels):
    import time as _time

    for n in range(24):
        add(db, settings, tiny_rendered(f"p{n}", seed=n), ["svc_wechat" if n % 2 else "city_weibo"],
            AT, author="张三")
    with db.tx(write=False) as conn:
        ids = conn.execute(select(deliveries.c.post).where(
            deliveries.c.account == "svc_wechat")).scalars().all()
    for queue_id in ids:
        review.approve(db, rules_of(settings), queue_id, "李四", NOW)
    for account in ("svc_wechat", "city_weibo"):
        channel = channels(account)
        original = channel.publish

        def slow(rendered, key, _original=original):
            _time.sleep(0.02)
            return _original(rendered, key)

        channel.publish = slow  # type: ignore[method-assign]
    reports = publish_due(settings, db, channels, AT, cap=4)
    keys = [key for _post, key, _at in channels.all_published()]
    assert len(reports) == 24 and len(keys) == 24 == len(set(keys))
    assert {r.state for r in reports} == {State.SENT}


def test_accounts_run_side_by_side_with_one_call_in_flight_per_account(db, settings, channels):
    import threading

    for n in range(3):  # mass_service may send 4 a month
        add(db, settings, tiny_rendered(f"p{n}", seed=n), ["city_weibo", "mass_service"], AT)
    started = {a: threading.Event() for a in ("city_weibo", "mass_service")}
    in_flight: dict[str, int] = {"city_weibo": 0, "mass_service": 0}
    most: dict[str, int] = {"city_weibo": 0, "mass_service": 0}
    lock = threading.Lock()
    for account, other in (("city_weibo", "mass_service"), ("mass_service", "city_weibo")):
        channel = channels(account)

        def meet(rendered, key, _original=channel.publish, _me=account, _other=other):
            with lock:
                in_flight[_me] += 1
                most[_me] = max(most[_me], in_flight[_me])
            started[_me].set()
            # Each account's first call waits for the other's: only parallel accounts meet.
            met = started[_other].wait(10)
            with lock:
                in_flight[_me] -= 1
            assert met, "the other account's call never started while this one was in flight"
            return _original(rendered, key)

        channel.publish = meet  # type: ignore[method-assign]
    reports = publish_due(settings, db, channels, AT, cap=8)
    assert [r.state for r in reports] == [State.SENT] * 6
    assert most == {"city_weibo": 1, "mass_service": 1}
    assert channels("mass_service").messages == [["p0", "p1", "p2"]]  # the day's one message


@pytest.mark.parametrize(("retry_at", "marks_bucket"), [
    (dt.datetime(2022, 6, 10, 9, 0, tzinfo=SH), False),  # 45009 daily API cap: month not full
    (dt.datetime(2022, 7, 1, 9, 0, tzinfo=SH), True),    # 45028 no mass quota this month
])
def test_only_a_wait_past_the_bucket_marks_it_full(db, settings, channels, retry_at, marks_bucket):
    queue_id = add(db, settings, tiny_rendered(), ["mass_service"], AT)
    channels("mass_service").script = [
        DeliveryResult(Outcome.RESCHEDULE, "额度", retry_at=retry_at)]
    publish_due(settings, db, channels, AT)
    assert only(db, queue_id).due_at == retry_at
    with db.tx(write=False) as conn:
        kinds = conn.execute(select(quota_ledger.c.kind)).scalars().all()
    assert kinds == (["exhausted"] if marks_bucket else [])


def test_check_that_cannot_reach_the_platform_stays_unknown(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    channels("city_weibo").script = [
        DeliveryResult(Outcome.UNKNOWN, "超时", details={"went_through": True})]
    publish_due(settings, db, channels, AT)
    d = only(db, queue_id)

    def no_secret(account_id):
        raise ConfigError("缺少密钥：请设置环境变量 SB_T_WB")

    (report,) = publish_due(settings, db, no_secret, d.next_check_at)
    d = only(db, queue_id)
    assert report.kind == "reconcile"
    assert d.state == State.UNKNOWN and "缺少密钥" in d.message and "切勿直接重发" in d.message
    (report,) = publish_due(settings, db, channels, d.next_check_at)  # secret fixed
    assert report.state == State.SENT
    assert len(channels("city_weibo").published) == 1


def test_crash_text_is_redacted_before_it_is_stored(db, settings, channels):
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    channels("city_weibo").script = [
        RuntimeError("POST https://api.weibo.com/x?access_token=2.00secretvalue failed")]
    publish_due(settings, db, channels, AT)
    d = only(db, queue_id)
    assert d.state == State.UNKNOWN and "RuntimeError" in d.message
    assert "2.00secretvalue" not in d.message
    assert all("2.00secretvalue" not in e.detail for e in entries(db, post=queue_id))


def test_result_after_a_lost_lease_is_kept_and_audited_in_chinese(db, settings):
    from socialbot.recording import record
    from socialbot.store.claims import promote_due

    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    promote_due(db, rules_of(settings), AT)
    claim = claim_next(db, rules_of(settings), worker_identity(), AT)
    assert claim is not None
    with db.tx() as conn:  # another worker took the delivery over meanwhile
        conn.execute(update(deliveries).values(claim_token="someone-else"))
    stored = record(db, settings, claim, DeliveryResult(Outcome.SENT, "已发布到微博"), AT)
    assert stored.state == State.SENT
    detail = [shown(e.detail) for e in entries(db, post=queue_id)
              if "租约" in shown(e.detail)][-1]
    assert "已发布" in detail and "sent" not in detail
