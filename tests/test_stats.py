"""Reach statistics end to end: the sample campaign published to the practice platform,
its clock moved on, ``stats collect`` and ``report`` run through the CLI, and the
report's totals checked against the platform's statistics endpoints asked directly."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from click.testing import CliRunner, Result
from docx import Document

from socialbot.channel_source import Channels
from socialbot.cli import cli
from socialbot.config import Settings
from socialbot.config_file import load_settings
from socialbot.platforms import platform
from socialbot.reach import AccountDay as ReachDay
from socialbot.reach import ItemDay
from socialbot.scheduler import Daemon
from socialbot.store import open_store
from socialbot.store import reach as reach_store
from socialbot_practice import PracticePlatform, WeChatAccountSpec
from socialbot_practice.config_accounts import register_accounts
from socialbot_practice.demo import run_demo_queue
from tests.helpers import REPO

BEIJING = ZoneInfo("Asia/Shanghai")
SECRETS = {
    "SOCIALBOT_SHSMR_WECHAT_SECRET": "stats-sub-secret-0123456789abcd",
    "SOCIALBOT_SHJC_WECHAT_SECRET": "stats-svc-secret-0123456789abcd",
    "SOCIALBOT_SHSMR_WEIBO_TOKEN": "2.00stats-weibo-token-0123456789",
}


@dataclass
class Campaign:
    """The sample campaign, published on the practice platform day by day (its clock and
    the daemon's moved together) up to Beijing day ``day``, where the clock stays."""

    platform: PracticePlatform
    settings: Settings
    config: Path
    day: dt.date
    database: Path

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(self.config), *args],
                                  catch_exceptions=False)

    @property
    def first(self) -> dt.date:
        """A day on or before the first post (the sample posts go out one a day)."""
        return self.day - dt.timedelta(days=29)

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), BEIJING)

    def clock(self, day: dt.date, hour: int) -> None:
        """The practice platform's clock, frozen at ``hour``:00 Beijing time on ``day``."""
        self.platform.set_clock(dt.datetime.combine(day, dt.time(hour), BEIJING), frozen=True)


def _config(tmp_path: Path, platform: PracticePlatform) -> Path:
    text = (REPO / "config.toml").read_text("utf-8")
    text = text.replace('posts = "campaign/posts"', f'posts = "{REPO / "campaign/posts"}"')
    for key in ("templates/posts", "assets"):
        text = text.replace(f'"{key}"', f'"{REPO / key}"', 1)
    text = text.replace('"wordlists/', f'"{REPO}/wordlists/')
    text = text.replace('path = "out/socialbot.db"', f'path = "{tmp_path / "socialbot.db"}"')
    text = text.replace('"http://127.0.0.1:8900/wechat"', f'"{platform.wechat_base}"')
    text = text.replace('"http://127.0.0.1:8900/weibo"', f'"{platform.weibo_base}"')
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    return config


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    """Every sample post queued, approved and published by the daemon (module-wide: slow)."""
    tmp_path = tmp_path_factory.mktemp("stats")
    patch = pytest.MonkeyPatch()
    for name, value in SECRETS.items():
        patch.setenv(name, value)
    with PracticePlatform() as platform:
        config = _config(tmp_path, platform)
        settings = load_settings(config)
        register_accounts(platform, settings, settings.accounts.values())
        posts = sorted((REPO / "campaign" / "posts").glob("*.md"))
        run_demo_queue(settings, posts, platform=platform, say=lambda _text: None)
        day = platform.now().astimezone(BEIJING).date()
        yield Campaign(platform, settings, config, day, tmp_path / "socialbot.db")
    patch.undo()


# -- asking the platform directly ---------------------------------------------------------


def _wechat(campaign: Campaign, account: str, name: str, begin: dt.date,
            end: dt.date) -> dict:
    a = campaign.settings.accounts[account]
    token = requests.post(f"{campaign.platform.wechat_base}/cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": a.appid,
        "secret": SECRETS[a.secret_name]}, timeout=30).json()["access_token"]
    answer = requests.post(f"{campaign.platform.wechat_base}/datacube/{name}",
                           params={"access_token": token},
                           json={"begin_date": begin.isoformat(), "end_date": end.isoformat()},
                           timeout=30).json()
    assert "errcode" not in answer, answer
    return answer


