"""What each WeChat account may do, from the practice platform's own answers (48001).

The practice platform runs over loopback; an account configured ``verified = false``
answers 48001 to the mass-send and publishing APIs, as unverified accounts do since the
2025 rules. The answer is kept (memory and the shared SQLite store) for six hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from click.testing import CliRunner

from socialbot.abilities import account_abilities, log_abilities
from socialbot.cli import cli
from socialbot.platforms import forget_memory, platform
from socialbot.platforms.wechat.probe import ABILITIES_TTL
from socialbot_practice import WeChatAccountSpec

pytest_plugins = ["tests.support_platform"]

PROBES = ("draft/count", "message/mass/speed/get", "freepublish/batchget")


def unverified(world: Any, account_id: str = "wx_sub") -> None:
    """Re-add the account on the practice platform as an unverified one."""
    account = world.settings.accounts[account_id]
    secret = world.settings.secret_for(account).reveal()
    world.platform.add_wechat_account(WeChatAccountSpec(
        account.appid, secret, kind=account.kind, followers=world.ids.followers, verified=False))


def probe_calls(world: Any) -> int:
    return sum(world.count(e) for e in PROBES)


def abilities(world: Any, account_id: str = "wx_sub", **options: Any):
    account = world.settings.accounts[account_id]
    return platform("wechat").abilities(account, world.settings, world.kv, **options)


def test_a_verified_account_may_do_everything(world: Any) -> None:
    found = abilities(world)
    assert found.summary == "已认证 · 可群发 · 可发布 · 可存草稿"
    assert found.can_send is True and not found.draft_only and found.instruction == ""
    assert [world.count(e) for e in PROBES] == [1, 1, 1]


def test_an_unverified_account_is_draft_only_with_the_backend_instruction(world: Any) -> None:
    unverified(world)
    found = abilities(world)
    assert found.summary == "未认证 · 不可群发（48001） · 不可发布（48001） · 可存草稿 · 仅可存草稿"
    assert found.draft_only and found.can_send is False
    assert "公众号后台" in found.instruction and "手动群发" in found.instruction
    # the platform's own answers, each asked once: no retry loop on 48001
    assert [world.count(e) for e in PROBES] == [1, 1, 1]
    assert [c["errcode"] for c in world.calls("message/mass/speed/get")] == [48001]


def test_the_answer_is_kept_and_asked_again_when_old_or_when_staff_ask(world: Any) -> None:
    first = abilities(world)
    assert abilities(world) == first and probe_calls(world) == 3  # memory
    forget_memory()  # a new process: the shared store still has it
    assert abilities(world) == first and probe_calls(world) == 3
    abilities(world, fresh=True)  # `socialbot check`
    assert probe_calls(world) == 6
    later = dt.datetime.now(dt.UTC) + ABILITIES_TTL + dt.timedelta(minutes=1)
    abilities(world, now=lambda: later)
    assert probe_calls(world) == 9


def test_a_fault_leaves_the_ability_unknown_and_is_not_kept(world: Any) -> None:
    world.platform.add_wechat_account(WeChatAccountSpec(
        world.ids.sub, "another-secret", kind="subscription", followers=world.ids.followers))
    found = abilities(world)
    assert found.can_send is None and "认证情况未知" in found.summary
    assert found.problem  # the token error, in Chinese
    assert world.count("draft/count") == 0
    before = len(world.platform.calls("wechat"))
    abilities(world)
    assert len(world.platform.calls("wechat")) > before  # asked again: nothing was kept


def test_the_configured_reach_decides_what_staff_must_do(world: Any) -> None:
    unverified(world, "wx_svc")  # reach = "publish"
    found = abilities(world, "wx_svc")
    assert found.can_send is False and "公众号后台" in found.instruction
    draft = abilities(world, "wx_draft")  # reach = "draft": saving drafts is all it does
    assert draft.can_send is True and draft.instruction == ""


def test_check_shows_every_account_in_chinese(world: Any, monkeypatch) -> None:
    unverified(world)
    monkeypatch.chdir(world.folder)
    result = CliRunner().invoke(cli, ["--config", str(world.settings.path), "check"],
                                catch_exceptions=False)
    out = " ".join(result.output.split())
    assert "账号能力（向平台查询）" in out
    assert "! wx_sub（订阅号）：未认证 · 不可群发（48001）" in out and "仅可存草稿" in out
    assert "→ 此账号只能存草稿" in out and "手动群发" in out
    assert "✓ wx_svc（服务号）：已认证 · 可群发 · 可发布 · 可存草稿" in out
    assert "weibo_main" not in out.split("账号能力")[1].split("全部检查")[0]
    offline = CliRunner().invoke(cli, ["--config", str(world.settings.path), "check",
                                       "--offline"], catch_exceptions=False)
    assert "账号能力" not in offline.output


def test_the_daemon_start_logs_each_account_once(world: Any, caplog) -> None:
    unverified(world)
    with caplog.at_level(logging.INFO, logger="socialbot.abilities"):
        log_abilities(world.settings, world.kv)
        log_abilities(world.settings, world.kv)  # a restart within the hour asks nothing
    lines = [r.getMessage() for r in caplog.records]
    assert any("wx_sub" in line and "仅可存草稿" in line for line in lines), lines
    assert any("手动群发" in line for line in lines), lines
    assert probe_calls(world) == 9  # three accounts, three calls each, once
    assert {a.account.id for a in account_abilities(world.settings, world.kv)} == {
        "wx_sub", "wx_svc", "wx_draft"}


def test_an_unverified_account_keeps_its_draft_box_but_not_sendall(world: Any) -> None:
    unverified(world)
    channel = world.channel("wx_sub")
    result = channel.publish(world.rendered(), "k-unverified")
    assert world.count("draft/add") == 1
    assert [c["errcode"] for c in world.calls("message/mass/sendall")] == [48001]
    assert "48001" in result.message or "权限" in result.message


def test_a_send_answered_48001_is_what_check_shows_next(world: Any) -> None:
    """One memory: the send's own 48001 updates the account's abilities, asking nothing."""
    unverified(world)
    world.channel("wx_sub").publish(world.rendered(), "k-first")
    forget_memory()  # another process (`socialbot check` without --fresh) reads the store
    found = abilities(world)
    assert probe_calls(world) == 0
    assert "不可群发（48001）" in found.summary and "可存草稿" in found.summary
    assert found.can_send is False and "公众号后台" in found.instruction


def test_a_probe_that_found_no_mass_send_spares_the_first_send_its_48001(world: Any) -> None:
    unverified(world)
    assert abilities(world).draft_only  # the daemon's start asked
    result = world.channel("wx_sub").publish(world.rendered(), "k-probed")
    assert world.count("draft/add") == 1 and world.calls("message/mass/sendall") == []
    assert result.outcome.value == "drafted" and "公众号后台" in result.message
