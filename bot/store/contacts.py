"""Contacts, their conversations and known facts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Connection, Update, bindparam, case, delete, func, insert, literal, or_, select, union_all, update,
)

from bot.domain.contacts import Contact
from bot.domain.memory import TOPIC_SOURCE, Fact, FactKind
from bot.domain.models import Direction, Person
from bot.domain.stage_history import change_between
from bot.domain.stages import RelationshipCounters, Stage, StageAssessment
from bot.store.contact_rows import contact_key, profile_changes, to_contact
from bot.store.schema import contacts, conversations, facts, stage_changes


@dataclass(frozen=True)
class Sighting:
    """A person seen in an interaction: their contact, whether the stored bio or fields changed,
    and whether the contact was created by this sighting (it then has no facts or conversations)."""

    contact: Contact
    profile_changed: bool
    created: bool


@dataclass(frozen=True)
class ConversationChange:
    """What one message did to the contact's conversation counters."""

    new_conversation: bool  # the first message from them in this thread
    new_day: bool  # and no other conversation of theirs started that day
    became_reciprocal: bool  # both sides have now written in this thread


# The statements run for every ingested message, built once: building and keying a statement
# costs several times what SQLite takes to run it.
_BY_KEY = (select(contacts)
           .where(contacts.c.account == bindparam("account"), contacts.c.handle_key == bindparam("key"))
           .order_by(contacts.c.id))
# Both look-ups in one statement: the row of the platform id if any, else the first row of the
# handle that no platform id claims; each branch is the query it was alone, on its own index.
_FIRST_UNCLAIMED = (select(contacts)
                    .where(contacts.c.account == bindparam("account"), contacts.c.handle_key == bindparam("key"),
                           contacts.c.platform_id.is_(None))
                    .order_by(contacts.c.id).limit(1).subquery())