def _weibo_counts(campaign: Campaign) -> list[dict]:
    a = campaign.settings.accounts["shsmr_weibo"]
    ids = [str(p["idstr"]) for p in campaign.platform.received(a.uid)]
    answer = requests.get(f"{campaign.platform.weibo_base}/2/statuses/count.json",
                          params={"ids": ",".join(ids)}, timeout=30,
                          headers={"Authorization": f"OAuth2 {SECRETS[a.secret_name]}"}).json()
    assert len(answer) == len(ids) > 0
    return answer


def _weibo_reading(campaign: Campaign, at: dt.datetime) -> int:
    """The daily job reading the Weibo follower total at ``at`` (both clocks there and
    stored as it stores it); returns what ``users/show`` answers directly at ``at``."""
    campaign.platform.set_clock(at, frozen=True)
    a = campaign.settings.accounts["shsmr_weibo"]
    reader = platform(a.platform).stats_collector(a, campaign.settings, None, now=lambda: at)
    assert reader is not None
    answer = reader.collect([], at.date(), at.date())
    store = open_store(campaign.settings)
    try:
        reach_store.save(store, a.id, [], answer.days, at)
    finally:
        store.dispose()
    user = requests.get(f"{campaign.platform.weibo_base}/2/users/show.json",
                        params={"uid": a.uid}, timeout=30,
                        headers={"Authorization": f"OAuth2 {SECRETS[a.secret_name]}"}).json()
    return int(user["followers_count"])


def _latest(row: dict) -> dict:
    return max(row["detail_list"], key=lambda d: d["stat_date"])


def _stored(campaign: Campaign) -> list[tuple[int, str, dict]]:
    with sqlite3.connect(campaign.database) as conn:
        rows = conn.execute("SELECT delivery, day, metrics FROM delivery_figures").fetchall()
    return [(d, day, json.loads(m)) for d, day, m in rows]


# -- the must-show ------------------------------------------------------------------------


def test_is_delay_is_retried_later_and_never_stored_as_zero(campaign: Campaign) -> None:
    day = campaign.day
    campaign.clock(day + dt.timedelta(days=1), 8)  # before 10:00: yesterday not final
    delayed = _wechat(campaign, "shsmr_wechat", "getarticletotaldetail", day, day)
    assert delayed["is_delay"] is True and delayed["list"]
    unfinished = day.isoformat()

    first = campaign.cli("stats", "collect", "--until", day.isoformat(),
                         "--account", "shsmr_wechat", "--account", "shjc_wechat")

    assert first.exit_code == 0, first.output
    assert "尚未算完" in first.output and "is_delay" in first.output
    assert [d for _, d, _ in _stored(campaign) if d == unfinished] == []  # not a row of 0s

    campaign.clock(day + dt.timedelta(days=1), 11)
    final = _wechat(campaign, "shsmr_wechat", "getarticletotaldetail", day, day)
    assert final["is_delay"] is False

    again = campaign.cli("stats", "collect", "--until", day.isoformat(),
                         "--account", "shsmr_wechat", "--account", "shjc_wechat")

    assert again.exit_code == 0, again.output
    assert "尚未算完" not in again.output
    stored = [m for _, d, m in _stored(campaign) if d == unfinished]
    assert stored and all(m["reads"] > 0 for m in stored)
    reads = sorted(m["reads"] for m in stored)
    answered = sorted(_latest(r)["read_user"] for acc in ("shsmr_wechat", "shjc_wechat")
                      for r in _wechat(campaign, acc, "getarticletotaldetail", campaign.first,
                                       day)["list"])
    assert reads == answered


