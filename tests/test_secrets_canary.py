"""No secret and no access token may appear anywhere a person or a file could see it.

The accounts get canary AppSecrets and a canary Weibo token. Every publishing path
then runs against the practice platform, error paths included (token refresh, 40164,
timeouts, dropped connections, garbage bodies, an unreachable host). The test collects
everything that could leak: DEBUG logs (caplog and a log file), stdout/stderr, every
DeliveryResult (repr and JSON, attempts included), the SQLite database files, and the
traceback of every exception raised, and searches it all for the canaries and for every
access token the platform issued.
"""

from __future__ import annotations

import json
import logging
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialbot.platforms.base import DeliveryResult, Outcome
from socialbot.platforms.common.calls import CallFailed, Journal
from socialbot.publishing import preview_send, publish_now
from socialbot.redact import install_redaction

pytest_plugins = ["tests.support_platform"]

CANARIES = {
    "SB_TEST_WX_SUB_SECRET": "CANARY-SECRET-7f3a9c0e1d2b4a6f-sub",
    "SB_TEST_WX_SVC_SECRET": "CANARY-SECRET-7f3a9c0e1d2b4a6f-svc",
    "SB_TEST_WX_DRAFT_SECRET": "CANARY-SECRET-7f3a9c0e1d2b4a6f-draft",
    "SB_TEST_WEIBO_TOKEN": "CANARY-WEIBO-TOKEN-5e8d1c7b9a2f4e6d",
}


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Everything logged at DEBUG, also written to a file the way a deployment would."""
    install_redaction()
    path = tmp_path / "socialbot.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


class Evidence:
    """Everything collected during the run."""

    def __init__(self) -> None:
        self.results: list[DeliveryResult] = []
        self.tracebacks: list[str] = []
        self.tokens: set[str] = set()

    def keep(self, result: DeliveryResult) -> DeliveryResult:
        self.results.append(result)
        return result

    def result_text(self) -> str:
        parts = []
        for r in self.results:
            parts.append(repr(r))
            parts.append(json.dumps({
                "outcome": r.outcome.value, "message": r.message, "remote_id": r.remote_id,
                "url": r.url, "details": r.details, "attempts": [a.to_json() for a in r.attempts],
            }, ensure_ascii=False, default=str))
        return "\n".join(parts)


def run(world: Any, ev: Evidence, account_id: str, post: Any = None, *,
        reconcile: bool = False) -> DeliveryResult:
    post = post or world.rendered()
    channel = world.channel(account_id)
    key = world.key(post, account_id)
    result = ev.keep(channel.publish(post, key))
    if reconcile:
        ev.keep(channel.reconcile(post, key))
    return result


def harvest_tokens(world: Any, ev: Evidence) -> None:
    with world.platform.state.lock:
        ev.tokens.update(world.platform.state.tokens)


def test_no_secret_or_token_leaks_anywhere(
    make_world: Any, debug_log: Path, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(secrets=CANARIES)
    p = world.platform
    ev = Evidence()

    # happy paths on every reach and platform
    assert run(world, ev, "wx_sub").outcome is Outcome.SENT
    assert run(world, ev, "wx_svc").outcome is Outcome.SENT
    assert run(world, ev, "wx_draft").outcome is Outcome.DRAFTED
    assert run(world, ev, "weibo_main").outcome is Outcome.SENT
    post2 = world.rendered("post-2", weibo_text=world.ids.weibo_text + " 二")
    ev.keep(preview_send(world.settings, post2, "wx_svc", "zhang_san_wx", world.kv))
    ev.keep(publish_now(world.settings, post2, "wx_draft", world.kv))

    # token refresh, retries, lost answers and reconcile
    p.inject("wechat", "draft/add", "error", errcode=40001, errmsg="invalid credential")
    p.inject("wechat", "media/uploadimg", "timeout", seconds=1.5)
    p.inject("wechat", "material/add_material", "http_500")
    p.inject("wechat", "message/mass/sendall", "drop_after_commit")
    world.change_account("wx_svc", reach="mass_send")
    fresh = world.rendered("post-3", images=(world.image((90, 90), "png", (9, 9, 9)),),
                           cover=world.image((900, 500), colour=(1, 1, 1)))
    assert run(world, ev, "wx_svc", fresh, reconcile=True).outcome is Outcome.UNKNOWN
    p.inject("wechat", "draft/add", "drop")
    p.inject("wechat", "freepublish/get", "garbage")
    world.change_account("wx_draft", reach="publish")
    run(world, ev, "wx_draft", world.rendered("post-4"))
    p.inject("wechat", "message/mass/sendall", "timeout", seconds=1.5)
    run(world, ev, "wx_sub", world.rendered("post-5"), reconcile=True)
    p.inject("weibo", "statuses/share", "drop_after_commit")
    run(world, ev, "weibo_main", world.rendered("post-6", weibo_text=world.ids.weibo_text + " 六"),
        reconcile=True)
    p.inject("weibo", "statuses/share", "garbage")
    p.inject("weibo", "statuses/user_timeline", "http_500", times=3)
    run(world, ev, "weibo_main", world.rendered("post-7", weibo_text=world.ids.weibo_text + " 七"),
        reconcile=True)
    p.inject("weibo", "statuses/share", "error", error_code=21332, error="invalid_access_token")
    run(world, ev, "weibo_main", world.rendered("post-8", weibo_text=world.ids.weibo_text + " 八"))

    # an unreachable host while a valid token is in the store: requests puts the whole URL,
    # access_token included, into its exception text
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    world.change_account("wx_sub", api_base=dead + "/wechat")
    world.change_account("weibo_main", api_base=dead + "/weibo")
    assert run(world, ev, "wx_sub", world.rendered("post-9")).outcome is Outcome.RETRY
    run(world, ev, "weibo_main", world.rendered("post-10"))

    # exceptions raised to a caller, with their tracebacks
    client = world.channel("wx_sub")._client_for(Journal())
    try:
        client.draft.add([{"title": "x"}])
    except CallFailed:
        ev.tracebacks.append(traceback.format_exc())
    world.change_account("wx_sub", api_base=p.wechat_base)
    p.inject("wechat", "draft/add", "error", errcode=40001, errmsg="invalid credential", times=2)
    client = world.channel("wx_sub")._client_for(Journal())
    try:
        client.draft.add([{"title": "x"}])
    except CallFailed as exc:
        ev.tracebacks.append(traceback.format_exc())
        logging.getLogger("socialbot.test").exception("call failed: %s %r", exc, exc)
    harvest_tokens(world, ev)

    # 40164: the account whitelists another IP
    world = make_world(secrets=CANARIES, whitelist=["10.1.2.3"])
    result = run(world, ev, "wx_sub", world.rendered("post-11"))
    assert result.outcome is Outcome.FAILED and "IP白名单" in result.message
    harvest_tokens(world, ev)

    # everything that could hold a secret
    out, err = capfd.readouterr()
    database = b"".join(path.read_bytes() for path in world.folder.glob("socialbot.db*"))
    haystacks = {
        "caplog": caplog.text,
        "log file": debug_log.read_text(encoding="utf-8"),
        "stdout": out,
        "stderr": err,
        "results": ev.result_text(),
        "tracebacks": "\n".join(ev.tracebacks),
        "database": database.decode("latin-1"),
    }
    needles = {**{f"canary {k}": v for k, v in CANARIES.items()},
               **{f"token {t[:6]}…": t for t in ev.tokens}}
    assert len(ev.tokens) >= 3 and len(ev.tracebacks) == 2 and len(ev.results) >= 15
    leaks = [(where, what) for where, text in haystacks.items()
             for what, needle in needles.items() if needle in text]
    assert leaks == []
    # the test saw the dangerous material, scrubbed
    assert "access_token=***" in caplog.text
    assert "Traceback" in haystacks["tracebacks"] and "连接不上" in ev.result_text()
    assert database
