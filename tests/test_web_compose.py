"""The composer over real HTTP on loopback: a post written in the console is the same
post file and queue entry the CLI makes (and ``queue show`` shows it); the preview runs
the checks ``queue add`` runs, each next to its field; uploads are validated; every
refusal (another unit, a reviewer, no CSRF token) is the server's."""

from __future__ import annotations

import io
import json
import re

import pytest
import requests
from PIL import Image
from test_web_console import CSRF_RE, sign_in
from web_support import make_env, serve

from socialbot.store import audit, versions

CHECK_RE = r'<div class="checks" id="check-{}"[^>]*>(.*?)</div>'


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("compose")
    e = make_env(root, assets=root / "assets")
    e.queue("0609-cli", "命令行加入的稿件", "shsmr_wechat,shsmr_weibo", by="editor1")
    e.queue("0609-pd", "浦东稿件：认可开放日", "pudong_wechat", by="pdeditor")
    with serve(e):
        yield e
    e.db.dispose()


def csrf_of(s: requests.Session, url: str) -> str:
    page = s.get(url)
    assert page.status_code == 200, page.text
    return CSRF_RE.search(page.text).group(1)


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "0609-console", "template": "news", "title": "控制台撰写：世界认可日",
        "digest": "今天是第15个“世界认可日”。", "author": "上海市场监管",
        "weibo": "【6·9世界认可日】控制台撰写的微博，一起来认识身边的认证认可！",
        "date": "2022-06-09", "link": "https://scjgj.sh.gov.cn/wad2022/world-accreditation-day",
        "body": "今天，6月9日，是第15个“世界认可日”。",
        "accounts[]": ["shsmr_wechat", "shsmr_weibo"],
        "at": "2035-06-09 09:00", "cover": "",
    }
    data.update(changes)
    return data


def slot(page: str, key: str) -> str:
    found = re.search(CHECK_RE.format(key), page, re.S)
    assert found, f"no check slot for {key}"
    return found.group(1)


def png(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 110, 80)).save(out, "PNG")
    return out.getvalue()


def test_the_composer_offers_only_the_editors_own_units_accounts(env):
    s = sign_in(env, "editor1")
    page = s.get(f"{env.url}/compose").text
    assert 'value="shsmr_wechat"' in page and 'value="shsmr_weibo"' in page
    assert "pudong_wechat" not in page
    assert "综合新闻（news）" in page and "来源" in page  # the news kind's detail


def test_a_reviewer_without_an_editor_role_cannot_compose(env):
    s = sign_in(env, "rev1")
    assert s.get(f"{env.url}/compose").status_code == 403