def test_report_totals_equal_what_the_platform_answered(campaign: Campaign,
                                                        tmp_path: Path) -> None:
    day = campaign.day
    campaign.clock(day + dt.timedelta(days=3), 12)  # the clock moved on three days
    until = day + dt.timedelta(days=2)

    collected = campaign.cli("stats", "collect", "--until", until.isoformat())
    assert collected.exit_code == 0, collected.output
    assert "完成" in collected.output
    # Weibo gives the follower total only: readings on the campaign day and the morning
    # after are in its window; a later one is not.
    first = _weibo_reading(campaign, dt.datetime.combine(day, dt.time(23, 59), BEIJING))
    last = _weibo_reading(campaign, dt.datetime.combine(day + dt.timedelta(days=1),
                                                        dt.time(10, 30), BEIJING))
    later = _weibo_reading(campaign, dt.datetime.combine(day + dt.timedelta(days=3),
                                                         dt.time(12), BEIJING))
    assert first < last < later
    campaign.clock(day + dt.timedelta(days=3), 12)
    out = tmp_path / "report"
    made = campaign.cli("report", "--out", str(out), "--date", "2022-06-24")
    assert made.exit_code == 0, made.output

    report = json.loads((out / "report.json").read_text("utf-8"))
    totals = {k: v["value"] for k, v in report["totals"].items()}
    rows = [r for acc in ("shsmr_wechat", "shjc_wechat")
            for r in _wechat(campaign, acc, "getarticletotaldetail", campaign.first,
                             day)["list"]]
    assert len(rows) == totals["wechat_articles"] > 0
    for key, field in (("wechat_reads", "read_user"), ("wechat_shares", "share_user"),
                       ("wechat_zaikan", "zaikan_user"), ("wechat_likes", "like_user"),
                       ("wechat_comments", "comment_count")):
        assert totals[key] == sum(_latest(r)[field] for r in rows), key
        assert report["totals"][key]["not_collected"] == []
    counts = _weibo_counts(campaign)
    assert totals["weibo_posts"] == len(counts)
    for key, field in (("weibo_reposts", "reposts"), ("weibo_comments", "comments"),
                       ("weibo_likes", "attitudes")):
        assert totals[key] == sum(c[field] for c in counts), key
    start = dt.date.fromisoformat(report["campaign"]["start"])
    end = dt.date.fromisoformat(report["campaign"]["end"])
    assert end == day
    gained = 0
    while start <= end:  # the campaign's days, in the API's spans of at most 7 days
        span = min(end, start + dt.timedelta(days=6))
        gained += sum(r["new_user"] for acc in ("shsmr_wechat", "shjc_wechat")
                      for r in _wechat(campaign, acc, "getusersummary", start, span)["list"])
        start = span + dt.timedelta(days=1)
    assert totals["followers_gained_wechat"] == gained
    weibo = report["totals"]["followers_gained_weibo"]
    assert weibo["value"] == last - first
    assert weibo["sums"] == [f"shsmr_weibo@{day}~{day + dt.timedelta(days=1)}"]
    assert totals["followers_gained"] == gained + last - first

    summary = report["summary"]
    assert 400 <= summary["han_characters"] <= 650, summary
    assert (f"新增关注{gained + last - first}人（微信公众号{gained}人、微博{last - first}人）"
            in "".join(summary["paragraphs"]))
    body = "\n".join(p.text for p in Document(str(out / "活动总结-初稿.docx")).paragraphs)
    assert str(totals["wechat_reads"]) in body.replace(",", "")
    assert (out / "活动总结-初稿.pdf").read_bytes().startswith(b"%PDF")
    coverage = (out / "覆盖情况.csv").read_text("utf-8-sig")
    assert "上海市检验检测认证协会" in coverage

    unit = campaign.cli("report", "--unit", "shjc", "--out", str(tmp_path / "shjc"))
    assert unit.exit_code == 0, unit.output
    narrowed = json.loads((tmp_path / "shjc" / "report.json").read_text("utf-8"))
    assert narrowed["reporting_unit"] == "上海市检验检测认证协会"
    assert narrowed["totals"]["weibo_posts"]["value"] == 0  # the association has no Weibo


