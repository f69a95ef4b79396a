"""The day's message in the dry run: which posts each mass-send account sends together.

An account whose sends carry several posts (``Platform.message_capacity`` > 1, a WeChat
mass-send account) sends the posts of one Beijing day as one message, ordered by
position, then by time. The preview learns each post's day, accounts and position from
the campaign calendar (``calendar.csv`` beside the posts folder) when it lists the post,
else from the post's ``date``; a post with neither is a message of its own. What the
queue would refuse (a ninth article) is shown, not hidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialbot.calendar_import import Row, read_calendar
from socialbot.config import Account, Settings
from socialbot.platforms import PLATFORMS, channel_for
from socialbot.rendered import delivery_key, send_key
from socialbot.store.times import parse_time

if TYPE_CHECKING:
    from socialbot.preview.post_preview import PostPreview

CALENDAR = "calendar.csv"


@dataclass(frozen=True)
class Place:
    """Where the calendar puts a post."""

    day: dt.date | None
    at: dt.datetime | None = None
    targets: tuple[str, ...] | None = None
    position: int | None = None


@dataclass
class Message:
    """One send of a mass-send account: its day and posts in order (the first is 头条)."""

    account: Account
    day: dt.date | None
    posts: list[PostPreview]
    calls: list[dict[str, Any]] = field(default_factory=list)
    key: str = ""

    @property
    def capacity(self) -> int:
        return PLATFORMS[self.account.platform].message_capacity(self.account)

    @property
    def over(self) -> int:
        """How many posts the queue would refuse for this day (beyond the capacity)."""
        return max(0, len(self.posts) - self.capacity)

    @property
    def day_label(self) -> str:
        return self.day.isoformat() if self.day else "未排日期"

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat() if self.day else None,
                "articles": [{"post_id": p.rendered.post_id, "title": p.rendered.title}
                             for p in self.posts],
                "send_key": self.key, "over_capacity": self.over, "calls": self.calls}


def default_calendar(settings: Settings) -> Path | None:
    """The campaign calendar beside the posts folder, if there is one."""
    path = settings.posts_dir.parent / CALENDAR
    return path if path.is_file() else None


def calendar_places(settings: Settings, calendar: Path | None) -> dict[str, Place]:
    """Each calendar row's place, by post file name (rows that do not parse are skipped:
    ``queue import`` reports them)."""
    if calendar is None:
        return {}
    return {Path(row.post).name: place for row in read_calendar(calendar)
            if (place := _place(settings, row)) is not None}


def _place(settings: Settings, row: Row) -> Place | None:
    when = row.time
    if isinstance(when, str):
        parsed = parse_time(when, settings.tz, "time")
        when = parsed if isinstance(parsed, dt.datetime) else None
    if when is None:
        return None
    position = int(row.position) if row.position.strip().isdigit() else None
    return Place(when.astimezone(settings.tz).date(), when, row.accounts or None, position)


def _own_place(preview: PostPreview) -> Place:
    try:
        return Place(dt.date.fromisoformat(str(preview.rendered.date)[:10]))
    except ValueError:
        return Place(None)


def daily_messages(settings: Settings, posts: list[PostPreview],
                   places: dict[str, Place]) -> list[Message]:
    """Every message of every mass-send account, by account then day."""
    found: list[Message] = []
    for account in settings.accounts.values():
        p = PLATFORMS[account.platform]
        if p.message_capacity(account) <= 1:
            continue
        groups: dict[tuple[dt.date | None, str], list[tuple[Any, PostPreview]]] = {}
        for n, preview in enumerate(posts):
            place = places.get(Path(preview.rendered.source).name) or _own_place(preview)
            targets = place.targets or tuple(a.id for a in preview.accounts)
            if account.id not in targets:
                continue
            alone = place.day is None or p.separate_send(preview.rendered)
            key = (place.day, preview.rendered.post_id if alone else "")
            order = (place.position is None, place.position or 0,
                     place.at or dt.datetime.max.replace(tzinfo=dt.UTC), n)
            groups.setdefault(key, []).append((order, preview))
        for (day, _alone), members in sorted(groups.items(), key=_by_day):
            ordered = [preview for _order, preview in sorted(members, key=lambda m: m[0])]
            found.append(_planned(settings, Message(account, day, ordered)))
    return found


def _by_day(item: tuple[tuple[dt.date | None, str], Any]) -> tuple[dt.date, str]:
    (day, alone), _members = item
    return (day or dt.date.max, alone)


def _planned(settings: Settings, message: Message) -> Message:
    """The calls the message would make, under the key the queue would give it."""
    account = message.account
    keys = [delivery_key(p.rendered.post_id, account.id, p.rendered.content_hash)
            for p in message.posts]
    if len(keys) == 1:
        message.key = keys[0]
        message.calls = list(message.posts[0].calls.get(account.id, []))
        return message
    message.key = send_key(keys)
    channel: Any = channel_for(account, settings, None)  # a platform with multi-post sends
    posts = [p.rendered for p in message.posts]
    message.calls = [c.to_json() for c in channel.plan_message(posts, message.key)]
    return message
