"""The day's WeChat message (多图文): the posts of one Beijing day go out as one mass send.

Against the practice platform over loopback, with a real SQLite queue: three posts on a
day become one message in the chosen order, a fourth joins it, a ninth is refused with
the next free day, an unapproved article moves to the next day's message, a lost
``sendall`` answer with the worker killed and restarted sends nothing twice, and an
account that may not mass send (48001) leaves one draft for a person.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from test_store_helpers import (
    SH,
    entry,
    practice_settings,
    snapshot,
    socialbot_cmd,
    tiny_rendered,
)

from socialbot import notices
from socialbot.channel_source import Channels
from socialbot.cli import cli
from socialbot.config import Settings
from socialbot.runner import run_due
from socialbot.store import open_store
from socialbot.store.db import Database
from socialbot.store.models import DeliveryRecord, State
from socialbot.store.queue import Entry, QueueRefused, add_entries
from socialbot.store.review import approve
from socialbot.store.schema import deliveries
from socialbot.store_rules import alone_on, rules_of
from socialbot_practice import PracticePlatform
from tests.helpers import NEWS_POST, write_post
from tests.processes import wait_for

APPIDS = {"wx_day": "wx00000000000000d1", "wx_review": "wx00000000000000d2",
          "wx_unverified": "wx00000000000000d3"}
ACCOUNTS = {
    "wx_day": dict(platform="wechat", kind="subscription", reach="mass_send",
                   appid=APPIDS["wx_day"], secret_env="SB_D_DAY", requires_approval=False),
    "wx_review": dict(platform="wechat", kind="subscription", reach="mass_send",
                      appid=APPIDS["wx_review"], secret_env="SB_D_REV", requires_approval=True,
                      push_time="20:00"),
    "wx_unverified": dict(platform="wechat", kind="subscription", reach="mass_send",
                          appid=APPIDS["wx_unverified"], secret_env="SB_D_UNV",
                          requires_approval=False),
}
RUN_S = 300.0  # bounds only (a loaded 2-core machine starts Python slowly)


@pytest.fixture
def platform():
    with PracticePlatform(port=0) as p:
        yield p


@pytest.fixture
def world(tmp_path: Path, platform: PracticePlatform):
    settings = practice_settings(tmp_path, platform, accounts=ACCOUNTS)
    db = open_store(settings)
    yield settings, db
    db.dispose()


def day(offset: int = 2) -> dt.date:
    """A Beijing day in the future (the CLI's status reads the real clock)."""
    return dt.datetime.now(SH).date() + dt.timedelta(days=offset)


def at(d: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour, minute), tzinfo=SH)


def queue(db: Database, settings: Settings, items: list[tuple[str, dt.datetime, int | None]],
          account: str, *, now: dt.datetime | None = None) -> list[Entry]:
    """Queue (title, time, position) posts to one account in one batch."""
    entries = []
    for n, (title, when, position) in enumerate(items):
        e = entry(tiny_rendered(f"p-{title}", title, seed=len(title) + n), [account], when)
        e.position = position
        entries.append(e)
    add_entries(db, rules_of(settings), entries, now or dt.datetime.now(dt.UTC), actor="作者甲")
    return entries


def rows(db: Database, account: str) -> list[DeliveryRecord]:
    with db.tx(write=False) as conn:
        found = conn.execute(select(deliveries).where(deliveries.c.account == account)
                             .order_by(deliveries.c.id)).all()
    return [DeliveryRecord.from_row(r) for r in found]


def count(platform: PracticePlatform, endpoint: str, account: str | None = None) -> int:
    return sum(1 for c in platform.calls("wechat") if c["endpoint"].endswith(endpoint)
               and (account is None or c["account"] == account))


def titles(message: dict[str, Any]) -> list[str]:
    return [a["title"] for a in message["articles"]]


def status_output(settings: Settings) -> str:
    result = CliRunner().invoke(cli, ["--config", str(settings.path), "status"])
    return result.output


