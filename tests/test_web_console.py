"""The console over real HTTP on loopback: sign-in, sessions, CSRF and every refusal
enforced by the server (what a browser page hides is not what protects)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import requests
from web_support import PASSWORD, make_env, serve

from socialbot.store import State
from socialbot.web.auth import COOKIE, Limits

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
HASH_RE = re.compile(r'name="content_hash" value="([^"]+)"')


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("console"))
    e.queue("0609-city", "市局稿件：世界认可日", "shsmr_wechat,shsmr_weibo", by="editor1")
    e.queue("0609-own", "审核人自己写的稿件", "shsmr_wechat", by="rev1")
    e.queue("0609-pudong", "浦东稿件：认可开放日", "pudong_wechat", by="pdeditor")
    with serve(e, Limits(per_user=3, per_ip=8)):
        yield e
    e.db.dispose()


def sign_in(env, username: str, password: str = PASSWORD,
            headers: dict[str, str] | None = None) -> requests.Session:
    s = requests.Session()
    s.headers.update(headers or {})
    page = s.get(f"{env.url}/login")
    token = CSRF_RE.search(page.text).group(1)
    r = s.post(f"{env.url}/login", data={"csrf": token, "username": username,
                                         "password": password, "next": "/review"},
               allow_redirects=False)
    assert r.status_code == 303, r.text
    return s


def form_tokens(s: requests.Session, env, queue_id: int) -> tuple[str, str]:
    page = s.get(f"{env.url}/posts/{queue_id}")
    assert page.status_code == 200, page.text
    return CSRF_RE.search(page.text).group(1), HASH_RE.search(page.text).group(1)


def review_state(env, queue_id: int) -> tuple[str, list[State]]:
    return env.db.post(queue_id).review, [d.state for d in env.db.deliveries_of(queue_id)]


def test_sign_in_page_is_chinese_and_a_wrong_password_is_refused(env):
    s = requests.Session()
    page = s.get(f"{env.url}/login")
    assert "登录" in page.text and page.headers["content-security-policy"].startswith(
        "default-src 'self'")
    token = CSRF_RE.search(page.text).group(1)
    r = s.post(f"{env.url}/login", data={"csrf": token, "username": "rev2",
                                         "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码不对" in r.text
    assert COOKIE not in s.cookies


def test_pages_need_a_session(env):
    r = requests.get(f"{env.url}/review", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/review"
    r = requests.get(f"{env.url}/posts/1", headers={"HX-Request": "true"},
                     allow_redirects=False)
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login")


def test_session_cookie_flags_and_only_a_hash_in_the_database(env):
    s = sign_in(env, "rev1")
    cookie = next(c for c in s.cookies if c.name == COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly") and not cookie.secure
    assert len(cookie.value) >= 43  # 256 random bits, base64
    with env.db.tx(write=False) as conn:
        stored = conn.exec_driver_sql("SELECT id_hash FROM web_sessions").scalars().all()
    assert cookie.value not in stored
    assert hashlib.sha256(cookie.value.encode()).hexdigest() in stored


def test_cookie_is_secure_behind_an_https_proxy(env):
    page = requests.get(f"{env.url}/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in page.headers["set-cookie"]
    token = CSRF_RE.search(page.text).group(1)
    # requests keeps Secure cookies off plain http, so the proxy's hop is played by hand.
    r = requests.post(f"{env.url}/login", data={"csrf": token, "username": "rev2",
                                                "password": PASSWORD},
                      headers={"X-Forwarded-Proto": "https",
                               "Cookie": f"sb_login_csrf={page.cookies['sb_login_csrf']}"},
                      allow_redirects=False)
    assert r.status_code == 303
    raw = r.headers["set-cookie"]
    assert f"{COOKIE}=" in raw and "Secure" in raw and "HttpOnly" in raw
    assert "samesite=lax" in raw.lower()


def test_sign_in_without_its_form_token_is_refused(env):
    r = requests.post(f"{env.url}/login", data={"username": "rev1", "password": PASSWORD},
                      allow_redirects=False)
    assert r.status_code == 403 and "登录页面已过期" in r.text


def test_next_cannot_send_anyone_off_site(env):
    s = requests.Session()
    token = CSRF_RE.search(s.get(f"{env.url}/login").text).group(1)
    r = s.post(f"{env.url}/login", data={"csrf": token, "username": "rev2",
                                         "password": PASSWORD, "next": "//evil.example/"},
               allow_redirects=False)
    assert r.headers["location"] == "/review"


def test_review_list_shows_only_the_units_posts(env):
    s = sign_in(env, "rev2")
    page = s.get(f"{env.url}/review").text
    mine = page.split('id="mine"')[1].split("</ul>")[0]
    assert "市局稿件：世界认可日" in mine and "审核人自己写的稿件" in mine
    assert "浦东稿件" not in page
    pudong = sign_in(env, "pdrev").get(f"{env.url}/review").text
    assert "浦东稿件：认可开放日" in pudong and "市局稿件" not in pudong
    everyone = sign_in(env, "admin").get(f"{env.url}/review").text
    assert "浦东稿件" in everyone and "市局稿件" in everyone  # the city bureau's admin


def test_another_units_post_is_refused_for_reading_and_writing(env):
    s = sign_in(env, "rev1")
    pudong = env.queued["0609-pudong"]
    assert s.get(f"{env.url}/posts/{pudong}").status_code == 404
    csrf, _hash = form_tokens(s, env, env.queued["0609-city"])
    r = s.post(f"{env.url}/posts/{pudong}/approve", data={"csrf": csrf, "content_hash": "x"})
    assert r.status_code == 404 and "不属于你所在的单位" in r.text
    r = s.post(f"{env.url}/posts/{pudong}/reject", data={"csrf": csrf, "reason": "不行"})
    assert r.status_code == 404
    assert review_state(env, pudong) == ("pending", [State.QUEUED])


def test_an_editor_cannot_approve(env):
    s = sign_in(env, "editor1")
    city = env.queued["0609-city"]
    page = s.get(f"{env.url}/posts/{city}").text
    assert "审核通过</button>" not in page and "不是上海市市场监督管理局的审核人" in page
    csrf = CSRF_RE.search(page).group(1)
    r = s.post(f"{env.url}/posts/{city}/approve", data={"csrf": csrf, "content_hash": "x"})
    assert r.status_code == 403 and "审核人" in r.text
    assert review_state(env, city)[0] == "pending"


def test_a_post_without_the_csrf_token_is_refused(env):
    s = sign_in(env, "rev2")
    city = env.queued["0609-city"]
    _csrf, content_hash = form_tokens(s, env, city)
    r = s.post(f"{env.url}/posts/{city}/approve", data={"content_hash": content_hash})
    assert r.status_code == 403 and "安全校验未通过" in r.text
    r = s.post(f"{env.url}/posts/{city}/approve", data={"content_hash": content_hash},
               headers={"HX-Request": "true", "X-CSRF-Token": "forged"})
    assert r.status_code == 403
    other = sign_in(env, "rev1")  # another session's token is no good either
    other_csrf, _ = form_tokens(other, env, city)
    r = s.post(f"{env.url}/posts/{city}/approve",
               data={"csrf": other_csrf, "content_hash": content_hash})
    assert r.status_code == 403
    assert review_state(env, city)[0] == "pending"


def test_self_approval_is_refused(env):
    s = sign_in(env, "rev1")
    own = env.queued["0609-own"]
    page = s.get(f"{env.url}/posts/{own}").text
    assert "作者不能审核自己的稿件" in page and "审核通过</button>" not in page
    csrf = CSRF_RE.search(page).group(1)
    r = s.post(f"{env.url}/posts/{own}/approve", data={"csrf": csrf, "content_hash": "x"})
    assert r.status_code == 403 and "作者不能审核自己的稿件" in r.text
    assert review_state(env, own) == ("pending", [State.QUEUED])


def test_approval_is_bound_to_the_content_seen(env):
    s = sign_in(env, "rev2")
    own = env.queued["0609-own"]
    csrf, _hash = form_tokens(s, env, own)
    r = s.post(f"{env.url}/posts/{own}/approve", data={"csrf": csrf, "content_hash": "0" * 64})
    assert r.status_code == 409 and "稿件内容已变化" in r.text
    assert review_state(env, own)[0] == "pending"


def test_approve_then_a_second_approval_by_the_same_person_is_refused(env):
    s = sign_in(env, "rev2")
    own = env.queued["0609-own"]  # written by rev1, so rev2 may approve it
    csrf, content_hash = form_tokens(s, env, own)
    r = s.post(f"{env.url}/posts/{own}/approve",
               data={"csrf": csrf, "content_hash": content_hash},
               headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert r.status_code == 200 and "已审核通过" in r.text and 'id="review-panel"' in r.text
    assert review_state(env, own) == ("approved", [State.APPROVED])
    r = s.post(f"{env.url}/posts/{own}/approve",
               data={"csrf": csrf, "content_hash": content_hash})
    assert r.status_code == 409 and "你已审核通过这篇稿件" in r.text
    assert s.get(f"{env.url}/dashboard").text.count("审核人自己写的稿件") >= 1


def test_reject_needs_a_reason_and_records_it(env):
    s = sign_in(env, "pdrev")
    pudong = env.queued["0609-pudong"]
    csrf, _ = form_tokens(s, env, pudong)
    r = s.post(f"{env.url}/posts/{pudong}/reject", data={"csrf": csrf, "reason": " "})
    assert r.status_code == 409 and "请写明退回原因" in r.text
    r = s.post(f"{env.url}/posts/{pudong}/reject", data={"csrf": csrf, "reason": "标题太长"},
               allow_redirects=False)
    assert r.status_code == 303
    page = s.get(f"{env.url}/posts/{pudong}").text
    assert "已退回" in page and "标题太长" in page
    shown = env.cli("queue", "show", str(pudong))
    assert "标题太长" in shown.stdout  # the CLI sees what the console did


def test_idle_and_absolute_expiry_end_the_session(env):
    s = sign_in(env, "rev2")
    assert s.get(f"{env.url}/review", allow_redirects=False).status_code == 200
    env.clock.advance(minutes=31)  # idle limit is 30 minutes
    try:
        r = s.get(f"{env.url}/review", allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        s = sign_in(env, "rev2")
        for _ in range(25):  # active every 29 minutes: still ends after 12 hours
            env.clock.advance(minutes=29)
            r = s.get(f"{env.url}/review", allow_redirects=False)
            if r.status_code != 200:
                break
        assert r.status_code == 303
        assert env.clock.offset.total_seconds() / 3600 >= 12
    finally:
        env.clock.offset = type(env.clock.offset)()


def test_disabling_a_user_ends_their_sessions(env):
    s = sign_in(env, "pdeditor")
    assert s.get(f"{env.url}/review", allow_redirects=False).status_code == 200
    done = env.cli("users", "disable", "pdeditor")
    assert done.returncode == 0, done.stderr
    assert s.get(f"{env.url}/review", allow_redirects=False).status_code == 303
    env.cli("users", "enable", "pdeditor")


def test_logins_are_rate_limited_per_user_and_per_address(env):
    for _ in range(3):
        s = requests.Session()
        token = CSRF_RE.search(s.get(f"{env.url}/login").text).group(1)
        r = s.post(f"{env.url}/login", data={"csrf": token, "username": "editor1",
                                             "password": "guess-guess"})
        assert r.status_code == 401
    s = requests.Session()
    token = CSRF_RE.search(s.get(f"{env.url}/login").text).group(1)
    r = s.post(f"{env.url}/login", data={"csrf": token, "username": "editor1",
                                         "password": PASSWORD})  # right, but too late
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    for n in range(8):  # per address: different names, same client
        r = s.post(f"{env.url}/login", data={"csrf": token, "username": f"nobody{n}",
                                             "password": "guess-guess"})
    r = s.post(f"{env.url}/login", data={"csrf": token, "username": "admin",
                                         "password": PASSWORD})
    assert r.status_code == 429
    env.clock.advance(minutes=16)  # the window passes
    try:
        sign_in(env, "editor1")
    finally:
        env.clock.offset = type(env.clock.offset)()


def test_the_web_command_serves_the_console(env, tmp_path):
    """`socialbot web` itself, in its own process, on the same database; always stopped."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "socialbot", "--config", str(env.root / "config.toml"), "web",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                r = requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "socialbot web did not answer in 90 s"
                time.sleep(0.2)
        assert r.status_code == 200 and "登录" in r.text
        assert "server" not in {k.lower() for k in r.headers}
        s = requests.Session()
        token = CSRF_RE.search(s.get(f"http://127.0.0.1:{port}/login").text).group(1)
        signed = s.post(f"http://127.0.0.1:{port}/login", data={
            "csrf": token, "username": "admin", "password": PASSWORD})
        assert "浦东稿件" in signed.text  # the CLI's queue, seen by the console process
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)


