"""Injected faults: the next N matching requests fail in a chosen way.

Faults are how tests and staff rehearse the bad days: platform errors, HTTP 500s, garbage
bodies, timeouts and lost connections, including the nasty "done, but the answer was lost"
cases (``*_after_commit``) that make duplicate posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from socialbot_practice.errors import BadRequest

# Answered without doing anything.
BEFORE_ACTION = ("error", "http_500", "garbage", "timeout", "drop")
# The action really happens, then the answer is lost or late.
AFTER_ACTION = ("drop_after_commit", "timeout_after_commit")
# Read by a handler: freepublish/submit accepts the job, which later ends in this status.
HANDLER_FAULTS = ("publish_status",)
FAULT_KINDS = BEFORE_ACTION + AFTER_ACTION + HANDLER_FAULTS
PLATFORMS = ("wechat", "weibo")
DEFAULT_SLEEP = 5.0


@dataclass
class Fault:
    """One injected fault; ``times`` < 0 means until cleared."""

    id: int
    platform: str
    endpoint: str
    fault: str
    times: int
    params: dict[str, Any] = field(default_factory=dict)
    account: str | None = None
    hits: int = 0

    def matches(self, platform: str, endpoint: str, account: str | None) -> bool:
        if self.platform != platform:
            return False
        if self.account is not None and self.account != account:
            return False
        return endpoint_matches(self.endpoint, endpoint)

    @property
    def seconds(self) -> float:
        return float(self.params.get("seconds", DEFAULT_SLEEP))

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "endpoint": self.endpoint,
            "fault": self.fault,
            "times_left": self.times,
            "hits": self.hits,
            "account": self.account,
            "params": dict(self.params),
        }


def endpoint_matches(pattern: str, endpoint: str) -> bool:
    """``*`` matches all; otherwise a whole-segment suffix (``.json`` optional)."""
    if pattern == "*":
        return True
    pattern = pattern.strip("/").removesuffix(".json")
    endpoint = endpoint.strip("/").removesuffix(".json")
    return endpoint == pattern or endpoint.endswith("/" + pattern)


class FaultBook:
    """The active faults, in the order they were injected (not thread-safe: callers lock)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(
        self,
        platform: str,
        endpoint: str,
        fault: str,
        times: int = 1,
        account: str | None = None,
        **params: Any,
    ) -> Fault:
        if platform not in PLATFORMS:
            raise BadRequest(f"platform must be one of {PLATFORMS}, not {platform!r}")
        if fault not in FAULT_KINDS:
            raise BadRequest(f"fault must be one of {FAULT_KINDS}, not {fault!r}")
        if fault == "error" and "errcode" not in params and "error_code" not in params:
            raise BadRequest("an 'error' fault needs errcode (WeChat) or error_code (Weibo)")
        if fault == "publish_status" and "status" not in params:
            raise BadRequest("a 'publish_status' fault needs status (2, 3, 4 ...)")
        if times == 0:
            raise BadRequest("times must be >= 1, or negative for 'until cleared'")
        item = Fault(self._next_id, platform, endpoint or "*", fault, int(times), params, account)
        self._next_id += 1
        self._faults.append(item)
        return item

    def take(
        self, platform: str, endpoint: str, account: str | None, kinds: tuple[str, ...]
    ) -> Fault | None:
        """Consume one use of the first matching fault of the given kinds."""
        for item in self._faults:
            if item.fault in kinds and item.matches(platform, endpoint, account):
                item.hits += 1
                if item.times > 0:
                    item.times -= 1
                    if item.times == 0:
                        self._faults.remove(item)
                return item
        return None

    def active(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()