def test_posts_of_one_day_go_out_as_one_message_in_the_chosen_order(world, platform):
    settings, db = world
    d = day()
    queue(db, settings, [("认可日头条候选", at(d, 9), 2), ("上海品牌认证", at(d, 10), 3),
                         ("年度报告", at(d, 11), 1)], "wx_day")
    late = queue(db, settings, [("第四篇加入", at(d, 12), None)], "wx_day")[0]
    assert not late.notes  # joins the day's message, which has not gone yet
    assert {r.message_slot for r in rows(db, "wx_day")} == {d.isoformat()}

    reports = run_due(settings, db, Channels(settings), now=at(d, 9))

    assert [r.state for r in reports] == [State.SENT] * 4
    received = platform.received(APPIDS["wx_day"])
    assert len(received) == 1  # followers get one message …
    assert titles(received[0]) == ["年度报告", "认可日头条候选", "上海品牌认证", "第四篇加入"]
    assert count(platform, "draft/add") == 1 and count(platform, "message/mass/sendall") == 1
    sent = rows(db, "wx_day")
    assert {r.state for r in sent} == {State.SENT}
    assert len({r.message_key for r in sent}) == 1  # … sent as one unit

    # After the send, a late article for that day goes to the next day's message.
    after = queue(db, settings, [("晚到的一篇", at(d, 21), None)], "wx_day", now=at(d, 9, 30))[0]
    assert after.notes and "已经发出" in after.notes[0]
    assert (d + dt.timedelta(days=1)).isoformat() in after.notes[0]
    newest = rows(db, "wx_day")[-1]
    assert newest.message_slot == (d + dt.timedelta(days=1)).isoformat()
    assert newest.due_at == at(d + dt.timedelta(days=1), 21)


def test_a_ninth_article_is_refused_with_the_next_day_that_has_room(world):
    settings, db = world
    d = day()
    queue(db, settings, [(f"第{n}篇文章", at(d, 8 + n), None) for n in range(8)], "wx_day")
    before = snapshot(db)
    with pytest.raises(QueueRefused) as refused:
        queue(db, settings, [("第九篇文章", at(d, 18), None)], "wx_day")
    message = refused.value.render()
    assert "wx_day" in message and d.isoformat() in message and "上限 8 篇" in message
    assert f"下一个还有空位的日期：{d + dt.timedelta(days=1)}" in message
    assert snapshot(db) == before  # nothing half-queued
    queue(db, settings, [("第九篇文章", at(d + dt.timedelta(days=1), 18), None)], "wx_day")


def test_an_unapproved_article_moves_to_the_next_days_message(world, platform):
    settings, db = world
    d = day()
    entries = queue(db, settings, [("已审一", at(d, 9), None), ("未审", at(d, 10), None),
                                   ("已审二", at(d, 11), None)], "wx_review")
    assert {r.due_at for r in rows(db, "wx_review")} == {at(d, 20)}  # the push time
    for e in (entries[0], entries[2]):
        approve(db, rules_of(settings), e.queue_id or 0, "李四", dt.datetime.now(dt.UTC))

    run_due(settings, db, Channels(settings), now=at(d, 20))

    received = platform.received(APPIDS["wx_review"])
    assert len(received) == 1 and titles(received[0]) == ["已审一", "已审二"]
    waiting = next(r for r in rows(db, "wx_review") if r.post == entries[1].queue_id)
    nxt = d + dt.timedelta(days=1)
    assert waiting.state == State.QUEUED and waiting.message_slot == nxt.isoformat()
    assert waiting.due_at == at(nxt, 20)
    moved = notices.shown(waiting.message)
    assert "仍未审核" in moved and nxt.isoformat() in moved
    shown = status_output(settings)
    assert "未审" in shown and "仍未审核" in shown and nxt.isoformat() in shown

    # Approved later, it goes out with the next day's message.
    approve(db, rules_of(settings), entries[1].queue_id or 0, "李四", dt.datetime.now(dt.UTC))
    platform.set_clock(dt.datetime.combine(nxt, dt.time(20, 0)))  # the platform's day quota
    run_due(settings, db, Channels(settings), now=at(nxt, 20))
    received = platform.received(APPIDS["wx_review"])
    assert len(received) == 2 and titles(received[1]) == ["未审"]


def test_an_approval_after_the_push_time_moves_the_article_and_counts_for_the_new_day(
        world, platform):
    """The review chain's rule inside the day's message: an approval must land by the send.

    Approved five minutes after the 20:00 push, the article does not go late with that
    day's message; it moves to the next day's, where the same approval is in time.
    """
    settings, db = world
    d = day()
    entries = queue(db, settings, [("准时审核", at(d, 9), None), ("迟到审核", at(d, 10), None)],
                    "wx_review")
    approve(db, rules_of(settings), entries[0].queue_id or 0, "李四", dt.datetime.now(dt.UTC))
    approve(db, rules_of(settings), entries[1].queue_id or 0, "李四", at(d, 20, 5))
    late = next(r for r in rows(db, "wx_review") if r.post == entries[1].queue_id)
    assert late.state == State.QUEUED  # approved after its slot: not sendable there

    run_due(settings, db, Channels(settings), now=at(d, 20, 5))

    received = platform.received(APPIDS["wx_review"])
    assert len(received) == 1 and titles(received[0]) == ["准时审核"]
    nxt = d + dt.timedelta(days=1)
    late = next(r for r in rows(db, "wx_review") if r.post == entries[1].queue_id)
    assert late.message_slot == nxt.isoformat() and late.due_at == at(nxt, 20)
    assert late.state == State.APPROVED  # 20:05 is before the new slot's 20:00 next day
    assert nxt.isoformat() in late.message

    platform.set_clock(dt.datetime.combine(nxt, dt.time(20, 0)))
    run_due(settings, db, Channels(settings), now=at(nxt, 20))
    received = platform.received(APPIDS["wx_review"])
    assert len(received) == 2 and titles(received[1]) == ["迟到审核"]


