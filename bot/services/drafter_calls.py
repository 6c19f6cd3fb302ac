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

THREAD_LOOKBACK = 50  # the person's latest interactions searched for the thread's earlier messages
_THREAD_MESSAGES = 12


def thread_above(
    uow: SqlUnitOfWork, stored: StoredInteraction, latest: list[StoredInteraction] | None = None,
) -> tuple[EarlierMessage, ...]:
    """The messages above `stored` in its thread, theirs and the account's, oldest first.
    `latest`: the person's latest `THREAD_LOOKBACK` interactions, when the caller read them."""
    post = stored.interaction.post
    if post is None:
        return ()
    if latest is None:
        latest = uow.interactions.for_contact(stored.contact_id, limit=THREAD_LOOKBACK)
    earlier = [
        other for other in latest
        if other.id != stored.id and other.interaction.post is not None
        and other.interaction.post.thread_id == post.thread_id and other.interaction.post.text
        and (other.interaction.at, other.id) < (stored.interaction.at, stored.id)
    ][:_THREAD_MESSAGES]
    return tuple(
        EarlierMessage(other.interaction.post.text, other.interaction.at,  # type: ignore[union-attr]
                       from_them=other.interaction.direction is Direction.INBOUND)
        for other in reversed(earlier)
    )


def context_for(
    uow: SqlUnitOfWork, stored: StoredInteraction | None, contact: Contact, platform: str,
    latest: list[StoredInteraction] | None = None,
) -> DraftContext:
    return DraftContext(platform=platform, handle=contact.handle,
                        thread=thread_above(uow, stored, latest) if stored is not None else ())


def moved_on(stored: StoredInteraction, latest: list[StoredInteraction]) -> bool | None:
    """Whether either side wrote in the thread after `stored`, as `newer_in_thread` counts it,
    told from the person's latest interactions; None when `stored` is older than all of them
    (then a newer one may lie beyond them too, and only the store can tell)."""
    post = stored.interaction.post
    if post is None:
        return False
    if not any(other.id == stored.id for other in latest):
        return None
    # Every interaction newer than `stored` ranks above it in `latest` (newest first), so all are here.
    return any(
        other.id != stored.id and other.interaction.post is not None
        and other.interaction.post.thread == post.thread_id and other.interaction.at > stored.interaction.at
        for other in latest
    )


def ask_drafter(
    drafter: Drafter, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    context: DraftContext,
) -> list[Suggestion]:
    """The drafter's suggestions; the context only to a drafter that reads it."""
    if isinstance(drafter, ContextualDrafter):
        return drafter.suggest_in_context(contact, target, language, memory, context)
    return drafter.suggest(contact, target, language, memory)
