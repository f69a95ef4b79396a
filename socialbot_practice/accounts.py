"""Account specs (what a test or staff member configures) and each account's live records.

A spec is plain data that also arrives as JSON over the control API, so ``from_dict``
validates it and reports unknown keys instead of silently ignoring a typo.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from socialbot_practice.errors import BadRequest

WECHAT_KINDS = ("subscription", "service")


def _generated_openids(seed: str, count: int) -> list[str]:
    """Stable fake OpenIDs (28 chars starting with "o", like real ones) for a seed."""
    return ["o" + hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()[:27] for n in range(count)]


def _spec_from_dict(cls: type, data: dict[str, Any]) -> Any:
    if not isinstance(data, dict):
        raise BadRequest("account spec must be a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise BadRequest(f"unknown field(s) in {cls.__name__}: {', '.join(unknown)}")
    try:
        return cls(**data)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{cls.__name__}: {exc}") from exc


@dataclass
class WeChatAccountSpec:
    """A WeChat Official Account on the practice platform."""

    appid: str
    secret: str
    kind: str = "subscription"
    followers: list[str] | None = None
    tags: dict[int, list[str]] = field(default_factory=dict)
    ip_whitelist: list[str] | None = None
    name: str = ""
    token_lifetime: int = 7200
    publish_polls: int = 1
    # False: an unverified account, which answers 48001 (api unauthorized) to the data API
    # (datacube) and to the mass-send and publishing APIs (wechat.UNVERIFIED_REFUSED), and
    # keeps the draft box.
    verified: bool = True

    def __post_init__(self) -> None:
        if not self.appid or not self.secret:
            raise ValueError("appid and secret are required")
        if self.kind not in WECHAT_KINDS:
            raise ValueError(f"kind must be one of {WECHAT_KINDS}, not {self.kind!r}")
        if self.followers is None:
            self.followers = _generated_openids(self.appid, 3)
        self.followers = [str(f) for f in self.followers]
        self.tags = {int(k): [str(o) for o in v] for k, v in self.tags.items()}
        self.name = self.name or self.appid
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be positive")
        if not isinstance(self.verified, bool):
            raise ValueError("verified must be true or false")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WeChatAccountSpec:
        return _spec_from_dict(cls, data)  # type: ignore[no-any-return]

    def public(self) -> dict[str, Any]:
        """The spec without its secret (for the state API and the page)."""
        data = asdict(self)
        data.pop("secret")
        data["tags"] = {str(k): v for k, v in self.tags.items()}
        return data


@dataclass
class WeiboAccountSpec:
    """A Weibo user whose OAuth token the bot holds."""

    token: str
    uid: str
    screen_name: str = ""
    safe_domains: list[str] = field(default_factory=list)
    expires_in: int = 157679471
    followers: int = 3
    appkey: str = ""

    def __post_init__(self) -> None:
        if not self.token or not self.uid:
            raise ValueError("token and uid are required")
        self.uid = str(self.uid)
        self.screen_name = self.screen_name or f"用户{self.uid}"
        self.safe_domains = [d.lower().strip(".") for d in self.safe_domains]
        self.appkey = (
            self.appkey or str(int(hashlib.sha256(self.uid.encode()).hexdigest(), 16))[:10]
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WeiboAccountSpec:
        return _spec_from_dict(cls, data)  # type: ignore[no-any-return]

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("token")
        return data


@dataclass
class Token:
    """One WeChat access_token and why it may stop working."""

    value: str
    appid: str
    kind: str  # "stable" or "legacy"
    issued_at: float
    expires_at: float
    superseded: bool = False  # a newer legacy token exists: after the grace period -> 40001


@dataclass
class StoredImage:
    """Bytes of an uploaded image, served back at its URL."""

    name: str
    sha256: str
    mime: str
    data: bytes
    width: int
    height: int


@dataclass
class WeChatAccount:
    """Live records of one Official Account."""

    spec: WeChatAccountSpec
    stable_token: Token | None = None
    legacy_token: Token | None = None
    force_refreshes: list[float] = field(default_factory=list)
    legacy_fetches: list[float] = field(default_factory=list)
    uploadimg_urls: set[str] = field(default_factory=set)
    materials: dict[str, StoredImage] = field(default_factory=dict)
    material_urls: dict[str, str] = field(default_factory=dict)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sends: dict[int, dict[str, Any]] = field(default_factory=dict)
    clientmsgids: dict[str, tuple[int, float]] = field(default_factory=dict)
    mass_requests: deque[float] = field(default_factory=deque)
    received: list[dict[str, Any]] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)
    published: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.spec.appid


@dataclass
class WeiboAccount:
    """Live records of one Weibo user."""

    spec: WeiboAccountSpec
    token_issued_at: float
    posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.spec.uid

    @property
    def token_expires_at(self) -> float:
        return self.token_issued_at + self.spec.expires_in
