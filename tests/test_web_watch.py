"""The console's watch pages over real HTTP: the dashboard's buttons run the CLI's actions,
the kill switch is the CLI's pause (admins only, refused on the server otherwise) and
stops publishing, the follower view shows what was sent, the audit log filters and
exports a CSV that Excel reads as Chinese."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io

import pytest
from sqlalchemy import update
from test_web_console import CSRF_RE, sign_in
from web_support import make_env, serve

from socialbot.platforms import PLATFORMS
from socialbot.store import State, sessions
from socialbot.store import audit as audit_store
from socialbot.store.policy import may_send
from socialbot.store.schema import deliveries
from socialbot.store_rules import rules_of
from socialbot.wording.labels import action_label


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("console-watch"))
    e.queue("0901-fail", "看板稿件：发送失败", "shsmr_weibo", by="editor1", days=50)
    e.queue("0902-unknown", "看板稿件：结果未知", "shsmr_weibo", by="editor1", days=51)
    e.queue("0903-sent", "看板稿件：已经发出", "shsmr_weibo", by="editor1", days=52)
    e.queue("0904-pd", "浦东看板稿件", "pudong_wechat", by="pdeditor", days=50)
    e.queue("0905-found", "看板稿件：平台上已有", "shsmr_weibo", by="editor1", days=53)
    e.queue("0906-cli", "看板稿件：命令行核实", "shsmr_weibo", by="editor1", days=54)
    with serve(e):
        yield e
    e.db.dispose()


def only_delivery(env, name: str):
    [d] = env.db.deliveries_of(env.queued[name])
    return d


def force_state(env, name: str, state: State, **values) -> int:
    """Put a delivery where a platform answer would have left it (the test's shortcut)."""
    d = only_delivery(env, name)
    with env.db.tx() as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == d.id).values(
            state=str(state), **values))
    return d.id


def csrf_of(s, env) -> str:
    return CSRF_RE.search(s.get(f"{env.url}/dashboard").text).group(1)


def test_failed_delivery_shows_its_reason_and_retry_works_for_the_units_editor(env):
    did = force_state(env, "0901-fail", State.FAILED, message="平台拒绝：内容含敏感词（测试）")
    s = sign_in(env, "editor1")
    page = s.get(f"{env.url}/dashboard").text
    attention = page.split('id="attention"')[1].split("</ul>")[0]
    assert "看板稿件：发送失败" in attention and "平台拒绝：内容含敏感词（测试）" in attention
    assert f"/watch/deliveries/{did}/retry" in attention and "立即重试" in attention
    assert f"/posts/{env.queued['0901-fail']}" in attention  # open the post

    reviewer = sign_in(env, "rev1")
    r = reviewer.post(f"{env.url}/watch/deliveries/{did}/retry",
                      data={"csrf": csrf_of(reviewer, env)})
    assert r.status_code == 403 and only_delivery(env, "0901-fail").state == State.FAILED
    pudong = sign_in(env, "pdeditor")
    r = pudong.post(f"{env.url}/watch/deliveries/{did}/retry",
                    data={"csrf": csrf_of(reviewer, env)})
    assert r.status_code == 403 and "安全校验未通过" in r.text  # another session's token
    r = pudong.post(f"{env.url}/watch/deliveries/{did}/retry", data={"csrf": csrf_of(pudong, env)})
    assert r.status_code == 404 and "不属于你所在的单位" in r.text
    r = s.post(f"{env.url}/watch/deliveries/{did}/retry", data={"csrf": csrf_of(s, env)})
    assert r.status_code == 200 and "立即重试，已执行" in r.text
    assert only_delivery(env, "0901-fail").state in (State.QUEUED, State.DUE)
    r = s.post(f"{env.url}/watch/deliveries/{did}/retry", data={"csrf": csrf_of(s, env)})
    assert r.status_code == 409 and "不能立即重试" in r.text


def test_unknown_outcome_is_checked_again_or_marked_as_handled(env):
    did = force_state(env, "0902-unknown", State.NEEDS_PERSON, message="多次核实仍不确定")
    s = sign_in(env, "editor1")
    page = s.get(f"{env.url}/dashboard").text
    assert "需人工核实" in page and "向平台核实" in page and "已核实：平台上没有，不再发送" in page
    r = s.post(f"{env.url}/watch/deliveries/{did}/check", data={"csrf": csrf_of(s, env)})
    assert r.status_code == 200 and only_delivery(env, "0902-unknown").state == State.UNKNOWN
    r = s.post(f"{env.url}/watch/deliveries/{did}/resolve", data={"csrf": csrf_of(s, env)})
    assert r.status_code == 200 and "已停止跟踪" in r.text
    assert only_delivery(env, "0902-unknown").state == State.CANCELLED
    shown = env.cli("queue", "show", str(env.queued["0902-unknown"]))
    assert "已取消" in shown.stdout  # the CLI sees what the console did


