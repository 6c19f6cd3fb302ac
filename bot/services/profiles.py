"""Keeping what is known of each person fresh: bio, fields, bot flag, the private note.

At most once per contact per `max_age`, so that a busy contact costs one lookup a day. A platform
that looks many people up at once (`ProfileBatches`) is asked for a batch at a time, and each
batch is stored before the next is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from bot.domain.contacts import Contact
from bot.domain.memory import Fact, FactKind
from bot.domain.models import Person
from bot.domain.validation import validate_person
from bot.errors import InvalidRecordError, PlatformError
from bot.ports import Clock, PlatformClient, ProfileBatches
from bot.services.deciding import Policy
from bot.services.recording import recompute_stage
from bot.services.memory import remember_profile
from bot.store.unit_of_work import SqlAlchemyStore

PLATFORM_NOTE = "platform_note"  # the source of notes imported from the platform


def refresh_profiles(
    store: SqlAlchemyStore, client: PlatformClient, contact_ids: Iterable[int], *, clock: Clock,
    policy: Policy, log: Any, max_age: timedelta = timedelta(days=1),
) -> int:
    """Look up stale profiles among these contacts; how many were refreshed."""
    if not getattr(client, "needs_profile_lookups", True):
        return 0
    now = clock.now()
    with store.unit_of_work() as uow:
        stale = [c for c in (uow.contacts.get(i) for i in sorted(contact_ids))
                 if c is not None and (c.profile_refreshed_at is None or now - c.profile_refreshed_at >= max_age)]
    size = max(1, client.profiles_per_batch) if isinstance(client, ProfileBatches) else 1
    refreshed = 0
    for start in range(0, len(stale), size):
        batch = stale[start : start + size]
        try:
            people = _look_up(client, [Person(platform_id=c.platform_id, handle=c.handle) for c in batch])
        except PlatformError as error:
            log.warning("profile.lookup_failed", account=batch[0].account, contact=batch[0].id,
                        contacts=len(batch), error=str(error))
            break  # rate limits and outages hit every lookup alike: try again next poll
        for contact, person in zip(batch, people, strict=True):
            _store_profile(store, contact, _storable(person, contact, log), clock, policy)
            refreshed += 1
    return refreshed


def _look_up(client: PlatformClient, people: list[Person]) -> list[Person | None]:
    if isinstance(client, ProfileBatches):
        return client.lookup_many(people)
    return [client.lookup_profile(person) for person in people]


def _storable(person: Person | None, contact: Contact, log: Any) -> Person | None:
    try:
        return validate_person(person) if person is not None else None
    except InvalidRecordError as error:
        # A profile that cannot be stored (a NUL in a bio on PostgreSQL, a bidi override in
        # a handle) must not fail every poll: keep what is stored, say why once.
        log.warning("profile.rejected", account=contact.account, contact=contact.id, error=str(error))
        return None


def _store_profile(store: SqlAlchemyStore, contact: Contact, person: Person | None, clock: Clock,
                   policy: Policy) -> None:
    now = clock.now()
    with store.unit_of_work() as uow:
        if person is not None:
            contact, changed = uow.contacts.resolve_tracking(contact.account, person, now)
            if changed:
                remember_profile(uow, contact, now)
            if person.bot != contact.bot:
                uow.contacts.update_flags(contact.id, bot=person.bot)  # the lookup is authoritative
            note = person.note.strip()
            known = {f.text for f in uow.contacts.facts(contact.id) if f.source == PLATFORM_NOTE}
            if note and note not in known:
                uow.contacts.add_fact(contact.id, Fact(FactKind.NOTE, note, PLATFORM_NOTE, now))
        uow.contacts.update_flags(contact.id, profile_refreshed_at=now)
        recompute_stage(uow, contact, policy.thresholds, at=now)
        uow.commit()