def test_preview_draws_the_cards_and_puts_each_check_next_to_its_field(env):
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    r = s.post(f"{env.url}/compose/preview", data=form(), headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    assert "控制台撰写：世界认可日" in r.text and "crop-235" in r.text and "crop-11" in r.text
    assert "检查通过" in r.text and slot(r.text, "title").strip() == ""
    image = re.search(r'src="(/compose/image/[0-9a-f]{64})"', r.text).group(1)
    assert s.get(env.url + image).headers["content-type"].startswith("image/")
    assert requests.get(env.url + image, allow_redirects=False).status_code == 303  # signed in
    assert sign_in(env, "rev2").get(env.url + image).status_code == 404  # another person's

    long_weibo = "认可" * 120
    r = s.post(f"{env.url}/compose/preview", data=form(weibo=long_weibo, at="2001-01-01 09:00"),
               headers={"X-CSRF-Token": token})
    assert "现在保存会被拒绝" in r.text
    assert "超过上限 140 字" in slot(r.text, "weibo")
    assert "已经过去" in slot(r.text, "at") and slot(r.text, "title").strip() == ""
    r = s.post(f"{env.url}/compose/preview", data=form(title=""),
               headers={"X-CSRF-Token": token})
    assert "缺少必填字段" in slot(r.text, "title")


def test_saving_writes_the_post_file_and_queues_it_as_the_cli_would(env):
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    r = s.post(f"{env.url}/compose", data=form(csrf=token), allow_redirects=False)
    assert r.status_code == 303, r.text
    queue_id = int(re.search(r"/posts/(\d+)/edit", r.headers["location"]).group(1))
    post = env.db.post(queue_id)
    assert post.author == "editor1" and post.title == "控制台撰写：世界认可日"
    assert sorted(post.targets) == ["shsmr_wechat", "shsmr_weibo"]
    text = (env.root / "posts" / "0609-console.md").read_text("utf-8")
    assert "title: 控制台撰写：世界认可日" in text
    shown = env.cli("queue", "show", str(queue_id))
    assert shown.returncode == 0 and "控制台撰写：世界认可日" in shown.stdout, shown.stdout
    listed = json.loads(env.cli("queue", "list", "--json").stdout)
    assert any(p["id"] == queue_id and p["source"] == "posts/0609-console.md" for p in listed)
    [v1] = versions.history(env.db, queue_id)
    assert v1.actor == "editor1" and v1.source == text
    # the CLI can re-render the file the console wrote: the two are interchangeable
    assert env.cli("queue", "edit", str(queue_id), "--by", "editor1").returncode == 0


def test_a_refused_save_leaves_no_file_and_nothing_queued(env):
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    before = len(env.db.list_queue(include_finished=True)[0])
    r = s.post(f"{env.url}/compose", data=form(csrf=token, name="0609-refused", title=""))
    assert r.status_code == 422 and "未保存" in r.text
    assert not (env.root / "posts" / "0609-refused.md").exists()
    assert len(env.db.list_queue(include_finished=True)[0]) == before


def test_another_units_account_is_refused_as_a_target(env):
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    r = s.post(f"{env.url}/compose", data=form(csrf=token, name="0609-sneak",
                                               **{"accounts[]": ["pudong_wechat"]}))
    assert r.status_code == 422 and "请至少选择一个发布账号" in slot(r.text, "targets")
    assert not (env.root / "posts" / "0609-sneak.md").exists()


def test_another_units_post_cannot_be_opened_or_saved(env):
    pudong = env.queued["0609-pd"]
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    assert s.get(f"{env.url}/posts/{pudong}/edit").status_code == 404
    r = s.post(f"{env.url}/posts/{pudong}/edit",
               data=form(csrf=token, base_hash=env.db.post(pudong).content_hash))
    assert r.status_code == 404
    assert s.get(f"{env.url}/posts/{pudong}/versions").status_code == 404
    assert "浦东稿件" in env.db.post(pudong).title
    reviewer = sign_in(env, "rev1")
    assert reviewer.get(f"{env.url}/posts/{env.queued['0609-cli']}/edit").status_code == 403


def test_requests_without_the_csrf_token_are_refused(env):
    s = sign_in(env, "editor1")
    r = s.post(f"{env.url}/compose", data=form(name="0609-nocsrf"))
    assert r.status_code == 403 and "安全校验未通过" in r.text
    assert not (env.root / "posts" / "0609-nocsrf.md").exists()
    queue_id = env.queued["0609-cli"]
    r = s.post(f"{env.url}/posts/{queue_id}/edit",
               data=form(base_hash=env.db.post(queue_id).content_hash))
    assert r.status_code == 403
    assert s.post(f"{env.url}/compose/preview", data=form()).status_code == 403
    r = s.post(f"{env.url}/compose/upload", files={"image": ("a.png", png(), "image/png")})
    assert r.status_code == 403


def test_uploads_are_checked_for_type_size_and_pixels(env):
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    r = s.post(f"{env.url}/compose/upload", headers=headers,
               files={"image": ("lab.png", png(), "image/png")})
    assert r.status_code == 200, r.text
    path = re.search(r'name="image_path\[\]" value="(uploads/[0-9a-f]{16}\.png)"', r.text).group(1)
    assert (env.root / "assets" / path).read_bytes() == png()
    assert s.get(f"{env.url}/compose/{path}").content == png()
    for name, data, words in (("notes.png", b"not a picture", "不是可以读取的图片"),
                              ("tiny.png", png(40, 40), "太小"),
                              ("a.gif", _gif(), "只能上传 JPEG 或 PNG")):
        r = s.post(f"{env.url}/compose/upload", headers=headers,
                   files={"image": (name, data, "image/png")})
        assert r.status_code == 422 and words in r.text, r.text
        assert r.headers["HX-Retarget"] == "#upload-msg"


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300)).save(out, "GIF")
    return out.getvalue()


