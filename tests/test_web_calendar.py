"""The console's calendar over real HTTP: posts queued from the CLI appear in it, moves
re-run the quota and platform checks (refusals in Chinese, nothing changed), an uploaded
calendar file is queued all or nothing, and every rule holds on the server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from test_web_console import CSRF_RE, sign_in
from web_support import POST, make_env, serve

from socialbot.store import State
from socialbot.store import audit as audit_store
from socialbot.store_rules import rules_of

DAY = 40  # days ahead: the posts below land in the future whatever the date


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("console-calendar"))
    e.queue("0701-a", "日历稿件甲", "shsmr_wechat,shsmr_weibo", by="editor1", days=DAY)
    e.queue("0702-b", "日历稿件乙", "shsmr_wechat", by="editor1", days=DAY + 2)
    e.queue("0703-pd", "浦东日历稿件", "pudong_wechat", by="pdeditor", days=DAY)
    (e.root / "campaign").mkdir()
    (e.root / "campaign" / "activities.toml").write_text(
        '[[activities]]\nnumber = 1\ntitle = "主题宣传活动"\norganisers = "市局"\n'
        'posts = ["0702-b"]\n', encoding="utf-8")
    with serve(e):
        yield e
    e.db.dispose()


def delivery(env, name: str, account: str):
    return next(d for d in env.db.deliveries_of(env.queued[name]) if d.account == account)


def local_day(env, d) -> dt.date:
    return d.due_at.astimezone(env.settings.tz).date()


def calendar(s, env, day: dt.date, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"date": day.isoformat(), **params}.items())
    r = s.get(f"{env.url}/calendar?{query}")
    assert r.status_code == 200, r.text
    return r.text


def csrf_of(s, env) -> str:
    return CSRF_RE.search(s.get(f"{env.url}/calendar").text).group(1)


def test_a_post_queued_from_the_cli_appears_in_the_calendar_of_its_unit(env):
    d = delivery(env, "0701-a", "shsmr_weibo")
    day = local_day(env, d)
    s = sign_in(env, "editor1")
    for view in ("month", "week", "list"):
        page = calendar(s, env, day, view=view)
        assert "日历稿件甲" in page and f'data-delivery="{d.id}"' in page, view
        assert "待审核" in page  # the state in words, not only a colour
        assert "浦东日历稿件" not in page  # another unit's post
    assert "当天消息 1 篇" in page  # the WeChat account's day, as one message
    pudong = calendar(sign_in(env, "pdeditor"), env, day)
    assert "浦东日历稿件" in pudong and "日历稿件甲" not in pudong
    everyone = calendar(sign_in(env, "admin"), env, day)
    assert "浦东日历稿件" in everyone and "日历稿件甲" in everyone
    r = sign_in(env, "pdeditor").get(f"{env.url}/calendar/deliveries/{d.id}")
    assert r.status_code == 404 and "不属于你所在的单位" in r.text


def test_filters_by_unit_account_activity_and_state(env):
    day = local_day(env, delivery(env, "0701-a", "shsmr_weibo"))
    s = sign_in(env, "admin")
    page = calendar(s, env, day, unit="pudong")
    assert "浦东日历稿件" in page and "日历稿件甲" not in page
    page = calendar(s, env, day, account="shsmr_weibo")
    assert "日历稿件甲" in page and "日历稿件乙" not in page and "浦东日历稿件" not in page
    page = calendar(s, env, day, activity="1")
    assert "日历稿件乙" in page and "日历稿件甲" not in page
    assert "1. 主题宣传活动" in page
    page = calendar(s, env, day, state="sent")
    assert "日历稿件甲" not in page and "共 0 个发布" in page
    for odd in ("9999-12-31", "0001-01-01", "明天", "2027-02-30"):  # today's month instead
        r = s.get(f"{env.url}/calendar?view=week&date={odd}&state=nonsense&unit=x")
        assert r.status_code == 200 and "发布日历" in r.text, odd


def test_moving_a_delivery_reschedules_it_and_is_audited(env):
    d = delivery(env, "0701-a", "shsmr_weibo")
    target = local_day(env, d) + dt.timedelta(days=1)
    s = sign_in(env, "editor1")
    r = s.post(f"{env.url}/calendar/move", data={
        "csrf": csrf_of(s, env), "delivery": d.id, "date": target.isoformat(),
        "time": "10:30", "back": f"view=month&date={target.isoformat()}"},
        headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert "改到" in r.text and "日历稿件甲" in r.text
    moved = delivery(env, "0701-a", "shsmr_weibo")
    assert moved.due_at.astimezone(env.settings.tz) == dt.datetime.combine(
        target, dt.time(10, 30), env.settings.tz)
    assert moved.state == State.QUEUED  # still waits for its review
    assert delivery(env, "0701-a", "shsmr_wechat").due_at == delivery(
        env, "0701-a", "shsmr_wechat").planned_at  # the other account's delivery stays
    entries = audit_store.entries(env.db, post=env.queued["0701-a"])
    assert any(e.action == "reschedule" and e.actor == "editor1"
               and e.account == "shsmr_weibo" for e in entries)
    shown = env.cli("queue", "show", str(env.queued["0701-a"]))
    assert f"{target:%Y-%m-%d} 10:30" in shown.stdout, shown.stdout  # the CLI sees the move


def test_a_move_that_overfills_the_quota_is_refused_with_the_reason(env):
    from socialbot.store import quota

    a = delivery(env, "0701-a", "shsmr_wechat")
    # A day whose one mass send was made from the 公众号 backend (another day's message
    # would simply take the article in: that is the daily message, not a refusal).
    used = local_day(env, delivery(env, "0702-b", "shsmr_wechat")) + dt.timedelta(days=3)
    with env.db.tx() as conn:
        quota.mark_full(conn, "shsmr_wechat", rules_of(env.settings).accounts["shsmr_wechat"].quota,
                        dt.datetime.combine(used, dt.time(12), tzinfo=env.settings.tz))
    s = sign_in(env, "editor1")
    r = s.post(f"{env.url}/calendar/move", data={
        "csrf": csrf_of(s, env), "delivery": a.id, "date": used.isoformat(),
        "time": "08:00"}, headers={"HX-Request": "true"})
    assert r.status_code == 409
    assert "不能改到这个时间" in r.text and "最多群发 1 次" in r.text and "下一个可用时间" in r.text
    assert delivery(env, "0701-a", "shsmr_wechat") == a  # nothing changed


def test_a_move_into_the_past_or_to_a_bad_date_is_refused(env):
    d = delivery(env, "0701-a", "shsmr_weibo")
    s = sign_in(env, "editor1")
    csrf = csrf_of(s, env)
    r = s.post(f"{env.url}/calendar/move", data={"csrf": csrf, "delivery": d.id,
                                                 "date": "2022-06-09", "time": "09:00"})
    assert r.status_code == 409 and "已经过去" in r.text
    r = s.post(f"{env.url}/calendar/move", data={"csrf": csrf, "delivery": d.id,
                                                 "date": "6月9日", "time": "09:00"})
    assert r.status_code == 409 and "不是有效的日期和时间" in r.text
    assert delivery(env, "0701-a", "shsmr_weibo") == d


def test_only_editors_and_admins_of_the_unit_move_and_only_with_the_csrf_token(env):
    d = delivery(env, "0701-a", "shsmr_weibo")
    target = (local_day(env, d) + dt.timedelta(days=3)).isoformat()
    reviewer = sign_in(env, "rev1")  # a reviewer only: sees it, may not move it
    r = reviewer.post(f"{env.url}/calendar/move", data={
        "csrf": csrf_of(reviewer, env), "delivery": d.id, "date": target, "time": "09:00"})
    assert r.status_code == 403 and "不能处理这个账号的发布" in r.text
    pudong = sign_in(env, "pdeditor")
    r = pudong.post(f"{env.url}/calendar/move", data={
        "csrf": csrf_of(pudong, env), "delivery": d.id, "date": target, "time": "09:00"})
    assert r.status_code == 404
    editor = sign_in(env, "editor1")
    r = editor.post(f"{env.url}/calendar/move", data={"delivery": d.id, "date": target})
    assert r.status_code == 403 and "安全校验未通过" in r.text
    assert delivery(env, "0701-a", "shsmr_weibo") == d


def write_post_file(env, name: str, title: str) -> None:
    (env.root / "posts" / f"{name}.md").write_text(POST.format(title=title, body=""),
                                                   encoding="utf-8")


def upload(s, env, name: str, text: str):
    return s.post(f"{env.url}/calendar/import", data={"csrf": csrf_of(s, env)},
                  files={"file": (name, text.encode("utf-8"), "text/csv")})


def test_import_from_the_browser_is_all_or_nothing(env):
    write_post_file(env, "0801-import-a", "导入稿件甲")
    write_post_file(env, "0802-import-b", "导入稿件乙")
    later = dt.datetime.now(env.settings.tz) + dt.timedelta(days=DAY + 10)
    good = f"{later:%Y-%m-%d} 09:00"
    before = env.db.state_counts()
    s = sign_in(env, "editor1")
    bad = (f"post,time,accounts\n0801-import-a.md,{good},shsmr_weibo\n"
           f"0802-import-b.md,2022-06-09 09:00,shsmr_weibo;nobody_weibo\n")
    r = upload(s, env, "日程.csv", bad)
    assert r.status_code == 409
    assert "整个日程都没有加入队列" in r.text
    row3 = r.text.split("第 3 行")[1].split("</tr>")[0]
    assert "已经过去" in row3 and "未知账号 nobody_weibo" in row3
    assert "无问题（因其他条目有误，未加入）" in r.text.split("第 2 行")[1].split("</tr>")[0]
    assert env.db.state_counts() == before  # nothing half-queued

    outside = f"post,time,accounts\n0801-import-a.md,{good},pudong_wechat\n"
    r = upload(s, env, "日程.csv", outside)
    assert r.status_code == 409 and "你不能为 pudong_wechat 安排发布" in r.text
    assert env.db.state_counts() == before

    fine = (f"post,time,accounts\n0801-import-a.md,{good},shsmr_weibo\n"
            f"0802-import-b.md,{later:%Y-%m-%d} 15:00,shsmr_weibo\n")
    r = upload(s, env, "日程.csv", fine)
    assert r.status_code == 200, r.text
    assert "已加入 2 篇稿件" in r.text
    numbers = [int(n) for n in re.findall(r"编号 (\d+)", r.text)]
    assert len(numbers) == 2 and env.db.post(numbers[0]).author == "editor1"
    page = calendar(s, env, later.date())
    assert "导入稿件甲" in page and "导入稿件乙" in page
    assert any(e.action == "import" for e in audit_store.entries(env.db, post=numbers[0]))


def test_an_unreadable_upload_is_refused_in_chinese(env):
    s = sign_in(env, "editor1")
    r = upload(s, env, "日程.xlsx", "post,time,accounts\n")
    assert r.status_code == 400 and "只支持 .csv 或 .toml" in r.text
    r = s.post(f"{env.url}/calendar/import", data={"csrf": csrf_of(s, env)},
               files={"file": ("日程.csv", b"\xff\xfe\x00bad", "text/csv")})
    assert r.status_code == 400 and "不是 UTF-8 编码" in r.text
