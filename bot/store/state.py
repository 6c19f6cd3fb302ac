"""Service state: accounts, polling cursors, heartbeats and the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, case, delete, func, insert, literal, or_, select, update

from bot.store import database
from bot.store.schema import UtcDateTime, accounts, audit_log, heartbeats, poll_state


@dataclass(frozen=True)
class PollState:
    account: str
    cursor: str | None = None
    backfill_cursor: str | None = None
    backfill_done: bool = False
    last_poll_at: datetime | None = None
    last_error: str | None = None
    backoff_until: datetime | None = None
    failures: int = 0  # runs of its poll job that failed in a row
    failing_since: datetime | None = None  # when the first of them failed


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    account: str | None
    contact_id: int | None
    draft_id: str | None
    detail: dict


@dataclass(frozen=True)
class Heartbeat:
    instance: str
    at: datetime
    pid: int
    host: str
    started_at: datetime


# Run for every drafted message, built once.
_AUDIT = insert(audit_log)
_EDIT_ACTIONS = ("edited", "approved")
_EDITS = select(audit_log.c.draft_id, audit_log.c.action, audit_log.c.detail).where(
    audit_log.c.draft_id.in_(bindparam("draft_ids", expanding=True)), audit_log.c.action.in_(_EDIT_ACTIONS))


class StateRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._held: list[dict] | None = None  # audit entries written inside `audits_together`

    @contextmanager
    def audits_together(self) -> Iterator[None]:
        """Audit entries written inside are inserted together, in their order, in one statement
        when it ends (or before anything reads the log): a batch of drafts writes one or two an
        item. Left by an error, they are not written: the caller's transaction is given up."""
        self._held = []
        try:
            yield
            self._write_held()
        finally:
            self._held = None

    def _write_held(self) -> None:
        if self._held:
            entries, self._held = self._held, []
            self._c.execute(_AUDIT, entries)

    def ensure_account(self, name: str, platform: str, handle: str, now: datetime) -> None:
        """Record a configured account; replicas starting together may all try, and all succeed."""
        row = self._c.execute(select(accounts).where(accounts.c.name == name)).first()
        if row is None:
            dialect_insert = database.dialect_insert(self._c)
            self._c.execute(dialect_insert(accounts).values(name=name, platform=platform, handle=handle,
                                                            created_at=now).on_conflict_do_nothing())
            self._c.execute(dialect_insert(poll_state).values(account=name, backfill_done=False)
                            .on_conflict_do_nothing())
        elif (row.platform, row.handle) != (platform, handle):
            self._c.execute(update(accounts).where(accounts.c.name == name).values(platform=platform, handle=handle))

    def accounts(self) -> dict[str, tuple[str, str]]:
        """Every stored account: name -> (platform, handle)."""
        return {r.name: (r.platform, r.handle) for r in self._c.execute(select(accounts))}

    def poll_state(self, account: str) -> PollState:
        row = self._c.execute(select(poll_state).where(poll_state.c.account == account)).first()
        if row is None:
            return PollState(account=account)
        return PollState(
            account=row.account, cursor=row.cursor, backfill_cursor=row.backfill_cursor,
            backfill_done=row.backfill_done, last_poll_at=row.last_poll_at, last_error=row.last_error,
            backoff_until=row.backoff_until, failures=row.failures or 0, failing_since=row.failing_since,
        )

    def record_poll_failure(self, account: str, at: datetime, error: str, at_least: int = 0) -> None:
        """One more failed run in a row (and at least `at_least`); `failing_since` keeps the first one's time."""
        more = poll_state.c.failures + 1
        self._c.execute(update(poll_state).where(poll_state.c.account == account).values(
            failures=case((more < at_least, at_least), else_=more),
            failing_since=func.coalesce(poll_state.c.failing_since, literal(at, UtcDateTime)),
            last_error=error,
        ))

    def record_poll_success(self, account: str) -> None:
        """A run that worked ends the streak of failures."""
        self._c.execute(update(poll_state).where(poll_state.c.account == account).values(
            failures=0, failing_since=None, last_error=None,
        ))

    def failing_accounts(self, min_failures: int) -> list[PollState]:
        """Accounts whose poll failed at least `min_failures` times in a row, longest failing first."""
        rows = self._c.execute(select(poll_state.c.account).where(poll_state.c.failures >= min_failures)
                               .order_by(poll_state.c.failing_since, poll_state.c.account)).scalars().all()
        return [self.poll_state(account) for account in rows]

    def save_poll_state(self, account: str, **values: object) -> None:
        self._c.execute(update(poll_state).where(poll_state.c.account == account).values(**values))

    def take_lease(self, account: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold the account until `until`, if nobody else holds it now; renews one's own lease.
        One conditional update, so two replicas racing for a lapsed lease cannot both win."""
        taken = self._c.execute(
            update(poll_state)
            .where(poll_state.c.account == account,
                   or_(poll_state.c.lease_holder.is_(None), poll_state.c.lease_holder == holder,
                       poll_state.c.lease_until.is_(None), poll_state.c.lease_until <= now))
            .values(lease_holder=holder, lease_until=until)
        ).rowcount
        return taken == 1

    def take_lease_from(self, account: str, old: str, holder: str, until: datetime) -> bool:
        """Take the lease from `old` (an ended process), if `old` still holds it."""
        return self._c.execute(
            update(poll_state).where(poll_state.c.account == account, poll_state.c.lease_holder == old)
            .values(lease_holder=holder, lease_until=until)
        ).rowcount == 1

    def release_lease(self, account: str, holder: str) -> None:
        self._c.execute(update(poll_state).where(poll_state.c.account == account, poll_state.c.lease_holder == holder)
                        .values(lease_holder=None, lease_until=None))

    def lease_of(self, account: str) -> tuple[str | None, datetime | None]:
        """(holder, until) of the account's lease; (None, None) when nobody holds it."""
        row = self._c.execute(select(poll_state.c.lease_holder, poll_state.c.lease_until)
                              .where(poll_state.c.account == account)).first()
        return (row.lease_holder, row.lease_until) if row else (None, None)

    def beat(self, instance: str, at: datetime, pid: int, host: str, started_at: datetime) -> None:
        updated = self._c.execute(
            update(heartbeats).where(heartbeats.c.instance == instance).values(at=at)
        ).rowcount
        if not updated:
            self._c.execute(insert(heartbeats).values(
                instance=instance, at=at, pid=pid, host=host, started_at=started_at
            ))

    def forget_heartbeat(self, instance: str) -> None:
        self._c.execute(delete(heartbeats).where(heartbeats.c.instance == instance))

    def latest_heartbeat(self, host: str | None = None) -> Heartbeat | None:
        query = select(heartbeats).order_by(heartbeats.c.at.desc()).limit(1)
        if host is not None:
            query = query.where(heartbeats.c.host == host)
        row = self._c.execute(query).first()
        if row is None:
            return None
        return Heartbeat(row.instance, row.at, row.pid, row.host, row.started_at)

    def audit(
        self, at: datetime, actor: str, action: str, *, account: str | None = None,
        contact_id: int | None = None, draft_id: str | None = None, detail: dict | None = None,
    ) -> None:
        entry = dict(
            at=at, actor=actor, action=action, account=account, contact_id=contact_id,
            draft_id=draft_id, detail=json.dumps(detail or {}, ensure_ascii=False),
        )
        if self._held is None:
            self._c.execute(_AUDIT, entry)
        else:
            self._held.append(entry)

    def scrub_audit(self, contact_id: int, draft_ids: list[str], tombstone: str) -> None:
        """Replace what the audit log says about a forgotten person with a tombstone."""
        self._write_held()
        scrubbed = {"contact_id": None, "draft_id": None, "detail": json.dumps({"tombstone": tombstone})}
        self._c.execute(update(audit_log).where(audit_log.c.contact_id == contact_id).values(**scrubbed))
        if draft_ids:
            self._c.execute(update(audit_log).where(audit_log.c.draft_id.in_(draft_ids)).values(**scrubbed))

    def edited_drafts(self, draft_ids: list[str]) -> set[str]:
        """Those of these drafts whose text a person wrote: edited, or approved with new text."""
        if not draft_ids:
            return set()
        if self._held and any(entry["action"] in _EDIT_ACTIONS for entry in self._held):
            self._write_held()  # only those entries can change the answer
        rows = self._c.execute(_EDITS, {"draft_ids": list(draft_ids)})
        return {r.draft_id for r in rows if r.action == "edited" or json.loads(r.detail).get("edited")}

    def audit_entries(self, *, contact_id: int | None = None, draft_id: str | None = None) -> list[AuditEntry]:
        self._write_held()
        query = select(audit_log).order_by(audit_log.c.at, audit_log.c.id)
        if contact_id is not None:
            query = query.where(audit_log.c.contact_id == contact_id)
        if draft_id is not None:
            query = query.where(audit_log.c.draft_id == draft_id)
        return [
            AuditEntry(r.id, r.at, r.actor, r.action, r.account, r.contact_id, r.draft_id, json.loads(r.detail))
            for r in self._c.execute(query)
        ]
