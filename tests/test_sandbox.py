"""The practice platform over real loopback HTTP: each platform rule and each injected fault.

One server for the module (fast); every test starts from an empty platform on a fixed,
frozen clock so quota days and months never roll over by accident.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from PIL import Image

from socialbot_practice import PracticePlatform, WeChatAccountSpec, WeiboAccountSpec

APPID, SECRET = "wxsandbox0001", "practice-secret"
SERVICE_APPID = "wxsandbox0002"
WEIBO_TOKEN, WEIBO_UID = "weibo-practice-token", "1234567890"
START = datetime(2022, 6, 8, 9, 0, 0)  # a Wednesday, Asia/Shanghai
SITE = "https://scjgj.sh.gov.cn/xxgk/2022/notice.html"
TIMEOUT = 5


# images ---------------------------------------------------------------------------------


def image_bytes(size: tuple[int, int] = (900, 500), fmt: str = "JPEG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (40, 110, 220)).save(buf, fmt)
    return buf.getvalue()


def noisy_png(side: int) -> bytes:
    """A PNG that cannot compress: side=700 gives about 1.5 MB."""
    buf = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buf, "PNG")
    return buf.getvalue()


# fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[PracticePlatform]:
    platform = PracticePlatform(port=0).start()
    yield platform
    platform.stop()


@pytest.fixture
def sandbox(server: PracticePlatform) -> Iterator[PracticePlatform]:
    server.reset(drop_accounts=True)
    server.set_clock(START, frozen=True)
    server.add_wechat_account(
        WeChatAccountSpec(
            appid=APPID,
            secret=SECRET,
            name="上海市场监管",
            followers=["o_user_1", "o_user_2", "o_user_3"],
            tags={100: ["o_user_1", "o_user_2"]},
        )
    )
    server.add_wechat_account(WeChatAccountSpec(appid=SERVICE_APPID, secret=SECRET, kind="service"))
    server.add_weibo_account(
        WeiboAccountSpec(
            token=WEIBO_TOKEN,
            uid=WEIBO_UID,
            screen_name="上海市场监管",
            safe_domains=["sh.gov.cn"],
        )
    )
    yield server
    server.reset(drop_accounts=True)


# WeChat helpers -----------------------------------------------------------------------


def wx_token(
    p: PracticePlatform, appid: str = APPID, secret: str = SECRET, **extra: Any
) -> dict[str, Any]:
    body = {"grant_type": "client_credential", "appid": appid, "secret": secret, **extra}
    r = requests.post(
        f"{p.wechat_base}/cgi-bin/stable_token", data=json.dumps(body), timeout=TIMEOUT
    )
    return r.json()  # type: ignore[no-any-return]


def token(p: PracticePlatform, appid: str = APPID) -> str:
    return str(wx_token(p, appid)["access_token"])


def wx(p: PracticePlatform, endpoint: str, tok: str, data: Any = None, **kw: Any) -> dict[str, Any]:
    """POST a JSON body the way the bot does (UTF-8, ensure_ascii=False)."""
    body = json.dumps(data or {}, ensure_ascii=False).encode("utf-8")
    r = requests.post(
        f"{p.wechat_base}/cgi-bin/{endpoint}",
        params={"access_token": tok},
        data=body,
        timeout=TIMEOUT,
        **kw,
    )
    return r.json()  # type: ignore[no-any-return]


def count(p: PracticePlatform, tok: str) -> dict[str, Any]:
    """GET cgi-bin/draft/count: a cheap authenticated call to test a token."""
    r = requests.get(
        f"{p.wechat_base}/cgi-bin/draft/count", params={"access_token": tok}, timeout=TIMEOUT
    )
    return r.json()  # type: ignore[no-any-return]


def upload(
    p: PracticePlatform, endpoint: str, tok: str, data: bytes, **params: str
) -> dict[str, Any]:
    r = requests.post(
        f"{p.wechat_base}/cgi-bin/{endpoint}",
        params={"access_token": tok, **params},
        files={"media": ("cover.jpg", data, "image/jpeg")},
        timeout=TIMEOUT,
    )
    return r.json()  # type: ignore[no-any-return]


def cover(p: PracticePlatform, tok: str) -> str:
    return str(upload(p, "material/add_material", tok, image_bytes(), type="image")["media_id"])


def article(thumb: str, **fields: Any) -> dict[str, Any]:
    base = {
        "title": "世界认可日：认可促进可持续发展",
        "author": "市场监管局",
        "digest": "6月9日是世界认可日。",
        "content": "<p>正文</p>",
        "thumb_media_id": thumb,
        "pic_crop_235_1": "0_0.117_1_0.883",  # 900x383 of a 900x500 cover
        "pic_crop_1_1": "0.2222_0_0.7778_1",  # 500x500
    }
    base.update(fields)
    return base


def draft(p: PracticePlatform, tok: str, **fields: Any) -> str:
    result = wx(p, "draft/add", tok, {"articles": [article(cover(p, tok), **fields)]})
    assert "media_id" in result, result
    return str(result["media_id"])


def sendall(p: PracticePlatform, tok: str, media_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "filter": {"is_to_all": True},
        "msgtype": "mpnews",
        "mpnews": {"media_id": media_id},
        "send_ignore_reprint": 0,
        **extra,
    }
    return wx(p, "message/mass/sendall", tok, body)


# Weibo helpers ------------------------------------------------------------------------


def share(
    p: PracticePlatform, status: str, pic: bytes | None = None, **extra: str
) -> requests.Response:
    data = {"access_token": WEIBO_TOKEN, "status": status, "rip": "203.0.113.9", **extra}
    files = {"pic": ("card.jpg", pic, "image/jpeg")} if pic is not None else None
    return requests.post(
        f"{p.weibo_base}/2/statuses/share.json", data=data, files=files, timeout=TIMEOUT
    )


def weibo_error(r: requests.Response) -> int:
    assert r.status_code >= 400, r.text
    return int(r.json()["error_code"])


# WeChat: tokens -----------------------------------------------------------------------


def test_stable_token_is_shared_while_valid_and_renewed_near_expiry(
    sandbox: PracticePlatform,
) -> None:
    first = wx_token(sandbox)
    assert first["expires_in"] == 7200
    assert wx_token(sandbox)["access_token"] == first["access_token"]
    sandbox.advance(7200 - 299)  # under 5 minutes left: a new token, the old one still works
    second = wx_token(sandbox)["access_token"]
    assert second != first["access_token"]
    assert count(sandbox, first["access_token"])["total_count"] == 0
    sandbox.advance(300)
    assert count(sandbox, first["access_token"])["errcode"] == 42001
    assert "rid:" in count(sandbox, first["access_token"])["errmsg"]
    assert count(sandbox, second)["total_count"] == 0


def test_force_refresh_is_limited(sandbox: PracticePlatform) -> None:
    old = token(sandbox)
    new = wx_token(sandbox, force_refresh=True)["access_token"]
    assert new != old
    assert count(sandbox, old)["errcode"] == 40001  # invalidated at once
    assert wx_token(sandbox, force_refresh=True)["errcode"] == 45011  # < 30 s apart
    for _ in range(19):
        sandbox.advance(31)
        assert "access_token" in wx_token(sandbox, force_refresh=True)
    sandbox.advance(31)
    assert wx_token(sandbox, force_refresh=True)["errcode"] == 45009  # 21st today
    sandbox.advance(24 * 3600)
    assert "access_token" in wx_token(sandbox, force_refresh=True)


def test_token_credentials_and_missing_token(sandbox: PracticePlatform) -> None:
    assert wx_token(sandbox, appid="wxunknown")["errcode"] == 40013
    assert wx_token(sandbox, secret="wrong")["errcode"] == 40125
    r = requests.get(f"{sandbox.wechat_base}/cgi-bin/draft/count", timeout=TIMEOUT)
    assert r.json()["errcode"] == 41001
    assert count(sandbox, "not-a-token")["errcode"] == 40001


def test_legacy_token_keeps_the_previous_one_for_five_minutes(sandbox: PracticePlatform) -> None:
    params = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    url = f"{sandbox.wechat_base}/cgi-bin/token"
    first = requests.get(url, params=params, timeout=TIMEOUT).json()["access_token"]
    second = requests.get(url, params=params, timeout=TIMEOUT).json()["access_token"]
    assert first != second
    assert count(sandbox, first)["total_count"] == 0
    sandbox.advance(301)
    assert count(sandbox, first)["errcode"] == 40001
    assert count(sandbox, second)["total_count"] == 0


def test_ip_whitelist(sandbox: PracticePlatform) -> None:
    sandbox.add_wechat_account(
        WeChatAccountSpec(appid="wxwhitelist", secret=SECRET, ip_whitelist=["203.0.113.1"])
    )
    result = wx_token(sandbox, appid="wxwhitelist")
    assert result["errcode"] == 40164
    assert "invalid ip 127.0.0.1" in result["errmsg"]
    sandbox.add_wechat_account(
        WeChatAccountSpec(appid="wxwhitelist", secret=SECRET, ip_whitelist=["127.0.0.1"])
    )
    assert "access_token" in wx_token(sandbox, appid="wxwhitelist")


def test_token_fetches_are_counted_in_calls(sandbox: PracticePlatform) -> None:
    token(sandbox)
    token(sandbox)
    fetches = [c for c in sandbox.calls("wechat") if c["endpoint"] == "cgi-bin/stable_token"]
    assert len(fetches) == 2
    assert all(c["account"] == APPID and c["errcode"] == 0 for c in fetches)


# WeChat: media and drafts ---------------------------------------------------------------


def test_uploadimg_type_and_size(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    assert upload(sandbox, "media/uploadimg", tok, image_bytes(fmt="GIF"))["errcode"] == 40005
    assert upload(sandbox, "media/uploadimg", tok, noisy_png(700))["errcode"] == 40009
    data = image_bytes()
    first = upload(sandbox, "media/uploadimg", tok, data)["url"]
    second = upload(sandbox, "media/uploadimg", tok, data)["url"]
    assert first != second and first.startswith(f"{sandbox.url}/mmbiz/")
    assert requests.get(first, timeout=TIMEOUT).content == data
    # add_material takes GIF and bigger images
    assert "media_id" in upload(
        sandbox, "material/add_material", tok, image_bytes(fmt="GIF"), type="image"
    )


@pytest.mark.parametrize(
    ("fields", "errcode"),
    [
        ({"title": "题" * 33}, 45003),
        ({"author": "作" * 17}, 45110),
        ({"digest": "摘" * 129}, 45004),
        ({"content": "字" * 20001}, 45002),
        ({"thumb_media_id": "temporary-media-id"}, 40007),
        ({"pic_crop_235_1": "0_0_1_1"}, 40097),  # 900x500 is not 2.35:1
        ({"pic_crop_1_1": "0.5_0_0.4_1"}, 40097),  # x1 > x2
    ],
)
def test_draft_add_limits(sandbox: PracticePlatform, fields: dict[str, Any], errcode: int) -> None:
    tok = token(sandbox)
    assert (
        wx(sandbox, "draft/add", tok, {"articles": [article(cover(sandbox, tok), **fields)]})[
            "errcode"
        ]
        == errcode
    )


def test_draft_add_accepts_limits_exactly_and_counts_articles(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    thumb = cover(sandbox, tok)
    ok = article(thumb, title="题" * 32, author="作" * 16, digest="摘" * 128)
    assert "media_id" in wx(sandbox, "draft/add", tok, {"articles": [ok]})
    assert wx(sandbox, "draft/add", tok, {"articles": [ok] * 9})["errcode"] == 45008
    assert wx(sandbox, "draft/add", tok, {"articles": []})["errcode"] == 44003
    assert count(sandbox, tok)["total_count"] == 1


def test_draft_add_rejects_unicode_escapes(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    body = json.dumps({"articles": [article(cover(sandbox, tok))]}, ensure_ascii=True)
    r = requests.post(
        f"{sandbox.wechat_base}/cgi-bin/draft/add",
        params={"access_token": tok},
        data=body,
        timeout=TIMEOUT,
    )
    assert r.json()["errcode"] == 40033


def test_draft_content_drops_foreign_images_and_scripts(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    own = upload(sandbox, "media/uploadimg", tok, image_bytes())["url"]
    content = f'<p>正文</p><img src="{own}"><img src="https://example.com/x.png"><script>alert(1)</script>'
    media_id = draft(sandbox, tok, content=content)
    stored = wx(sandbox, "draft/get", tok, {"media_id": media_id})["news_item"][0]["content"]
    assert own in stored
    assert "example.com" not in stored and "<script" not in stored
    warnings = sandbox.drafts(APPID)[0]["articles"][0]["warnings"]
    assert any("example.com" in w for w in warnings)
    assert wx(sandbox, "draft/delete", tok, {"media_id": media_id})["errcode"] == 0
    assert wx(sandbox, "draft/get", tok, {"media_id": media_id})["errcode"] == 40007


# WeChat: mass send and publish ------------------------------------------------------------


def test_subscription_account_sends_once_per_day(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    first = draft(sandbox, tok)
    sent = sendall(sandbox, tok, first)
    assert sent["errcode"] == 0 and sent["errmsg"] == "send job submission success"
    assert isinstance(sent["msg_id"], int) and isinstance(sent["msg_data_id"], int)
    assert sendall(sandbox, tok, first)["errcode"] == 40007  # the draft left the draft box
    assert sendall(sandbox, tok, draft(sandbox, tok))["errcode"] == 45028
    sandbox.advance(24 * 3600)
    tok = token(sandbox)  # the old one expired meanwhile
    assert sendall(sandbox, tok, draft(sandbox, tok))["errcode"] == 0
    received = sandbox.received(APPID)
    assert [r["recipients"] for r in received] == [3, 3]
    assert received[0]["title"] == "世界认可日：认可促进可持续发展"
    assert received[0]["cover"].startswith(f"{sandbox.url}/mmbiz/")
    assert received[0]["crops"]["pic_crop_1_1"] == "0.2222_0_0.7778_1"
    status = wx(sandbox, "message/mass/get", tok, {"msg_id": sent["msg_id"]})
    assert status["msg_status"] == "SEND_SUCCESS"
    assert wx(sandbox, "message/mass/get", tok, {"msg_id": 1})["errcode"] == 40059


def test_service_account_has_four_sends_to_all_per_month(sandbox: PracticePlatform) -> None:
    tok = token(sandbox, SERVICE_APPID)
    for _ in range(4):
        assert sendall(sandbox, tok, draft(sandbox, tok))["errcode"] == 0
    assert sendall(sandbox, tok, draft(sandbox, tok))["errcode"] == 45028
    sandbox.set_clock(datetime(2022, 7, 1, 9, 0), frozen=True)
    tok = token(sandbox, SERVICE_APPID)
    assert sendall(sandbox, tok, draft(sandbox, tok))["errcode"] == 0


def test_send_to_a_tag_reaches_only_its_followers(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    sent = sendall(sandbox, tok, draft(sandbox, tok), filter={"is_to_all": False, "tag_id": 100})
    assert sent["errcode"] == 0
    assert sandbox.received(APPID)[0]["recipients"] == 2


def test_clientmsgid_is_deduplicated_for_24_hours(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    first = sendall(sandbox, tok, draft(sandbox, tok), clientmsgid="post-42-wechat")
    again = sendall(sandbox, tok, draft(sandbox, tok), clientmsgid="post-42-wechat")
    assert again["errcode"] == 45065 and again["msg_id"] == first["msg_id"]
    assert sendall(sandbox, tok, draft(sandbox, tok), clientmsgid="x" * 65)["errcode"] == 45067
    sandbox.advance(24 * 3600 + 1)
    tok = token(sandbox)
    assert sendall(sandbox, tok, draft(sandbox, tok), clientmsgid="post-42-wechat")["errcode"] == 0


def test_preview_reaches_one_user_and_keeps_the_draft(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    media_id = draft(sandbox, tok)
    body = {"touser": "o_user_1", "msgtype": "mpnews", "mpnews": {"media_id": media_id}}
    assert wx(sandbox, "message/mass/preview", tok, body)["errcode"] == 0
    assert sandbox.previews(APPID)[0]["to"] == "o_user_1"
    assert sandbox.received(APPID) == []
    assert count(sandbox, tok)["total_count"] == 1


def test_mass_requests_are_limited_per_minute(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    codes = [sendall(sandbox, tok, "no-such-draft")["errcode"] for _ in range(61)]
    assert codes[:60] == [40007] * 60 and codes[60] == 45011


def test_freepublish_progresses_and_does_not_notify(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    submitted = wx(sandbox, "freepublish/submit", tok, {"media_id": draft(sandbox, tok)})
    assert submitted["errcode"] == 0
    publish_id = submitted["publish_id"]
    assert count(sandbox, tok)["total_count"] == 0
    assert wx(sandbox, "freepublish/get", tok, {"publish_id": publish_id})["publish_status"] == 1
    done = wx(sandbox, "freepublish/get", tok, {"publish_id": publish_id})
    assert done["publish_status"] == 0 and done["article_id"]
    url = done["article_detail"]["item"][0]["article_url"]
    assert url == f"{sandbox.url}/s/{done['article_id']}"
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200 and "世界认可日" in page.text
    assert sandbox.received(APPID) == []
    assert sandbox.published(APPID)[0]["publish_status"] == 0


def test_freepublish_can_be_made_to_fail(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    sandbox.inject("wechat", "freepublish/submit", "publish_status", status=3, fail_idx=[1])
    publish_id = wx(sandbox, "freepublish/submit", tok, {"media_id": draft(sandbox, tok)})[
        "publish_id"
    ]
    wx(sandbox, "freepublish/get", tok, {"publish_id": publish_id})
    result = wx(sandbox, "freepublish/get", tok, {"publish_id": publish_id})
    assert result["publish_status"] == 3 and result["fail_idx"] == [1]


# Weibo ----------------------------------------------------------------------------------


def test_weibo_token_info_and_expiry(sandbox: PracticePlatform) -> None:
    url = f"{sandbox.weibo_base}/oauth2/get_token_info"
    info = requests.post(url, data={"access_token": WEIBO_TOKEN}, timeout=TIMEOUT).json()
    assert info["uid"] == int(WEIBO_UID) and info["expire_in"] == 157679471
    sandbox.advance(157679471)
    expired = requests.post(url, data={"access_token": WEIBO_TOKEN}, timeout=TIMEOUT)
    assert expired.status_code == 400 and expired.json()["error_code"] == 21327
    assert weibo_error(share(sandbox, f"通知 {SITE}")) == 21327
    invalid = requests.post(url, data={"access_token": "nope"}, timeout=TIMEOUT)
    assert invalid.json()["error_code"] == 21332


def test_weibo_share_success(sandbox: PracticePlatform) -> None:
    pic = image_bytes()
    r = share(sandbox, f"6月9日世界认可日 {SITE}", pic=pic)
    assert r.status_code == 200, r.text
    status = r.json()
    assert status["idstr"] == str(status["id"]) and status["user"]["idstr"] == WEIBO_UID
    assert status["created_at"] == "Wed Jun 08 09:00:00 +0800 2022"
    assert "http://t.cn/" in status["text"]  # Weibo shortens links
    assert requests.get(status["original_pic"], timeout=TIMEOUT).content == pic
    [post] = sandbox.received(WEIBO_UID)
    assert post["idstr"] == status["idstr"] and post["text"] == f"6月9日世界认可日 {SITE}"
    assert len(post["pic_sha256"]) == 64


@pytest.mark.parametrize(
    ("status", "extra", "code"),
    [
        ("字" * 141 + f" {SITE}", {}, 20012),
        ("没有链接的微博", {}, 10017),
        ("链接不在安全域名 https://example.com/a", {}, 10017),
        (f"#世界认可日# 话题 {SITE}", {}, 10008),
        ("", {}, 20008),
        (f"缺少 rip {SITE}", {"rip": ""}, 10016),
    ],
)
def test_weibo_share_rules(
    sandbox: PracticePlatform, status: str, extra: dict[str, str], code: int
) -> None:
    r = share(sandbox, status, **extra)
    assert r.status_code == 400
    assert r.json() == {
        "request": "/2/statuses/share.json",
        "error_code": str(code),
        "error": r.json()["error"],
    }
    assert weibo_error(r) == code


def test_weibo_subdomain_and_140_characters_pass(sandbox: PracticePlatform) -> None:
    # 130 full-width characters + a long link counted as 10: exactly 140
    assert share(sandbox, "字" * 129 + f" {SITE}").status_code == 200


def test_weibo_pictures(sandbox: PracticePlatform) -> None:
    assert weibo_error(share(sandbox, f"图 {SITE}", pic=image_bytes(fmt="BMP"))) == 20005
    too_big = b"\xff\xd8\xff" + os.urandom(5 * 1024 * 1024)
    assert weibo_error(share(sandbox, f"图 {SITE}", pic=too_big)) == 20006


def test_weibo_repeat_and_hourly_limit(sandbox: PracticePlatform) -> None:
    assert share(sandbox, f"第 0 条 {SITE}").status_code == 200
    assert weibo_error(share(sandbox, f"第 0 条 {SITE}")) == 20019
    for n in range(1, 30):
        assert share(sandbox, f"第 {n} 条 {SITE}").status_code == 200
    assert weibo_error(share(sandbox, f"第 30 条 {SITE}")) == 20016
    sandbox.advance(3600)
    assert share(sandbox, f"第 30 条 {SITE}").status_code == 200


def test_weibo_timeline_and_retired_endpoints(sandbox: PracticePlatform) -> None:
    share(sandbox, f"第一条 {SITE}")
    sandbox.advance(60)
    share(sandbox, f"第二条 {SITE}")
    timeline = requests.get(
        f"{sandbox.weibo_base}/2/statuses/user_timeline.json",
        params={"access_token": WEIBO_TOKEN, "count": 5},
        timeout=TIMEOUT,
    ).json()
    assert [s["text"][:3] for s in timeline["statuses"]] == ["第二条", "第一条"]
    for retired in ("update", "upload"):
        r = requests.post(
            f"{sandbox.weibo_base}/2/statuses/{retired}.json",
            data={"access_token": WEIBO_TOKEN, "status": "x"},
            timeout=TIMEOUT,
        )
        assert weibo_error(r) == 10014


# faults ---------------------------------------------------------------------------------


def test_error_fault_answers_without_acting(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    media_id = draft(sandbox, tok)
    sandbox.inject(
        "wechat",
        "message/mass/sendall",
        "error",
        errcode=45065,
        errmsg="clientmsgid exist",
        msg_id=77,
    )
    answer = sendall(sandbox, tok, media_id)
    assert answer["errcode"] == 45065 and answer["msg_id"] == 77 and "rid:" in answer["errmsg"]
    assert sandbox.received(APPID) == []
    assert sendall(sandbox, tok, media_id)["errcode"] == 0  # times=1: used up
    sandbox.inject("weibo", "statuses/share.json", "error", error_code=20016, error="out of limit!")
    assert weibo_error(share(sandbox, f"x {SITE}")) == 20016
    assert sandbox.received(WEIBO_UID) == []


def test_http_500_and_garbage(sandbox: PracticePlatform) -> None:
    sandbox.inject("wechat", "stable_token", "http_500")
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    url = f"{sandbox.wechat_base}/cgi-bin/stable_token"
    r = requests.post(url, data=json.dumps(body), timeout=TIMEOUT)
    assert r.status_code == 500 and "<html>" in r.text
    sandbox.inject("wechat", "stable_token", "garbage")
    r = requests.post(url, data=json.dumps(body), timeout=TIMEOUT)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    assert [c["fault"] for c in sandbox.calls("wechat")] == ["http_500", "garbage"]


def test_timeout_and_drop_do_not_act(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    media_id = draft(sandbox, tok)
    sandbox.inject("wechat", "sendall", "timeout", seconds=1)
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{sandbox.wechat_base}/cgi-bin/message/mass/sendall",
            params={"access_token": tok},
            data=json.dumps(
                {
                    "filter": {"is_to_all": True},
                    "msgtype": "mpnews",
                    "mpnews": {"media_id": media_id},
                }
            ),
            timeout=0.3,
        )
    sandbox.inject("wechat", "sendall", "drop")
    with pytest.raises(requests.ConnectionError):
        sendall(sandbox, tok, media_id)
    assert sandbox.received(APPID) == []
    assert sendall(sandbox, tok, media_id)["errcode"] == 0


def test_drop_after_commit_sends_exactly_once(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    sandbox.inject("wechat", "message/mass/sendall", "drop_after_commit")
    with pytest.raises(requests.ConnectionError):
        sendall(sandbox, tok, draft(sandbox, tok), clientmsgid="post-7")
    [delivered] = sandbox.received(APPID)
    retry = sendall(sandbox, tok, draft(sandbox, tok), clientmsgid="post-7")
    assert retry["errcode"] == 45065 and retry["msg_id"] == delivered["msg_id"]
    assert len(sandbox.received(APPID)) == 1


def test_weibo_response_lost_after_commit(sandbox: PracticePlatform) -> None:
    sandbox.inject("weibo", "share", "drop_after_commit")
    with pytest.raises(requests.ConnectionError):
        share(sandbox, f"丢失响应 {SITE}")
    sandbox.inject("weibo", "share", "timeout_after_commit", seconds=1)
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{sandbox.weibo_base}/2/statuses/share.json",
            data={"access_token": WEIBO_TOKEN, "status": f"超时 {SITE}", "rip": "203.0.113.9"},
            timeout=0.3,
        )
    assert [p["text"][:4] for p in sandbox.received(WEIBO_UID)] == ["丢失响应", "超时 h"]
    assert weibo_error(share(sandbox, f"丢失响应 {SITE}")) == 20019


def test_faults_are_listed_and_consumed(sandbox: PracticePlatform) -> None:
    sandbox.inject("wechat", "*", "http_500", times=2)
    sandbox.inject("weibo", "share", "drop", times=-1, account=WEIBO_UID)
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=TIMEOUT).json()
    assert [f["fault"] for f in state["faults"]] == ["http_500", "drop"]
    page = requests.get(sandbox.url + "/", timeout=TIMEOUT).text
    assert "当前注入的故障" in page and "http_500" in page
    for _ in range(2):
        assert (
            requests.get(f"{sandbox.wechat_base}/cgi-bin/draft/count", timeout=TIMEOUT).status_code
            == 500
        )
    assert (
        requests.get(f"{sandbox.wechat_base}/cgi-bin/draft/count", timeout=TIMEOUT).json()[
            "errcode"
        ]
        == 41001
    )
    assert [f["fault"] for f in sandbox.faults()] == ["drop"]
    requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=TIMEOUT)
    assert sandbox.faults() == []


# control API and page ----------------------------------------------------------------------


def test_control_api_drives_another_process(sandbox: PracticePlatform) -> None:
    base = f"{sandbox.url}/_sandbox"
    spec = {
        "appid": "wxremote",
        "secret": "remote-secret",
        "kind": "service",
        "tags": {"7": ["o_a"]},
    }
    assert requests.post(f"{base}/accounts/wechat", json=spec, timeout=TIMEOUT).status_code == 201
    weibo = {"token": "remote-token", "uid": "42", "safe_domains": ["example.org"]}
    assert requests.post(f"{base}/accounts/weibo", json=weibo, timeout=TIMEOUT).status_code == 201
    bad = requests.post(
        f"{base}/accounts/wechat",
        json={"appid": "x", "secret": "y", "kidn": "service"},
        timeout=TIMEOUT,
    )
    assert bad.status_code == 400 and "kidn" in bad.json()["error"]
    fault = {
        "platform": "weibo",
        "endpoint": "share",
        "fault": "error",
        "error_code": 10001,
        "times": 1,
    }
    assert requests.post(f"{base}/faults", json=fault, timeout=TIMEOUT).status_code == 201
    moved = requests.post(
        f"{base}/clock", json={"now": "2022-06-09T08:00:00+08:00"}, timeout=TIMEOUT
    ).json()
    assert moved["now"].startswith("2022-06-09T08:00")
    requests.post(f"{base}/clock", json={"advance": 3600}, timeout=TIMEOUT)
    state = requests.get(f"{base}/state", timeout=TIMEOUT).json()
    assert state["now"].startswith("2022-06-09T09:0")
    text = json.dumps(state)
    assert "remote-secret" not in text and "remote-token" not in text and SECRET not in text
    assert {a["appid"] for a in state["accounts"]["wechat"]} == {APPID, SERVICE_APPID, "wxremote"}
    assert requests.post(f"{base}/reset", json={"drop_accounts": True}, timeout=TIMEOUT).json()[
        "ok"
    ]
    assert requests.get(f"{base}/state", timeout=TIMEOUT).json()["accounts"]["wechat"] == []


def test_page_shows_pushed_and_published_apart(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    sendall(sandbox, tok, draft(sandbox, tok, title="群发的文章"))
    publish_id = wx(
        sandbox, "freepublish/submit", tok, {"media_id": draft(sandbox, tok, title="发表的文章")}
    )["publish_id"]
    wx(sandbox, "freepublish/get", tok, {"publish_id": publish_id})
    share(sandbox, f"微博正文 {SITE}", pic=image_bytes())
    r = requests.get(sandbox.url + "/", timeout=TIMEOUT)
    assert r.headers["Content-Type"].startswith("text/html")
    page = r.text
    assert '<html lang="zh-CN">' in page
    for text in (
        "群发的文章",
        "已推送给粉丝",
        "发表的文章",
        "未推送给粉丝",
        "微博正文",
        "最近的接口调用",
    ):
        assert text in page
    assert "<td>微信</td>" in page and "<td>微博</td>" in page  # not "wechat"/"weibo"
    assert "<td>wechat</td>" not in page and "<td>weibo</td>" not in page


def test_wechatpy_client_works_against_the_sandbox(sandbox: PracticePlatform) -> None:
    from wechatpy import WeChatClient

    class SandboxClient(WeChatClient):  # type: ignore[misc]
        API_BASE_URL = f"{sandbox.wechat_base}/cgi-bin/"

        def fetch_access_token(self) -> dict[str, Any]:
            return self._fetch_access_token(  # type: ignore[no-any-return]
                url=f"{sandbox.wechat_base}/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                },
            )

    client = SandboxClient(APPID, SECRET, timeout=TIMEOUT)
    url = client.media.upload_image(io.BytesIO(image_bytes()))
    assert url.startswith(f"{sandbox.url}/mmbiz/")
    assert client.material.add("image", io.BytesIO(image_bytes()))["media_id"]


# 贴图 (article_type newspic) ----------------------------------------------------------------


def newspic(ids: list[str], **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "article_type": "newspic",
        "title": "疫情防控成果展示",
        "content": "展现检验检测认证行业疫情防控成果。",
        "image_info": {"image_list": [{"image_media_id": i} for i in ids]},
        "cover_info": {"crop_percent_list": [
            {"ratio": "1_1", "x1": "0.222222", "y1": "0", "x2": "0.777778", "y2": "1"}]},
    }
    base.update(fields)
    return base


def test_newspic_draft_is_sent_and_read_back(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    ids = [cover(sandbox, tok) for _ in range(3)]
    media_id = wx(sandbox, "draft/add", tok, {"articles": [newspic(ids)]})["media_id"]
    item = wx(sandbox, "draft/get", tok, {"media_id": media_id})["news_item"][0]
    assert item["article_type"] == "newspic"
    assert [i["image_media_id"] for i in item["image_info"]["image_list"]] == ids
    assert sendall(sandbox, tok, media_id)["errcode"] == 0
    got = sandbox.received(APPID)[0]["articles"][0]
    assert got["article_type"] == "newspic" and len(got["image_urls"]) == 3


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"image_info": {"image_list": []}}, 40097),  # at least one picture
        ({"image_info": None}, 40097),
        ({"count": 21}, 40097),  # at most 20
        ({"ids": ["temporary-media-id"]}, 40007),  # permanent materials only
        ({"content": "图<b>片</b>"}, 45166),  # plain text only
        ({"content": " "}, 44004),
        ({"title": "题" * 33}, 45003),
        ({"cover_info": {"crop_percent_list": [{"ratio": "4_3", "x1": "0", "y1": "0",
                                                "x2": "1", "y2": "1"}]}}, 40097),
        ({"cover_info": {"crop_percent_list": [{"ratio": "1_1", "x1": "0", "y1": "0",
                                                "x2": "1", "y2": "1"}]}}, 40097),  # 900x500
    ],
)
def test_newspic_draft_rules(sandbox: PracticePlatform, change: dict[str, Any],
                             errcode: int) -> None:
    tok = token(sandbox)
    one = cover(sandbox, tok)
    ids = change.pop("ids", [one] * change.pop("count", 1))
    assert wx(sandbox, "draft/add", tok, {"articles": [newspic(ids, **change)]})["errcode"] \
        == errcode


def test_twenty_pictures_are_accepted(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    assert "media_id" in wx(sandbox, "draft/add", tok,
                            {"articles": [newspic([cover(sandbox, tok)] * 20)]})


def test_a_newspic_is_a_message_of_its_own(sandbox: PracticePlatform) -> None:
    tok = token(sandbox)
    one = cover(sandbox, tok)
    body = {"articles": [article(one), newspic([one])]}
    assert wx(sandbox, "draft/add", tok, body)["errcode"] == 40097
