"""The one interface every platform implements, and the channel it hands out.

A :class:`Platform` owns everything the product must know about one social platform:
its account fields, limits (as class attributes), quota rule, rendering of the common
post into its own :class:`Part`, checks, preview card and channel. The core reaches a
platform only through this interface and the registry in ``socialbot.platforms``.

A :class:`Channel` turns a :class:`RenderedPost` into platform API calls for one
account: ``plan`` lists the calls (dry run), ``publish`` makes them, ``reconcile`` asks
the platform what happened when an earlier outcome is unknown. Expected platform
failures come back as values (:class:`DeliveryResult`), never as exceptions, so the
queue can record them and the daemon keeps running.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from markupsafe import Markup

from socialbot.config import Account, Settings
from socialbot.delivery import (  # re-exported: the channels' shared vocabulary
    OUTCOME_LABELS,
    REDACTED,
    Attempt,
    DeliveryResult,
    Outcome,
    PlannedCall,
)
from socialbot.errors import Problem
from socialbot.quota_rules import QuotaRule
from socialbot.reach import StatsCollector
from socialbot.rendered import Part, RenderedPost
from socialbot.report_spec import ReportSpec

if TYPE_CHECKING:
    from socialbot.render.job import RenderJob

__all__ = [
    "OUTCOME_LABELS",
    "REDACTED",
    "Attempt",
    "Channel",
    "DeliveryResult",
    "KeyValueStore",
    "Outcome",
    "Part",
    "PlannedCall",
    "Platform",
    "PreviewFiles",
]

#: sha256 of an image → the file name it was written under in the preview folder.
PreviewFiles = dict[str, str]
#: Collects a problem about one config field: ``fail(message)``.
Fail = Callable[[str], None]


class KeyValueStore(Protocol):
    """Shared storage for tokens and upload memos, visible to every bot process."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int | None = None) -> None: ...
    def delete(self, key: str) -> None: ...


class Channel(Protocol):
    platform: ClassVar[str]

    @property
    def account(self) -> Account:
        """The account this channel publishes to (a platform's own Account subclass)."""
        ...

    def check(self, rendered: RenderedPost) -> list[Problem]:
        """Platform rules this content breaks for this account (empty = fine)."""
        ...

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        """The calls ``publish`` would make, in order, without touching the network."""
        ...

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        """Make the calls. ``delivery_key`` identifies (post, account, content) for dedupe."""
        ...

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        """Find out from the platform whether an earlier unknown attempt went through."""
        ...


@dataclass(frozen=True)
class Abilities:
    """What one account may do, found out from the platform's own answers (for staff).

    ``summary`` is one Chinese line (已认证 · 可群发 …); ``instruction`` says what staff
    must do when the account's configured reach cannot go out through the API;
    ``can_send`` is whether that reach is permitted (None: could not find out);
    ``draft_only``: the API may only save drafts; ``problem``: why something is unknown.
    """

    summary: str
    instruction: str
    can_send: bool | None
    draft_only: bool
    problem: str
    checked_at: dt.datetime


