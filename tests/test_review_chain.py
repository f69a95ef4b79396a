"""The review chain in the store: tiers in order, four eyes, one approval per person per
chain, every approval bound to the content, edits and rejections void the chain, an
approval after the slot leaves the delivery expired (过期未审); comments in threads.
SQLite always; the same rules on PostgreSQL where the locking differs."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from click.testing import CliRunner
from test_postgres import pg_url  # noqa: F401  (the PostgreSQL schema fixture)
from test_store_helpers import ACCOUNTS, NOW, SH, add, make_settings, tiny_rendered

from socialbot.cli import cli
from socialbot.config import ConfigError
from socialbot.errors import StoreError
from socialbot.notices import shown
from socialbot.store import actions, audit, chain, open_store, review
from socialbot.store.claims import claim_next, promote_due, worker_identity
from socialbot.store.models import State
from socialbot.store_rules import rules_of
from socialbot.wording.labels import EXPIRED_UNREVIEWED

AT = dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)
TIERED = {
    **ACCOUNTS,
    "sub_wechat": {**ACCOUNTS["sub_wechat"], "review_tiers": 2},
    "svc_wechat": {**ACCOUNTS["svc_wechat"], "review_tiers": 3},
}


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """Settings with tiered accounts and their queue, on each database."""
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    settings = make_settings(tmp_path, accounts=TIERED, database_url=url)
    db = open_store(settings)
    yield settings, db
    db.dispose()


def states(db, queue_id):
    return [d.state for d in db.deliveries_of(queue_id)]


def test_two_tiers_approve_in_order_and_only_the_last_releases_the_post(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    first = review.approve(db, rules_of(settings), n, "李初审", NOW)
    assert (first.tier, first.tiers, first.final) == (1, 2, False)
    assert "还需复审" in first.notes[0]
    assert db.post(n).review == "pending" and states(db, n) == [State.QUEUED]
    promote_due(db, rules_of(settings), AT)
    # half a chain sends nothing
    assert claim_next(db, rules_of(settings), worker_identity(), AT) is None
    second = review.approve(db, rules_of(settings), n, "王复审", NOW, tier=2)
    assert (second.tier, second.final) == (2, True)
    post = db.post(n)
    assert post.approved and post.approved_by == "王复审"
    assert states(db, n) == [State.APPROVED]
    state = chain.chain_state(db, rules_of(settings), n)
    assert [(a.tier, a.reviewer) for a in state.approvals] == [(1, "李初审"), (2, "王复审")]
    assert state.complete and state.next_tier is None
    details = [shown(e.detail) for e in audit.entries(db, post=n) if e.action == "approve"]
    assert details[0].startswith("初审（第 1 级，共 2 级）") and "审核完成" in details[1]


def test_a_post_needs_the_most_tiers_any_of_its_accounts_asks(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat", "svc_wechat", "city_weibo"], AT)
    assert chain.chain_state(db, rules_of(settings), n).needed == 3
    for who in ("甲", "乙"):
        assert not review.approve(db, rules_of(settings), n, who, NOW).final
    assert review.approve(db, rules_of(settings), n, "丙", NOW).final
    assert set(states(db, n)) == {State.APPROVED}
    alone = add(db, settings, tiny_rendered("0609-b", "稿件乙", seed=2), ["city_weibo"], AT)
    assert chain.chain_state(db, rules_of(settings), alone).needed == 0  # no review needed there


def test_the_author_cannot_approve_at_any_tier(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT, author="张编辑")
    with pytest.raises(StoreError, match="作者不能审核自己的稿件"):
        review.approve(db, rules_of(settings), n, "张编辑", NOW)
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    with pytest.raises(StoreError, match="作者不能审核自己的稿件"):
        review.approve(db, rules_of(settings), n, " 张编辑 ", NOW)
    assert len(chain.chain_state(db, rules_of(settings), n).approvals) == 1


def test_nobody_approves_twice_in_one_chain(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    with pytest.raises(StoreError, match="同一审核链中每人只能审核一次"):
        review.approve(db, rules_of(settings), n, "李初审", NOW)
    assert db.post(n).review == "pending" and states(db, n) == [State.QUEUED]


def test_a_stale_page_cannot_approve_a_tier_already_taken(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), n, "李初审", NOW, tier=1)
    with pytest.raises(StoreError, match="现在等待复审，不是初审"):
        review.approve(db, rules_of(settings), n, "赵初审", NOW, tier=1)
    assert len(chain.chain_state(db, rules_of(settings), n).approvals) == 1


def test_an_edit_voids_the_whole_chain_and_old_approvals_never_come_back(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    old_hash = db.post(n).content_hash
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    review.approve(db, rules_of(settings), n, "王复审", NOW)
    assert states(db, n) == [State.APPROVED]
    edited = review.edit(db, rules_of(settings), n, tiny_rendered(body="改过的正文"), "张编辑", NOW)
    assert "内容已修改，审核需重新开始" in edited.notes[0] and "李初审" in edited.notes[0]
    state = chain.chain_state(db, rules_of(settings), n)
    assert state.approvals == () and state.restarted == chain.EDITED and state.next_tier == 1
    assert states(db, n) == [State.QUEUED] and not db.post(n).approved
    voids = [shown(e.detail) for e in audit.entries(db, post=n) if e.action == "void"]
    assert voids and voids[-1].startswith("内容已修改，审核需重新开始")
    with pytest.raises(StoreError, match="稿件内容已变化"):
        review.approve(db, rules_of(settings), n, "赵审核", NOW, expect_hash=old_hash)
    # Back to the very content the chain approved: the voided approvals stay void.
    review.edit(db, rules_of(settings), n, tiny_rendered(), "张编辑", NOW)
    assert db.post(n).content_hash == old_hash
    assert chain.chain_state(db, rules_of(settings), n).approvals == ()
    assert states(db, n) == [State.QUEUED]
    # The same people may review the new chain.
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    assert review.approve(db, rules_of(settings), n, "王复审", NOW).final


def test_an_edit_halfway_restarts_from_the_first_tier(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    review.edit(db, rules_of(settings), n, tiny_rendered(body="新正文"), "张编辑", NOW)
    assert review.approve(db, rules_of(settings), n, "王复审", NOW).tier == 1


def test_a_rejection_voids_the_chain(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    review.reject(db, rules_of(settings), n, "王复审", "标题不准确", NOW)
    state = chain.chain_state(db, rules_of(settings), n)
    assert state.approvals == () and state.restarted == chain.REJECTED
    assert db.post(n).review == "rejected" and states(db, n) == [State.QUEUED]


def test_an_approval_after_the_slot_leaves_the_delivery_expired_until_rescheduled(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    review.approve(db, rules_of(settings), n, "李初审", NOW)
    late = AT + dt.timedelta(minutes=5)  # inside the misfire grace, but after the slot
    done = review.approve(db, rules_of(settings), n, "王复审", late)
    assert done.final and db.post(n).approved
    assert any("过期未审" in note for note in done.notes)
    [d] = db.deliveries_of(n)
    assert d.state == State.QUEUED and d.expired_unreviewed(late)
    promote_due(db, rules_of(settings), late)
    assert claim_next(db, rules_of(settings), worker_identity(), late) is None
    after_grace = AT + dt.timedelta(seconds=settings.misfire_grace_seconds + 60)
    promote_due(db, rules_of(settings), after_grace)
    [d] = db.deliveries_of(n)
    assert d.state == State.MISSED and shown(d.message).startswith(EXPIRED_UNREVIEWED)
    assert d.expired_unreviewed(after_grace)
    new_time = after_grace + dt.timedelta(hours=1)
    actions.reschedule(db, rules_of(settings), n, new_time, "张编辑", after_grace)
    assert states(db, n) == [State.APPROVED]  # the approval landed before the new slot
    promote_due(db, rules_of(settings), new_time)
    claim = claim_next(db, rules_of(settings), worker_identity(), new_time)
    assert claim is not None and claim.id == d.id


def test_comments_thread_and_stay_on_their_post(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT)
    other = add(db, settings, tiny_rendered("0609-b", "稿件乙", seed=2), ["sub_wechat"],
                AT + dt.timedelta(days=1))
    first = chain.add_comment(db, n, "李初审", "  第二段数字请核对 <b>原文</b>  ", NOW)
    reply = chain.add_comment(db, n, "张编辑", "已核对，无误", NOW, parent=first.id)
    assert first.body == "第二段数字请核对 <b>原文</b>"  # stored as typed; pages escape it
    assert [(c.id, c.parent) for c in chain.comments_of(db, n)] == [(first.id, None),
                                                                   (reply.id, first.id)]
    with pytest.raises(StoreError, match="这篇稿件没有编号"):
        chain.add_comment(db, other, "张编辑", "回复别的稿件的评论", NOW, parent=first.id)
    with pytest.raises(StoreError, match="评论内容不能为空"):
        chain.add_comment(db, n, "张编辑", "   ", NOW)
    with pytest.raises(StoreError, match="评论最多 2000 字"):
        chain.add_comment(db, n, "张编辑", "长" * 2001, NOW)
    assert chain.comments_of(db, other) == []


def test_two_reviewers_racing_for_one_tier_cannot_both_win(store):
    settings, db = store
    n = add(db, settings, tiny_rendered(), ["svc_wechat"], AT)
    results: list[object] = []
    gate = threading.Barrier(2)

    def decide(who: str) -> None:
        gate.wait()
        try:
            results.append(review.approve(db, rules_of(settings), n, who, NOW, tier=1))
        except StoreError as exc:
            results.append(exc)

    threads = [threading.Thread(target=decide, args=(who,)) for who in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, review.ReviewResult) for r in results) == 1, results
    assert [a.tier for a in chain.chain_state(db, rules_of(settings), n).approvals] == [1]


def test_review_tiers_must_be_one_to_three(tmp_path):
    bad = {"sub_wechat": {**ACCOUNTS["sub_wechat"], "review_tiers": 4}}
    with pytest.raises(ConfigError, match=r"review_tiers 应为 1、2 或 3.*现为“4”"):
        make_settings(tmp_path, accounts=bad)


def test_the_cli_follows_the_same_chain(tmp_path):
    settings = make_settings(tmp_path, accounts=TIERED)
    db = open_store(settings)
    try:
        n = add(db, settings, tiny_rendered(), ["sub_wechat"], AT + dt.timedelta(days=3650),
                author="张编辑")

        def run(*args: str):  # type: ignore[no-untyped-def]
            return CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), *args],
                                      catch_exceptions=False, env={"COLUMNS": "200"})

        own = run("queue", "approve", str(n), "--by", "张编辑")
        assert own.exit_code == 2 and "作者不能审核自己的稿件" in own.output
        first = run("queue", "approve", str(n), "--by", "李初审")
        assert first.exit_code == 0 and "初审通过（第 1 级，共 2 级）" in first.output
        assert "还需复审" in first.output
        again = run("queue", "approve", str(n), "--by", "李初审")
        assert again.exit_code == 2 and "同一审核链中每人只能审核一次" in again.output
        shown = run("queue", "show", str(n))
        assert "审核链：共 2 级；已通过：初审 李初审" in shown.output and "等待复审" in shown.output
        assert "初审已通过，待复审" in run("queue", "list").output
        second = run("queue", "approve", str(n), "--by", "王复审")
        assert second.exit_code == 0 and "复审通过（第 2 级，共 2 级）" in second.output
        assert db.post(n).approved and states(db, n) == [State.APPROVED]
    finally:
        db.dispose()
