"""Statistics endpoints: WeChat datacube and Weibo ``statuses/count`` / ``users/show``.

Figures are made up but deterministic: they follow from what was published (article and
status ids, publish time) and the practice clock, so a test can move the clock on and
know the answer will be the same every run. Rules the bot must respect are enforced:
``end_date`` at most yesterday (61501 otherwise), at most 7 days for the user APIs,
48001 for an account that is not verified, and ``is_delay: true`` with unfinished
figures for yesterday while it is before 10:00 on the platform clock.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from typing import Any

from socialbot_practice.accounts import WeChatAccount
from socialbot_practice.clock import local
from socialbot_practice.errors import WeChatError, WeiboError
from socialbot_practice.protocol import Reply, Request
from socialbot_practice.state import SandboxState
from socialbot_practice.wechat_draft import body_json
from socialbot_practice.weibo_auth import authorize

READY_HOUR = 10  # yesterday's data is final from 10:00 (Beijing) on
USER_SPAN = 7
ARTICLE_WINDOW = 30
COUNT_IDS_MAX = 100
DAY_ONE = date(2020, 1, 1)  # follower totals count from here


def _seed(text: str, low: int, span: int) -> int:
    return low + zlib.crc32(text.encode()) % span


def _today(state: SandboxState) -> date:
    return local(state.clock.timestamp()).date()


def _delay(state: SandboxState, end: date) -> bool:
    """Is ``end`` (yesterday) still being computed on the platform clock?"""
    now = local(state.clock.timestamp())
    return end == now.date() - timedelta(days=1) and now.hour < READY_HOUR


def _range(state: SandboxState, req: Request, account: WeChatAccount,
           span: int | None) -> tuple[date, date]:
    if not account.spec.verified:
        raise WeChatError(48001, "api unauthorized")
    data = body_json(req)
    try:
        begin = date.fromisoformat(str(data.get("begin_date")))
        end = date.fromisoformat(str(data.get("end_date")))
    except ValueError as exc:
        raise WeChatError(47001, "data format error") from exc
    if end < begin or end >= _today(state) or (span and (end - begin).days >= span):
        raise WeChatError(61501, "date range error")
    return begin, end


def article_reads(msgid: str, days: int) -> int:
    """Cumulative reads of article ``msgid`` over its first ``days`` days (day 1 = publish day)."""
    base = _seed(msgid, 40, 160)
    return sum(base // k for k in range(1, days + 1))


def _detail(msgid: str, days: int, partial: bool) -> dict[str, Any]:
    reads = article_reads(msgid, days)
    if partial:  # the last day only half counted, as an unfinished day would be
        reads -= (article_reads(msgid, days) - article_reads(msgid, days - 1)) // 2
    return {"read_user": reads, "read_user_source": [{"scene_desc": "全部", "user_count": reads}],
            "share_user": reads // 10, "zaikan_user": reads // 25, "like_user": reads // 20,
            "comment_count": reads // 50, "collection_user": reads // 30}


def getarticletotaldetail(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST datacube/getarticletotaldetail: articles published in [begin, end], per stat day."""
    begin, end = _range(state, req, account, None)
    yesterday = _today(state) - timedelta(days=1)
    delay = _delay(state, yesterday)
    rows = []
    for page in state.articles.values():
        published = local(page["timestamp"]).date()
        if page["account"] != account.key or page["deleted"] or not begin <= published <= end:
            continue
        last = min(yesterday, published + timedelta(days=ARTICLE_WINDOW - 1))
        for idx, article in enumerate(page["articles"], start=1):
            msgid = f"{page['msg_data_id']}_{idx}"
            details = []
            day = published
            while day <= last:
                n = (day - published).days + 1
                details.append({"stat_date": day.isoformat(),
                                **_detail(msgid, n, delay and day == yesterday)})
                day += timedelta(days=1)
            rows.append({"ref_date": published.isoformat(), "msgid": msgid,
                         "publish_type": 0 if page["kind"] == "mass" else 1,
                         "title": article["title"], "content_url": article.get("url", ""),
                         "detail_list": details})
    return Reply.json({"list": rows, "is_delay": delay})