@contextmanager
def unverified(campaign: Campaign, account_id: str) -> Iterator[None]:
    """The account as a not-verified Official Account (datacube answers 48001) meanwhile."""
    a = campaign.settings.accounts[account_id]
    spec = {"appid": a.appid, "secret": SECRETS[a.secret_name], "kind": a.kind}
    campaign.platform.add_wechat_account(WeChatAccountSpec(**spec, verified=False))
    try:
        yield
    finally:
        campaign.platform.add_wechat_account(WeChatAccountSpec(**spec))


def test_an_account_without_statistics_access_is_reported_once(campaign: Campaign) -> None:
    campaign.clock(campaign.day + dt.timedelta(days=3), 12)
    before = len(campaign.platform.calls("wechat"))

    with unverified(campaign, "shjc_wechat"):
        result = campaign.cli("stats", "collect", "--account", "shjc_wechat",
                              "--until", (campaign.day + dt.timedelta(days=2)).isoformat())

    assert result.exit_code == 3, result.output
    assert result.output.count("没有数据权限") == 1 and "48001" in result.output
    datacube = [c for c in campaign.platform.calls("wechat")[before:]
                if c["endpoint"].startswith("datacube/")]
    refused = [n for n, c in enumerate(datacube) if c["errcode"] == 48001]
    assert refused == [len(datacube) - 1]  # refused once; no retry loop, nothing asked after
    status = campaign.cli("status")  # staff who run no daemon see it there
    assert "统计数据无法获取｜" in status.output and "48001" in status.output

    again = campaign.cli("stats", "collect", "--account", "shjc_wechat",
                         "--until", (campaign.day + dt.timedelta(days=2)).isoformat())
    assert again.exit_code == 0, again.output  # verified again: the report is over
    assert "统计数据无法获取" not in campaign.cli("status").output


def test_the_daily_job_hands_unavailable_accounts_to_the_alert_hook(campaign: Campaign) -> None:
    seen: list[tuple[str, str]] = []
    store = open_store(campaign.settings)
    campaign.clock(campaign.day + dt.timedelta(days=3), 12)
    daemon = Daemon(campaign.settings, store, Channels(campaign.settings), stats=True,
                    on_stats_unavailable=lambda account, why: seen.append((account, why)),
                    now=lambda: campaign.at(campaign.day + dt.timedelta(days=3), 12))
    try:
        with unverified(campaign, "shjc_wechat"):
            daemon.collect_stats()
    finally:
        store.dispose()

    assert [account for account, _ in seen] == ["shjc_wechat"]
    assert "48001" in seen[0][1] and "认证" in seen[0][1]


def test_an_account_without_statistics_becomes_an_alert_until_figures_flow(
    campaign: Campaign
) -> None:
    from socialbot import attention
    from socialbot.alerts.model import AlertKind

    store = open_store(campaign.settings)
    daemon = Daemon(
        campaign.settings, store, Channels(campaign.settings), stats=True,
        on_stats_unavailable=lambda account, why: attention.report_stats_unavailable(
            store, account, why, dt.datetime(2022, 6, 12, 2, 30, tzinfo=dt.UTC)),
        on_stats_available=lambda account: attention.clear_stats_unavailable(store, account),
        now=lambda: campaign.at(campaign.day + dt.timedelta(days=3), 12))
    campaign.clock(campaign.day + dt.timedelta(days=3), 12)
    now = dt.datetime(2022, 6, 12, 3, 0, tzinfo=dt.UTC)
    try:
        with unverified(campaign, "shjc_wechat"):
            daemon.collect_stats()
        [found] = attention.stats_unavailable(campaign.settings, store, now)
        daemon.collect_stats()  # verified again: figures flow, the alert is over
        after = attention.stats_unavailable(campaign.settings, store, now)
    finally:
        store.dispose()
    assert found.kind is AlertKind.STATS_UNAVAILABLE and found.account_id == "shjc_wechat"
    assert found.reason.startswith("自 2022-06-12 10:30 起无法获取阅读、转发等统计数据：")
    assert "48001" in found.reason
    assert after == []