def test_a_lost_sendall_answer_and_a_killed_worker_send_nothing_twice(
        world, platform, children, tmp_path):
    settings, db = world
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    queue(db, settings, [("头条", when, None), ("次条一", when, None), ("次条二", when, None)],
          "wx_day")
    # The platform sends, then the answer never comes: the worker hangs in the call.
    platform.inject("wechat", "message/mass/sendall", "timeout_after_commit", seconds=20)
    log = (tmp_path / "worker.log").open("w", encoding="utf-8")
    worker = children.start(socialbot_cmd(settings.path, "run", "--tick", "0.2"),
                            stdout=log, stderr=subprocess.STDOUT)
    appid = APPIDS["wx_day"]
    wait_for(lambda: platform.received(appid), timeout=RUN_S, what="the message to go out")
    children.kill(worker)  # between the platform's send and the recorded result
    assert {r.state for r in rows(db, "wx_day")} == {State.SENDING}
    platform.clear_faults()

    children.run(socialbot_cmd(settings.path, "run", "--once"), stdout=log,
                 stderr=subprocess.STDOUT, timeout=RUN_S)

    log.close()
    received = platform.received(appid)
    assert len(received) == 1 and titles(received[0]) == ["头条", "次条一", "次条二"]
    assert {r.state for r in rows(db, "wx_day")} == {State.SENT}
    assert count(platform, "draft/add") == 1
    # The restart asked again with the same clientmsgid; the platform said "sent already".
    sends = [c for c in platform.calls("wechat") if c["endpoint"].endswith("mass/sendall")]
    assert [c["errcode"] for c in sends][-1] == 45065


def test_a_worker_stopped_between_two_articles_records_leaves_no_second_send(world, platform):
    """The send went, one article's result was written, then the worker died.

    The other article is checked under the message's key (not its own, which has no
    send record): it is found sent, nothing goes out again, and the quota ledger counts
    the day's send once.
    """
    from socialbot.pipeline import ask_platform
    from socialbot.recording import record
    from socialbot.store.claims import claim_next, promote_due
    from socialbot.store.schema import quota_ledger

    settings, db = world
    d = day()
    queue(db, settings, [("头条", at(d, 9), None), ("次条", at(d, 9), None)], "wx_day")
    promote_due(db, rules_of(settings), at(d, 9))
    claim = claim_next(db, rules_of(settings), "worker-a", at(d, 9))
    assert claim is not None and len(claim.parts()) == 2
    result = ask_platform(claim, Channels(settings))
    record(db, settings, claim.parts()[0], result, at(d, 9))  # … and the worker dies here

    later = at(d, 9) + dt.timedelta(seconds=settings.lease_seconds + 1)
    run_due(settings, db, Channels(settings), now=later)

    assert {r.state for r in rows(db, "wx_day")} == {State.SENT}
    received = platform.received(APPIDS["wx_day"])
    assert len(received) == 1 and titles(received[0]) == ["头条", "次条"]
    assert count(platform, "message/mass/sendall") == 1
    with db.tx(write=False) as conn:
        assert len(conn.execute(select(quota_ledger).where(
            quota_ledger.c.account == "wx_day", quota_ledger.c.kind == "sent")).all()) == 1


