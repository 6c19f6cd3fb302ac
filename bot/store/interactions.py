"""Interactions: every event between the account and a person, stored once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, literal, select, union_all, update
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.domain.models import Direction, Interaction, StoredInteraction
from bot.errors import StoreError
from bot.store import database
from bot.store.interaction_rows import joined, to_stored
from bot.store.schema import interactions

# A message being drafted is marked "drafting:<minute of the claim, hex>". The time lives in
# the state because the schema has no claim column; 16 characters hold it until year 2480.
_CLAIM = "drafting:"

# Run for every ingested message, so built once per backend, on first use (the PostgreSQL
# dialect is not imported by a SQLite command).
_ADD: dict[str, Any] = {}
_THREAD_OF = (select(interactions.c.thread)
              .where(interactions.c.account == bindparam("account"), interactions.c.post_id == bindparam("post_id"))
              .limit(1))
_STORED_EVENTS = select(interactions.c.event_id).where(
    interactions.c.account == bindparam("account"), interactions.c.event_id.in_(bindparam("ids", expanding=True)))
# Run for every drafted message, built once too.
_CLAIM_PENDING = (update(interactions)
                  .where(interactions.c.id == bindparam("interaction_id"), interactions.c.draft_state == "pending")
                  .values(draft_state=bindparam("new_state")))
_FINISH_CLAIM = (update(interactions)
                 .where(interactions.c.id == bindparam("interaction_id"),
                        interactions.c.draft_state == bindparam("claim"))
                 .values(draft_state=bindparam("new_state")))
# A batch of messages claimed in one statement. On PostgreSQL a row another transaction holds
# (another drafter claiming it) is passed by, not waited for: that drafter takes it, and two
# drafters claiming overlapping batches cannot deadlock.
_PENDING_AMONG = (select(interactions.c.id)
                  .where(interactions.c.id.in_(bindparam("ids", expanding=True)),
                         interactions.c.draft_state == "pending")
                  .with_for_update(skip_locked=True))
_CLAIM_MANY = (update(interactions)
               .where(interactions.c.id.in_(_PENDING_AMONG), interactions.c.draft_state == "pending")
               .values(draft_state=bindparam("new_state"))
               .returning(interactions.c.id))
_FINISH_MANY = (update(interactions)
                .where(interactions.c.id.in_(bindparam("ids", expanding=True)),
                       interactions.c.draft_state == bindparam("claim"))
                .values(draft_state=bindparam("new_state"))
                .returning(interactions.c.id))
_NEWER_IN_THREAD = select(func.count()).select_from(interactions).where(
    interactions.c.contact_id == bindparam("contact_id"), interactions.c.thread == bindparam("thread"),
    interactions.c.id != bindparam("interaction_id"), interactions.c.at > bindparam("at"),
)
_OUTBOUND_SINCE = select(func.count()).select_from(interactions).where(
    interactions.c.contact_id == bindparam("contact_id"),
    interactions.c.direction == Direction.OUTBOUND.value, interactions.c.at >= bindparam("since"),
)
_OUTBOUND_AMONG = (select(interactions.c.contact_id, func.count())
                   .where(interactions.c.contact_id.in_(bindparam("contact_ids", expanding=True)),
                          interactions.c.direction == Direction.OUTBOUND.value, interactions.c.at >= bindparam("since"))
                   .group_by(interactions.c.contact_id))
_FOR_CONTACT: dict[int, Any] = {}  # by limit
_FOR_CONTACTS: dict[int, Any] = {}  # by limit
_PARTS = 16  # contacts a statement of `for_contacts` reads


def _for_contacts(limit: int) -> Any:
    """Each of `_PARTS` contacts' latest `limit` interactions, newest first, one contact after another."""
    statement = _FOR_CONTACTS.get(limit)
    if statement is None:
        parts = [
            joined().add_columns(literal(n).label("part")).where(interactions.c.contact_id == bindparam(f"c{n}"))
            .order_by(interactions.c.at.desc(), interactions.c.id.desc()).limit(limit).subquery()
            for n in range(_PARTS)
        ]
        every = union_all(*[select(part) for part in parts]).subquery()
        statement = _FOR_CONTACTS[limit] = select(every).order_by(every.c.part, every.c.at.desc(), every.c.id.desc())
    return statement


def _add_statement(connection: Connection) -> Any:
    statement = _ADD.get(connection.dialect.name)
    if statement is None:
        insert = database.dialect_insert(connection)
        statement = _ADD[connection.dialect.name] = (
            insert(interactions).on_conflict_do_nothing(index_elements=["account", "event_id"])
            .returning(interactions.c.id))
    return statement


class InteractionRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self, account: str, contact_id: int, interaction: Interaction, *, now: datetime,
        draft_state: str = "none", category: str | None = None,
    ) -> int | None:
        """Store it unless this platform event is already stored; the new row id, or None."""
        post = interaction.post
        values = dict(
            account=account, contact_id=contact_id, event_id=interaction.id,
            kind=interaction.kind.value, direction=interaction.direction.value, at=interaction.at,
            post_id=post.id if post else None, text=post.text if post else None,
            language=post.language if post else None,
            visibility=post.visibility.value if post else None,
            in_reply_to=post.in_reply_to if post else None,
            thread=post.thread_id if post else None, url=post.url if post else None,
            spoiler_text=post.spoiler_text if post else "", category=category,
            draft_state=draft_state, ingested_at=now,
        )
        return self._c.execute(_add_statement(self._c), values).scalar()

    def stored_events(self, account: str, event_ids: list[str]) -> set[str]:
        """Which of these platform events are already stored."""
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):  # well under every backend's parameter limit
            chunk = event_ids[start:start + 500]
            found.update(self._c.execute(_STORED_EVENTS, {"account": account, "ids": chunk}).scalars())
        return found

    def get(self, interaction_id: int) -> StoredInteraction | None:
        row = self._c.execute(joined().where(interactions.c.id == interaction_id)).first()
        return None if row is None else to_stored(row)

    def awaiting_draft(self, account: str, limit: int = 100) -> list[StoredInteraction]:
        rows = self._c.execute(
            joined()
            .where(interactions.c.account == account, interactions.c.draft_state == "pending")
            .order_by(interactions.c.at, interactions.c.id).limit(limit)
        )
        return [to_stored(r) for r in rows]

    def claim_for_drafting(self, interaction_id: int, now: datetime) -> str | None:
        """Take a waiting message for drafting: the claim, or None if another drafter took it first.

        A conditional update, so that of two drafters reading the same waiting message only one
        drafts it; commit it before drafting, so that the claim is seen by the others.
        """
        claim = f"{_CLAIM}{int(now.timestamp()) // 60:x}"
        taken = self._c.execute(_CLAIM_PENDING, {"interaction_id": interaction_id, "new_state": claim}).rowcount
        return claim if taken == 1 else None

    def claim_many_for_drafting(self, interaction_ids: list[int], now: datetime) -> tuple[str, set[int]]:
        """Take those of these messages that still wait, in one statement: the claim, and the ids
        taken (the others another drafter took first, or holds at this moment on PostgreSQL)."""
        claim = f"{_CLAIM}{int(now.timestamp()) // 60:x}"
        if not interaction_ids:
            return claim, set()
        taken = self._c.execute(_CLAIM_MANY, {"ids": list(interaction_ids), "new_state": claim}).scalars()
        return claim, set(taken)

    def finish_many(self, interaction_ids: list[int], claim: str, state: str) -> set[int]:
        """`finish_drafting` for messages taken under one claim: the ids whose claim was still held."""
        if not interaction_ids:
            return set()
        return set(self._c.execute(
            _FINISH_MANY, {"ids": list(interaction_ids), "claim": claim, "new_state": state}).scalars())

    def finish_drafting(self, interaction_id: int, claim: str, state: str) -> bool:
        """Move a claimed message to `state` (drafted, skipped, or pending to give it back).

        False if the claim is no longer held: it lapsed and another drafter has the message.
        """
        return self._c.execute(
            _FINISH_CLAIM, {"interaction_id": interaction_id, "claim": claim, "new_state": state}
        ).rowcount == 1

    def release_lapsed_claims(self, account: str, claimed_before: datetime) -> int:
        """Give back to the queue the messages whose drafter claimed them before `claimed_before`
        and never finished (it died): how many. Each by its exact claim, so a fresh one stays."""
        rows = self._c.execute(
            select(interactions.c.id, interactions.c.draft_state)
            .where(interactions.c.account == account, interactions.c.draft_state.like(f"{_CLAIM}%"))
        ).all()
        cutoff = int(claimed_before.timestamp()) // 60
        return sum(
            self.finish_drafting(row.id, row.draft_state, "pending")
            for row in rows if _claimed_minute(row.draft_state) < cutoff
        )

    @contextmanager
    def isolated(self) -> Iterator[None]:
        """A savepoint around storing one interaction: if it fails, only its own writes are undone.

        A fault of the database itself (unreachable, locked) comes out as StoreError, for the
        whole unit of work to be given up and redone; anything else is a fault of that record.
        """
        with database_faults(), self._c.begin_nested():
            yield

    def thread_of(self, account: str, post_id: str) -> str | None:
        """The thread a stored post belongs to (ours or theirs), if it is stored."""
        return self._c.execute(_THREAD_OF, {"account": account, "post_id": post_id}).scalar()

    def newer_in_thread(self, stored: StoredInteraction) -> bool:
        """Whether the conversation moved on after this message (either side wrote again)."""
        post = stored.interaction.post
        if post is None:
            return False
        return self._c.execute(_NEWER_IN_THREAD, {
            "contact_id": stored.contact_id, "thread": post.thread_id, "interaction_id": stored.id,
            "at": stored.interaction.at,
        }).scalar_one() > 0

    def for_contact(self, contact_id: int, limit: int = 50) -> list[StoredInteraction]:
        query = _FOR_CONTACT.get(limit)
        if query is None:
            query = _FOR_CONTACT[limit] = (
                joined().where(interactions.c.contact_id == bindparam("contact_id"))
                .order_by(interactions.c.at.desc(), interactions.c.id.desc()).limit(limit))
        return [to_stored(r) for r in self._c.execute(query, {"contact_id": contact_id})]

    def for_contacts(self, contact_ids: set[int] | list[int], limit: int = 50) -> dict[int, list[StoredInteraction]]:
        """`for_contact` for several contacts, in a statement per `_PARTS` of them (each contact's
        part on its own index, as alone); every id is a key."""
        found: dict[int, list[StoredInteraction]] = {contact_id: [] for contact_id in contact_ids}
        ordered = sorted(found)
        for start in range(0, len(ordered), _PARTS):
            chunk = ordered[start:start + _PARTS]
            # Always `_PARTS` parts, the missing ones for no contact (ids are positive): one statement to
            # compile and cache, where one per count held some 2 MB of cache each.
            params = {f"c{n}": chunk[n] if n < len(chunk) else -1 for n in range(_PARTS)}
            for row in self._c.execute(_for_contacts(limit), params):
                found[row.contact_id].append(to_stored(row))
        return found

    def last_inbound_message(self, contact_id: int) -> StoredInteraction | None:
        row = self._c.execute(
            joined().where(interactions.c.contact_id == contact_id, interactions.c.direction == "in",
                            interactions.c.post_id.is_not(None))
            .order_by(interactions.c.at.desc(), interactions.c.id.desc()).limit(1)
        ).first()
        return None if row is None else to_stored(row)

    def classified(self, after_id: int = 0, limit: int = 500) -> list[StoredInteraction]:
        """Incoming messages that were classified on arrival (they have a category and text),
        oldest first, after row `after_id`: for replaying the incoming classifier in pages."""
        rows = self._c.execute(
            joined().where(interactions.c.id > after_id, interactions.c.category.is_not(None),
                            interactions.c.text.is_not(None))
            .order_by(interactions.c.id).limit(limit)
        )
        return [to_stored(r) for r in rows]

    def forget_text_before(self, cutoff: datetime) -> int:
        """Retention: drop what people wrote before `cutoff`, keep that they wrote (the counts)."""
        return self._c.execute(
            update(interactions).where(interactions.c.at < cutoff, interactions.c.text.is_not(None))
            .values(text=None)
        ).rowcount

    def count_outbound_among(self, contact_ids: set[int] | list[int], since: datetime) -> dict[int, int]:
        """`count_outbound_since` for several contacts, in a statement per 500; every id is a key."""
        found = {contact_id: 0 for contact_id in contact_ids}
        ordered = sorted(found)
        for start in range(0, len(ordered), 500):
            rows = self._c.execute(_OUTBOUND_AMONG, {"contact_ids": ordered[start:start + 500], "since": since})
            found.update({contact_id: count for contact_id, count in rows})
        return found

    def count_outbound_since(self, contact_id: int, since: datetime) -> int:
        return self._c.execute(_OUTBOUND_SINCE, {"contact_id": contact_id, "since": since}).scalar_one()

    def delete_for_contact(self, contact_id: int) -> None:
        self._c.execute(delete(interactions).where(interactions.c.contact_id == contact_id))


@contextmanager
def database_faults() -> Iterator[None]:
    """A fault of the database itself (unreachable, locked) as StoreError: the whole unit of work
    is to be given up and redone, not one record skipped."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise StoreError(f"database unavailable: {error.orig}") from error


def _claimed_minute(state: str) -> int:
    try:
        return int(state.removeprefix(_CLAIM), 16)
    except ValueError:
        return 0  # unreadable: treat as lapsed, so it cannot strand the message