def test_a_later_answer_for_the_same_day_replaces_the_earlier_one(db) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2022, 6, 9)
    now = dt.datetime(2022, 6, 10, 3, tzinfo=dt.UTC)
    first = ItemDay(7, day, {"reads": 10}, "first", {"detail": {"read_user": 10}})
    final = ItemDay(7, day, {"reads": 12}, "final", {"detail": {"read_user": 12}})
    follow = ReachDay(day, {"followers_gained": 3, "followers_lost": 1}, "users", {"n": 1})

    reach_store.save(db, "wx_a", [first], [follow], now)
    reach_store.save(db, "wx_a", [final], [follow], now + dt.timedelta(hours=2))

    [row] = reach_store.delivery_rows(db)
    assert (row.key, row.day, row.metrics, row.source) == ("7", day, {"reads": 12}, "final")
    assert reach_store.raw_of(db, 7, day) == {"detail": {"read_user": 12}}
    [account] = reach_store.account_rows(db)
    assert account.key == "wx_a" and account.metrics["followers_gained"] == 3


def test_weibo_followers_gained_needs_two_readings_in_the_window(tmp_path: Path) -> None:
    from socialbot.reach_report import follower_spans
    from socialbot.report.load import load_figures
    from socialbot.report.summary import write_summary
    from socialbot.report.totals import digest
    from tests.report_figures import ACTIVITIES_FILE, UNITS, figures_data, write_figures

    figures = load_figures(write_figures(tmp_path / "figures.json",
                                         figures_data(units=UNITS[:2])), ACTIVITIES_FILE)
    weibo = [a.id for a in figures.accounts if a.platform == "weibo"]
    assert weibo  # Weibo has no daily movement: only what the readings give
    figures = replace(figures, account_days=tuple(d for d in figures.account_days
                                                  if d.account not in weibo))
    start, end = figures.campaign.start, figures.campaign.end
    at = dt.datetime(2022, 6, 30, tzinfo=dt.UTC)

    def reading(day: dt.date, total: int) -> reach_store.FigureRow:
        return reach_store.FigureRow(weibo[0], day, {"followers_total": total},
                                     f"users/show {day}", at)

    one = [reading(start - dt.timedelta(days=1), 100), reading(start, 120),
           reading(end + dt.timedelta(days=5), 900)]  # only one inside the window
    [span] = follower_spans(one, weibo[:1], start, end)
    assert (span.readings, span.gained) == (1, None)
    report = digest(replace(figures, follower_spans=(span,)))
    assert report.totals["followers_gained_weibo"].value is None
    assert report.totals["followers_gained_weibo"].missing == (span.id,)
    text = write_summary(report).body
    assert "关注人数采集不足两次，无法计算新增关注" in text
    assert "微博0人" not in text

    two = [*one, reading(end, 150)]
    [span] = follower_spans(sorted(two, key=lambda r: r.day), weibo[:1], start, end)
    assert span.gained is not None and span.gained.value == 30
    assert "150" in span.gained.source and "120" in span.gained.source
    report = digest(replace(figures, follower_spans=(span,)))
    assert report.totals["followers_gained_weibo"].value == 30
    wechat = report.totals["followers_gained_wechat"].value
    assert wechat is not None
    assert report.totals["followers_gained"].value == wechat + 30
    assert "采集不足两次" not in write_summary(report).body