def test_an_unknown_outcome_found_on_the_platform_is_marked_sent(env):
    did = force_state(env, "0905-found", State.UNKNOWN, message="网络中断，结果未知")
    s = sign_in(env, "editor1")
    assert "已核实：平台上已发出" in s.get(f"{env.url}/dashboard").text
    r = s.post(f"{env.url}/watch/deliveries/{did}/sent", data={"csrf": csrf_of(s, env)})
    assert r.status_code == 200 and "已核实：平台上已发出，已执行" in r.text
    d = only_delivery(env, "0905-found")
    assert d.state == State.SENT and d.sent_at is not None and "editor1" in d.message
    rule = PLATFORMS["weibo"].quota_rule(env.settings.accounts["shsmr_weibo"])
    assert env.db.bucket_use("shsmr_weibo", rule, d.sent_at).sent == 1  # it used the quota
    [entry] = [e for e in audit_store.entries(env.db, post=d.post) if e.action == "mark_sent"]
    assert entry.actor == "editor1" and action_label(entry.action) == "标为已发出"
    r = s.post(f"{env.url}/watch/deliveries/{did}/sent", data={"csrf": csrf_of(s, env)})
    assert r.status_code == 409  # only once, only from an open outcome
    refused = env.cli("queue", "mark-sent", str(d.post), "--account", "shsmr_weibo")
    assert refused.returncode != 0 and "只有结果未知" in refused.stderr + refused.stdout


def test_mark_sent_from_the_command_line(env):
    force_state(env, "0906-cli", State.NEEDS_PERSON, message="多次核实仍不确定")
    number = env.queued["0906-cli"]
    done = env.cli("queue", "mark-sent", str(number), "--account", "shsmr_weibo",
                   "--url", "https://weibo.com/5800000001/cli", "--by", "editor1")
    assert done.returncode == 0, done.stderr + done.stdout
    d = only_delivery(env, "0906-cli")
    assert (d.state, d.url) == (State.SENT, "https://weibo.com/5800000001/cli")
    page = sign_in(env, "editor1").get(f"{env.url}/published?account=shsmr_weibo").text
    assert "看板稿件：命令行核实" in page  # the console shows what the CLI recorded


def test_the_kill_switch_is_for_admins_and_stops_publishing(env):
    editor = sign_in(env, "editor1")
    page = editor.get(f"{env.url}/dashboard").text
    assert 'id="kill-switch"' not in page  # not offered …
    for who in ("editor1", "rev1", "pdeditor"):
        s = sign_in(env, who)
        for scope in ("*", "shsmr_weibo"):  # … and refused on the server
            r = s.post(f"{env.url}/watch/pause", data={"csrf": csrf_of(s, env), "scope": scope,
                                                       "reason": "测试"})
            assert r.status_code == 403, (who, scope)
    assert env.db.pauses() == []

    admin = sign_in(env, "admin")
    assert 'id="kill-switch"' in admin.get(f"{env.url}/dashboard").text
    r = admin.post(f"{env.url}/watch/pause", data={"csrf": csrf_of(admin, env), "scope": "*",
                                                   "reason": ""})
    assert r.status_code == 400 and "请写明暂停原因" in r.text and env.db.pauses() == []
    r = admin.post(f"{env.url}/watch/pause", data={"csrf": csrf_of(admin, env), "scope": "*",
                                                   "reason": "舆情研判，暂停发布"})
    assert r.status_code == 200 and "已暂停全部账号" in r.text
    [p] = env.db.pauses()
    assert (p.scope, p.by, p.reason) == ("*", "admin", "舆情研判，暂停发布")
    status = env.cli("status")
    assert "已暂停：全部账号" in status.stdout  # the same switch the CLI shows

    def allowed(d) -> bool:  # the claim's own rule, for this delivery were it due now
        post = env.db.post(d.post)
        now = dt.datetime.now(dt.UTC)
        return may_send(state=State.DUE, paused=d.paused, due_at=now, account=d.account,
                        review=post.review, approved_hash=post.content_hash,
                        approved_at=now, content_hash=d.content_hash, has_warnings=False,
                        policy=rules_of(env.settings).accounts.get(d.account),
                        pauses={x.scope for x in env.db.pauses()}, now=now)

    sent = only_delivery(env, "0903-sent")
    assert sent.paused and not allowed(sent)
    page = editor.get(f"{env.url}/dashboard").text
    assert "舆情研判，暂停发布" in page  # everyone sees why nothing goes out
    r = editor.post(f"{env.url}/watch/resume", data={"csrf": csrf_of(editor, env), "scope": "*"})
    assert r.status_code == 403 and len(env.db.pauses()) == 1
    r = admin.post(f"{env.url}/watch/resume", data={"csrf": csrf_of(admin, env), "scope": "*"})
    assert r.status_code == 200 and "已恢复：全部账号" in r.text and env.db.pauses() == []
    assert allowed(only_delivery(env, "0903-sent"))