def test_an_account_that_may_not_mass_send_leaves_one_draft_for_a_person(world, platform):
    settings, db = world
    platform.state.wechat[APPIDS["wx_unverified"]].spec.verified = False
    d = day()
    queue(db, settings, [("草稿一", at(d, 9), None), ("草稿二", at(d, 10), None)],
          "wx_unverified")

    run_due(settings, db, Channels(settings), now=at(d, 9))
    run_due(settings, db, Channels(settings), now=at(d, 12))  # nothing is retried

    states = rows(db, "wx_unverified")
    assert {r.state for r in states} == {State.DRAFTED}
    assert all("草稿箱" in r.message for r in states)
    account = "wx_unverified"
    assert count(platform, "draft/add", APPIDS[account]) == 1
    assert count(platform, "message/mass/sendall", APPIDS[account]) == 1  # answered 48001
    drafts = platform.drafts(APPIDS[account])
    assert len(drafts) == 1 and [a["title"] for a in drafts[0]["articles"]] == ["草稿一", "草稿二"]
    assert platform.received(APPIDS[account]) == []
    shown = status_output(settings)
    assert "已存草稿，待人工群发" in shown and "公众号后台" in shown
    write_post(settings.posts_dir)  # check reads the posts, then the queue's drafts
    checked = CliRunner().invoke(cli, ["--config", str(settings.path), "check"])
    assert "草稿一" in checked.output and "公众号后台" in checked.output, checked.output

    # The next day's message goes straight to the draft box: no second 48001.
    queue(db, settings, [("次日草稿", at(d + dt.timedelta(days=1), 9), None)], account)
    run_due(settings, db, Channels(settings), now=at(d + dt.timedelta(days=1), 9))
    assert rows(db, account)[-1].state == State.DRAFTED
    assert count(platform, "message/mass/sendall", APPIDS[account]) == 1


def test_the_sample_calendar_is_published_whole_with_6_9_as_one_message(tmp_path, platform):
    """What ``make demo`` publishes: every calendar target, one message a day per account."""
    from socialbot.config_file import load_settings
    from socialbot.preview.writer import campaign_posts
    from socialbot_practice.config_accounts import register_accounts
    from socialbot_practice.demo import own_settings, run_demo_queue
    from tests.helpers import REPO

    shipped = load_settings(REPO / "config.toml", environ={})
    settings = own_settings(shipped, platform, f"sqlite:///{tmp_path / 'demo.db'}")
    register_accounts(platform, settings, settings.accounts.values())
    calendar = REPO / "campaign" / "calendar.csv"
    with calendar.open(encoding="utf-8") as f:
        targets = sum(len(line.split(",")[2].split(";")) for line in list(f)[1:])

    result = run_demo_queue(settings, campaign_posts(shipped), platform=platform,
                            calendar=calendar, say=lambda _line: None)

    assert result.all_sent and result.sent == targets  # nothing dropped
    main = platform.received(settings.accounts["shsmr_wechat"].appid)
    by_day = {m["time"][:10]: titles(m) for m in main}
    assert len(by_day) == len(main)  # one message a day
    assert by_day["2022-06-09"] == ["6·9世界认可日｜传递质量信任，服务绿色发展",
                                    "“上海品牌”认证获证组织集中颁证仪式",
                                    "发布2021年度检验检测认证行业发展情况"]


def test_preview_shows_the_days_message_and_plans_one_draft_and_one_send(tmp_path):
    """The dry run: 6·9 on the main account is one message, 头条 first, in calendar order."""
    import json

    from socialbot.config_file import load_settings
    from socialbot.preview import write_preview
    from tests.helpers import REPO

    settings = load_settings(REPO / "config.toml", environ={})
    posts = sorted((REPO / "campaign" / "posts").glob("0609-*.md"))
    out = tmp_path / "preview"
    write_preview(settings, posts, out, calendar=REPO / "campaign" / "calendar.csv")

    plan = json.loads((out / "plan.json").read_text("utf-8"))
    (message,) = plan["accounts"]["shsmr_wechat"]["messages"]
    expected = ["6·9世界认可日｜传递质量信任，服务绿色发展", "“上海品牌”认证获证组织集中颁证仪式",
                "发布2021年度检验检测认证行业发展情况"]
    assert message["day"] == "2022-06-09" and [a["title"] for a in message["articles"]] == expected
    endpoints = [c["endpoint"] for c in message["calls"]]
    assert endpoints.count("cgi-bin/draft/add") == 1
    assert endpoints.count("cgi-bin/message/mass/sendall") == 1
    draft = next(c for c in message["calls"] if c["endpoint"] == "cgi-bin/draft/add")
    assert [a["title"] for a in draft["payload"]["articles"]] == expected
    for d in plan["accounts"]["shsmr_wechat"]["deliveries"]:  # no per-post sends left
        assert d["calls"] == [] and d["message"] == "2022-06-09"

    page = (out / "messages.html").read_text("utf-8")
    for shown in (page, (out / "index.html").read_text("utf-8")):  # Beijing time as staff write it
        assert re.search(r"生成时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}\b", shown)
        assert "+08:00" not in shown
    section = page[page.index("shsmr_wechat"):]
    section = section[:section.index("</section>")]
    assert [section.index(t) for t in expected] == sorted(section.index(t) for t in expected)
    assert section.count('data-testid="crop-235"') == 1  # the 头条's big card
    assert section.count('data-testid="crop-11"') == 2  # a thumbnail for each 次条
    for p in ("0609-world-accreditation-day", "0609-brand-certification-ceremony"):
        assert f'href="posts/{p}/index.html"' in section  # each article's page


