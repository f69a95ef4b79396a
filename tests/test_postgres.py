"""The queue on PostgreSQL: schema, append-only audit, SKIP LOCKED claims, three workers.

Needs ``SOCIALBOT_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
Each test gets its own schema (``search_path``), dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from test_store_helpers import (
    NOW,
    SCENARIO_TIMEOUT_S,
    SH,
    add,
    assert_exactly_once,
    entry,
    exactly_once_scenario,
    make_settings,
    practice_settings,
    tiny_rendered,
)

from socialbot.errors import StoreError
from socialbot.store import open_store, review
from socialbot.store.claims import claim_next, promote_due, worker_identity
from socialbot.store.migrations import MIGRATIONS
from socialbot.store.queue import add_entries
from socialbot.store.schema import deliveries, posts
from socialbot.store_rules import rules_of
from socialbot_practice import PracticePlatform
from tests.processes import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(SCENARIO_TIMEOUT_S)]

AT = dt.datetime(2022, 6, 9, 9, 0, tzinfo=SH)


@pytest.fixture
def pg_url():
    base = os.environ.get("SOCIALBOT_TEST_POSTGRES_URL", "")
    if not base:
        pytest.skip("SOCIALBOT_TEST_POSTGRES_URL is not set (e.g. "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, ImportError) as exc:
        pytest.skip(f"PostgreSQL at SOCIALBOT_TEST_POSTGRES_URL is unreachable: {exc}")
    schema = f"sb_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg(tmp_path, pg_url):
    settings = make_settings(tmp_path, database_url=pg_url)
    db = open_store(settings)
    assert db.is_postgres
    yield settings, db
    db.dispose()


def test_schema_migrates_once_and_audit_is_append_only(pg):
    settings, db = pg
    assert db.version() == MIGRATIONS[-1][0]
    assert open_store(settings).version() == db.version()
    add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    for sql in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql))


def test_concurrent_claims_with_skip_locked_never_share_a_delivery(pg):
    settings, db = pg
    entries = [entry(tiny_rendered(f"p{i}", f"稿件{i}", seed=i), ["svc_wechat"], AT)
               for i in range(60)]
    add_entries(db, rules_of(settings), entries, NOW, actor="张三")
    for e in entries:
        review.approve(db, rules_of(settings), e.queue_id or 0, "李四", NOW)
    promote_due(db, rules_of(settings), AT)
    claimed: list[int] = []
    lock = threading.Lock()

    def grab() -> None:
        me = worker_identity()
        while (claim := claim_next(db, rules_of(settings), me, AT)) is not None:
            with lock:
                claimed.append(claim.id)

    threads = [threading.Thread(target=grab) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 60 and len(set(claimed)) == 60


def test_three_postgres_workers_deliver_every_approved_post_exactly_once(tmp_path, pg_url,
                                                                         children):
    with PracticePlatform(port=0) as platform:
        settings = practice_settings(tmp_path, platform, database_url=pg_url)
        result = exactly_once_scenario(tmp_path, platform, settings, children, workers=3)
    assert_exactly_once(result, workers=3)


def test_a_rejection_racing_a_claim_waits_for_it_and_refuses(pg):
    """A worker claiming on another machine while a reviewer rejects: never both."""
    settings, db = pg
    queue_id = add(db, settings, tiny_rendered(), ["city_weibo"], AT)
    promote_due(db, rules_of(settings), AT)
    outcome: dict[str, str] = {}
    with db.engine.connect() as claimer:
        claim = claimer.begin()  # a worker between its claim's SELECT and its COMMIT
        claimer_pid = claimer.execute(text("SELECT pg_backend_pid()")).scalar()
        claimer.execute(select(deliveries).where(deliveries.c.post == queue_id)
                        .with_for_update())
        claimer.execute(update(deliveries).where(deliveries.c.post == queue_id)
                        .values(state="sending"))

        def reject() -> None:
            try:
                review.reject(db, rules_of(settings), queue_id, "李四", "标题需修改", NOW)
                outcome["result"] = "rejected"
            except StoreError as exc:
                outcome["result"] = exc.render()

        reviewer = threading.Thread(target=reject, name="reviewer")
        reviewer.start()
        try:
            def reviewer_waits() -> bool:
                with db.engine.connect() as conn:
                    return bool(conn.execute(text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE :pid = ANY(pg_blocking_pids(pid))"), {"pid": claimer_pid}).scalar())

            wait_for(reviewer_waits, timeout=120, what="the rejection to wait for the claim")
        finally:
            claim.commit()
            reviewer.join(timeout=120)
    assert "正在发送中" in outcome["result"], outcome
    with db.tx(write=False) as conn:
        assert conn.execute(select(posts.c.review)).scalar() != "rejected"


def test_concurrent_claims_take_each_days_message_whole_and_once(tmp_path, pg_url):
    """The day's message on PostgreSQL: one claim takes all of a day's articles, locked."""
    settings = make_settings(tmp_path, database_url=pg_url,
                             misfire_grace_seconds=7 * 24 * 3600)  # five days due at once
    db = open_store(settings)
    entries = [entry(tiny_rendered(f"m{d}-{i}", f"第{d}天第{i}篇", seed=10 * d + i), ["sub_wechat"],
                     AT + dt.timedelta(days=d, minutes=i)) for d in range(5) for i in range(3)]
    add_entries(db, rules_of(settings), entries, NOW, actor="张三")
    for e in entries:
        review.approve(db, rules_of(settings), e.queue_id or 0, "李四", NOW)
    later = AT + dt.timedelta(days=5)
    promote_due(db, rules_of(settings), later)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def grab() -> None:
        me = worker_identity()
        try:
            while (claim := claim_next(db, rules_of(settings), me, later)) is not None:
                with lock:
                    claimed.append([part.id for part in claim.parts()])
        except BaseException as exc:  # a deadlock must fail the test, not a thread
            errors.append(exc)

    threads = [threading.Thread(target=grab) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(c) for c in claimed) == [3] * 5  # five messages of three articles
    ids = [i for c in claimed for i in c]
    assert len(ids) == 15 and len(set(ids)) == 15
    with db.tx(write=False) as conn:
        rows = conn.execute(select(deliveries.c.id, deliveries.c.message_slot,
                                   deliveries.c.message_key)).all()
    slot = {r.id: (r.message_slot, r.message_key) for r in rows}
    for c in claimed:
        assert len({slot[i] for i in c}) == 1  # one day, one key
    db.dispose()
