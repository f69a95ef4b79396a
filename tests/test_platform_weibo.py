"""Weibo channel over real HTTP against the practice platform: share, token check, reconcile."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from socialbot.platforms.base import REDACTED, Outcome
from socialbot.platforms.weibo.channel import normalise

pytest_plugins = ["tests.support_platform"]


def publish(world: Any, post: Any = None) -> Any:
    post = post or world.rendered()
    return world.channel("weibo_main").publish(post, world.key(post, "weibo_main"))


def test_share_posts_text_image_and_safe_domain_link(world: Any) -> None:
    result = publish(world)
    assert result.outcome is Outcome.SENT, result.message
    (posted,) = world.platform.received(world.ids.uid)
    assert posted["text"] == world.ids.weibo_text
    assert world.ids.link in posted["links"].values()
    assert posted["pic_sha256"] == world.ids.weibo_image.sha256
    assert posted["rip"] == "127.0.0.1"
    assert result.remote_id == posted["idstr"]
    assert result.url == f"https://weibo.com/{world.ids.uid}/{posted['mid']}"
    assert [c["endpoint"] for c in world.platform.calls("weibo")] == [
        "oauth2/get_token_info",
        "2/statuses/share.json",
    ]


def test_configured_rip_is_sent(world: Any) -> None:
    world.change_account("weibo_main", rip="203.0.113.7")
    publish(world)
    assert world.platform.received(world.ids.uid)[0]["rip"] == "203.0.113.7"


def test_token_checked_once_a_day_and_no_retired_endpoints(world: Any) -> None:
    publish(world, world.rendered("post-a", weibo_text=world.ids.weibo_text + " 一"))
    publish(world, world.rendered("post-b", weibo_text=world.ids.weibo_text + " 二"))
    assert world.count("oauth2/get_token_info") == 1
    assert world.count("share.json") == 2
    assert not world.calls("update.json") and not world.calls("upload.json")


def test_parallel_threads_share_one_token_check(world: Any) -> None:
    posts = [world.rendered(f"post-{n}", weibo_text=f"{world.ids.weibo_text} {n}")
             for n in range(4)]
    channels = [world.channel("weibo_main") for _ in posts]  # one per worker thread
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda pc: pc[1].publish(pc[0], world.key(pc[0], "weibo_main")),
                                zip(posts, channels, strict=True)))
    assert [r.outcome for r in results] == [Outcome.SENT] * 4
    assert world.count("oauth2/get_token_info") == 1


def test_publishing_twice_posts_once(world: Any) -> None:
    post = world.rendered()
    assert publish(world, post).outcome is Outcome.SENT
    again = publish(world, post)
    assert again.outcome is Outcome.SENT and again.details["already"] is True
    assert len(world.platform.received(world.ids.uid)) == 1


def test_token_expiring_soon_is_warned_about(
    make_world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(weibo_expires_in=5 * 86400)
    with caplog.at_level(logging.WARNING):
        result = publish(world)
    assert result.outcome is Outcome.SENT
    assert "微博授权将在 5 天后" in result.details["warning"]
    assert "请尽快用发布账号重新授权" in result.message
    assert any("微博授权将在" in r.getMessage() for r in caplog.records)


def test_token_info_accepts_expires_in_too(world: Any) -> None:
    world.platform.inject(
        "weibo",
        "oauth2/get_token_info",
        "garbage",
        body=json.dumps({"uid": 1, "expires_in": 3 * 86400}),
    )
    result = publish(world)
    assert "3 天后" in result.details["warning"]


def test_expired_token_asks_for_reauthorisation(make_world: Any) -> None:
    world = make_world(weibo_expires_in=60)
    world.platform.advance(120)
    result = publish(world)
    print("expired token ->", result.outcome.value, result.message)
    assert result.outcome is Outcome.FAILED
    assert "微博授权已过期或失效，请重新授权" in result.message
    assert world.count("share.json") == 0


def test_lost_share_answer_is_unknown_and_reconcile_finds_it(world: Any) -> None:
    world.platform.inject("weibo", "statuses/share", "drop_after_commit")
    post = world.rendered()
    channel = world.channel("weibo_main")
    key = world.key(post, "weibo_main")
    result = channel.publish(post, key)
    print("share answer lost ->", result.outcome.value, result.message)
    assert result.outcome is Outcome.UNKNOWN
    assert world.count("share.json") == 1  # not retried blindly
    reconciled = channel.reconcile(post, key)
    print("reconcile ->", reconciled.outcome.value, reconciled.message)
    assert reconciled.outcome is Outcome.SENT
    (posted,) = world.platform.received(world.ids.uid)
    assert reconciled.remote_id == posted["idstr"]
    assert reconciled.url.endswith(posted["mid"])
    # a later publish does not post again
    assert channel.publish(post, key).outcome is Outcome.SENT
    assert len(world.platform.received(world.ids.uid)) == 1


def test_share_lost_before_the_platform_acted_is_safe_to_retry(world: Any) -> None:
    world.platform.inject("weibo", "statuses/share", "drop")
    post = world.rendered()
    channel = world.channel("weibo_main")
    key = world.key(post, "weibo_main")
    assert channel.publish(post, key).outcome is Outcome.UNKNOWN
    reconciled = channel.reconcile(post, key)
    assert reconciled.outcome is Outcome.RETRY
    assert "可以重新发布" in reconciled.message
    assert channel.publish(post, key).outcome is Outcome.SENT
    assert len(world.platform.received(world.ids.uid)) == 1


def test_unreadable_timeline_leaves_it_to_a_person(world: Any) -> None:
    world.platform.inject("weibo", "statuses/share", "timeout_after_commit", seconds=1.5)
    post = world.rendered()
    channel = world.channel("weibo_main")
    key = world.key(post, "weibo_main")
    assert channel.publish(post, key).outcome is Outcome.UNKNOWN
    world.platform.inject("weibo", "statuses/user_timeline", "http_500", times=3)
    result = channel.reconcile(post, key)
    print("timeline unreadable ->", result.outcome.value, result.message)
    assert result.outcome is Outcome.UNKNOWN
    assert "请人工到微博核对" in result.message


def test_repeat_content_is_recorded_as_sent_with_its_id(world: Any) -> None:
    post = world.rendered()
    key = world.key(post, "weibo_main")
    first = publish(world, post)
    world.kv.delete(f"delivery:{key}:done")  # as if the memo had been lost
    second = publish(world, post)
    assert second.outcome is Outcome.SENT
    assert second.attempts[-2].code == "20019"  # share refused, then the timeline read
    assert second.remote_id == first.remote_id
    assert len(world.platform.received(world.ids.uid)) == 1


def test_plan_has_no_token_and_needs_no_network(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SB_TEST_WEIBO_TOKEN")
    post = world.rendered()
    plan = world.channel("weibo_main").plan(post, world.key(post, "weibo_main"))
    assert [c.endpoint for c in plan] == ["oauth2/get_token_info", "2/statuses/share.json"]
    assert plan[1].payload == {
        "access_token": REDACTED,
        "status": world.ids.weibo_text,
        "rip": "127.0.0.1",
    }
    assert plan[1].files["pic"]["sha256"] == world.ids.weibo_image.sha256
    assert world.ids.secrets["SB_TEST_WEIBO_TOKEN"] not in json.dumps([c.to_json() for c in plan])
    assert world.platform.calls() == []


def test_check_reports_every_broken_rule(world: Any) -> None:
    post = world.rendered(weibo_text="#认可日# " + "很长的正文" * 30 + " https://example.com/x")
    problems = world.channel("weibo_main").check(post)
    text = "\n".join(str(p) for p in problems)
    assert "超过上限 140 字" in text and "安全域名" in text and "#话题#" in text
    assert world.channel("weibo_main").check(world.rendered()) == []


def test_normalise_ignores_shortened_links_and_spacing() -> None:
    assert normalise("看直播  https://scjgj.sh.gov.cn/a\n") == normalise("看直播 http://t.cn/AbCd")


def test_status_reports_the_expiry_the_channel_saw(make_world: Any) -> None:
    import datetime as dt

    from socialbot.status import collect
    from socialbot.store import open_store

    world = make_world(weibo_expires_in=3 * 86400)
    assert publish(world).outcome is Outcome.SENT
    store = open_store(world.settings)
    try:
        status = collect(world.settings, store, dt.datetime.now(dt.UTC))
    finally:
        store.dispose()
    account_id = next(a for a, acc in world.settings.accounts.items() if acc.platform == "weibo")
    expires = status.tokens[account_id]
    assert expires is not None
    assert dt.timedelta(days=2) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=3)
    assert status.needs_attention
