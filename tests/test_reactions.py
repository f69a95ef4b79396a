"""Every platform error gets one reaction, from one table, and each class of reaction is
shown working with the practice platform injecting that error.

Run with ``pytest -s tests/test_reactions.py`` to see the reaction taken in each case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.platforms.common.reactions import (
    SHANGHAI,
    Reaction,
    Wait,
    parse_ip,
    parse_rid,
    retry_time,
    transport_rule,
)
from socialbot.platforms.common.retry import RetryPolicy
from socialbot.platforms.wechat.reactions import PUBLISH_STATUS, WECHAT, wechat_rule
from socialbot.platforms.weibo.reactions import WEIBO, weibo_rule

pytest_plugins = ["tests.support_platform"]

# Every code named in the reference: WeChat §3, §4 and §7; Weibo §11.
WECHAT_REFERENCE = [
    -1, 40001, 40014, 42001, 41001, 40164, 40243, 40007, 40009, 40005, 40137, 40033, 40059,
    40060, 40066, 44003, 45001, 45002, 45003, 45004, 45009, 45011, 45028, 45047, 45065, 45066,
    45067, 45166, 47001, 48001, 48004, 50002, 50005, 53503, 53504, 53505, 61451, 89504, 89505,
    45083, 45084,
]
WEIBO_REFERENCE = [
    10001, 10002, 10003, 10009, 10010, 10011, 10004, 10019, 10005, 10014, 10006, 10007, 10008,
    10016, 10017, 10012, 10013, 10018, 10020, 10021, 10022, 10023, 10024, 20003, 20005, 20006,
    20007, 20008, 20012, 20015, 20016, 20017, 20018, 20019, 20020, 20021, 20022, 20031, 20032,
    20034, 20111, 21301, 21314, 21315, 21316, 21317, 21319, 21321, *range(21322, 21332), 21332,
    21335, 21337,
]
EXPECTED = {
    ("wechat", -1): Reaction.RETRY, ("wechat", 45011): Reaction.RETRY,
    ("wechat", 40001): Reaction.REFRESH_TOKEN, ("wechat", 40014): Reaction.REFRESH_TOKEN,
    ("wechat", 42001): Reaction.REFRESH_TOKEN, ("wechat", 45028): Reaction.RESCHEDULE,
    ("wechat", 45009): Reaction.RESCHEDULE, ("wechat", 45065): Reaction.ALREADY_DONE,
    ("wechat", 45166): Reaction.PERMANENT, ("wechat", 40164): Reaction.PERMANENT,
    ("wechat", 48001): Reaction.PERMANENT, ("wechat", 53503): Reaction.PERMANENT,
    **{("weibo", c): Reaction.RETRY for c in (10001, 10002, 10003, 10009, 10010, 10011)},
    **{("weibo", c): Reaction.RESCHEDULE for c in (10022, 10023, 10024, 20016)},
    **{("weibo", c): Reaction.ALREADY_DONE for c in (20019, 20111, 20032)},
    **{("weibo", c): Reaction.PERMANENT
       for c in (20021, 20020, 20018, 10017, 21327, 21332, 21301, 21314, 21315, 21316, 21317)},
}
NOW = dt.datetime(2026, 6, 9, 10, 0, tzinfo=SHANGHAI)


def show(label: str, result: DeliveryResult) -> str:
    """Print the reaction taken (visible with ``pytest -s``) and return it."""
    reaction = next((a.reaction for a in reversed(result.attempts) if a.reaction != "ok"), "ok")
    retry_at = f" retry_at={result.retry_at:%Y-%m-%d %H:%M %Z}" if result.retry_at else ""
    print(f"[{reaction:>13}] {label:<42} -> {result.outcome.value}{retry_at}: {result.message}")
    return reaction


def publish(world: Any, account_id: str, post: Any = None, **options: Any) -> DeliveryResult:
    post = post or world.rendered()
    options.setdefault("now", lambda: NOW)
    return world.channel(account_id, **options).publish(post, world.key(post, account_id))


# -- the table ------------------------------------------------------------------------------


def test_every_reference_code_has_a_reaction() -> None:
    missing = [c for c in WECHAT_REFERENCE if c not in WECHAT]
    missing += [c for c in WEIBO_REFERENCE if c not in WEIBO]
    assert missing == []
    for (platform, code), reaction in EXPECTED.items():
        rule = wechat_rule(code) if platform == "wechat" else weibo_rule(code)
        assert rule.reaction is reaction, (platform, code)
    for code in (*WECHAT_REFERENCE, *WEIBO_REFERENCE):
        rule = WECHAT.get(code) or WEIBO[code]
        assert rule.message and not rule.message.isascii()  # a Chinese message for staff
        print(f"{code:>6} {rule.reaction.value:<13} {rule.explain(code, 'errmsg')}")
    assert set(PUBLISH_STATUS) == {0, 1, 2, 3, 4, 5, 6}
    assert wechat_rule(99999).reaction is Reaction.PERMANENT
    assert "99999" in wechat_rule(99999).explain(99999, "x")


def test_token_fetch_errors_mean_wrong_credentials() -> None:
    rule = wechat_rule(40001, token_fetch=True)
    assert rule.reaction is Reaction.PERMANENT and "AppSecret" in rule.message


def test_transport_rules_depend_on_whether_the_call_may_publish() -> None:
    for kind in ("timeout", "dropped", "garbage", "http"):
        assert transport_rule(kind, "微信", safe=True, status=502).reaction is Reaction.RETRY
        assert transport_rule(kind, "微信", safe=False, status=502).reaction is Reaction.UNKNOWN
    for kind in ("connect", "connect_timeout"):  # never left this machine: always safe
        assert transport_rule(kind, "微信", safe=False).reaction is Reaction.RETRY
    assert transport_rule("http", "微信", safe=True, status=404).reaction is Reaction.PERMANENT


def test_retry_times_follow_beijing_quota_resets() -> None:
    late = dt.datetime(2026, 12, 31, 23, 50, tzinfo=SHANGHAI)
    assert retry_time(Wait.MASS_QUOTA, late) == dt.datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI)
    assert retry_time(Wait.MASS_QUOTA, late, monthly_quota=True) == dt.datetime(
        2027, 1, 1, 0, 5, tzinfo=SHANGHAI)
    utc = dt.datetime(2026, 6, 9, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 10th in Beijing
    assert retry_time(Wait.TOMORROW, utc) == dt.datetime(2026, 6, 11, 0, 5, tzinfo=SHANGHAI)
    assert retry_time(Wait.NEXT_HOUR, NOW) == dt.datetime(2026, 6, 9, 11, 1, tzinfo=SHANGHAI)
    assert retry_time(Wait.ONE_HOUR, NOW) == NOW + dt.timedelta(hours=1)


def test_backoff_grows_with_jitter_and_honours_minimum() -> None:
    slept: list[float] = []
    policy = RetryPolicy(sleep=slept.append, rand=lambda: 1.0, jitter=0.5)
    assert [policy.delay(n) for n in (1, 2, 3)] == [3.0, 6.0, 12.0]
    assert RetryPolicy(rand=lambda: 0.0, cap=5).delay(10) == 5.0
    assert RetryPolicy(rand=lambda: 0.0).delay(1, minimum=60) == 60
    policy.wait(1)
    assert slept == [3.0]


def test_rid_and_ip_are_read_from_errmsg() -> None:
    assert parse_rid("invalid content hint: [x] rid: 6650a1b2-0c3d4e5f-7a8b9c0d") == \
        "6650a1b2-0c3d4e5f-7a8b9c0d"
    assert parse_ip("invalid ip 10.1.2.3 ipv6 ::ffff:10.1.2.3, not in whitelist rid: x") == \
        "10.1.2.3"


# -- RETRY ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "platform", "endpoint", "fault", "account"), [
    ("WeChat -1 system busy", "wechat", "draft/add", {"errcode": -1, "errmsg": "system error"},
     "wx_draft"),
    ("WeChat 45011 minute quota", "wechat", "draft/add",
     {"errcode": 45011, "errmsg": "api minute-quota reach limit"}, "wx_draft"),
    ("WeChat HTTP 500 on an upload", "wechat", "material/add_material", {"fault": "http_500"},
     "wx_draft"),
    ("WeChat garbage body on an upload", "wechat", "media/uploadimg", {"fault": "garbage"},
     "wx_draft"),
    ("WeChat timeout on an upload", "wechat", "media/uploadimg",
     {"fault": "timeout", "seconds": 1.5}, "wx_draft"),
    ("Weibo 10001 system error", "weibo", "statuses/share", {"error_code": 10001}, "weibo_main"),
    ("Weibo 10009 too many tasks", "weibo", "statuses/share", {"error_code": 10009},
     "weibo_main"),
    ("Weibo HTTP 500 on get_token_info", "weibo", "oauth2/get_token_info",
     {"fault": "http_500"}, "weibo_main"),
])
def test_retry_inside_the_call(world: Any, label: str, platform: str, endpoint: str,
                               fault: dict[str, Any], account: str) -> None:
    fault = dict(fault)
    world.platform.inject(platform, endpoint, fault.pop("fault", "error"), times=2, **fault)
    result = publish(world, account)
    assert show(label + " (twice)", result) == "retry"
    assert result.outcome is (Outcome.DRAFTED if account == "wx_draft" else Outcome.SENT)
    assert [a.reaction for a in result.attempts].count("retry") == 2
    waits = world.sleeps.seconds
    assert waits == ([60.0, 60.0] if "45011" in label else [2.0, 4.0])


def test_retry_gives_up_after_three_tries(world: Any) -> None:
    world.platform.inject("weibo", "statuses/share", "error", times=3, error_code=10003,
                          error="remote service error")
    result = publish(world, "weibo_main")
    show("Weibo 10003 three times", result)
    assert result.outcome is Outcome.RETRY
    assert "多次重试仍未成功" in result.message
    assert world.count("share.json") == 3


def test_unreachable_platform_is_retried_then_retry_later(world: Any) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    world.change_account("wx_draft", api_base=f"http://127.0.0.1:{port}/wechat")
    result = publish(world, "wx_draft")
    show("WeChat host refuses connections", result)
    assert result.outcome is Outcome.RETRY
    assert [a.code for a in result.attempts] == ["connect"] * 3
    assert "连接不上微信服务器" in result.message


# -- REFRESH_TOKEN --------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "endpoint", "account"), [
    (40001, "draft/add", "wx_draft"), (40014, "media/uploadimg", "wx_draft"),
    (42001, "message/mass/sendall", "wx_sub"),
])
def test_token_refreshed_once_then_the_call_repeated(world: Any, code: int, endpoint: str,
                                                      account: str) -> None:
    world.platform.inject("wechat", endpoint, "error", errcode=code, errmsg="access_token invalid")
    result = publish(world, account)
    assert show(f"WeChat {code} on {endpoint}", result) == "refresh_token"
    assert result.outcome is (Outcome.DRAFTED if account == "wx_draft" else Outcome.SENT)
    assert world.count("stable_token") == 2
    assert world.count(endpoint) == 2
    if account == "wx_sub":
        assert len(world.platform.received(world.ids.sub)) == 1


def test_token_refresh_never_loops(world: Any) -> None:
    world.platform.inject("wechat", "draft/add", "error", times=5, errcode=40001,
                          errmsg="invalid credential")
    result = publish(world, "wx_draft")
    show("WeChat 40001 keeps coming", result)
    assert result.outcome is Outcome.FAILED
    assert world.count("stable_token") == 2 and world.count("draft/add") == 2


@pytest.mark.parametrize(("label", "inject"), [
    ("wrong AppSecret (40125)", None),
    ("40001 on the token fetch itself", {"errcode": 40001, "errmsg": "invalid credential"}),
])
def test_wrong_secret_fails_with_a_message(world: Any, monkeypatch: pytest.MonkeyPatch,
                                           label: str, inject: dict[str, Any] | None) -> None:
    if inject:
        world.platform.inject("wechat", "stable_token", "error", **inject)
    else:
        monkeypatch.setenv("SB_TEST_WX_DRAFT_SECRET", "not-the-right-secret")
    result = publish(world, "wx_draft")
    show(label, result)
    assert result.outcome is Outcome.FAILED
    assert "AppSecret 错误" in result.message
    assert world.count("stable_token") == 1


# -- RESCHEDULE -----------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "platform", "endpoint", "code", "account", "expected"), [
    ("WeChat 45028 subscription", "wechat", "message/mass/sendall", 45028, "wx_sub",
     dt.datetime(2026, 6, 10, 0, 5, tzinfo=SHANGHAI)),
    ("WeChat 45028 service", "wechat", "message/mass/sendall", 45028, "wx_svc",
     dt.datetime(2026, 7, 1, 0, 5, tzinfo=SHANGHAI)),
    ("WeChat 45009 daily quota", "wechat", "draft/add", 45009, "wx_draft",
     dt.datetime(2026, 6, 10, 0, 5, tzinfo=SHANGHAI)),
    ("Weibo 10022 IP hourly limit", "weibo", "statuses/share", 10022, "weibo_main",
     dt.datetime(2026, 6, 9, 11, 1, tzinfo=SHANGHAI)),
    ("Weibo 10023 user hourly limit", "weibo", "statuses/share", 10023, "weibo_main",
     dt.datetime(2026, 6, 9, 11, 1, tzinfo=SHANGHAI)),
    ("Weibo 10024 posting limit", "weibo", "statuses/share", 10024, "weibo_main",
     dt.datetime(2026, 6, 9, 11, 1, tzinfo=SHANGHAI)),
    ("Weibo 20016 posting too often", "weibo", "statuses/share", 20016, "weibo_main",
     dt.datetime(2026, 6, 9, 11, 0, tzinfo=SHANGHAI)),
])
def test_reschedule(world: Any, label: str, platform: str, endpoint: str, code: int,
                    account: str, expected: dt.datetime) -> None:
    if account == "wx_svc":
        world.change_account("wx_svc", reach="mass_send")
    key = "errcode" if platform == "wechat" else "error_code"
    world.platform.inject(platform, endpoint, "error", **{key: code})
    result = publish(world, account)
    assert show(label, result) == "reschedule"
    assert result.outcome is Outcome.RESCHEDULE
    assert result.retry_at == expected
    assert world.count(endpoint.split("/")[-1]) == 1  # not retried now


# -- ALREADY_DONE ---------------------------------------------------------------------------


def test_45065_clientmsgid_exists_is_sent(world: Any) -> None:
    earlier = publish(world, "wx_sub", world.rendered("earlier"))
    world.platform.inject("wechat", "message/mass/sendall", "error", errcode=45065,
                          errmsg="clientmsgid exist", msg_id=int(earlier.remote_id))
    result = publish(world, "wx_sub")
    assert show("WeChat 45065 clientmsgid exists", result) == "already_done"
    assert result.outcome is Outcome.SENT and result.remote_id == earlier.remote_id
    assert result.details["msg_status"] == "SEND_SUCCESS"  # checked with mass/get


@pytest.mark.parametrize("code", [20019, 20111, 20032])
def test_weibo_already_posted_is_sent(world: Any, code: int) -> None:
    post = world.rendered()
    first = publish(world, "weibo_main", post)
    world.kv.delete(f"delivery:{world.key(post, 'weibo_main')}:done")  # memo lost
    world.platform.inject("weibo", "statuses/share", "error", error_code=code, error="repeat")
    result = publish(world, "weibo_main", post)
    assert show(f"Weibo {code}", result) == "already_done"
    assert result.outcome is Outcome.SENT
    assert result.remote_id == first.remote_id  # found on the timeline
    assert len(world.platform.received(world.ids.uid)) == 1


def test_weibo_20032_not_yet_on_the_timeline_is_still_sent(world: Any) -> None:
    world.platform.inject("weibo", "statuses/share", "error", error_code=20032, error="slow")
    result = publish(world, "weibo_main")
    show("Weibo 20032, timeline empty", result)
    assert result.outcome is Outcome.SENT and result.details["verify"] == "timeline"


# -- PERMANENT ------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "platform", "endpoint", "error", "account", "expect"), [
    ("WeChat 45166 content rejected", "wechat", "draft/add",
     {"errcode": 45166, "errmsg": "invalid content hint: [a1b2]"}, "wx_draft",
     "内容被微信拒绝：invalid content hint: [a1b2]"),
    ("WeChat 53503 publish check failed", "wechat", "freepublish/submit",
     {"errcode": 53503, "errmsg": "该草稿未通过发布检查"}, "wx_svc", "草稿未通过发布检查"),
    # 48001 on the send itself leaves the draft for a person (test_daily_message.py).
    ("WeChat 48001 no permission", "wechat", "draft/add",
     {"errcode": 48001, "errmsg": "api unauthorized"}, "wx_sub",
     "账号未获得该接口权限，请确认公众号已认证"),
    ("Weibo 20021 illegal content", "weibo", "statuses/share",
     {"error_code": 20021, "error": "content is illegal!"}, "weibo_main",
     "内容被微博拒绝：content is illegal!"),
    ("Weibo 20020 advertising", "weibo", "statuses/share",
     {"error_code": 20020, "error": "contain advertising!"}, "weibo_main", "含广告"),
    ("Weibo 20018 illegal website", "weibo", "statuses/share",
     {"error_code": 20018, "error": "contain illegal website!"}, "weibo_main", "禁止的网址"),
    ("Weibo 21332 invalid token", "weibo", "oauth2/get_token_info",
     {"error_code": 21332, "error": "invalid_access_token"}, "weibo_main",
     "微博授权已过期或失效，请重新授权"),
])
def test_permanent_errors_fail_with_an_actionable_message(
    world: Any, label: str, platform: str, endpoint: str, error: dict[str, Any], account: str,
    expect: str,
) -> None:
    world.platform.inject(platform, endpoint, "error", **error)
    result = publish(world, account)
    assert show(label, result) == "permanent"
    assert result.outcome is Outcome.FAILED
    assert expect in result.message
    code = str(error.get("errcode", error.get("error_code")))
    assert result.attempts[-1].code == code
    if platform == "wechat":
        assert result.attempts[-1].rid  # the request id support will ask for
    assert world.count(endpoint.split("/")[-1]) == 1


def test_40164_names_the_ip_and_where_to_whitelist_it(make_world: Any) -> None:
    world = make_world(whitelist=["10.1.2.3"])
    result = publish(world, "wx_sub")
    assert show("WeChat 40164 IP not whitelisted", result) == "permanent"
    assert result.outcome is Outcome.FAILED
    assert "127.0.0.1" in result.message
    assert "公众号后台 → 设置与开发 → 基本配置 → IP白名单" in result.message


def test_10017_link_not_on_a_safe_domain(world: Any) -> None:
    post = world.rendered(weibo_text="认可日直播 https://example.com/live")
    result = publish(world, "weibo_main", post)
    assert show("Weibo 10017 unsafe link", result) == "permanent"
    assert "链接不在安全域名下" in result.message


# -- UNKNOWN --------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "platform", "endpoint", "fault", "account"), [
    ("WeChat sendall connection dropped", "wechat", "message/mass/sendall", "drop", "wx_sub"),
    ("WeChat sendall HTTP 500", "wechat", "message/mass/sendall", "http_500", "wx_sub"),
    ("WeChat submit timed out", "wechat", "freepublish/submit", "timeout", "wx_svc"),
    ("Weibo share garbage body", "weibo", "statuses/share", "garbage", "weibo_main"),
])
def test_publishing_call_with_lost_answer_is_unknown(
    world: Any, label: str, platform: str, endpoint: str, fault: str, account: str
) -> None:
    world.platform.inject(platform, endpoint, fault, seconds=1.5)
    result = publish(world, account)
    assert show(label, result) == "unknown"
    assert result.outcome is Outcome.UNKNOWN
    assert "不会直接重发" in result.message
    assert world.count(endpoint.split("/")[-1]) == 1


def test_mass_send_protection_waits_for_the_admin(world: Any) -> None:
    world.platform.inject("wechat", "message/mass/sendall", "error", errcode=89505,
                          errmsg="waiting for admin confirmation")
    result = publish(world, "wx_sub")
    assert show("WeChat 89505 protected mass send", result) == "unknown"
    assert result.outcome is Outcome.UNKNOWN and "管理员" in result.message