def test_staff_order_the_message_from_the_calendar_and_with_queue_edit(world):
    settings, db = world
    d = day()
    for name, title in (("0609-news-a.md", "认可日新闻甲"), ("0609-news-b.md", "认可日新闻乙")):
        write_post(settings.posts_dir, name, NEWS_POST.format(title=title, body="正文。"))
    calendar = settings.posts_dir.parent / "calendar.csv"
    header = "post,time,accounts,position\n"
    calendar.write_text(header + f"0609-news-a.md,{d} 09:00,wx_day,9\n", "utf-8")
    bad = CliRunner().invoke(cli, ["--config", str(settings.path), "queue", "import",
                                   str(calendar), "--by", "作者甲"])
    assert bad.exit_code == 2 and "位置应为 1 到 8 的整数" in bad.output, bad.output
    calendar.write_text(header + f"0609-news-a.md,{d} 09:00,wx_day,2\n"
                        f"0609-news-b.md,{d} 10:00,wx_day,1\n",
                        "utf-8")
    done = CliRunner().invoke(cli, ["--config", str(settings.path), "queue", "import",
                                    str(calendar), "--by", "作者甲"])
    assert done.exit_code == 0, done.output
    first, second = rows(db, "wx_day")
    assert (first.position, second.position) == (2, 1)
    moved = CliRunner().invoke(cli, ["--config", str(settings.path), "queue", "edit",
                                     str(first.post), "--position", "1", "--by", "王编辑"])
    assert moved.exit_code == 0 and "第 1 篇" in moved.output, moved.output
    assert rows(db, "wx_day")[0].position == 1
    shown = CliRunner().invoke(cli, ["--config", str(settings.path), "queue", "show",
                                     str(first.post)])
    assert f"{d} 的群发消息，第 1 篇" in shown.output


def test_a_newspic_is_a_message_of_its_own(db, settings):
    """A 贴图 never shares a message with news articles: its own slot, its own send."""
    import dataclasses

    from test_store_helpers import NOW, FakeChannels

    d = at(dt.date(2022, 6, 9), 9)
    news = [tiny_rendered(f"n{k}", f"图文{k}", seed=k) for k in range(2)]
    photo = dataclasses.replace(tiny_rendered("pic", "贴图", seed=7), template="newspic")
    entries = [entry(r, ["mass_service"], d) for r in (*news, photo)]
    for e in entries:  # as the intake decides it: the platform's rule about the rendering
        e.alone_on = alone_on(settings, e.rendered, e.targets)
    assert [bool(e.alone_on) for e in entries] == [False, False, True]
    add_entries(db, rules_of(settings), entries, NOW, actor="作者甲")
    slots = {r.post: r.message_slot for r in rows(db, "mass_service")}
    assert len(set(slots.values())) == 2 and all(s.startswith("2022-06-09") for s in slots.values())
    channels = FakeChannels(settings)
    reports = run_due(settings, db, channels, now=d)
    assert [r.state for r in reports] == [State.SENT] * 3
    fake = channels("mass_service")
    assert fake.messages == [["n0", "n1"]]  # the news articles together …
    assert [p[0] for p in fake.published] == ["n0", "pic"]  # … and the 贴图 alone


def test_the_intake_marks_a_newspic_to_travel_alone(tmp_path: Path):
    """The store cannot ask a platform: the intake tells it which accounts a rendering must
    reach in a send of its own (a 贴图 on WeChat), and only those."""
    from socialbot.config_file import load_settings
    from socialbot.intake import prepare
    from tests.helpers import newspic_post, write_config

    settings = load_settings(write_config(tmp_path))
    photo = write_post(tmp_path / "posts", "0605-photos.md", newspic_post())
    news = write_post(tmp_path / "posts", "0609-news.md",
                      NEWS_POST.format(title="世界认可日", body="正文。"))
    targets = ("shsmr_wechat", "shsmr_weibo")
    made = [prepare(settings, str(p), targets=targets, at=None, author="作者甲", channels=None)
            for p in (photo, news)]
    assert [e.rendered is not None for e in made] == [True, True], [e.problems for e in made]
    assert [e.alone_on for e in made] == [frozenset({"shsmr_wechat"}), frozenset()]
