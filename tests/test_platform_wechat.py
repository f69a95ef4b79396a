"""WeChat channel over real HTTP against the practice platform: reach, dedupe, token sharing."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from socialbot.config import Secret
from socialbot.errors import PublishError
from socialbot.kv import SqlKeyValueStore
from socialbot.platforms import forget_memory
from socialbot.platforms.base import REDACTED, Outcome
from socialbot.platforms.wechat.api import stable_token_body
from socialbot.platforms.wechat.token import token_cipher
from socialbot.publishing import preview_send, publish_now
from socialbot.store.schema import kv as kv_table
from tests import processes

pytest_plugins = ["tests.support_platform"]
DRAFT_SECRET = "draft-secret-0123456789abcdef01"  # SB_TEST_WX_DRAFT_SECRET in the fixture

REPO = Path(__file__).resolve().parents[1]


def endpoints(world: Any) -> list[str]:
    return [c["endpoint"].removeprefix("cgi-bin/") for c in world.platform.calls("wechat")]


def test_mass_send_reaches_every_follower_exactly_once(world: Any) -> None:
    post = world.rendered()
    channel = world.channel("wx_sub")
    result = channel.publish(post, world.key(post, "wx_sub"))
    assert result.outcome is Outcome.SENT, result.message
    assert result.message == "已群发给全部粉丝"
    received = world.platform.received(world.ids.sub)
    assert len(received) == 1
    assert received[0]["recipients"] == len(world.ids.followers)
    assert received[0]["to"] == "all"
    assert result.remote_id == str(received[0]["msg_id"])
    assert received[0]["clientmsgid"] == result.details["clientmsgid"]
    assert len(result.details["clientmsgid"]) == 32
    # the minimum calls, in order
    assert endpoints(world) == ["stable_token", "media/uploadimg", "material/add_material",
                                "draft/add", "message/mass/sendall"]
    # the article as followers got it: uploaded image URL in place of the asset ref, crops kept
    assert "asset:" not in received[0]["content"]
    assert "/mmbiz/" in received[0]["content"]
    assert received[0]["crops"] == {"pic_crop_235_1": "0_0.1170_1_0.8830",
                                    "pic_crop_1_1": "0.2222_0_0.7778_1"}
    again = channel.publish(post, world.key(post, "wx_sub"))
    assert again.outcome is Outcome.SENT and again.details["already"] is True
    assert "没有重复发布" in again.message
    assert len(world.platform.received(world.ids.sub)) == 1
    assert world.count("sendall") == 1


def test_tag_send_goes_to_the_tag_only(world: Any) -> None:
    world.change_account("wx_sub", tag_id=100)
    post = world.rendered()
    result = world.channel("wx_sub").publish(post, world.key(post, "wx_sub"))
    assert result.outcome is Outcome.SENT and result.message == "已群发给标签 100 的粉丝"
    (received,) = world.platform.received(world.ids.sub)
    assert received["to"] == "tag:100" and received["recipients"] == 2


def test_service_account_publish_gets_an_article_url_without_notifying(world: Any) -> None:
    post = world.rendered()
    result = world.channel("wx_svc").publish(post, world.key(post, "wx_svc"))
    assert result.outcome is Outcome.SENT, result.message
    assert result.url.startswith(world.platform.url + "/s/")
    assert result.remote_id == result.details["article_id"]
    assert world.platform.received(world.ids.svc) == []  # freepublish does not push
    (job,) = world.platform.published(world.ids.svc)
    assert job["publish_status"] == 0
    assert endpoints(world)[-3:] == ["freepublish/submit", "freepublish/get", "freepublish/get"]
    assert world.sleeps.seconds == [3.0]  # one wait between the two polls


def test_draft_reach_leaves_it_in_the_draft_box(world: Any) -> None:
    post = world.rendered()
    channel = world.channel("wx_draft")
    result = channel.publish(post, world.key(post, "wx_draft"))
    assert result.outcome is Outcome.DRAFTED  # its own state: a person sends it, not "sent"
    assert result.message == "已存入草稿箱，请在公众号后台手动群发"
    assert result.details["reach"] == "draft"
    assert len(world.platform.drafts(world.ids.draft)) == 1
    channel.publish(post, world.key(post, "wx_draft"))  # the memoised draft, not a second one
    assert len(world.platform.drafts(world.ids.draft)) == 1
    assert world.count("draft/add") == 1


def test_plan_lists_the_exact_calls_without_network_or_secret(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in world.ids.secrets:
        monkeypatch.delenv(name)
    post = world.rendered()
    for account_id, tail in (("wx_sub", ["message/mass/sendall"]),
                             ("wx_svc", ["freepublish/submit", "freepublish/get"]),
                             ("wx_draft", [])):
        plan = world.channel(account_id).plan(post, world.key(post, account_id))
        assert [c.endpoint.removeprefix("cgi-bin/") for c in plan] == [
            "stable_token", "media/uploadimg", "material/add_material", "draft/add", *tail]
    assert world.platform.calls() == []
    plan = world.channel("wx_sub").plan(post, world.key(post, "wx_sub"))
    text = json.dumps([c.to_json() for c in plan], ensure_ascii=False)
    assert all(secret not in text for secret in world.ids.secrets.values())
    assert plan[0].payload == {"grant_type": "client_credential", "appid": world.ids.sub,
                               "secret": REDACTED, "force_refresh": False}
    assert all(c.url.endswith(f"access_token={REDACTED}") or "type=image" in c.url
               for c in plan[1:])
    upload = plan[1]
    assert upload.files["media"] == {"filename": world.ids.inline.filename,
                                     "bytes": len(world.ids.inline.data),
                                     "sha256": world.ids.inline.sha256,
                                     "content_type": "image/png"}
    article = plan[3].payload["articles"][0]
    assert "asset:" not in article["content"]
    assert "{media/uploadimg → url of " in article["content"]
    assert article["pic_crop_235_1"] and article["pic_crop_1_1"]
    assert plan[4].payload["clientmsgid"] == world.channel("wx_sub").plan(
        post, world.key(post, "wx_sub"))[4].payload["clientmsgid"]
    # now publish and compare with what the platform saw
    for name, value in world.ids.secrets.items():
        monkeypatch.setenv(name, value)
    result = world.channel("wx_sub").publish(post, world.key(post, "wx_sub"))
    assert result.outcome is Outcome.SENT
    assert endpoints(world) == [c.endpoint.removeprefix("cgi-bin/") for c in plan]
    assert result.details["clientmsgid"] == plan[4].payload["clientmsgid"]


def test_one_token_fetch_shared_by_two_channel_instances(world: Any) -> None:
    first, second = world.rendered("post-a"), world.rendered("post-b")
    kv_a = SqlKeyValueStore(world.settings.database_url)
    kv_b = SqlKeyValueStore(world.settings.database_url)
    for post, kv in ((first, kv_a), (second, kv_b)):
        result = world.channel("wx_draft", kv=kv).publish(post, world.key(post, "wx_draft"))
        assert result.outcome is Outcome.DRAFTED
    assert world.count("stable_token") == 1
    assert world.count("draft/add") == 2


SUBPROCESS = """
import json, sys
sys.path.insert(0, {repo!r})
from socialbot.platforms import channel_for
from socialbot.config_file import load_settings
from socialbot.kv import SqlKeyValueStore
from tests.support_platform import key_for, make_rendered
settings = load_settings({config!r})
kv = SqlKeyValueStore(settings.database_url)
post = make_rendered("post-from-subprocess")
channel = channel_for(settings.account("wx_draft"), settings, kv)
result = channel.publish(post, key_for(post, "wx_draft"))
print(json.dumps({{"outcome": result.outcome.value, "message": result.message}}))
"""


def test_one_token_fetch_shared_with_another_process(world: Any) -> None:
    post = world.rendered("post-in-test")
    result = world.channel("wx_draft").publish(post, world.key(post, "wx_draft"))
    assert result.outcome is Outcome.DRAFTED
    script = SUBPROCESS.format(repo=str(REPO), config=str(world.settings.path))
    done = processes.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                         text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["outcome"] == "drafted"
    assert world.count("stable_token") == 1  # the other process used the stored token
    assert world.count("draft/add") == 2
    # the image the test process uploaded was reused by the other process, too
    assert world.count("media/uploadimg") == 1


def test_a_process_that_did_not_fetch_the_token_honours_the_stored_expiry(world: Any) -> None:
    post = world.rendered("post-a")
    world.channel("wx_draft").publish(post, world.key(post, "wx_draft"))
    name = f"wechat:{world.ids.draft}:session:{world.ids.draft}_access_token"
    record = json.loads(world.kv.get(name))
    record["exp"] = record["exp"] - 7200 + 30  # as if only 30 s were left
    world.kv.set(name, json.dumps(record), ttl=7200)
    forget_memory()  # what a process that did not fetch the token knows
    other = world.rendered("post-b")
    fresh_instance = world.channel("wx_draft", kv=SqlKeyValueStore(world.settings.database_url))
    assert fresh_instance.publish(other, world.key(other, "wx_draft")).outcome is Outcome.DRAFTED
    assert world.count("stable_token") == 2


class CountingStore:
    """The shared store, counting reads and writes by key."""

    def __init__(self, kv: Any) -> None:
        self.kv, self.reads, self.writes = kv, [], []

    def get(self, key: str) -> Any:
        self.reads.append(key)
        return self.kv.get(key)

    def set(self, key: str, value: str, ttl: int | None = None) -> None:
        self.writes.append(key)
        self.kv.set(key, value, ttl=ttl)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kv, name)


def test_the_token_and_upload_keys_stay_in_memory_until_refused(world: Any) -> None:
    first, second = world.rendered("post-a"), world.rendered("post-b")
    world.channel("wx_draft").publish(first, world.key(first, "wx_draft"))
    counting = CountingStore(world.kv)
    channel = world.channel("wx_draft", kv=counting)
    assert channel.publish(second, world.key(second, "wx_draft")).outcome is Outcome.DRAFTED
    assert not [k for k in counting.reads if ":session:" in k or ":uploadimg:" in k
                or ":material:" in k]
    assert world.count("stable_token") == 1
    # another system force-refreshes the token, so the platform refuses ours: the memory
    # copy is dropped and a token fetched again, once
    forced = requests.post(f"{world.platform.wechat_base}/cgi-bin/stable_token", timeout=10,
                           json=stable_token_body(world.ids.draft, DRAFT_SECRET) |
                           {"force_refresh": True})
    assert forced.json()["access_token"]
    third = world.rendered("post-c")
    assert channel.publish(third, world.key(third, "wx_draft")).outcome is Outcome.DRAFTED
    assert world.count("stable_token") == 3  # ours, the other system's, ours again


class OperationLog(CountingStore):
    """The shared store, logging each operation and how many submits had gone out by then."""

    def __init__(self, kv: Any, world: Any) -> None:
        super().__init__(kv)
        self.world, self.log = world, []

    def _note(self, kind: str, keys: list[str]) -> None:
        self.log.append((kind, keys, self.world.count("freepublish/submit")))

    def get(self, key: str) -> Any:
        self._note("read", [key])
        return super().get(key)

    def get_many(self, keys: list[str]) -> Any:
        self._note("read", list(keys))
        return self.kv.get_many(keys)

    def set(self, key: str, value: str, ttl: int | None = None) -> None:
        self._note("write", [key])
        super().set(key, value, ttl=ttl)

    def set_many(self, items: list[tuple[str, str, float | None]]) -> None:
        self._note("write", [key for key, _, _ in items])
        self.kv.set_many(items)


def test_a_publish_reads_its_memo_once_and_writes_the_draft_with_the_marker(world: Any) -> None:
    first, second = world.rendered("post-a"), world.rendered("post-b")
    assert world.channel("wx_svc").publish(first, world.key(first, "wx_svc")).outcome \
        is Outcome.SENT
    store = OperationLog(world.kv, world)
    key = world.key(second, "wx_svc")
    assert world.channel("wx_svc", kv=store).publish(second, key).outcome is Outcome.SENT
    memo = f"delivery:{key}:"
    (read, marker, end) = store.log  # one read, two writes: nothing else
    assert read[0] == "read" and memo + "done" in read[1]
    # the draft is in the store, with the marker, before freepublish/submit goes out
    assert marker == ("write", [memo + "draft", memo + "submit_at"], 1)
    assert end == ("write", [memo + "publish_id", memo + "done"], 2)
    assert json.loads(world.kv.get(memo + "done"))["remote_id"]


def test_each_image_is_uploaded_once_per_account(world: Any) -> None:
    extra = world.image((300, 200), "png", (1, 2, 3), name="extra")
    first = world.rendered("post-a")
    second = world.rendered("post-b", images=(world.ids.inline, extra, world.ids.inline))
    for post in (first, second):
        assert world.channel("wx_draft").publish(post, world.key(post, "wx_draft")).outcome \
            is Outcome.DRAFTED
    assert world.count("media/uploadimg") == 2  # the shared image once, the new one once
    assert world.count("material/add_material") == 1  # same cover
    # another account uploads its own copy
    world.channel("wx_svc").publish(first, world.key(first, "wx_svc"))
    assert world.count("media/uploadimg") == 3


def test_the_token_is_stored_encrypted(world: Any) -> None:
    post = world.rendered()
    world.channel("wx_draft").publish(post, world.key(post, "wx_draft"))
    issued = [t.value for t in world.platform.state.tokens.values()]
    assert issued
    raw = (world.folder / "socialbot.db").read_bytes()
    wal = world.folder / "socialbot.db-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert all(t.encode() not in raw for t in issued)
    with world.kv.engine.connect() as conn:
        rows = dict(conn.execute(select(kv_table.c.key, kv_table.c.value)).all())
    stored = json.loads(rows[f"wechat:{world.ids.draft}:session:{world.ids.draft}_access_token"])
    secret = Secret(world.ids.secrets["SB_TEST_WX_DRAFT_SECRET"], "test")
    assert token_cipher(secret, world.ids.draft).decrypt(stored["v"].encode()).decode() in issued


def test_lost_sendall_answer_is_unknown_and_reconcile_never_sends_twice(world: Any) -> None:
    world.platform.inject("wechat", "message/mass/sendall", "drop_after_commit")
    post = world.rendered()
    channel = world.channel("wx_sub")
    key = world.key(post, "wx_sub")
    result = channel.publish(post, key)
    print("sendall answer lost ->", result.outcome.value, result.message)
    assert result.outcome is Outcome.UNKNOWN
    assert result.attempts[-1].reaction == "unknown"
    assert world.count("sendall") == 1  # not retried blindly
    assert len(world.platform.received(world.ids.sub)) == 1
    reconciled = channel.reconcile(post, key)
    print("reconcile ->", reconciled.outcome.value, reconciled.message)
    assert reconciled.outcome is Outcome.SENT
    codes = [(a.request.split("/")[-1], a.code, a.reaction) for a in reconciled.attempts]
    assert ("sendall", "45065", "already_done") in codes
    assert codes[-1] == ("get", "0", "ok")  # mass/get confirms the earlier send
    assert reconciled.details["msg_status"] == "SEND_SUCCESS"
    (received,) = world.platform.received(world.ids.sub)
    assert reconciled.remote_id == str(received["msg_id"])


def test_sendall_timeout_after_commit_is_reconciled(world: Any) -> None:
    world.platform.inject("wechat", "message/mass/sendall", "timeout_after_commit", seconds=1.5)
    post = world.rendered()
    channel = world.channel("wx_sub")
    key = world.key(post, "wx_sub")
    assert channel.publish(post, key).outcome is Outcome.UNKNOWN
    assert channel.reconcile(post, key).outcome is Outcome.SENT
    assert len(world.platform.received(world.ids.sub)) == 1


def test_reconcile_before_any_send_says_retry(world: Any) -> None:
    post = world.rendered()
    result = world.channel("wx_sub").reconcile(post, world.key(post, "wx_sub"))
    assert result.outcome is Outcome.RETRY
    assert world.platform.received(world.ids.sub) == []


def test_a_retry_after_a_failed_send_reuses_the_draft(world: Any) -> None:
    world.platform.inject("wechat", "message/mass/sendall", "error", errcode=45028,
                          errmsg="has no masssend quota")
    post = world.rendered()
    channel = world.channel("wx_sub")
    key = world.key(post, "wx_sub")
    assert channel.publish(post, key).outcome is Outcome.RESCHEDULE
    second = channel.publish(post, key)
    assert second.outcome is Outcome.SENT
    assert world.count("draft/add") == 1
    assert world.count("media/uploadimg") == 1
    assert len(world.platform.received(world.ids.sub)) == 1


def test_a_deleted_cover_material_is_uploaded_again(world: Any) -> None:
    world.platform.inject("wechat", "draft/add", "error", errcode=40007, errmsg="invalid media_id")
    post = world.rendered()
    result = world.channel("wx_draft").publish(post, world.key(post, "wx_draft"))
    assert result.outcome is Outcome.DRAFTED
    assert world.count("material/add_material") == 2


def test_freepublish_failure_status_is_failed_with_a_reason(world: Any) -> None:
    world.platform.inject("wechat", "freepublish/submit", "publish_status", status=4)
    post = world.rendered()
    result = world.channel("wx_svc").publish(post, world.key(post, "wx_svc"))
    print("publish_status 4 ->", result.outcome.value, result.message)
    assert result.outcome is Outcome.FAILED
    assert "审核未通过" in result.message


def test_freepublish_still_publishing_is_unknown_then_reconciled(make_world: Any) -> None:
    world = make_world(publish_polls=10)  # 7 polls now, 7 more on reconcile
    post = world.rendered()
    channel = world.channel("wx_svc")
    key = world.key(post, "wx_svc")
    result = channel.publish(post, key)
    assert result.outcome is Outcome.UNKNOWN
    assert "仍在发布中" in result.message
    assert len(world.sleeps.seconds) == 6  # bounded polling
    assert world.count("freepublish/submit") == 1
    final = channel.reconcile(post, key)
    assert final.outcome is Outcome.SENT and final.url
    assert world.count("freepublish/submit") == 1


def test_lost_freepublish_submit_answer_is_settled_from_the_publish_record(world: Any) -> None:
    world.platform.inject("wechat", "freepublish/submit", "drop_after_commit")
    post = world.rendered()
    channel = world.channel("wx_svc")
    key = world.key(post, "wx_svc")
    assert channel.publish(post, key).outcome is Outcome.UNKNOWN
    result = channel.reconcile(post, key)
    assert result.outcome is Outcome.SENT, result.message
    assert "发布记录中找到了这篇" in result.message
    assert result.details["settled_by"] == "freepublish/batchget" and result.url
    assert world.count("freepublish/submit") == 1
    assert channel.reconcile(post, key).details["already"] is True  # settled for good
    assert world.count("freepublish/batchget") == 1


def test_lost_freepublish_submit_not_in_the_record_stays_unknown(world: Any) -> None:
    world.platform.inject("wechat", "freepublish/submit", "drop_after_commit")
    world.platform.inject("wechat", "freepublish/submit", "publish_status", status=2)
    post = world.rendered()
    channel = world.channel("wx_svc")
    key = world.key(post, "wx_svc")
    assert channel.publish(post, key).outcome is Outcome.UNKNOWN
    result = channel.reconcile(post, key)
    assert result.outcome is Outcome.UNKNOWN and "发表记录" in result.message
    assert world.count("freepublish/submit") == 1


@pytest.mark.parametrize("fault", ["drop_after_commit", "garbage"])
def test_a_lost_draft_add_answer_is_looked_up_not_repeated_blindly(world: Any,
                                                                   fault: str) -> None:
    world.platform.inject("wechat", "draft/add", fault)
    post = world.rendered()
    result = world.channel("wx_draft").publish(post, world.key(post, "wx_draft"))
    assert result.outcome is Outcome.DRAFTED, result.message
    drafts = world.platform.state.wechat[world.ids.draft].drafts
    assert len(drafts) == 1  # no orphan draft
    assert result.remote_id in drafts
    tail = endpoints(world)[endpoints(world).index("draft/add"):]
    if fault == "drop_after_commit":  # it went through: found, not added again
        assert tail == ["draft/add", "draft/batchget"]
    else:  # answered without acting: looked, then added once more
        assert tail == ["draft/add", "draft/batchget", "draft/add"]


def test_lost_freepublish_submit_before_action_can_be_retried(world: Any) -> None:
    world.platform.inject("wechat", "freepublish/submit", "drop")
    post = world.rendered()
    channel = world.channel("wx_svc")
    key = world.key(post, "wx_svc")
    assert channel.publish(post, key).outcome is Outcome.UNKNOWN
    assert channel.reconcile(post, key).outcome is Outcome.RETRY  # the draft is still there
    assert channel.publish(post, key).outcome is Outcome.SENT
    assert len(world.platform.published(world.ids.svc)) == 1


def test_publish_now_and_preview_send(world: Any) -> None:
    post = world.rendered()
    preview = preview_send(world.settings, post, "wx_sub", "zhang_san_wx", world.kv)
    assert preview.outcome is Outcome.SENT, preview.message
    assert "zhang_san_wx" in preview.message
    (sent,) = world.platform.previews(world.ids.sub)
    assert sent["to"] == "zhang_san_wx"
    result = publish_now(world.settings, post, "wx_sub", world.kv)
    assert result.outcome is Outcome.SENT
    assert world.count("draft/add") == 1  # the previewed draft is the one sent


def test_publish_now_refuses_with_every_problem(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SB_TEST_WX_SUB_SECRET")
    # an account on the official host has no practice-platform default secret
    world.change_account("wx_sub", api_base="https://api.weixin.qq.com")
    post = world.rendered(title="标" * 40)
    with pytest.raises(PublishError) as caught:
        publish_now(world.settings, post, "wx_sub", world.kv)
    text = caught.value.render()
    assert "标题有 40 个字" in text and "SB_TEST_WX_SUB_SECRET" in text
    with pytest.raises(PublishError, match="微博没有预览接口"):
        preview_send(world.settings, world.rendered(), "weibo_main", "someone", world.kv)
    assert world.platform.calls() == []
