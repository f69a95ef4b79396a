"""Key-value stores: the same behaviour in memory, SQLite, Redis and PostgreSQL; leases."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from socialbot.kv import (
    LeaseTimeout,
    MemoryKeyValueStore,
    RedisKeyValueStore,
    SqlKeyValueStore,
    lease,
    open_kv,
)
from tests.processes import child, wait_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throw-away redis-server on a free port (skipped when none is installed)."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    port = _free_port()

    def accepting() -> bool:
        assert proc.poll() is None, "redis-server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    with child([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no"], stdout=subprocess.DEVNULL) as proc:
        wait_for(accepting, timeout=60, what="redis-server to accept connections")
        yield f"redis://127.0.0.1:{port}/0"


def _postgres_url() -> str:
    url = os.environ.get("SOCIALBOT_TEST_POSTGRES_URL", "")
    if not url:
        pytest.skip("set SOCIALBOT_TEST_POSTGRES_URL to test PostgreSQL")
    return url


STORES: dict[str, Callable[..., Any]] = {
    "memory": lambda request, tmp_path, clock: MemoryKeyValueStore(clock=clock),
    "sqlite": lambda request, tmp_path, clock: SqlKeyValueStore(
        f"sqlite:///{tmp_path / 'kv.db'}", clock=clock),
    "sqlite-memory": lambda request, tmp_path, clock: SqlKeyValueStore("sqlite://", clock=clock),
    "postgres": lambda request, tmp_path, clock: SqlKeyValueStore(_postgres_url(), clock=clock),
}


@pytest.fixture(params=[*STORES, "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, FakeClock]]:
    clock = FakeClock()
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        kv: Any = RedisKeyValueStore(url, prefix=f"test:{time.monotonic_ns()}:")
        yield kv, clock
        return
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    kv = STORES[request.param](request, tmp_path, clock)
    yield kv, clock
    if isinstance(kv, SqlKeyValueStore):
        for key in ("a", "b", "lock:x"):
            kv.delete(key)
        kv.engine.dispose()


def test_get_set_delete_and_add(store: tuple[Any, FakeClock]) -> None:
    kv, _ = store
    assert kv.get("a") is None
    kv.set("a", "一")
    assert kv.get("a") == "一"
    kv.set("a", "二")
    assert kv.get("a") == "二"
    assert kv.add("a", "三") is False
    assert kv.add("b", "三") is True and kv.get("b") == "三"
    assert kv.delete_if("b", "wrong") is False and kv.get("b") == "三"
    assert kv.delete_if("b", "三") is True and kv.get("b") is None
    kv.delete("a")
    kv.delete("a")  # deleting twice is fine
    assert kv.get("a") is None


def test_ttl_expiry(store: tuple[Any, FakeClock]) -> None:
    kv, clock = store
    if isinstance(kv, RedisKeyValueStore):  # the server's clock: check, then watch it expire
        kv.set("a", "soon", ttl=600)
        assert kv.get("a") == "soon" and 0 < kv.redis.pttl(kv._k("a")) <= 600_000
        kv.set("a", "soon", ttl=0.05)
        wait_for(lambda: kv.get("a") is None, timeout=60, what="the key to expire")
        return
    kv.set("a", "soon", ttl=10)
    kv.add("b", "lease", ttl=10)
    clock.now += 9
    assert kv.get("a") == "soon"
    assert kv.add("b", "other", ttl=10) is False
    clock.now += 2
    assert kv.get("a") is None
    assert kv.add("b", "other", ttl=10) is True  # an expired lease is taken over
    assert kv.get("b") == "other"


def test_two_sqlite_stores_share_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = SqlKeyValueStore(url), SqlKeyValueStore(url)
    one.set("token", "x", ttl=60)
    assert two.get("token") == "x"
    assert one.add("lock:t", "p1", ttl=30) is True
    assert two.add("lock:t", "p2", ttl=30) is False


def test_lease_is_exclusive_across_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lease.db'}"
    inside, overlaps, order = [0], [], []
    guard = threading.Lock()

    def worker(n: int) -> None:
        kv = SqlKeyValueStore(url)
        with lease(kv, "refresh", seconds=120, wait=120, poll=0.005):
            with guard:
                inside[0] += 1
                overlaps.append(inside[0])
            time.sleep(0.02)
            order.append(n)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(order) == list(range(6))
    assert max(overlaps) == 1


def test_lease_times_out_and_a_dead_holder_expires(tmp_path: Path) -> None:
    clock = FakeClock()  # the lease's expiry follows the store's clock, not the machine's pace
    kv = SqlKeyValueStore(f"sqlite:///{tmp_path / 'lease.db'}", clock=clock)
    kv.add("lock:busy", "someone-else", ttl=30)  # a process that died holding it
    with pytest.raises(LeaseTimeout), lease(kv, "busy", wait=0.05, poll=0.01):
        pass
    clock.now += 31
    with lease(kv, "busy", wait=60, poll=0.02):  # taken over once its lease runs out
        assert kv.get("lock:busy") not in (None, "someone-else")
    assert kv.get("lock:busy") is None


def test_lease_without_atomic_add_falls_back_to_a_local_lock() -> None:
    class Plain:
        def get(self, key: str) -> None:
            return None

    with lease(Plain(), "local"):
        pass


def test_open_kv_picks_redis_or_the_database(tmp_path: Path, redis_url: str) -> None:
    from types import SimpleNamespace

    sql = open_kv(SimpleNamespace(redis_url="", database_url=f"sqlite:///{tmp_path / 'a.db'}"))
    assert isinstance(sql, SqlKeyValueStore)
    red = open_kv(SimpleNamespace(redis_url=redis_url, database_url=""))
    assert isinstance(red, RedisKeyValueStore)
