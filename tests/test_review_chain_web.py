"""The review chain in the console over real HTTP: each refusal is the server's, not a
hidden button — wrong unit, no CSRF token, self-approval, a second approval by the same
person, the wrong tier, an edit after approval, an expired session; plus the "awaiting
my review" list, expired slots (过期未审) and threaded, escaped comments."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from review_chain_support import make_tiered_env
from test_web_console import CSRF_RE, form_tokens, sign_in
from web_support import serve

from socialbot.store import State, chain
from socialbot.store_rules import rules_of


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_tiered_env(tmp_path_factory.mktemp("chain-web"))
    with serve(e):
        yield e
    e.db.dispose()


def queue(env, name: str, title: str, by: str = "jaeditor") -> int:
    return env.queue(name, title, "jingan_weibo", by=by)


def approve(s: requests.Session, env, number: int, tier: int, **extra: str):
    """What the approve form would send, also where the page shows no such form."""
    csrf = CSRF_RE.search(s.get(f"{env.url}/posts/{number}").text).group(1)
    content_hash = env.db.post(number).content_hash
    data = {"csrf": csrf, "content_hash": content_hash, "tier": str(tier), **extra}
    return s.post(f"{env.url}/posts/{number}/approve", data=data, allow_redirects=False)


def live(env, number: int) -> list[tuple[int, str]]:
    state = chain.chain_state(env.db, rules_of(env.settings), number)
    return [(a.tier, a.reviewer) for a in state.approvals]


def mine(page: str) -> str:
    return page.split('id="mine"')[1].split("</ul>")[0] if 'id="mine"' in page else ""


def test_two_tiers_in_order_and_the_list_shows_each_reviewer_their_tier(env):
    number = queue(env, "ja-two", "静安：两级审核的稿件")
    first, second = sign_in(env, "jarev1"), sign_in(env, "jarev2")
    assert "静安：两级审核的稿件" in mine(first.get(f"{env.url}/review").text)
    waiting = second.get(f"{env.url}/review").text
    assert "静安：两级审核的稿件" not in mine(waiting)
    assert "你不是静安区市场监督管理局的审核人（初审）" in waiting  # listed apart, with why
    r = approve(second, env, number, 1)  # the 复审 reviewer cannot do the 初审
    assert r.status_code == 403 and "现在等待初审" in r.text
    assert approve(first, env, number, 1).status_code == 303
    assert live(env, number) == [(1, "jarev1")]
    assert env.db.post(number).review == "pending"
    assert [d.state for d in env.db.deliveries_of(number)] == [State.QUEUED]
    assert "静安：两级审核的稿件" not in mine(first.get(f"{env.url}/review").text)
    assert "静安：两级审核的稿件" in mine(second.get(f"{env.url}/review").text)
    page = second.get(f"{env.url}/posts/{number}").text
    assert "复审通过</button>" in page and "jarev1" in page
    assert approve(second, env, number, 2).status_code == 303
    assert live(env, number) == [(1, "jarev1"), (2, "jarev2")]
    assert env.db.post(number).approved
    assert [d.state for d in env.db.deliveries_of(number)] == [State.APPROVED]
    shown = env.cli("queue", "show", str(number))
    assert "初审 jarev1" in shown.stdout and "复审 jarev2" in shown.stdout, shown.stdout


def test_a_second_approval_by_the_same_person_is_refused(env):
    number = queue(env, "ja-twice", "静安：同一人不能审两级")
    both = sign_in(env, "jaboth")  # holds both tiers, still only one approval per chain
    assert approve(both, env, number, 1).status_code == 303
    page = both.get(f"{env.url}/posts/{number}").text
    assert "同一审核链中每人只能审核一次" in page and "通过</button>" not in page
    r = approve(both, env, number, 2)
    assert r.status_code == 403 and "同一审核链中每人只能审核一次" in r.text
    assert live(env, number) == [(1, "jaboth")]


def test_self_approval_is_refused(env):
    number = queue(env, "ja-own", "静安：审核人自己写的", by="jaboth")
    s = sign_in(env, "jaboth")
    r = approve(s, env, number, 1)
    assert r.status_code == 403 and "作者不能审核自己的稿件" in r.text
    assert live(env, number) == []


def test_another_units_post_is_refused_for_reading_writing_and_commenting(env):
    number = queue(env, "ja-unit", "静安：别的单位看不到")
    pudong = sign_in(env, "pdrev")
    assert pudong.get(f"{env.url}/posts/{number}").status_code == 404
    csrf = CSRF_RE.search(pudong.get(f"{env.url}/review").text).group(1)
    for action, data in (("approve", {"content_hash": "x", "tier": "1"}),
                         ("reject", {"reason": "不行"}),
                         ("comments", {"body": "越权评论"})):
        r = pudong.post(f"{env.url}/posts/{number}/{action}", data={"csrf": csrf, **data},
                        allow_redirects=False)
        assert r.status_code == 404 and "不属于你所在的单位" in r.text, action
    assert "静安：别的单位看不到" not in pudong.get(f"{env.url}/review").text
    assert live(env, number) == [] and chain.comments_of(env.db, number) == []
    assert env.db.post(number).review == "pending"


def test_requests_without_the_csrf_token_are_refused(env):
    number = queue(env, "ja-csrf", "静安：没有安全令牌")
    s = sign_in(env, "jarev1")
    _csrf, content_hash = form_tokens(s, env, number)
    r = s.post(f"{env.url}/posts/{number}/approve",
               data={"content_hash": content_hash, "tier": "1"}, allow_redirects=False)
    assert r.status_code == 403 and "安全校验未通过" in r.text
    r = s.post(f"{env.url}/posts/{number}/comments", data={"body": "没有令牌"},
               allow_redirects=False)
    assert r.status_code == 403
    assert live(env, number) == [] and chain.comments_of(env.db, number) == []


def test_an_edit_after_approval_voids_the_chain_and_the_page_says_so(env):
    number = queue(env, "ja-edit", "静安：审核后修改")
    first = sign_in(env, "jarev1")
    _csrf, old_hash = form_tokens(first, env, number)
    assert approve(first, env, number, 1).status_code == 303
    path = env.root / "posts" / "ja-edit.md"
    path.write_text(path.read_text("utf-8").replace("一起来认识", "一起来了解"), "utf-8")
    done = env.cli("queue", "edit", str(number), "--by", "jaeditor")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "内容已修改，审核需重新开始" in done.stdout, done.stdout
    assert live(env, number) == []
    page = first.get(f"{env.url}/posts/{number}").text
    assert "内容已修改，审核需重新开始" in page and "初审通过</button>" in page
    second = sign_in(env, "jarev2")  # a 复审 form from before the edit
    csrf = CSRF_RE.search(second.get(f"{env.url}/review").text).group(1)
    r = second.post(f"{env.url}/posts/{number}/approve",
                    data={"csrf": csrf, "content_hash": old_hash, "tier": "2"})
    assert r.status_code == 403 and "现在等待初审" in r.text
    csrf1 = CSRF_RE.search(page).group(1)
    r = first.post(f"{env.url}/posts/{number}/approve",  # the old content's 初审 form
                   data={"csrf": csrf1, "content_hash": old_hash, "tier": "1"})
    assert r.status_code == 409 and "稿件内容已变化" in r.text
    assert live(env, number) == [] and env.db.post(number).review == "pending"


def test_an_expired_session_cannot_approve(env):
    number = queue(env, "ja-expired", "静安：会话过期")
    s = sign_in(env, "jarev1")
    csrf, content_hash = form_tokens(s, env, number)
    env.clock.advance(minutes=31)  # past the idle limit
    try:
        r = s.post(f"{env.url}/posts/{number}/approve",
                   data={"csrf": csrf, "content_hash": content_hash, "tier": "1"},
                   allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        r = s.post(f"{env.url}/posts/{number}/approve",
                   data={"csrf": csrf, "content_hash": content_hash, "tier": "1"},
                   headers={"HX-Request": "true", "X-CSRF-Token": csrf}, allow_redirects=False)
        assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login")
    finally:
        env.clock.offset = dt.timedelta()
    assert live(env, number) == []


def test_comments_thread_and_are_escaped(env):
    number = queue(env, "ja-talk", "静安：评论")
    reviewer, editor = sign_in(env, "jarev1"), sign_in(env, "jaeditor")
    csrf = CSRF_RE.search(reviewer.get(f"{env.url}/posts/{number}").text).group(1)
    r = reviewer.post(f"{env.url}/posts/{number}/comments",
                      data={"csrf": csrf, "body": "第二段<script>alert(1)</script>请核对"},
                      allow_redirects=False)
    assert r.status_code == 303
    [first] = chain.comments_of(env.db, number)
    csrf = CSRF_RE.search(editor.get(f"{env.url}/posts/{number}").text).group(1)
    r = editor.post(f"{env.url}/posts/{number}/comments",
                    data={"csrf": csrf, "body": "已核对", "parent": str(first.id)})
    assert r.status_code == 200
    page = r.text
    assert "<script>alert(1)</script>" not in page
    assert "第二段&lt;script&gt;alert(1)&lt;/script&gt;请核对" in page
    thread = page.split(f'id="comment-{first.id}"')[1]
    assert 'class="comments"' in thread and "已核对" in thread  # nested under it
    [_, reply] = chain.comments_of(env.db, number)
    assert reply.parent == first.id and reply.author == "jaeditor"
    r = editor.post(f"{env.url}/posts/{number}/comments", data={"csrf": csrf, "body": "  "})
    assert r.status_code == 409 and "评论内容不能为空" in r.text


def test_a_slot_that_passed_before_the_chain_finished_is_shown_as_expired(env):
    number = queue(env, "ja-late", "静安：过期未审")
    due = env.db.deliveries_of(number)[0].due_at
    env.clock.offset = due - dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    try:
        s = sign_in(env, "jarev1")
        listed = s.get(f"{env.url}/review").text
        row = listed.split(f'data-post="{number}"')[1].split("</li>")[0]
        assert "过期未审" in row
        page = s.get(f"{env.url}/posts/{number}").text
        assert 'id="expired"' in page and "不会补发" in page
        board = s.get(f"{env.url}/dashboard").text
        attention = board.split('id="attention"')[1].split("</ul>")[0]
        assert "静安：过期未审" in attention and "稿件还没有审核通过（过期未审）" in attention
    finally:
        env.clock.offset = dt.timedelta()


def test_the_cli_applies_the_console_users_roles_and_tiers(env):
    number = queue(env, "ja-cli", "静安：命令行审核")
    editor = env.cli("queue", "approve", str(number), "--by", "jaeditor")
    assert editor.returncode == 2 and "“jaeditor”不是静安区市场监督管理局的审核人（初审）" in (
        editor.stdout + editor.stderr)
    early = env.cli("queue", "approve", str(number), "--by", "jarev2")
    assert early.returncode == 2 and "现在等待初审" in early.stdout + early.stderr
    assert live(env, number) == []
    first = env.cli("queue", "approve", str(number), "--by", "jarev1")
    assert first.returncode == 0 and "初审通过（第 1 级，共 2 级）" in first.stdout, first.stdout
    again = env.cli("queue", "reject", str(number), "--by", "jarev1", "--reason", "再看看")
    assert again.returncode == 2 and "现在等待复审" in again.stdout + again.stderr
    page = sign_in(env, "jarev2").get(f"{env.url}/posts/{number}").text
    assert "复审通过</button>" in page  # the console continues the CLI's chain
    done = env.cli("queue", "approve", str(number), "--by", "jarev2")
    assert done.returncode == 0 and env.db.post(number).approved