def test_an_edit_after_approval_voids_it_and_the_console_says_so(env):
    number = env.queue("0611-edit", "修改后需重新审核的稿件", "shsmr_weibo", by="editor1")
    s = sign_in(env, "rev2")
    csrf, content_hash = form_tokens(s, env, number)
    r = s.post(f"{env.url}/posts/{number}/approve",
               data={"csrf": csrf, "content_hash": content_hash})
    assert r.status_code == 200 and review_state(env, number)[0] == "approved"
    path = env.root / "posts" / "0611-edit.md"
    # The Weibo text is what this Weibo-only post carries, so that is what changes.
    path.write_text(path.read_text("utf-8").replace("一起来认识", "一起来了解"), "utf-8")
    done = env.cli("queue", "edit", str(number), "--by", "editor1")
    assert done.returncode == 0, done.stderr + done.stdout
    page = s.get(f"{env.url}/posts/{number}").text
    assert "审核作废" in page and "审核通过</button>" in page  # back in review
    assert review_state(env, number) == ("pending", [State.QUEUED])
    r = s.post(f"{env.url}/posts/{number}/approve",  # the old content's approval form
               data={"csrf": csrf, "content_hash": content_hash})
    assert r.status_code == 409 and "稿件内容已变化" in r.text


def test_dashboard_shows_what_needs_a_person_in_the_viewers_units_only(env):
    env.clock.advance(days=400)  # every queued post is now past its time, unapproved
    try:
        page = sign_in(env, "pdeditor").get(f"{env.url}/dashboard").text
        attention = page.split('id="attention"')[1].split("</ul>")[0]
        assert "浦东稿件：认可开放日" in attention
        assert "发布的时间已到" in attention
        assert "市局稿件" not in page
        city = sign_in(env, "rev2").get(f"{env.url}/dashboard").text
        attention = city.split('id="attention"')[1].split("</ul>")[0]
        assert "市局稿件：世界认可日" in attention
        assert "发布的时间已到" in attention and "浦东稿件" not in city
    finally:
        env.clock.offset = dt.timedelta()