def _published_on(state: SandboxState, account: WeChatAccount) -> dict[date, int]:
    counts: dict[date, int] = {}
    for page in state.articles.values():
        if page["account"] == account.key:
            day = local(page["timestamp"]).date()
            counts[day] = counts.get(day, 0) + len(page["articles"])
    return counts


def _moves(day: date, published: dict[date, int]) -> tuple[int, int]:
    """(new, cancelled) followers on ``day``: a few a day, more when something was published."""
    return 2 + 3 * published.get(day, 0), day.toordinal() % 2


def getusersummary(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST datacube/getusersummary: new and cancelled followers per day (at most 7 days)."""
    begin, end = _range(state, req, account, USER_SPAN)
    published = _published_on(state, account)
    rows = []
    day = begin
    while day <= end:
        new, cancel = _moves(day, published)
        rows.append({"ref_date": day.isoformat(), "user_source": 0, "new_user": new,
                     "cancel_user": cancel})
        day += timedelta(days=1)
    return Reply.json({"list": rows})


def getusercumulate(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST datacube/getusercumulate: the follower total at the end of each day."""
    begin, end = _range(state, req, account, USER_SPAN)
    published = _published_on(state, account)
    total = len(account.spec.followers or [])
    rows = []
    day = DAY_ONE
    while day <= end:
        new, cancel = _moves(day, published)
        total += new - cancel
        if day >= begin:
            rows.append({"ref_date": day.isoformat(), "cumulate_user": total})
        day += timedelta(days=1)
    return Reply.json({"list": rows})


# -- Weibo ------------------------------------------------------------------------------


def status_counts(post: dict[str, Any], now: float) -> dict[str, int]:
    """Reposts, comments and likes of a status as they stand at ``now``."""
    days = max(0, int((now - post["timestamp"]) // 86400)) + 1
    base = _seed(str(post["idstr"]), 5, 37)
    return {"reposts": base * days // 2, "comments": base * days // 3, "attitudes": base * days}


def statuses_count(state: SandboxState, req: Request) -> Reply:
    """GET 2/statuses/count.json?ids=a,b: counts of up to 100 statuses (any user's)."""
    authorize(state, req)
    ids = [i for i in req.query.get("ids", "").split(",") if i.strip()]
    if not ids or len(ids) > COUNT_IDS_MAX:
        raise WeiboError(10017, "parameter (ids)'s value invalid")
    posts = {p["idstr"]: p for a in state.weibo.values() for p in a.posts}
    now = state.clock.timestamp()
    rows = [{"id": int(i), "idstr": i, **status_counts(posts[i], now)}
            for i in ids if i in posts]
    return Reply.json(rows)


def weibo_followers(base: int, posts: list[dict[str, Any]], now: float) -> int:
    """The follower total at ``now``: each post brings 2 at once and 1 on each of the
    seven (Beijing) days after, so readings on different days differ as real ones would."""
    today = local(now).date()
    return base + sum(2 + min(7, max(0, (today - local(p["timestamp"]).date()).days))
                      for p in posts)


def users_show(state: SandboxState, req: Request) -> Reply:
    """GET 2/users/show.json?uid=: the profile, with followers_count."""
    authorize(state, req)
    now = state.clock.timestamp()
    uid = req.query.get("uid", "")
    for account in state.weibo.values():
        if account.spec.uid == uid:
            return Reply.json({"id": int(uid) if uid.isdigit() else uid, "idstr": uid,
                               "screen_name": account.spec.screen_name,
                               "followers_count": weibo_followers(account.spec.followers,
                                                                  account.posts, now)})
    raise WeiboError(20003, "User does not exists!", status=400)
