"""The persistent alert log: which alert went to whom, when, by which channel, and how it ended.

The dispatcher asks :meth:`StoreAlertLog.seen` before queueing an alert for an owner's
channel and calls :meth:`StoreAlertLog.record` once the channel accepted it (or gave
up), so a restarted daemon, or a second one on the same database, does not tell anyone
twice. Rows are plain values (entry, key, owner, channel, kind, account, post, outcome,
reason); the store does not know what they mean or how they are worded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from socialbot.store.alert_log_schema import alert_log

if TYPE_CHECKING:
    from socialbot.store.db import Database


@dataclass(frozen=True)
class AlertLogEntry:
    entry: str
    dedupe_key: str
    owner: str
    channel: str
    kind: str
    account: str
    post: str
    at: dt.datetime
    outcome: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """Plain values for JSON; the time stays a datetime for ``socialbot.times.json_text``."""
        return {"entry": self.entry, "key": self.dedupe_key, "owner": self.owner,
                "channel": self.channel, "kind": self.kind, "account": self.account,
                "post": self.post, "at": self.at, "outcome": self.outcome,
                "reason": self.reason}


class StoreAlertLog:
    """``socialbot.alerts.log.AlertLog`` over the queue's database: survives restarts."""

    def __init__(self, db: Database):
        self.db = db

    def seen(self, entry: str) -> bool:
        with self.db.tx(write=False) as conn:
            return conn.execute(select(alert_log.c.entry)
                                .where(alert_log.c.entry == entry)).first() is not None

    def record(self, entry: str, at: dt.datetime, outcome: str, *, key: str = "",
               owner: str = "", channel: str = "", kind: str = "", account: str = "",
               post: str = "", reason: str = "") -> None:
        """Insert or overwrite the entry (recording twice is harmless)."""
        values = dict(dedupe_key=key[:200], owner=owner[:40], channel=channel[:16],
                      kind=kind[:32], account=account[:40], post=post[:40], at=at,
                      outcome=outcome[:16], reason=reason)
        with self.db.tx() as conn:
            changed = conn.execute(update(alert_log).where(alert_log.c.entry == entry)
                                   .values(**values)).rowcount
            if not changed:
                conn.execute(insert(alert_log).values(entry=entry[:255], **values))

    def forget_before(self, when: dt.datetime) -> int:
        with self.db.tx() as conn:
            return int(conn.execute(delete(alert_log).where(alert_log.c.at < when)).rowcount)

    def entries(self, *, limit: int = 200) -> list[AlertLogEntry]:
        """The newest entries first."""
        with self.db.tx(write=False) as conn:
            rows = conn.execute(select(alert_log).order_by(alert_log.c.at.desc(),
                                                           alert_log.c.entry)
                                .limit(limit)).all()
        return [AlertLogEntry(
            entry=m["entry"], dedupe_key=m["dedupe_key"], owner=m["owner"],
            channel=m["channel"], kind=m["kind"], account=m["account"], post=m["post"],
            at=m["at"], outcome=m["outcome"], reason=m["reason"] or "",
        ) for m in (r._mapping for r in rows)]