def test_an_edit_keeps_a_version_with_a_diff_and_voids_an_approval(env):
    queue_id = env.queued["0609-cli"]
    reviewer = sign_in(env, "rev1")
    page = reviewer.get(f"{env.url}/posts/{queue_id}").text
    r = reviewer.post(f"{env.url}/posts/{queue_id}/approve", data={
        "csrf": CSRF_RE.search(page).group(1),
        "content_hash": env.db.post(queue_id).content_hash})
    assert env.db.post(queue_id).approved

    s = sign_in(env, "editor1")
    page = s.get(f"{env.url}/posts/{queue_id}/edit").text
    assert "已由 rev1 审核通过" in page and "命令行加入的稿件" in page
    token = CSRF_RE.search(page).group(1)
    base = re.search(r'name="base_hash" value="([0-9a-f]+)"', page).group(1)
    body = re.search(r'<textarea id="f-body" name="body"[^>]*>(.*?)</textarea>', page, re.S)
    r = s.post(f"{env.url}/posts/{queue_id}/edit", allow_redirects=False, data={
        "csrf": token, "base_hash": base, "template": "news", "title": "命令行加入的稿件（修订）",
        "digest": "今天是第15个“世界认可日”。", "author": "上海市场监管", "date": "2022-06-09",
        "weibo": "【6·9世界认可日】修订后的微博，一起来认识身边的认证认可！",
        "link": "https://scjgj.sh.gov.cn/wad2022/world-accreditation-day",
        "body": body.group(1).strip() + "\n\n新增的一段。"})
    assert r.status_code == 303, r.text
    post = env.db.post(queue_id)
    assert not post.approved and post.title == "命令行加入的稿件（修订）"
    actions = [e.action for e in audit.entries(env.db, post=queue_id)]
    assert "void" in actions
    history = versions.history(env.db, queue_id)
    assert [v.actor for v in history] == ["editor1", "editor1"]  # CLI add, console edit
    assert "审核已作废" in history[-1].note
    page = s.get(f"{env.url}/posts/{queue_id}/versions").text
    assert '<span class="add">+title: 命令行加入的稿件（修订）</span>' in page
    assert '<span class="add">+新增的一段。</span>' in page
    # saving again from the page opened before the edit would overwrite it: refused
    r = s.post(f"{env.url}/posts/{queue_id}/edit", data={"csrf": token, "base_hash": base,
                                                         "title": "旧页面"})
    assert r.status_code == 409 and env.db.post(queue_id).title == "命令行加入的稿件（修订）"


def test_diff_text_is_escaped(env):
    s = sign_in(env, "editor1")
    token = csrf_of(s, f"{env.url}/compose")
    r = s.post(f"{env.url}/compose", allow_redirects=False, data=form(
        csrf=token, name="0609-escape", title="转义测试", at="2035-06-10 09:00",
        body="今天，6月9日，是第15个“世界认可日”。比较：5 < 6 且 7 > 3 & 更多。"))
    assert r.status_code == 303, r.text
    queue_id = int(re.search(r"/posts/(\d+)/", r.headers["location"]).group(1))
    page = s.get(f"{env.url}/posts/{queue_id}/versions").text
    assert "5 < 6" not in page and "5 &lt; 6 且 7 &gt; 3 &amp; 更多" in page