class Clock:
    """The daemon's clock in a test: it says what it is set to."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


def test_the_daily_job_runs_at_1030_and_retries_delayed_data_three_times_a_day(
    campaign: Campaign
) -> None:
    from socialbot.scheduler import STATS_JOB, STATS_RETRY_JOB

    day = campaign.day + dt.timedelta(days=1)
    clock = Clock(dt.datetime.combine(day, dt.time(10, 30), BEIJING))
    store = open_store(campaign.settings)
    daemon = Daemon(campaign.settings, store, Channels(campaign.settings), stats=True,
                    now=clock)

    def run_retry() -> dt.datetime | None:
        """Run the planned retry (as the scheduler would at its time); when was it due?"""
        job = daemon.scheduler.get_job(STATS_RETRY_JOB)
        if job is None:
            return None
        daemon.scheduler.remove_job(STATS_RETRY_JOB)
        clock.at = job.trigger.run_date
        job.func(*job.args, **job.kwargs)
        return clock.at

    try:
        daemon.add_jobs(clock.at)  # registered, not started: no signal handlers, no loop
        cron = daemon.scheduler.get_job(STATS_JOB)
        assert cron.func == daemon.collect_stats
        before = dt.datetime.combine(day, dt.time(9), BEIJING)
        assert cron.trigger.get_next_fire_time(None, before) == clock.at
        assert (cron.trigger.get_next_fire_time(None, clock.at + dt.timedelta(minutes=1))
                == clock.at + dt.timedelta(days=1))

        campaign.clock(day, 8)  # the platform has not finished yesterday (is_delay)
        cron.func()
        retries = [run_retry() for _ in range(4)]
        hours = [r.astimezone(BEIJING).hour if r else None for r in retries]
        assert hours == [12, 14, 16, None]  # every 2 hours, three times, then no more today

        clock.at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(10, 30), BEIJING)
        campaign.clock(day + dt.timedelta(days=1), 8)  # delayed again: a new day, retries again
        cron.func()
        assert daemon.scheduler.get_job(STATS_RETRY_JOB) is not None
        daemon.scheduler.remove_job(STATS_RETRY_JOB)

        campaign.clock(day + dt.timedelta(days=1), 11)  # final: nothing to retry
        cron.func()
        assert daemon.scheduler.get_job(STATS_RETRY_JOB) is None
    finally:
        store.dispose()


def test_follower_days_already_stored_are_not_asked_again(campaign: Campaign) -> None:
    campaign.clock(campaign.day + dt.timedelta(days=1), 12)
    wechat = ["--account", "shsmr_wechat", "--account", "shjc_wechat"]

    def user_calls(since: dt.date, until: dt.date) -> list[str]:
        before = len(campaign.platform.calls("wechat"))
        done = campaign.cli("stats", "collect", "--since", since.isoformat(),
                            "--until", until.isoformat(), *wechat)
        assert done.exit_code == 0, done.output
        return [c["endpoint"] for c in campaign.platform.calls("wechat")[before:]
                if c["endpoint"] in ("datacube/getusersummary", "datacube/getusercumulate")]

    # Days long before the campaign: nothing stored for them yet.
    until = campaign.day - dt.timedelta(days=40)
    since = until - dt.timedelta(days=29)
    first = user_calls(since, until)
    assert len(first) == 2 * 2 * 5  # two accounts, two APIs, 30 days in spans of 7

    assert user_calls(since, until) == []  # the same range again: every day is stored
    one_more = user_calls(since, until + dt.timedelta(days=1))
    assert len(one_more) == 2 * 2  # only the new day
    store = open_store(campaign.settings)
    try:
        rows = reach_store.account_rows(store)
    finally:
        store.dispose()
    days = {r.day for r in rows
            if r.key == "shsmr_wechat" and since <= r.day <= until + dt.timedelta(days=1)}
    assert len(days) == 31  # and nothing was lost by not asking


def test_follower_spans_cover_only_the_missing_days() -> None:
    from socialbot.platforms.wechat.stats import _spans

    d = dt.date(2022, 6, 1)

    def days(*n: int) -> frozenset[dt.date]:
        return frozenset(d + dt.timedelta(days=i) for i in n)

    def spans(until: int, stored: frozenset[dt.date]) -> list[tuple[int, int]]:
        return [((a - d).days, (b - d).days)
                for a, b in _spans(d, d + dt.timedelta(days=until), stored)]

    assert spans(29, frozenset()) == [(0, 6), (7, 13), (14, 20), (21, 27), (28, 29)]
    assert spans(29, days(*range(30))) == []
    assert spans(29, days(*range(29))) == [(29, 29)]  # the daily run: one new day
    assert spans(29, days(*range(3, 29))) == [(0, 2), (29, 29)]  # 3 delayed days, not 30
    # A span may run over stored days between missing ones: as few calls either way.
    assert spans(9, days(1, 2, 3, 4, 5)) == [(0, 6), (7, 9)]
