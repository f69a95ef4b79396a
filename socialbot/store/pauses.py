"""The kill switch: freeze every pending delivery (or one account's) at once.

A pause is a row in ``pauses``; claims refuse paused accounts, and each pending
delivery's ``paused`` flag mirrors the switches so lists and status can show it.
In-flight sends finish and are recorded; nothing new starts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from socialbot.errors import StoreError
from socialbot.notices import Notice, notice, problem
from socialbot.store import audit
from socialbot.store.db import Database
from socialbot.store.models import PENDING, Pause
from socialbot.store.rules import StoreRules
from socialbot.store.schema import GLOBAL_SCOPE, deliveries, pauses

__all__ = ["Pause", "active_pauses", "pause", "resume", "sync_flags"]


def active_pauses(db: Database) -> list[Pause]:
    with db.tx(write=False) as conn:
        return [Pause(**dict(r._mapping)) for r in conn.execute(select(pauses)).all()]


def sync_flags(conn: Connection) -> int:
    """Make every pending delivery's ``paused`` flag match the switches; returns frozen count."""
    found: list[Any] = list(conn.execute(select(pauses.c.scope)).scalars())
    scopes = {str(s) for s in found}
    pending = deliveries.c.state.in_([str(s) for s in PENDING])
    if GLOBAL_SCOPE in scopes:
        conn.execute(update(deliveries).where(pending).values(paused=True))
    else:
        conn.execute(update(deliveries).where(pending).values(
            paused=deliveries.c.account.in_(sorted(scopes)) if scopes else False))
    return int(conn.execute(select(func.count()).select_from(deliveries)
                            .where(pending, deliveries.c.paused.is_(True))).scalar() or 0)


def pause(db: Database, rules: StoreRules, by: str, now: dt.datetime, *,
          account: str | None = None, reason: str = "") -> int:
    """Freeze pending deliveries; returns how many are now frozen."""
    if account is not None and account not in rules.accounts:
        known = notice("pauses.account_sep").text().join(rules.accounts)
        raise StoreError(problem("--account", "pauses.unknown_account", account=account,
                                 known=known))
    scope = account or GLOBAL_SCOPE
    with db.tx() as conn:
        conn.execute(delete(pauses).where(pauses.c.scope == scope))
        conn.execute(pauses.insert().values(scope=scope, by=by, reason=reason, at=now))
        frozen = sync_flags(conn)
        audit.record(conn, actor=by, action="pause", account=account, at=now,
                     detail=_paused(account, reason).encode())
    return frozen


def resume(db: Database, by: str, now: dt.datetime, *, account: str | None = None) -> list[str]:
    """Lift pauses (all of them, or one account's); returns the scopes lifted."""
    with db.tx() as conn:
        query = delete(pauses)
        if account is not None:
            query = query.where(pauses.c.scope == account)
        found: list[Any] = list(conn.execute(select(pauses.c.scope).where(
            pauses.c.scope == account) if account else select(pauses.c.scope)).scalars())
        lifted = [str(s) for s in found]
        conn.execute(query)
        sync_flags(conn)
        audit.record(conn, actor=by, action="resume", account=account, at=now,
                     detail=(notice("pauses.audit.resumed_account", account=account) if account
                             else notice("pauses.audit.resumed_all")).encode())
    return lifted


def _paused(account: str | None, reason: str) -> Notice:
    if account:
        return (notice("pauses.audit.paused_account_reason", account=account, reason=reason)
                if reason else notice("pauses.audit.paused_account", account=account))
    return (notice("pauses.audit.paused_all_reason", reason=reason) if reason
            else notice("pauses.audit.paused_all"))