class Platform(ABC):
    """What one platform is, what it may carry, and how the bot talks to it.

    Subclasses set the class attributes and implement the abstract methods; the
    optional hooks have defaults that suit a platform without quota or token expiry.
    """

    name: ClassVar[str]  # config value of ``platform``, key of its part and template block
    label: ClassVar[str]  # what staff call it: "微博"
    official_api_base: ClassVar[str]
    #: Front-matter field of a post that holds staff-written text for this platform
    #: (offered to the template as ``post.<field>``), or "" when there is none.
    post_text_field: ClassVar[str] = ""
    post_text_label: ClassVar[str] = ""  # what staff call that field: "微博正文"
    #: Hosts the article body may link to directly; other links become references.
    body_link_hosts: ClassVar[tuple[str, ...]] = ()
    #: A preview-send to one person before the real send (``channel.preview``) exists.
    can_send_preview: ClassVar[bool] = False
    #: Its statistics give only the follower total as read at collection time, not new
    #: followers per day: the report derives followers gained from those readings.
    followers_by_reading: ClassVar[bool] = False
    #: What the campaign report counts for it (``socialbot.report_spec``); None: its
    #: items are not in the report.
    report: ClassVar[ReportSpec | None] = None
    #: Every file name ``preview_files`` may give: preview knows its own output by them.
    preview_file_names: ClassVar[tuple[str, ...]] = ()

    # -- accounts -------------------------------------------------------------------------

    @abstractmethod
    def parse_account(self, account_id: str, table: dict[str, Any], common: dict[str, Any],
                      fail: Fail) -> Account | None:
        """This platform's account from its ``[accounts.X]`` table.

        ``common`` holds the fields every account has, already checked (name, api_base,
        requires_approval); every problem goes to ``fail`` in Chinese.
        """

    def account_keys(self) -> frozenset[str]:
        """The table keys this platform's accounts may use besides the common ones."""
        return frozenset()

    def quota_rule(self, account: Account) -> QuotaRule | None:
        """The platform's send limit for this account, or None when sends are not counted."""
        return None

    def message_capacity(self, account: Account) -> int:
        """How many posts one send to this account may carry."""
        return 1

    def push_time(self, account: Account) -> dt.time | None:
        """When this account's daily send goes out (Beijing time), if staff fixed one."""
        return None

    def separate_send(self, rendered: RenderedPost | None) -> bool:
        """Whether this post must travel in a send of its own (never with others)."""
        return False

    def reach(self, account: Account) -> str:
        """What a send does for this account, as plan.json names it."""
        return "share"

    # -- content --------------------------------------------------------------------------

    @abstractmethod
    def render(self, job: RenderJob) -> Part | None:
        """This platform's part of the post from its template block; problems go to ``job``."""

    @abstractmethod
    def part_from_json(self, data: dict[str, Any]) -> Part:
        """The part back from its ``to_json`` form."""

    @abstractmethod
    def check(self, part: Part, account: Account, source: str) -> list[Problem]:
        """Platform rules ``part`` breaks for ``account`` (``source``: the post file)."""

    def describe(self, part: Part) -> list[tuple[str, str]]:
        """(label, value) lines that summarise the part for ``queue show``."""
        return []

    def preview_checks(self, part: Part) -> list[tuple[str, int, int]]:
        """(what, size, limit) lines for the preview page's length table."""
        return []

    @abstractmethod
    def preview_card(self, part: Part, accounts: list[Account], files: PreviewFiles,
                     rendered: RenderedPost) -> Markup:
        """The HTML of what a follower sees, for the dry-run preview page."""

    def preview_files(self, part: Part) -> dict[str, str]:
        """Extra text files for the preview folder: file name → content."""
        return {}

    # -- sending --------------------------------------------------------------------------

    def message_card(self, account: Account, items: list[tuple[Part, str, str]],
                     day: str) -> Markup:
        """The follower's view of one send carrying several posts (``message_capacity`` > 1):
        ``items`` are (part, the folder holding its images, its article page), in order."""
        raise NotImplementedError(f"{self.name} sends carry one post")

    @abstractmethod
    def channel(self, account: Account, settings: Settings, kv: Any, **options: Any) -> Channel:
        """The object that makes the calls for ``account``. ``options`` are for tests."""

    def token_expiry(self, account: Account, settings: Settings,
                     kv: Any) -> dt.datetime | None:
        """When the account's credential expires, as last checked (None: unknown/never)."""
        return None

    def stats_collector(self, account: Account, settings: Settings, kv: Any,
                        **options: Any) -> StatsCollector | None:
        """The account's reach-statistics reader (``socialbot.reach``); None: no statistics."""
        return None

    def abilities(self, account: Account, settings: Settings, kv: Any, *,
                  fresh: bool = False,
                  now: Callable[[], dt.datetime] | None = None) -> Abilities | None:
        """What ``account`` may do; asks the platform unless a recent answer is known
        (``fresh``: ask anyway). None: this platform has nothing to find out."""
        return None

    def forget_memory(self) -> None:  # noqa: B027 - optional hook, nothing kept by default
        """Drop what this process keeps in memory (tokens, upload keys), as a new one would."""