_EITHER = union_all(
    select(contacts, literal(0).label("preference")).where(contacts.c.account == bindparam("account"),
                                                           contacts.c.platform_id == bindparam("platform_id")),
    select(_FIRST_UNCLAIMED, literal(1).label("preference")),
).subquery()
_BY_PLATFORM_ID_ELSE_KEY = select(_EITHER).order_by(_EITHER.c.preference).limit(1)
_BY_ID = select(contacts).where(contacts.c.id == bindparam("contact_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
# Several at once, in id order: two writers locking overlapping sets take the rows in one order.
_BY_IDS = select(contacts).where(contacts.c.id.in_(bindparam("contact_ids", expanding=True))).order_by(contacts.c.id)
_BY_IDS_FOR_UPDATE = _BY_IDS.with_for_update()
_LATEST_SEEN = case(
    (or_(contacts.c.last_seen_at.is_(None), contacts.c.last_seen_at < bindparam("at")), bindparam("at")),
    else_=contacts.c.last_seen_at,
)
_TOUCH = update(contacts).where(contacts.c.id == bindparam("contact_id")).values(last_seen_at=_LATEST_SEEN)
_TOUCH_SIGNAL = _TOUCH.values(signals=contacts.c.signals + 1)
_CONVERSATION = select(conversations).where(conversations.c.contact_id == bindparam("contact_id"),
                                            conversations.c.thread == bindparam("thread"))
_STARTED_THAT_DAY = select(func.count()).select_from(conversations).where(
    conversations.c.contact_id == bindparam("contact_id"), conversations.c.started_on == bindparam("day"),
    conversations.c.inbound > 0,
)
_NEW_CONVERSATION = insert(conversations)
_UPDATE_CONVERSATION = update(conversations).where(conversations.c.id == bindparam("conversation_id"))
_SAVE_PROGRESS = update(contacts).where(contacts.c.id == bindparam("contact_id"))
_SAVE_PROGRESS_AND_EXCHANGES = _SAVE_PROGRESS.values(exchanges_since_pitch=bindparam("new_exchanges"))
_ADD_FACT = insert(facts).returning(facts.c.id)
_ADD_CONTACT = insert(contacts).returning(*contacts.c)  # the whole row: no second read
_ADD_STAGE_CHANGE = insert(stage_changes)
_FLAGS: dict[tuple[str, ...], Update] = {}  # `update_flags` by the columns it sets
_KNOWLEDGE = select(func.count()).select_from(facts).where(facts.c.contact_id == bindparam("contact_id"),
                                                            facts.c.source != TOPIC_SOURCE)
_FACTS_OF = (select(facts).where(facts.c.contact_id.in_(bindparam("contact_ids", expanding=True)))
             .order_by(facts.c.at, facts.c.id))
_FACTS = select(facts).where(facts.c.contact_id == bindparam("contact_id")).order_by(facts.c.at, facts.c.id)


class ContactRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def resolve(self, account: str, person: Person, now: datetime) -> Contact:
        """The contact for this person, created on first sight; profile data refreshed if given."""
        return self.resolve_tracking(account, person, now)[0]

    def resolve_tracking(self, account: str, person: Person, now: datetime) -> tuple[Contact, bool]:
        """As `resolve`, and whether the stored bio or fields changed (or the contact is new)."""
        sighting = self.resolve_sighting(account, person, now)
        return sighting.contact, sighting.profile_changed

    def resolve_sighting(self, account: str, person: Person, now: datetime) -> Sighting:
        """As `resolve_tracking`, and whether the contact was created now."""
        row = self._find_row(account, person)
        if row is None:
            new_row = self._c.execute(_ADD_CONTACT, dict(
                account=account, platform_id=person.platform_id, handle=person.handle,
                handle_key=contact_key(person.handle), name=person.name, bio=person.bio, bot=person.bot,
                fields=json.dumps([list(f) for f in person.fields]),
                first_seen_at=now, last_seen_at=now,
            )).one()
            return Sighting(to_contact(new_row), profile_changed=True, created=True)
        changes = profile_changes(row, person)
        if changes:
            updated = self._c.execute(
                update(contacts).where(contacts.c.id == row.id).values(**changes).returning(*contacts.c)
            ).one()
            return Sighting(to_contact(updated), bool({"bio", "fields"} & changes.keys()), created=False)
        return Sighting(to_contact(row), profile_changed=False, created=False)

    def _find_row(self, account: str, person: Person):  # noqa: ANN202
        # Known only by handle so far (a `sent` history event names no id): adopt that row.
        # Without an id of its own, the sighting matches any row of that handle.
        if person.platform_id:
            return self._c.execute(_BY_PLATFORM_ID_ELSE_KEY, {
                "account": account, "platform_id": person.platform_id, "key": contact_key(person.handle)}).first()
        return self._c.execute(_BY_KEY, {"account": account, "key": contact_key(person.handle)}).first()

    def get(self, contact_id: int, *, for_update: bool = False) -> Contact | None:
        """`for_update` holds the row until commit (PostgreSQL; SQLite serialises writers): one
        writer at a time decides what waits for this person."""
        query = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = self._c.execute(query, {"contact_id": contact_id}).first()
        return None if row is None else to_contact(row)

    def get_many(self, contact_ids: set[int] | list[int], *, for_update: bool = False) -> dict[int, Contact]:
        """`get` for several contacts in one statement, by id (a forgotten one is absent)."""
        if not contact_ids:
            return {}
        query = _BY_IDS_FOR_UPDATE if for_update else _BY_IDS
        rows = self._c.execute(query, {"contact_ids": sorted(contact_ids)})
        return {row.id: to_contact(row) for row in rows}

    def find(self, handle: str, account: str | None = None) -> list[Contact]:
        query = select(contacts).where(contacts.c.handle_key == contact_key(handle))
        if account:
            query = query.where(contacts.c.account == account)
        return [to_contact(r) for r in self._c.execute(query.order_by(contacts.c.id))]

    def list(
        self, account: str | None = None, stage: Stage | None = None, limit: int | None = None, offset: int = 0,
    ) -> list[Contact]:
        """By account and handle (then id, so pages never overlap); all of them unless `limit`."""
        query = select(contacts).order_by(contacts.c.account, contacts.c.handle, contacts.c.id)
        query = query.limit(limit).offset(offset)
        if account:
            query = query.where(contacts.c.account == account)
        if stage:
            query = query.where(contacts.c.stage == stage.value)
        return [to_contact(r) for r in self._c.execute(query)]

    def gone_quiet(self, account: str, stages: list[Stage], quiet_since: datetime) -> list[Contact]:
        """Contacts at these stages whose last conversation and last check-in are older than `quiet_since`."""
        query = (
            select(contacts)
            .where(contacts.c.account == account, contacts.c.stage.in_([s.value for s in stages]),
                   contacts.c.opted_out.is_(False), contacts.c.bot.is_(False),
                   contacts.c.last_conversation_at < quiet_since,
                   or_(contacts.c.last_checkin_at.is_(None), contacts.c.last_checkin_at < quiet_since))
            .order_by(contacts.c.last_conversation_at, contacts.c.id)
        )
        return [to_contact(r) for r in self._c.execute(query)]

    def touch(self, contact_id: int, at: datetime, *, signal: bool) -> None:
        self._c.execute(_TOUCH_SIGNAL if signal else _TOUCH, {"contact_id": contact_id, "at": at})

    def record_message(
        self, contact_id: int, thread: str, at: datetime, direction: Direction, *, new_contact: bool = False,
    ) -> ConversationChange:
        """Count one message into its conversation (the thread), creating it on first sight.
        `new_contact`: the contact was created for this message, so no conversation of theirs
        is stored yet (nothing to look up)."""
        row = None if new_contact else self._c.execute(_CONVERSATION, {"contact_id": contact_id,
                                                                       "thread": thread}).first()
        inbound = direction is Direction.INBOUND
        if row is None:
            day = at.date().isoformat()
            new_day = inbound and (new_contact or self._started_that_day(contact_id, day) == 0)
            self._c.execute(_NEW_CONVERSATION, dict(
                contact_id=contact_id, thread=thread, started_at=at, started_on=day, last_at=at,
                inbound=int(inbound), outbound=int(not inbound),
            ))
            return ConversationChange(new_conversation=inbound, new_day=new_day, became_reciprocal=False)
        first_inbound = inbound and row.inbound == 0
        new_day = first_inbound and self._started_that_day(contact_id, row.started_on) == 0
        reciprocal_now = (row.inbound + inbound > 0) and (row.outbound + (not inbound) > 0)
        was_reciprocal = row.inbound > 0 and row.outbound > 0
        self._c.execute(_UPDATE_CONVERSATION, dict(
            conversation_id=row.id, inbound=row.inbound + int(inbound), outbound=row.outbound + int(not inbound),
            last_at=max(row.last_at, at), started_at=min(row.started_at, at),
        ))
        return ConversationChange(
            new_conversation=first_inbound, new_day=new_day,
            became_reciprocal=reciprocal_now and not was_reciprocal,
        )

    def _started_that_day(self, contact_id: int, day: str) -> int:
        """How many of their conversations that began on `day` they wrote in."""
        return self._c.execute(_STARTED_THAT_DAY, {"contact_id": contact_id, "day": day}).scalar_one()

    def save_progress(
        self, contact: Contact, counters: RelationshipCounters, assessment: StageAssessment, *,
        at: datetime, cause: str, exchanges_since_pitch: int | None = None,
    ) -> None:
        """Store the counters and the stage; a new stage is also written to the stage history,
        dated `at` (when it was reached) with its cause, as it happens. `exchanges_since_pitch`,
        if given, is stored in the same statement."""
        change = change_between(contact.stage, assessment, at, cause)
        if change is not None:
            self._c.execute(_ADD_STAGE_CHANGE, dict(
                contact_id=contact.id, at=change.at, from_stage=change.from_stage.value,
                to_stage=change.to_stage.value, cause=change.cause, reason=change.reason,
            ))
        values = dict(
            contact_id=contact.id, conversations=counters.conversations, conversation_days=counters.conversation_days,
            reciprocal_conversations=counters.reciprocal_conversations,
            first_conversation_at=counters.first_conversation_at,
            last_conversation_at=counters.last_conversation_at,
            known_facts=counters.known_facts, trusted=counters.trusted,
            stage=assessment.stage.value, stage_reason=assessment.why,
        )
        if exchanges_since_pitch is None:
            self._c.execute(_SAVE_PROGRESS, values)
        else:
            self._c.execute(_SAVE_PROGRESS_AND_EXCHANGES, {**values, "new_exchanges": exchanges_since_pitch})

    def update_flags(self, contact_id: int, **values: object) -> None:
        """Opt-out, pitch bookkeeping, trust, profile refresh time: columns by name."""
        columns = tuple(sorted(values))
        statement = _FLAGS.get(columns)
        if statement is None:
            statement = _FLAGS[columns] = update(contacts).where(contacts.c.id == bindparam("contact_id")).values(
                {column: bindparam(f"new_{column}") for column in columns})
        self._c.execute(statement, {"contact_id": contact_id, **{f"new_{k}": v for k, v in values.items()}})

    def add_fact(self, contact_id: int, fact: Fact) -> int:
        return self._c.execute(_ADD_FACT, dict(
            contact_id=contact_id, kind=fact.kind.value, text=fact.text, source=fact.source, at=fact.at,
            language=fact.language, due=fact.due,
        )).scalar_one()

    def facts(self, contact_id: int) -> list[Fact]:
        rows = self._c.execute(_FACTS, {"contact_id": contact_id})
        return [Fact(FactKind(r.kind), r.text, r.source, r.at, r.language, r.due, r.id) for r in rows]

    def facts_of(self, contact_ids: set[int] | list[int]) -> dict[int, list[Fact]]:
        """`facts` for several contacts, in a statement per 500 of them; every id is a key."""
        found: dict[int, list[Fact]] = {contact_id: [] for contact_id in contact_ids}
        ordered = sorted(found)
        for start in range(0, len(ordered), 500):  # well under every backend's parameter limit
            for r in self._c.execute(_FACTS_OF, {"contact_ids": ordered[start:start + 500]}):
                found[r.contact_id].append(Fact(FactKind(r.kind), r.text, r.source, r.at, r.language, r.due, r.id))
        return found

    def count_knowledge(self, contact_id: int) -> int:
        """How many facts about them are knowledge (what they told or the user noted), not mined topics."""
        return self._c.execute(_KNOWLEDGE, {"contact_id": contact_id}).scalar_one()

    def set_fact_kind(self, fact_id: int, kind: FactKind) -> None:
        self._c.execute(update(facts).where(facts.c.id == fact_id).values(kind=kind.value))

    def delete_fact(self, fact_id: int) -> None:
        self._c.execute(delete(facts).where(facts.c.id == fact_id))

    def delete(self, contact_id: int) -> None:
        self._c.execute(delete(contacts).where(contacts.c.id == contact_id))
