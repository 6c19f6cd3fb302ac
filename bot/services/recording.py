"""Recording one interaction: its contact, what they shared, its conversation and their stage.

Called by polling for every record of a batch (`ingest`) and by the sender for a reply it posted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.categories import Category
from bot.domain.contacts import Contact
from bot.domain.memory import TOPIC_SOURCE, Fact
from bot.domain.models import Interaction
from bot.domain.stage_history import Cause
from bot.domain.stages import StageThresholds, assess_stage
from bot.services.deciding import Policy
from bot.services.memory import remember_message, remember_profile
from bot.services.reading import Reading, inbound_talk, read
from bot.store.contacts import ConversationChange
from bot.store.unit_of_work import SqlUnitOfWork


def record_interaction(
    uow: SqlUnitOfWork, account: str, interaction: Interaction, *, now: datetime, policy: Policy,
    reading: Reading | None = None,
) -> int | None:
    """Store one interaction and update its contact; the contact's id, or None if already stored.
    `reading` is what `bot.services.reading.read` made of it, when that was done beforehand."""
    sighting = uow.contacts.resolve_sighting(account, interaction.person, now)
    contact = sighting.contact
    stored_facts: list[Fact] | None = [] if sighting.created else None  # what is known of them, once read
    if sighting.profile_changed:
        stored_facts = remember_profile(uow, contact, now, stored_facts)
    if reading is None or not (reading.analysed or _stored(uow, account, interaction)):
        reading = read(interaction, policy)  # not read beforehand, or no longer stored since
    interaction = _in_known_thread(uow, account, reading.interaction)
    category = reading.category
    row_id = uow.interactions.add(
        account, contact.id, interaction, now=now, category=category,
        draft_state="pending" if inbound_talk(interaction) else "none",
    )
    if row_id is None:
        return None
    uow.contacts.touch(contact.id, interaction.at, signal=interaction.kind.is_signal)
    known: int | None = None
    exchanges: int | None = None  # stored with the stage, in one statement
    if reading.genuine:
        assert interaction.post is not None
        known = remember_message(uow, contact, interaction.post, interaction.id, interaction.at, reading.facts,
                                 stored_facts)
        exchanges = contact.exchanges_since_pitch + 1
    elif stored_facts is not None:
        known = sum(1 for fact in stored_facts if fact.source != TOPIC_SOURCE)
    if interaction.kind.is_conversation and interaction.post is not None:
        change = uow.contacts.record_message(
            contact.id, interaction.post.thread_id, interaction.at, interaction.direction,
            new_contact=sighting.created,
        )
        update_stage(uow, contact, interaction, change, policy.thresholds, known, exchanges_since_pitch=exchanges)
    elif exchanges is not None:
        uow.contacts.update_flags(contact.id, exchanges_since_pitch=exchanges)
    if category == Category.OPT_OUT.value and not contact.opted_out:
        uow.contacts.update_flags(contact.id, opted_out=True, opted_out_at=interaction.at)
        uow.state.audit(now, "system", "opted_out", account=account, contact_id=contact.id,
                        detail={"interaction": interaction.id})
    return contact.id


def update_stage(
    uow: SqlUnitOfWork, contact: Contact, interaction: Interaction, change: ConversationChange,
    thresholds: StageThresholds, known: int | None = None, *, exchanges_since_pitch: int | None = None,
) -> None:
    """Fold one message into the contact's counters and place them on the ladder again;
    `known`: the contact's `known_facts`, when the caller has just counted them;
    `exchanges_since_pitch`: a new count to store with them."""
    c = contact.counters
    at = interaction.at
    counters = replace(
        c,
        conversations=c.conversations + change.new_conversation,
        conversation_days=c.conversation_days + change.new_day,
        reciprocal_conversations=c.reciprocal_conversations + change.became_reciprocal,
        first_conversation_at=min(c.first_conversation_at or at, at),
        last_conversation_at=max(c.last_conversation_at or at, at),
        known_facts=known_facts(uow, contact) if known is None else known,
    )
    # Dated by the newest message counted: history read backwards reaches a stage no earlier.
    uow.contacts.save_progress(contact, counters, assess_stage(counters, thresholds),
                               at=counters.last_conversation_at or at, cause=Cause.MESSAGE.value,
                               exchanges_since_pitch=exchanges_since_pitch)


def known_facts(uow: SqlUnitOfWork, contact: Contact) -> int:
    """What they told about themselves or the user noted; mined keywords are not knowledge."""
    return uow.contacts.count_knowledge(contact.id)


def recompute_stage(
    uow: SqlUnitOfWork, contact: Contact, thresholds: StageThresholds, *, at: datetime, cause: Cause = Cause.FACT,
) -> Contact:
    """Place a contact again after a person changed something (trust, a note) at `at`."""
    counters = replace(contact.counters, known_facts=known_facts(uow, contact))
    uow.contacts.save_progress(contact, counters, assess_stage(counters, thresholds), at=at, cause=cause.value)
    updated = uow.contacts.get(contact.id)
    assert updated is not None
    return updated


def _stored(uow: SqlUnitOfWork, account: str, interaction: Interaction) -> bool:
    return bool(uow.interactions.stored_events(account, [interaction.id]))


def _in_known_thread(uow: SqlUnitOfWork, account: str, interaction: Interaction) -> Interaction:
    """A reply belongs to the thread of the post it answers, when that post is stored.

    Platforms do not always name a thread's root (Mastodon names only the parent), and a long
    thread must count as one conversation, not one per reply.
    """
    post = interaction.post
    if post is None or not post.in_reply_to:
        return interaction
    thread = uow.interactions.thread_of(account, post.in_reply_to)
    if thread is None or thread == post.thread_id:
        return interaction
    return replace(interaction, post=replace(post, thread=thread))