def test_follower_view_shows_what_was_sent(env):
    did = force_state(env, "0903-sent", State.SENT, sent_at=dt.datetime.now(dt.UTC),
                      url="https://weibo.com/5800000001/test", remote_id="4800000000000001")
    s = sign_in(env, "editor1")
    page = s.get(f"{env.url}/published?account=shsmr_weibo").text
    listed = page.split('id="published"')[1]
    assert "看板稿件：已经发出" in listed and "4800000000000001" in listed
    assert "粉丝看到的样子" in listed and "看板稿件：发送失败" not in listed
    r = sign_in(env, "pdeditor").get(f"{env.url}/published?account=shsmr_weibo")
    assert r.status_code == 404
    assert did


def test_audit_log_filters_and_exports_csv_excel_reads(env):
    admin = sign_in(env, "admin")
    page = admin.get(f"{env.url}/audit?action=pause").text
    table = page.split('id="audit"')[1]
    assert "舆情研判，暂停发布" in table and "加入队列" not in table
    r = admin.get(f"{env.url}/audit.csv?actor=admin")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间（北京时间）", "操作人", "操作", "稿件编号", "账号", "内容指纹", "详情"]
    body = rows[1:]
    assert body and all(row[1] == "admin" for row in body)
    assert ["暂停", "暂停全部账号：舆情研判，暂停发布"] in [[row[2], row[6]] for row in body]
    assert ["恢复"] in [[row[2]] for row in body]

    editor = sign_in(env, "editor1")
    rows = list(csv.reader(io.StringIO(editor.get(
        f"{env.url}/audit.csv?action=add").content.decode("utf-8-sig"))))
    titles = " ".join(row[6] for row in rows)
    assert len(rows) > 1 and "浦东" not in titles  # only the viewer's units
    pudong = list(csv.reader(io.StringIO(sign_in(env, "pdeditor").get(
        f"{env.url}/audit.csv").content.decode("utf-8-sig"))))
    assert all(row[4] in ("", "pudong_wechat") for row in pudong[1:])
    assert any(row[3] == str(env.queued["0904-pd"]) for row in pudong[1:])
    assert not any(row[3] == str(env.queued["0901-fail"]) for row in pudong[1:])
    today = dt.datetime.now(env.settings.tz).date()
    later = (today + dt.timedelta(days=1)).isoformat()
    rows = list(csv.reader(io.StringIO(admin.get(
        f"{env.url}/audit.csv?since={later}").content.decode("utf-8-sig"))))
    assert rows[1:] == []


def test_a_cell_that_looks_like_a_formula_stays_text(env):
    from socialbot.store.audit import AuditEntry
    from socialbot.web.watch import audit_csv_text

    entry = AuditEntry(1, dt.datetime(2022, 6, 9, 1, 0, tzinfo=dt.UTC), "=cmd|' /c calc'!A1",
                       "reject", None, None, None, "+1 退回")
    rows = list(csv.reader(io.StringIO(audit_csv_text([entry], env.settings)[1:])))
    assert rows[1][0] == "2022-06-09 09:00:00"  # Beijing time
    assert rows[1][1].startswith("'=") and rows[1][6] == "'+1 退回"


def test_pages_are_gzipped_and_never_carry_the_csrf_secret(env):
    s = sign_in(env, "admin")
    r = s.get(f"{env.url}/audit?actor=admin", headers={"Accept-Encoding": "gzip"},
              stream=True)
    wire = r.raw.read(decode_content=False)
    assert r.headers["content-encoding"] == "gzip" and wire[:2] == b"\x1f\x8b"
    page = gzip.decompress(wire).decode("utf-8")
    assert 'id="audit"' in page and len(wire) < len(page.encode())
    plain = s.get(f"{env.url}/audit", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and 'id="audit"' in plain.text
    # A compressed answer that reflects what people type must not carry the secret
    # itself (BREACH): each use of the token is masked afresh, and each is accepted.
    tokens = CSRF_RE.findall(page) + CSRF_RE.findall(plain.text)
    assert len(set(tokens)) == len(tokens) >= 2
    [session] = [c.value for c in s.cookies if c.name == "sb_session"]
    secret = sessions.load_session(env.db, session, env.clock(), dt.timedelta(hours=1))
    assert secret is not None and secret.csrf_token not in page + plain.text
    for token in (tokens[0], tokens[-1]):
        r = s.post(f"{env.url}/watch/resume", data={"csrf": token, "scope": "*"})
        assert r.status_code == 200 and "当前没有对应的暂停" in r.text
    r = s.post(f"{env.url}/watch/resume", data={"csrf": tokens[0][:-2] + "AA", "scope": "*"})
    assert r.status_code == 403
