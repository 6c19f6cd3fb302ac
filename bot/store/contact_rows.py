"""Contact rows: to and from the domain's Contact, and what a sighting changes in one."""

from __future__ import annotations

import json

from bot.domain.contacts import Contact
from bot.domain.handles import handle_key
from bot.domain.models import Person
from bot.domain.stages import RelationshipCounters, Stage
from bot.store.schema import contacts


_KEY_LENGTH = contacts.c.handle_key.type.length


def contact_key(handle: str) -> str:
    # Cut to the column: folding can lengthen a handle ("ß" -> "ss"), and PostgreSQL refuses an
    # over-long value. Stored and looked-up keys are cut alike, so they still meet.
    return handle_key(handle)[:_KEY_LENGTH]


def profile_changes(row, person: Person) -> dict[str, object]:  # noqa: ANN001
    changes: dict[str, object] = {}
    if person.platform_id and row.platform_id != person.platform_id:
        changes["platform_id"] = person.platform_id
    # Handles change; the platform id does not. A sighting without the id (a `sent` event, typed
    # by the owner) matched the same key: it keeps the spelling the platform gave.
    if person.platform_id and person.handle and row.handle != person.handle:
        changes["handle"] = person.handle
        changes["handle_key"] = contact_key(person.handle)
    for key in ("name", "bio"):
        if getattr(person, key) and getattr(row, key) != getattr(person, key):
            changes[key] = getattr(person, key)
    if person.fields:
        fields = json.dumps([list(f) for f in person.fields])
        if fields != row.fields:
            changes["fields"] = fields
    if person.bot and not row.bot:
        changes["bot"] = True
    return changes


def to_contact(row) -> Contact:  # noqa: ANN001
    return Contact(
        id=row.id, account=row.account, handle=row.handle, platform_id=row.platform_id,
        name=row.name, bio=row.bio, bot=row.bot,
        fields=tuple((str(k), str(v)) for k, v in json.loads(row.fields or "[]")),
        stage=Stage(row.stage), stage_reason=row.stage_reason,
        counters=RelationshipCounters(
            conversations=row.conversations, conversation_days=row.conversation_days,
            reciprocal_conversations=row.reciprocal_conversations,
            first_conversation_at=row.first_conversation_at, last_conversation_at=row.last_conversation_at,
            known_facts=row.known_facts, trusted=row.trusted,
        ),
        signals=row.signals, opted_out=row.opted_out, opted_out_at=row.opted_out_at,
        last_pitch_at=row.last_pitch_at, exchanges_since_pitch=row.exchanges_since_pitch,
        first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
        profile_refreshed_at=row.profile_refreshed_at, last_checkin_at=row.last_checkin_at,
    )
