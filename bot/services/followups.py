"""The memory a drafter is handed: what the person shared, minus the follow-ups that would not fit.

Read in the unit of work that reads the message (see `bot.domain.followups` for the rules): no
follow-up under sad, worried or angry words, none that a draft on its way or recently sent to
the same person already asks about, and no plan whose day passed more than `lookback` ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import followups
from bot.domain.contacts import Contact
from bot.domain.drafts import Draft, DraftStatus
from bot.domain.memory import PLAN_LOOKBACK, ContactMemory, Fact
from bot.domain.models import Post
from bot.domain.tone import Tone, read_tone
from bot.store.unit_of_work import SqlUnitOfWork

FOLLOWUP_COOLDOWN = timedelta(days=30)  # `drafting.followup_cooldown_days`


def memory_for_reply(
    uow: SqlUnitOfWork, contact: Contact, post: Post, now: datetime, *,
    cooldown: timedelta = FOLLOWUP_COOLDOWN, lookback: timedelta = PLAN_LOOKBACK,
    drafts: list[Draft] | None = None, facts: list[Fact] | None = None, written: set[str] | None = None,
) -> ContactMemory:
    """Memory for a reply to `post`. The replies to this person still waiting for a person do
    not hold their follow-ups: the new reply folds them in and replaces them (`folding`), unless
    a person wrote one, which then stays and keeps what it asks. `drafts`, `facts`, and which
    of their `replaceable` drafts a person `written`: theirs, when the caller read them already
    (for several people at once)."""
    drafts = uow.drafts.for_contact(contact.id) if drafts is None else drafts
    replaced = replaceable(drafts)
    written = uow.state.edited_drafts(replaced) if written is None else written
    kept = [d for d in drafts if d.id not in replaced or d.id in written]
    tone = read_tone(post.text, post.spoiler_text)
    return _fitted(uow, contact, tone, kept, now, cooldown, lookback, facts)


def replaceable(drafts: list[Draft]) -> list[str]:
    """The replies among `drafts` that a new reply folds in and replaces, unless a person wrote them."""
    return [d.id for d in drafts if d.kind == "reply" and d.status in (DraftStatus.PENDING, DraftStatus.BLOCKED)]


def memory_for_checkin(
    uow: SqlUnitOfWork, contact: Contact, last_post: Post | None, now: datetime, *,
    cooldown: timedelta = FOLLOWUP_COOLDOWN, lookback: timedelta = PLAN_LOOKBACK,
) -> ContactMemory:
    """Memory for a check-in after their last message: after a loss or a worry, nothing to ask."""
    tone = read_tone(last_post.text, last_post.spoiler_text) if last_post is not None else Tone.NEUTRAL
    return _fitted(uow, contact, tone, uow.drafts.for_contact(contact.id), now, cooldown, lookback)


def _fitted(
    uow: SqlUnitOfWork, contact: Contact, tone: Tone, drafts: list[Draft], now: datetime,
    cooldown: timedelta, lookback: timedelta, facts: list[Fact] | None = None,
) -> ContactMemory:
    known = uow.contacts.facts(contact.id) if facts is None else facts
    memory = ContactMemory(tuple(known), contact.counters.last_conversation_at, lookback)
    return followups.for_drafting(memory, tone, followups.texts_in_use(drafts, now, cooldown))
