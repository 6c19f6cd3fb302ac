"""Calling a drafter: what it may know besides the message (read inside the caller's short
transaction), and the call itself, made with no transaction open."""

from __future__ import annotations

from bot.domain.contacts import Contact
from bot.domain.draft_context import DraftContext, EarlierMessage
from bot.domain.drafts import ReplyTarget, Suggestion
from bot.domain.memory import ContactMemory
from bot.domain.models import Direction, StoredInteraction
from bot.ports import ContextualDrafter, Drafter
from bot.store.unit_of_work import SqlUnitOfWork

_THREAD_LOOKBACK = 50  # the person's latest interactions searched for the thread's earlier messages
_THREAD_MESSAGES = 12


def thread_above(uow: SqlUnitOfWork, stored: StoredInteraction) -> tuple[EarlierMessage, ...]:
    """The messages above `stored` in its thread, theirs and the account's, oldest first."""
    post = stored.interaction.post
    if post is None:
        return ()
    earlier = [
        other for other in uow.interactions.for_contact(stored.contact_id, limit=_THREAD_LOOKBACK)
        if other.id != stored.id and other.interaction.post is not None
        and other.interaction.post.thread_id == post.thread_id and other.interaction.post.text
        and (other.interaction.at, other.id) < (stored.interaction.at, stored.id)
    ][:_THREAD_MESSAGES]
    return tuple(
        EarlierMessage(other.interaction.post.text, other.interaction.at,  # type: ignore[union-attr]
                       from_them=other.interaction.direction is Direction.INBOUND)
        for other in reversed(earlier)
    )


def context_for(uow: SqlUnitOfWork, stored: StoredInteraction | None, contact: Contact, platform: str) -> DraftContext:
    return DraftContext(platform=platform, handle=contact.handle,
                        thread=thread_above(uow, stored) if stored is not None else ())


def ask_drafter(
    drafter: Drafter, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    context: DraftContext,
) -> list[Suggestion]:
    """The drafter's suggestions; the context only to a drafter that reads it."""
    if isinstance(drafter, ContextualDrafter):
        return drafter.suggest_in_context(contact, target, language, memory, context)
    return drafter.suggest(contact, target, language, memory)
