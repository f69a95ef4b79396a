"""Key-value storage shared by every bot process: access tokens, upload memos, leases.

Several processes (the daemon, a staff member's ``publish --now``) talk to the same
accounts. They must share one WeChat token and one memo of uploaded images, or they
burn quotas and invalidate each other's tokens. The default store is the ``kv`` table of
the queue database (``socialbot.store.kv``, over the queue's own engine and migrations);
Redis is used when configured.

Every store also offers ``add`` (set only if absent or expired) and ``delete_if`` (delete
only if the value still matches). :func:`lease` builds a cross-process lock from them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from socialbot.config import Settings

Clock = Callable[[], float]


class LeaseTimeout(TimeoutError):
    """Another process held the lease for longer than we were willing to wait."""


class AtomicStore(Protocol):
    """``channels.base.KeyValueStore`` plus the two atomic operations leases need."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def add(self, key: str, value: str, ttl: float | None = None) -> bool: ...
    def delete_if(self, key: str, value: str) -> bool: ...


class MemoryKeyValueStore:
    """One process only: for tests and dry runs. Honours ttl, unlike wechatpy's MemoryStorage."""

    def __init__(self, clock: Clock = time.time):
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at is not None and expires_at <= self._clock():
            del self._data[key]
            return None
        return value

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        with self._lock:
            found = {key: self._live(key) for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, self._clock() + ttl if ttl else None)

    def set_many(self, items: Iterable[tuple[str, str, float | None]]) -> None:
        with self._lock:
            for key, value, ttl in items:
                self._data[key] = (value, self._clock() + ttl if ttl else None)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._clock() + ttl if ttl else None)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def delete_if(self, key: str, value: str) -> bool:
        with self._lock:
            if self._live(key) != value:
                return False
            del self._data[key]
            return True


_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisKeyValueStore:
    """Redis, for deployments that already run it (``[redis] url`` in config.toml)."""

    def __init__(self, url: str, prefix: str = "socialbot:"):
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self._release = self.redis.register_script(_RELEASE_SCRIPT)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> str | None:
        value = self.redis.get(self._k(key))
        return None if value is None else str(value)

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        names = list(dict.fromkeys(keys))
        if not names:
            return {}
        values = self.redis.mget([self._k(key) for key in names])
        return {key: str(value) for key, value in zip(names, values, strict=True)
                if value is not None}

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self.redis.set(self._k(key), value, px=int(ttl * 1000) if ttl else None)

    def set_many(self, items: Iterable[tuple[str, str, float | None]]) -> None:
        """One round trip (MULTI/EXEC), so the writes land together."""
        pipe = self.redis.pipeline(transaction=True)
        for key, value, ttl in items:
            pipe.set(self._k(key), value, px=int(ttl * 1000) if ttl else None)
        pipe.execute()

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        """``SET key value NX PX ttl``: atomic in Redis."""
        px = int(ttl * 1000) if ttl else None
        return bool(self.redis.set(self._k(key), value, nx=True, px=px))

    def delete(self, key: str) -> None:
        self.redis.delete(self._k(key))

    def delete_if(self, key: str, value: str) -> bool:
        return bool(self._release(keys=[self._k(key)], args=[value]))


def open_kv(settings: Settings) -> AtomicStore:
    """Redis when ``[redis] url`` is set, otherwise the ``kv`` table of the queue database."""
    if settings.redis_url:
        return RedisKeyValueStore(settings.redis_url)
    from socialbot.store.kv import SqlKeyValueStore

    return SqlKeyValueStore(settings.database_url)


def __getattr__(name: str) -> Any:
    """``socialbot.kv.SqlKeyValueStore`` still names the database store (imported on use)."""
    if name == "SqlKeyValueStore":
        from socialbot.store.kv import SqlKeyValueStore

        return SqlKeyValueStore
    raise AttributeError(name)


_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


@contextmanager
def lease(
    kv: Any,
    name: str,
    *,
    seconds: float = 30.0,
    wait: float = 40.0,
    poll: float = 0.05,
) -> Iterator[None]:
    """Hold ``lock:<name>`` across processes for at most ``seconds`` (it expires if we die).

    Stores without ``add`` (a plain ``channels.base.KeyValueStore``) get a process-local lock.
    """
    if not hasattr(kv, "add"):
        with _local_guard:
            local = _local_locks.setdefault(name, threading.Lock())
        if not local.acquire(timeout=wait):
            raise LeaseTimeout(name)
        try:
            yield
        finally:
            local.release()
        return
    store: AtomicStore = kv
    key, holder = f"lock:{name}", uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not store.add(key, holder, ttl=seconds):
        if time.monotonic() >= deadline:
            raise LeaseTimeout(name)
        time.sleep(poll)
    try:
        yield
    finally:
        store.delete_if(key, holder)
